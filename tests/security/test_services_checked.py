"""The services that arrived with the day close, the complaint loop, the rating pad,
inspections, staff care and the counter desk go through the same session check as
every other action (`ServiceContext.acting`): a disabled or demoted member's old login is
refused with 登录已失效,请重新登录 and nothing is written; a clerk cannot act at a
counter another clerk is signed in at. Both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import (
    AuditLog,
    BusinessDay,
    Complaint,
    Escalation,
    InspectionRound,
    RatingPad,
    RecoveryBreak,
)
from hall_app.domain.roles import Actor, Role
from hall_app.errors import PermissionDenied, SessionExpired
from hall_app.scripts.documents import DocumentItem
from hall_app.services import HallServices
from hall_app.services.admin import StaffEdit
from hall_app.services.complaints.models import ComplaintDraft
from tests.security.support import counter_id, staff_id

SESSION_ENDED = "登录已失效,请重新登录"


def _draft() -> ComplaintDraft:
    return ComplaintDraft(channel="counter", customer_name="李四", phone="13800138000",
                          category="waiting", description="等候时间过长")


def manager_actions(hall: HallServices) -> dict[str, tuple[Callable[[Actor], Any], type, Any]]:
    """Each action, and the table (with a filter) that must not gain a row when refused."""
    clerk_id = staff_id(hall, "1001")
    c1 = counter_id(hall, 1)
    slot = hall.inspection.checklist.times[0]
    return {
        "close the day": (lambda a: hall.days.close(a), BusinessDay,
                          BusinessDay.state == "closed"),
        "register a complaint": (lambda a: hall.complaints.register(a, _draft()), Complaint,
                                 None),
        "start an inspection round": (lambda a: hall.inspection.start_round(a, slot),
                                      InspectionRound, None),
        "grant a recovery break": (lambda a: hall.staff_care.grant_recovery_break(a, clerk_id),
                                   RecoveryBreak, None),
        "bind a rating pad": (lambda a: hall.pads.bind(a, c1, "评价器1"), RatingPad, None),
        "escalate from the floor": (lambda a: hall.desk.escalate(a, None, "顾客情绪激动"),
                                    Escalation, None),
    }


def _count(hall: HallServices, model: type, where: Any) -> int:
    with hall.ctx.read() as s:
        stmt = select(func.count()).select_from(model)
        if where is not None:
            stmt = stmt.where(where)
        return int(s.scalar(stmt) or 0)


@pytest.mark.parametrize("how", ["disabled", "demoted"])
def test_a_disabled_or_demoted_managers_old_login_does_nothing(hall, admin, how):
    manager = hall.auth.login("2001", "2468")
    manager_id = staff_id(hall, "2001")
    if how == "disabled":
        hall.admin.set_staff_active(admin, manager_id, False)
    else:
        hall.admin.save_staff(admin, StaffEdit(id=manager_id, staff_no="2001", name="周丽",
                                               role="clerk", active=True))
    audit_rows = _count(hall, AuditLog, None)
    for name, (action, model, where) in manager_actions(hall).items():
        before = _count(hall, model, where)
        with pytest.raises(SessionExpired, match=SESSION_ENDED):
            action(manager)
        assert _count(hall, model, where) == before, name
    assert _count(hall, AuditLog, None) == audit_rows


def test_a_forged_actor_claiming_a_managers_role_is_refused(hall, clerk):
    """The clerk's real session, with the role in the Actor edited to duty manager:
    refused for what a clerk may not do (营业员无权…), and as an ended login for what a
    clerk may do too (registering a complaint, escalating)."""
    forged = Actor(clerk.staff_id, Role.DUTY_MANAGER, clerk.name, clerk.staff_no,
                   session_token=clerk.session_token)
    for name, (action, model, where) in manager_actions(hall).items():
        before = _count(hall, model, where)
        with pytest.raises(PermissionDenied):  # or its subclass SessionExpired
            action(forged)
        assert _count(hall, model, where) == before, name


def test_a_clerk_cannot_use_the_desk_at_another_clerks_counter(hall, clerk):
    c1, c3 = counter_id(hall, 1), counter_id(hall, 3)
    other = hall.auth.login("1003", "1234")
    hall.counters.sign_in(clerk, c1)
    hall.counters.sign_in(other, c3)
    refusals = {
        "cash": lambda: hall.desk.record_cash(clerk, due_fen=100, received_fen=100,
                                              counter_id=c3),
        "documents": lambda: hall.desk.record_documents(
            clerk, [DocumentItem("身份证", "returned")], counter_id=c3),
        "escalate": lambda: hall.desk.escalate(clerk, c3, "顾客情绪激动"),
    }
    for name, act in refusals.items():
        with pytest.raises(PermissionDenied, match="未在3号窗口签到"):
            act()
        assert name
    assert _count(hall, Escalation, None) == 0
    # At his own counter the same desk works.
    assert hall.desk.escalate(clerk, c1, "顾客情绪激动").counter_number == 1


def test_the_rating_pad_shows_the_live_session_at_the_counter(hall, clerk, admin):
    """The pad names whoever's live login holds the counter: after 1001's PIN is reset
    his login has ended, so the pad shows nobody until someone signs in again."""
    from hall_app.services.ratings import counter_holder

    c1 = counter_id(hall, 1)

    def holder() -> str | None:
        with hall.ctx.read() as s:
            found = counter_holder(s, c1)
        return found.staff_no if found else None

    assert holder() is None
    hall.counters.sign_in(clerk, c1)
    assert holder() == "1001"
    hall.admin.reset_pin(admin, staff_id(hall, "1001"), "135799")
    assert holder() is None
    manager = hall.auth.login("2001", "2468")
    hall.counters.sign_in(manager, c1)
    assert holder() == "2001"
