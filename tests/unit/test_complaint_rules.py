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
    is_legal_move,
    replied_on_time,
    reply_due,
)
from hall_app.domain.roles import Actor, Role
from hall_app.errors import IllegalTransition, PermissionDenied

SH = ZoneInfo("Asia/Shanghai")
CLERK = Actor(1, Role.CLERK)
MANAGER = Actor(2, Role.DUTY_MANAGER)
ADMIN = Actor(3, Role.ADMIN)
OPEN = {S.REGISTERED, S.IN_PROGRESS, S.AWAITING_APPROVAL, S.APPROVED, S.REPLIED, S.AGREED,
        S.IMPLEMENTING, S.FOLLOW_UP}
ANSWERED = {S.REPLIED, S.AGREED, S.IMPLEMENTING, S.FOLLOW_UP}
AFTER_AGREEMENT = {S.AGREED, S.IMPLEMENTING, S.FOLLOW_UP}


def stay(states):
    return {s: s for s in states}


# The specification (seed 003 §一, issue 15), written out independently of the
# implementation's table: action -> ({from: to}, manager only?)
SPEC = {
    A.START: ({S.REGISTERED: S.IN_PROGRESS}, False),
    A.ASSIGN: (stay(OPEN), True),
    A.CONTACT: (stay(OPEN), False),
    A.PROPOSE_RESOLUTION: ({S.IN_PROGRESS: S.AWAITING_APPROVAL}, False),
    A.APPROVE: ({S.AWAITING_APPROVAL: S.APPROVED}, True),
    A.REJECT: ({S.AWAITING_APPROVAL: S.IN_PROGRESS}, True),
    A.REPLY: ({S.APPROVED: S.REPLIED}, False),  # only an approved resolution is replied
    A.REOPEN: ({s: S.IN_PROGRESS for s in ANSWERED | {S.CLOSED}}, False),
    A.SIGN_AGREEMENT: ({S.REPLIED: S.AGREED}, False),
    A.HAND_OFF: ({S.AGREED: S.IMPLEMENTING, S.IMPLEMENTING: S.IMPLEMENTING,
                  S.FOLLOW_UP: S.FOLLOW_UP}, False),
    A.SCHEDULE_FOLLOW_UP: (stay(AFTER_AGREEMENT), False),
    A.FOLLOW_UP: ({s: S.FOLLOW_UP for s in AFTER_AGREEMENT}, False),
    A.SIGN_OFF: ({s: S.CLOSED for s in ANSWERED}, True),
    A.ESCALATE: (stay(OPEN), False),
    A.CLOSE_NUISANCE: ({s: S.CLOSED for s in OPEN}, True),
    A.NOTE: (stay(OPEN), False),
    A.RECOVERY_BREAK: (stay(set(S)), True),
}
CASES = [(action, state, actor) for action in SPEC for state in S
         for actor in (CLERK, MANAGER, ADMIN)]


@pytest.mark.parametrize(("action", "state", "actor"), CASES,
                         ids=[f"{a}-{s}-{r.role}" for a, s, r in CASES])
def test_every_transition_per_role(action, state, actor):
    moves, manager_only = SPEC[action]
    if manager_only and actor.role is Role.CLERK:
        with pytest.raises(PermissionDenied) as err:
            check_action(action, state, actor)
        assert "营业员无权" in err.value.message
    elif state not in moves:
        with pytest.raises(IllegalTransition) as err:
            check_action(action, state, actor)
        assert "投诉当前状态为" in err.value.message
    else:
        assert check_action(action, state, actor) == moves[state]
        assert is_legal_move(action, state, moves[state])


def test_close_needs_a_satisfied_follow_up_and_every_hand_off_done():
    with pytest.raises(IllegalTransition, match="尚未在回访中表示满意"):
        check_action(A.CLOSE, S.FOLLOW_UP, MANAGER, satisfied=False)
    with pytest.raises(IllegalTransition, match="2项交办事项未落实"):
        check_action(A.CLOSE, S.FOLLOW_UP, CLERK, satisfied=True, open_hand_offs=2)
    assert check_action(A.CLOSE, S.FOLLOW_UP, CLERK, satisfied=True) == S.CLOSED
    for state in set(S) - {S.FOLLOW_UP}:
        with pytest.raises(IllegalTransition):
            check_action(A.CLOSE, state, MANAGER, satisfied=True)
    assert A.CLOSE not in allowed_actions(S.FOLLOW_UP, MANAGER, satisfied=False)
    assert A.SIGN_OFF in allowed_actions(S.FOLLOW_UP, MANAGER, satisfied=False)
    assert A.SIGN_OFF not in allowed_actions(S.FOLLOW_UP, CLERK, satisfied=False)


