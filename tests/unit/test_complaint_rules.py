"""Complaint workflow rules per role, and reply deadlines in the hall's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_app.domain.complaints import (
    ComplaintAction as A,
)
from hall_app.domain.complaints import (
    ComplaintState as S,
)
from hall_app.domain.complaints import (
    allowed_actions,
    check_action,
    deadline_status,
    hard_due,
    reply_due,
)
from hall_app.domain.roles import Actor, Role
from hall_app.errors import IllegalTransition, PermissionDenied

SH = ZoneInfo("Asia/Shanghai")
CLERK = Actor(1, Role.CLERK)
MANAGER = Actor(2, Role.DUTY_MANAGER)
ADMIN = Actor(3, Role.ADMIN)
OPEN = {S.REGISTERED, S.IN_PROGRESS, S.AWAITING_APPROVAL, S.REPLIED, S.CONFIRMED, S.FOLLOW_UP}

# The specification, written out independently of the implementation's table:
# action -> (states it may start from, state it leads to (None = unchanged), manager only?)
SPEC = {
    A.START: ({S.REGISTERED}, S.IN_PROGRESS, False),
    A.ASSIGN: (OPEN, None, True),
    A.PROPOSE_COMPENSATION: ({S.IN_PROGRESS}, S.AWAITING_APPROVAL, False),
    A.APPROVE: ({S.AWAITING_APPROVAL}, S.IN_PROGRESS, True),
    A.REJECT: ({S.AWAITING_APPROVAL}, S.IN_PROGRESS, True),
    A.REPLY: ({S.IN_PROGRESS}, S.REPLIED, False),
    A.REOPEN: ({S.REPLIED}, S.IN_PROGRESS, False),
    A.CONFIRM: ({S.REPLIED}, S.CONFIRMED, False),
    A.FOLLOW_UP: ({S.CONFIRMED, S.FOLLOW_UP}, S.FOLLOW_UP, False),
    A.CLOSE: ({S.FOLLOW_UP}, S.CLOSED, False),
    A.ESCALATE: (OPEN, None, False),
    A.CLOSE_NUISANCE: (OPEN, S.CLOSED, True),
    A.NOTE: (OPEN, None, False),
}
CASES = [(action, state, actor) for action in SPEC for state in S
         for actor in (CLERK, MANAGER, ADMIN)]


@pytest.mark.parametrize(("action", "state", "actor"), CASES,
                         ids=[f"{a}-{s}-{r.role}" for a, s, r in CASES])
def test_every_transition_per_role(action, state, actor):
    sources, target, manager_only = SPEC[action]
    if manager_only and actor.role is Role.CLERK:
        with pytest.raises(PermissionDenied) as err:
            check_action(action, state, actor)
        assert "营业员无权" in err.value.message
    elif state not in sources:
        with pytest.raises(IllegalTransition) as err:
            check_action(action, state, actor)
        assert "投诉当前状态为" in err.value.message
    else:
        assert check_action(action, state, actor) == target


def test_nothing_happens_to_a_closed_complaint():
    for actor in (CLERK, MANAGER):
        assert allowed_actions(S.CLOSED, actor) == ()


def test_nuisance_close_refused_once_escalated_even_for_a_manager():
    assert check_action(A.CLOSE_NUISANCE, S.IN_PROGRESS, MANAGER, escalated=False) == S.CLOSED
    with pytest.raises(IllegalTransition) as err:
        check_action(A.CLOSE_NUISANCE, S.IN_PROGRESS, MANAGER, escalated=True)
    assert "曾升级至值班长" in err.value.message
    assert A.CLOSE_NUISANCE not in allowed_actions(S.IN_PROGRESS, MANAGER, escalated=True)


def test_escalate_only_once():
    with pytest.raises(IllegalTransition, match="已升级"):
        check_action(A.ESCALATE, S.IN_PROGRESS, CLERK, escalated=True)


def test_a_clerk_may_not_work_on_a_colleagues_complaint_but_may_escalate_it():
    with pytest.raises(PermissionDenied, match="其他同事处理"):
        check_action(A.REPLY, S.IN_PROGRESS, CLERK, is_handler=False)
    assert check_action(A.ESCALATE, S.IN_PROGRESS, CLERK, is_handler=False) is None
    assert check_action(A.REPLY, S.IN_PROGRESS, MANAGER, is_handler=False) == S.REPLIED


def test_next_actions_differ_by_role():
    assert allowed_actions(S.AWAITING_APPROVAL, CLERK) == (A.ESCALATE, A.NOTE)
    assert allowed_actions(S.AWAITING_APPROVAL, MANAGER) == (
        A.ASSIGN, A.APPROVE, A.REJECT, A.ESCALATE, A.CLOSE_NUISANCE, A.NOTE)
    assert A.CLOSE_NUISANCE not in allowed_actions(S.IN_PROGRESS, CLERK)


# -- deadlines ------------------------------------------------------------------------

# Demo hall opening hours: Mon-Fri 08:30-18:00, Sat-Sun 09:00-17:00.
WEEK = {d: (time(8, 30), time(18, 0)) for d in range(5)} | {
    5: (time(9, 0), time(17, 0)), 6: (time(9, 0), time(17, 0))}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_reply_due_by_close_of_the_same_business_day():
    # Wednesday 2026-11-25 10:00 local = 02:00 UTC.
    assert reply_due(local(2026, 11, 25, 10, 0), SH, WEEK) == local(2026, 11, 25, 18, 0)


def test_complaint_received_just_after_utc_midnight_belongs_to_the_local_day():
    # 2026-11-25 00:30 UTC is 08:30 local on the 25th, not the 24th.
    received = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    assert reply_due(received, SH, WEEK) == local(2026, 11, 25, 18, 0)
    # 2026-11-24 23:30 UTC is already 07:30 on the 25th locally (before opening).
    early = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert reply_due(early, SH, WEEK) == local(2026, 11, 25, 18, 0)


def test_after_closing_the_reply_is_due_at_the_next_close():
    assert reply_due(local(2026, 11, 25, 18, 30), SH, WEEK) == local(2026, 11, 26, 18, 0)
    # Across local midnight: 23:50 Friday → Saturday closes at 17:00.
    assert reply_due(local(2026, 11, 27, 23, 50), SH, WEEK) == local(2026, 11, 28, 17, 0)


def test_closed_days_are_skipped():
    hours = {d: (time(8, 30), time(18, 0)) for d in range(5)}  # closed at weekends
    # Friday evening → Monday close.
    assert reply_due(local(2026, 11, 27, 19, 0), SH, hours) == local(2026, 11, 30, 18, 0)
    assert reply_due(local(2026, 11, 28, 12, 0), SH, hours) == local(2026, 11, 30, 18, 0)


def test_without_opening_hours_the_business_day_ends_at_local_midnight():
    assert reply_due(local(2026, 11, 25, 23, 59), SH, {}) == local(2026, 11, 26, 0, 0)


def test_configured_reply_hours_count_from_receipt_across_midnight():
    assert reply_due(local(2026, 11, 25, 20, 0), SH, WEEK, 8) == local(2026, 11, 26, 4, 0)


def test_hard_limit_is_the_end_of_the_fifteenth_day_in_hall_time():
    received = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # 01:00 on the 26th locally
    assert hard_due(received, SH, 15) == local(2026, 12, 12, 0, 0)
    assert hard_due(local(2026, 11, 25, 10, 0), SH, 15) == local(2026, 12, 11, 0, 0)


def test_overdue_and_due_soon_flags():
    due, hard = local(2026, 11, 25, 18, 0), local(2026, 12, 11, 0, 0)
    at = local(2026, 11, 25, 16, 30)
    st = deadline_status(S.IN_PROGRESS, at, due, hard, soon_minutes=120)
    assert st.due_soon and not st.overdue and st.minutes_left == 90
    late = deadline_status(S.REGISTERED, due + timedelta(minutes=1), due, hard)
    assert late.reply_overdue and late.overdue and late.minutes_left == -1
    replied = deadline_status(S.REPLIED, due + timedelta(days=1), due, hard)
    assert not replied.overdue and replied.minutes_left is None
    hard_late = deadline_status(S.FOLLOW_UP, hard + timedelta(seconds=1), due, hard)
    assert hard_late.hard_overdue and hard_late.overdue
    closed = deadline_status(S.CLOSED, hard + timedelta(days=3), due, hard)
    assert not closed.overdue
