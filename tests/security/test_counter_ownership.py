"""Counter ownership: a clerk acts only at the counter he holds, on that counter's tickets.

Findings of issue 14 (each failed before the fix): 1001 called next at counter 3 where
1003 is signed in; `finish` without a counter succeeded on someone else's ticket;
signing in at an occupied counter silently ended the other clerk's session.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AuditLog, Ticket
from hall_app.errors import IllegalTransition, PermissionDenied, SessionExpired, StaleState
from tests.security.support import counter_id, service_id


@pytest.fixture
def two_counters(hall, clerk):  # type: ignore[no-untyped-def]
    """1001 at counter 1, 1003 at counter 3, two waiting PLAN tickets (both serve it)."""
    other = hall.auth.login("1003", "1234")
    c1, c3 = counter_id(hall, 1), counter_id(hall, 3)
    hall.counters.sign_in(clerk, c1)
    hall.counters.sign_in(other, c3)
    plan = service_id(hall, "PLAN")
    hall.tickets.issue(plan)
    hall.tickets.issue(plan)
    return clerk, other, c1, c3


def test_a_clerk_cannot_call_at_another_clerks_counter(hall, two_counters):
    clerk, _other, _c1, c3 = two_counters
    with pytest.raises(PermissionDenied, match="未在3号窗口签到") as info:
        hall.tickets.call_next(clerk, c3)  # PostgreSQL: refused inside the one statement
    assert not isinstance(info.value, SessionExpired)
    with hall.ctx.read() as s:
        assert set(s.scalars(select(Ticket.state))) == {"waiting"}


def test_a_clerk_cannot_act_on_a_ticket_at_another_counter(hall, two_counters):
    clerk, other, c1, c3 = two_counters
    theirs = hall.tickets.call_next(other, c3)
    hall.tickets.start(other, theirs.id, c3)
    with pytest.raises(IllegalTransition, match="不在本窗口"):
        hall.tickets.finish(clerk, theirs.id)  # no counter named: his own counter is meant
    with pytest.raises(PermissionDenied, match="未在3号窗口签到"):
        hall.tickets.finish(clerk, theirs.id, c3)
    # Away from a counter only a waiting customer can be transferred (issue 13's rule).
    with pytest.raises(StaleState, match="正在3号窗口办理"):
        hall.tickets.transfer(clerk, theirs.id, to_service_id=service_id(hall, "SIM"))
    with pytest.raises(PermissionDenied, match="未在3号窗口签到"):
        hall.tickets.transfer(clerk, theirs.id, to_service_id=service_id(hall, "SIM"),
                              counter_id=c3)
    assert hall.tickets.current(c3).state == "serving"
    # At his own counter, with or without naming it, he serves his own ticket.
    mine = hall.tickets.call_next(clerk, c1)
    hall.tickets.start(clerk, mine.id)
    assert hall.tickets.finish(clerk, mine.id).state == "done"


def test_a_clerk_not_signed_in_cannot_serve(hall):
    idle = hall.auth.login("1004", "1234")
    t = hall.tickets.issue(service_id(hall, "PAY"))
    with pytest.raises(PermissionDenied, match="请先在窗口签到"):
        hall.tickets.transfer(idle, t.id, to_service_id=service_id(hall, "PLAN"))
    with pytest.raises(PermissionDenied, match="请先在窗口签到"):
        hall.tickets.recall(idle, t.id)


def test_signing_in_at_an_occupied_counter_is_refused_naming_the_holder(hall, two_counters):
    clerk, other, _c1, c3 = two_counters
    with pytest.raises(IllegalTransition, match=r"3号窗口已由张伟\(工号1003\)签到使用"):
        hall.counters.sign_in(clerk, c3)
    # The holder is undisturbed: still holds the counter and can call.
    assert hall.tickets.call_next(other, c3).counter_id == c3
    assert hall.queries.counter_for_number(3).state == "open"


def test_a_duty_manager_takes_a_counter_over_and_it_is_audited(hall, two_counters, manager):
    clerk, other, _c1, c3 = two_counters
    theirs = hall.tickets.call_next(other, c3)
    hall.tickets.start(other, theirs.id, c3)
    with pytest.raises(PermissionDenied, match="只有值班长可以接管窗口"):
        hall.counters.take_over(clerk, c3)
    hall.counters.take_over(manager, c3)
    with pytest.raises(SessionExpired):
        hall.tickets.finish(other, theirs.id, c3)
    assert hall.tickets.finish(manager, theirs.id, c3).state == "done"
    with hall.ctx.read() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.field == "接管窗口")).one()
    assert (audit.entity, audit.entity_id) == ("counter", c3)
    assert audit.old_value == "张伟(1003)" and audit.new_value == "周丽(值班长)(2001)"
    assert audit.staff_id == manager.staff_id


def test_signing_in_again_at_ones_own_counter_is_fine(hall, two_counters):
    clerk, _other, c1, _c3 = two_counters
    hall.counters.sign_in(clerk, c1)
    again = hall.auth.login("1001", "1234")  # e.g. after the window crashed
    hall.counters.sign_in(again, c1)
    assert hall.tickets.call_next(again, c1).counter_id == c1


def test_signing_out_frees_the_counter(hall, two_counters):
    clerk, other, _c1, c3 = two_counters
    hall.counters.sign_out(other, c3)
    hall.counters.sign_in(clerk, c3)
    assert hall.tickets.call_next(clerk, c3).counter_id == c3