def test_hand_off_done_only_with_an_open_hand_off():
    with pytest.raises(IllegalTransition, match="没有待落实的交办事项"):
        check_action(A.HAND_OFF_DONE, S.IMPLEMENTING, CLERK)
    for state in S:
        if state in (S.IMPLEMENTING, S.FOLLOW_UP):
            assert check_action(A.HAND_OFF_DONE, state, CLERK, open_hand_offs=1) == state
        else:
            with pytest.raises(IllegalTransition, match="投诉当前状态为"):
                check_action(A.HAND_OFF_DONE, state, CLERK, open_hand_offs=1)


def test_a_closed_complaint_can_only_be_reopened():
    for actor in (CLERK, MANAGER):
        assert allowed_actions(S.CLOSED, actor) == (A.REOPEN,)


def test_nuisance_close_refused_once_escalated_even_for_a_manager():
    assert check_action(A.CLOSE_NUISANCE, S.IN_PROGRESS, MANAGER, escalated=False) == S.CLOSED
    with pytest.raises(IllegalTransition) as err:
        check_action(A.CLOSE_NUISANCE, S.IN_PROGRESS, MANAGER, escalated=True)
    assert "曾升级投诉" in err.value.message
    assert A.CLOSE_NUISANCE not in allowed_actions(S.IN_PROGRESS, MANAGER, escalated=True)


def test_escalate_only_once():
    with pytest.raises(IllegalTransition, match="已升级"):
        check_action(A.ESCALATE, S.IN_PROGRESS, CLERK, escalated=True)


def test_a_clerk_may_not_work_on_a_colleagues_complaint_but_may_escalate_it():
    with pytest.raises(PermissionDenied, match="其他同事处理"):
        check_action(A.REPLY, S.APPROVED, CLERK, is_handler=False)
    assert check_action(A.ESCALATE, S.IN_PROGRESS, CLERK, is_handler=False) == S.IN_PROGRESS
    assert check_action(A.REPLY, S.APPROVED, MANAGER, is_handler=False) == S.REPLIED


def test_next_actions_differ_by_role():
    assert allowed_actions(S.AWAITING_APPROVAL, CLERK) == (A.CONTACT, A.ESCALATE, A.NOTE)
    assert allowed_actions(S.AWAITING_APPROVAL, MANAGER) == (
        A.ASSIGN, A.CONTACT, A.APPROVE, A.REJECT, A.ESCALATE, A.CLOSE_NUISANCE, A.NOTE)
    assert A.CLOSE_NUISANCE not in allowed_actions(S.IN_PROGRESS, CLERK)


def test_history_moves_outside_the_machine_are_illegal():
    assert is_legal_move("reply", "approved", "replied")
    assert not is_legal_move("reply", "in_progress", "replied")  # unapproved reply
    assert not is_legal_move("close", "replied", "closed")
    assert not is_legal_move("confirm", "replied", "confirmed")  # the old workflow
    assert not is_legal_move("nonsense", "replied", "replied")


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


def test_same_day_reply_is_by_the_deadline_not_by_midnight():
    due = reply_due(local(2026, 11, 25, 10, 0), SH, WEEK)  # 18:00 close
    assert replied_on_time(local(2026, 11, 25, 17, 59), due)
    assert replied_on_time(due, due)
    assert not replied_on_time(local(2026, 11, 25, 19, 0), due)  # before midnight, yet late
    assert not replied_on_time(None, due)


def test_reminder_flags_for_the_limit_follow_up_and_feedback():
    due, hard = local(2026, 11, 25, 18, 0), local(2026, 12, 11, 0, 0)
    st = deadline_status(S.FOLLOW_UP, local(2026, 12, 8, 0, 1), due, hard, hard_warning_days=3,
                         next_follow_up_at=local(2026, 12, 8, 0, 0),
                         next_feedback_at=local(2026, 12, 9, 0, 0))
    assert st.near_limit and st.follow_up_due and not st.feedback_due and not st.overdue
    early = deadline_status(S.FOLLOW_UP, local(2026, 12, 7, 23, 59), due, hard,
                            hard_warning_days=3)
    assert not early.near_limit
    closed = deadline_status(S.CLOSED, local(2026, 12, 10), due, hard,
                             next_follow_up_at=local(2026, 12, 1))
    assert not closed.near_limit and not closed.follow_up_due
