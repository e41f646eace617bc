"""Server-side sessions: every action is checked against the database, not the Actor.

Findings of issue 14 turned into tests (each failed on the code before the fix): a
disabled clerk kept calling customers, a demoted duty manager still closed the day, a
hand-made `Actor(None, Role.ADMIN)` reset the administrator's PIN.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from db.models import Staff, StaffSession, Ticket
from hall_app.domain.roles import Actor, Role
from hall_app.errors import PermissionDenied, PinChangeRequired, SessionExpired
from hall_app.services.admin import StaffEdit
from tests.security.support import (
    Background,
    Held,
    counter_id,
    other_workstation,
    service_id,
    staff_id,
    wait_for_lock_wait,
)

EXPIRED = "登录已失效,请重新登录。"


def _ticket_states(hall) -> set[str]:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        return set(s.scalars(select(Ticket.state)))


def test_a_hand_made_actor_cannot_reset_the_admins_pin(hall, admin):
    admin_id = staff_id(hall, "9001")
    for forged in (Actor(None, Role.ADMIN), Actor(admin_id, Role.ADMIN, "系统管理员", "9001")):
        with pytest.raises(SessionExpired) as info:
            hall.admin.reset_pin(forged, admin_id, "135790")
        assert info.value.message == EXPIRED
    assert hall.auth.login("9001", "9999").staff_no == "9001"  # the PIN is unchanged
    with hall.ctx.read() as s:
        assert s.get(Staff, admin_id).must_change_pin is False


def test_a_disabled_clerk_cannot_call_or_serve(hall, clerk, admin):
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pay = service_id(hall, "PAY")
    first = hall.tickets.issue(pay)
    hall.tickets.issue(pay)
    assert hall.tickets.call_next(clerk, c1).id == first.id
    hall.admin.set_staff_active(admin, staff_id(hall, "1001"), False)
    # PostgreSQL calls in one statement: the session check is inside it.
    with pytest.raises(SessionExpired) as info:
        hall.tickets.call_next(clerk, c1)
    assert info.value.message == EXPIRED
    for action in (hall.tickets.start, hall.tickets.recall):
        with pytest.raises(SessionExpired):
            action(clerk, first.id, c1)
    assert _ticket_states(hall) == {"called", "waiting"}
    with hall.ctx.read() as s:
        ended = s.scalars(select(StaffSession).where(
            StaffSession.staff_id == staff_id(hall, "1001"))).all()
    assert ended and all(r.ended_at is not None and r.end_reason == "disabled" for r in ended)


def test_a_demoted_duty_manager_cannot_close_the_day(hall, manager, admin):
    hall.tickets.issue(service_id(hall, "PAY"))
    member = staff_id(hall, "2001")
    hall.admin.save_staff(admin, StaffEdit(member, "2001", "周丽(值班长)", "clerk", True))
    with pytest.raises(SessionExpired):
        hall.tickets.close_day(manager)
    assert _ticket_states(hall) == {"waiting"}
    # Logged in again, the role is the new one.
    again = hall.auth.login("2001", "2468")
    with pytest.raises(PermissionDenied, match="营业员无权"):
        hall.tickets.close_day(again)


def test_the_role_is_the_sessions_not_the_actors(hall, clerk):
    promoted = dataclasses.replace(clerk, role=Role.ADMIN)
    # Refused either as what a clerk may not do, or (for what a clerk may do too) as a
    # login that is not what it claims: never with an administrator's rights.
    with pytest.raises(PermissionDenied, match="营业员无权|登录已失效"):
        hall.admin.snapshot(promoted)
    with pytest.raises(PermissionDenied, match="营业员无权"):
        hall.tickets.close_day(promoted)


def test_a_pin_reset_ends_the_sessions_and_forces_a_change(hall, clerk, admin):
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    hall.admin.reset_pin(admin, staff_id(hall, "1001"), "246810")
    with pytest.raises(SessionExpired):
        hall.counters.pause(clerk, c1, "用餐")
    fresh = hall.auth.login("1001", "246810")
    assert hall.auth.must_change_pin(fresh)
    with pytest.raises(PinChangeRequired, match="请先修改密码"):
        hall.counters.sign_in(fresh, c1)
    hall.auth.change_pin(fresh, "246810", "864200")
    hall.counters.sign_in(fresh, c1)  # now it may act
    assert hall.queries.counter_for_number(1).state == "open"


def test_changing_the_pin_ends_the_other_sessions(hall):
    here = hall.auth.login("1002", "1234")
    there = other_workstation(hall).auth.login("1002", "1234")
    hall.auth.change_pin(here, "1234", "123456")
    with pytest.raises(SessionExpired):
        hall.counters.sign_in(there, counter_id(hall, 2))
    hall.counters.sign_in(here, counter_id(hall, 2))


def test_logout_ends_the_session(hall, clerk):
    hall.auth.logout(clerk)
    with pytest.raises(SessionExpired):
        hall.counters.sign_in(clerk, counter_id(hall, 1))


def test_a_session_row_records_who_where_and_when(hall, clock):
    actor = hall.auth.login("1003", "1234", workstation="counter-pc-3")
    hall.counters.sign_in(actor, counter_id(hall, 3))
    with hall.ctx.read() as s:
        row = s.scalars(select(StaffSession).where(
            StaffSession.staff_id == staff_id(hall, "1003"))).one()
    assert (row.role, row.workstation, row.counter_id) == ("clerk", "counter-pc-3",
                                                           counter_id(hall, 3))
    assert row.started_at == clock.now() and row.ended_at is None
    assert actor.session_token and row.token_hash != actor.session_token
    assert actor.session_token not in repr(actor)


# -- races: the disable and the action, one held between its check and its write ----------
def test_a_call_after_a_disable_committed_fails(hall, clerk, admin):
    """The admin's disable is held after its writes, before its commit; the clerk's
    call-next starts then. It must wait for (or see) the disable and fail."""
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    hall.tickets.issue(service_id(hall, "PAY"))
    admin_pc = other_workstation(hall, "admin-pc")
    member = staff_id(hall, "1001")
    held = Held(admin_pc, "staff.revoked",
                lambda: admin_pc.admin.set_staff_active(admin, member, False)).start()
    call = Background(lambda: hall.tickets.call_next(clerk, c1))
    if hall.ctx.db.is_postgres:
        wait_for_lock_wait(hall)  # the call is blocked on the disable's row locks
        assert not call.done.is_set()
    held.release()
    held.join()
    call.join()
    assert held.error is None
    assert isinstance(call.error, SessionExpired), call.error or call.result
    assert _ticket_states(hall) == {"waiting"}
    admin_pc.close()


def test_a_disable_waits_for_an_action_past_its_check(hall, clerk, admin):
    """The clerk's finish is held between its check and its write; the admin disables
    the clerk meanwhile. The finish completes first (it was allowed when it checked);
    the disable waits for it; the next action is refused."""
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    hall.tickets.issue(service_id(hall, "PAY"))
    called = hall.tickets.call_next(clerk, c1)
    hall.tickets.start(clerk, called.id, c1)
    clerk_pc = other_workstation(hall, "counter-pc-1")
    held = Held(clerk_pc, "finish",
                lambda: clerk_pc.tickets.finish(clerk, called.id, c1)).start()
    disable = Background(lambda: hall.admin.set_staff_active(admin, staff_id(hall, "1001"),
                                                            False))
    if hall.ctx.db.is_postgres:
        wait_for_lock_wait(hall)  # the check locked the session and staff rows
        assert not disable.done.is_set()
    held.release()
    held.join()
    disable.join()
    assert held.error is None and held.result.state == "done"
    assert disable.error is None
    with pytest.raises(SessionExpired):
        hall.tickets.call_next(clerk, c1)
    clerk_pc.close()


@pytest.mark.parametrize("closer", ["system", "manager"])
def test_the_day_close_ends_every_session_and_seals_the_day(hall, clerk, manager, closer):
    """The day close (automatic: the system; or the duty manager's early close) ends
    every staff session in its own transaction, the after-close steps seal the day's
    history; the system records itself (closed_by_system, no staff), never a forged
    admin."""
    from db.models import BusinessDay, HistorySeal, StaffSession

    hall.counters.sign_in(clerk, counter_id(hall, 1))
    hall.tickets.issue(service_id(hall, "PAY"))
    result = hall.days.close(None if closer == "system" else manager)
    assert result.by_system is (closer == "system")
    for actor in (clerk, manager):
        with pytest.raises(SessionExpired, match="登录已失效,请重新登录"):
            hall.tickets.call_next(actor, counter_id(hall, 1))
    with hall.ctx.read() as s:
        reasons = set(s.scalars(select(StaffSession.end_reason)))
        live = s.scalar(select(func.count(StaffSession.id)).where(
            StaffSession.ended_at.is_(None)))
        day = s.scalars(select(BusinessDay)).one()
        seals = s.scalar(select(func.count(HistorySeal.id)))
    assert reasons == {"day_closed"} and live == 0
    assert day.closed_by_system is (closer == "system")
    assert (day.closed_by is None) is (closer == "system")
    assert seals == 1
