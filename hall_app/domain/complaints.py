"""The complaint workflow (投诉处理) as a state machine, plus its deadlines and reminders.

The procedure follows seed 003 §一 step by step:

    registered ─start→ in_progress ─propose_resolution→ awaiting_approval
    awaiting_approval ─approve (duty manager)→ approved   (every resolution, not only
    awaiting_approval ─reject (duty manager)→ in_progress  compensation, is approved)
    approved ─reply→ replied ─sign_agreement (处理协议, step 5)→ agreed
    agreed ─hand_off (to a department, step 6)→ implementing
    agreed / implementing / follow_up ─follow_up (回访)→ follow_up
    follow_up ─close→ closed   only when the customer said 满意 / 基本满意 at the last
                               follow-up and every hand-off is done (step 7: track until
                               the customer answers satisfied)
    replied … follow_up ─sign_off (duty manager, written reason)→ closed as 未满意结案
    replied … follow_up, closed ─reopen (the customer does not accept)→ in_progress

A reopen, a customer rejecting a reply or a follow-up answered 不满意, and a counter
escalation (F7) about the complaint's ticket mark the complaint *escalated*; an escalated
complaint is never closed as a nuisance (骚扰), because seed 001 says not to take a
complainant who escalates for a nuisance caller.

Actions that keep the state (`assign`, `contact`, `schedule_follow_up`, `hand_off_done`,
`escalate`, `note`, `recovery_break`) are transitions from a state to itself, so every
history row is one legal move of this machine (the reliability oracle replays them).

Pure rules, no database: the services apply them inside one unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, PermissionDenied, ValidationError
from hall_app.text import clean_text


class ComplaintState(StrEnum):
    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    REPLIED = "replied"
    AGREED = "agreed"
    IMPLEMENTING = "implementing"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


STATE_LABELS: dict[str, str] = {
    "registered": "已登记",
    "in_progress": "处理中",
    "awaiting_approval": "待领导审批",
    "approved": "方案已批准",
    "replied": "已答复客户",
    "agreed": "已签处理协议",
    "implementing": "交办落实中",
    "follow_up": "回访中",
    "closed": "已结案",
}

OPEN_STATES = frozenset(s for s in ComplaintState if s is not ComplaintState.CLOSED)
# States in which the customer has not yet received a reply (the reply deadline runs).
UNREPLIED_STATES = frozenset({ComplaintState.REGISTERED, ComplaintState.IN_PROGRESS,
                              ComplaintState.AWAITING_APPROVAL, ComplaintState.APPROVED})
# States after the customer has been answered (a duty manager may sign off from here).
ANSWERED_STATES = frozenset({ComplaintState.REPLIED, ComplaintState.AGREED,
                             ComplaintState.IMPLEMENTING, ComplaintState.FOLLOW_UP})


class ComplaintAction(StrEnum):
    REGISTER = "register"
    START = "start"
    ASSIGN = "assign"
    CONTACT = "contact"
    PROPOSE_RESOLUTION = "propose_resolution"
    APPROVE = "approve"
    REJECT = "reject"
    REPLY = "reply"
    REOPEN = "reopen"
    SIGN_AGREEMENT = "sign_agreement"
    HAND_OFF = "hand_off"
    HAND_OFF_DONE = "hand_off_done"
    SCHEDULE_FOLLOW_UP = "schedule_follow_up"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    SIGN_OFF = "sign_off"
    ESCALATE = "escalate"
    CLOSE_NUISANCE = "close_nuisance"
    NOTE = "note"
    RECOVERY_BREAK = "recovery_break"


ACTION_LABELS: dict[str, str] = {
    "register": "登记投诉",
    "start": "开始处理",
    "assign": "指派处理人",
    "contact": "联系客户",
    "propose_resolution": "提出处理方案",
    "approve": "批准处理方案",
    "reject": "驳回处理方案",
    "reply": "答复客户",
    "reopen": "客户不满意,重新处理",
    "sign_agreement": "签订处理协议",
    "hand_off": "交办相关部门",
    "hand_off_done": "交办事项已落实",
    "schedule_follow_up": "约定回访时间",
    "follow_up": "回访",
    "close": "满意结案",
    "sign_off": "签批未满意结案",
    "escalate": "升级至值班长",
    "close_nuisance": "按非真实投诉(骚扰)关闭",
    "note": "备注",
    "recovery_break": "安排调整情绪",
    # Actions of complaints recorded before migration 0010 (shown in their history).
    "propose_compensation": "提出补偿方案",
    "confirm": "客户确认处理结果",
}

_S = ComplaintState
_OPEN = frozenset(OPEN_STATES)


def _stay(states: frozenset[ComplaintState]) -> dict[ComplaintState, ComplaintState]:
    return {s: s for s in states}


@dataclass(frozen=True)
class Rule:
    """Where an action may start and where it leads from there, and who may do it."""

    moves: Mapping[ComplaintState, ComplaintState]
    permission: Permission = Permission.HANDLE_COMPLAINT

    @property
    def sources(self) -> frozenset[ComplaintState]:
        return frozenset(self.moves)


_AFTER_AGREEMENT = frozenset({_S.AGREED, _S.IMPLEMENTING, _S.FOLLOW_UP})

RULES: dict[ComplaintAction, Rule] = {
    ComplaintAction.START: Rule({_S.REGISTERED: _S.IN_PROGRESS}),
    ComplaintAction.ASSIGN: Rule(_stay(_OPEN), Permission.APPROVE_COMPENSATION),
    ComplaintAction.CONTACT: Rule(_stay(_OPEN)),
    ComplaintAction.PROPOSE_RESOLUTION: Rule({_S.IN_PROGRESS: _S.AWAITING_APPROVAL}),
    ComplaintAction.APPROVE: Rule({_S.AWAITING_APPROVAL: _S.APPROVED},
                                  Permission.APPROVE_COMPENSATION),
    ComplaintAction.REJECT: Rule({_S.AWAITING_APPROVAL: _S.IN_PROGRESS},
                                 Permission.APPROVE_COMPENSATION),
    ComplaintAction.REPLY: Rule({_S.APPROVED: _S.REPLIED}),
    ComplaintAction.REOPEN: Rule({s: _S.IN_PROGRESS for s in ANSWERED_STATES | {_S.CLOSED}}),
    ComplaintAction.SIGN_AGREEMENT: Rule({_S.REPLIED: _S.AGREED}),
    ComplaintAction.HAND_OFF: Rule({_S.AGREED: _S.IMPLEMENTING, _S.IMPLEMENTING: _S.IMPLEMENTING,
                                    _S.FOLLOW_UP: _S.FOLLOW_UP}),
    ComplaintAction.HAND_OFF_DONE: Rule(_stay(frozenset({_S.IMPLEMENTING, _S.FOLLOW_UP}))),
    ComplaintAction.SCHEDULE_FOLLOW_UP: Rule(_stay(_AFTER_AGREEMENT)),
    ComplaintAction.FOLLOW_UP: Rule({s: _S.FOLLOW_UP for s in _AFTER_AGREEMENT}),
    ComplaintAction.CLOSE: Rule({_S.FOLLOW_UP: _S.CLOSED}),
    ComplaintAction.SIGN_OFF: Rule({s: _S.CLOSED for s in ANSWERED_STATES},
                                   Permission.SIGN_OFF_COMPLAINT),
    ComplaintAction.ESCALATE: Rule(_stay(_OPEN)),
    ComplaintAction.CLOSE_NUISANCE: Rule({s: _S.CLOSED for s in _OPEN},
                                         Permission.CLOSE_AS_NUISANCE),
    ComplaintAction.NOTE: Rule(_stay(_OPEN)),
    ComplaintAction.RECOVERY_BREAK: Rule(_stay(frozenset(ComplaintState)),
                                         Permission.GRANT_RECOVERY_BREAK),
}

# Actions that mark the complaint escalated as they happen (the customer did not accept).
ESCALATING_ACTIONS = frozenset({ComplaintAction.REOPEN, ComplaintAction.ESCALATE})
# On a colleague's complaint a clerk may only do these; a duty manager acts on any.
NOT_HANDLER_ACTIONS = frozenset({ComplaintAction.ESCALATE, ComplaintAction.NOTE})
MANAGER_WIDE = Permission.APPROVE_COMPENSATION

SATISFACTION_LABELS: dict[str, str] = {"satisfied": "满意", "mostly": "基本满意",
                                       "unsatisfied": "不满意"}
SATISFIED = frozenset({"satisfied", "mostly"})
FOLLOW_UP_OUTCOMES: dict[str, str] = {
    "satisfied": "满意", "mostly": "基本满意", "pending": "尚未落实完,须再次回访",
    "unsatisfied": "不满意",
}
CLOSE_KIND_LABELS: dict[str, str] = {"satisfied": "满意结案", "signed_off": "未满意结案",
                                     "nuisance": "非真实投诉(骚扰)"}
CHANNEL_LABELS: dict[str, str] = {"counter": "柜台", "phone": "电话", "letter": "信函",
                                  "other": "其他"}
# How the handler reached the customer (seed 003 §一 2: 电话、传真或到客户所在地).
CONTACT_METHOD_LABELS: dict[str, str] = {"phone": "电话", "fax": "传真", "visit": "上门面谈",
                                         "counter": "柜台面谈"}
CONTACT_PURPOSE_LABELS: dict[str, str] = {"investigate": "了解情况", "feedback": "进度回馈",
                                          "other": "其他"}
SEVERITY_LABELS: dict[str, str] = {"low": "一般", "normal": "较重", "high": "严重"}
NUISANCE_PREFIX = "非真实投诉(骚扰):"


def check_action(action: ComplaintAction, state: str, actor: Actor, *, escalated: bool = False,
                 is_handler: bool = True, satisfied: bool = False,
                 open_hand_offs: int = 0) -> ComplaintState:
    """The state `action` leads to (possibly the same), or a Chinese IllegalTransition /
    PermissionDenied. `is_handler`: the actor handles this complaint or nobody does yet;
    `satisfied`: the last follow-up found the customer satisfied; `open_hand_offs`: actions
    handed to departments and not yet done."""
    rule = RULES[action]
    actor.require(rule.permission)
    current = ComplaintState(state)
    if current not in rule.moves:
        raise IllegalTransition(
            f"投诉当前状态为「{STATE_LABELS[current]}」,不能{ACTION_LABELS[action]}。",
            detail=f"{action} from {state}",
        )
    if action is ComplaintAction.CLOSE_NUISANCE and escalated:
        raise IllegalTransition(
            "该投诉的客户曾升级投诉(窗口求助、不接受答复或重新处理),不能按非真实投诉(骚扰)"
            "关闭。请按正常流程答复并回访。",
            detail="escalated complaint cannot be closed as nuisance",
        )
    if action is ComplaintAction.ESCALATE and escalated:
        raise IllegalTransition("该投诉已升级至值班长。", detail="already escalated")
    if action is ComplaintAction.CLOSE:
        if not satisfied:
            raise IllegalTransition(
                "客户尚未在回访中表示满意,不能按满意结案。请继续跟踪回访;确需结案的,"
                "由值班长签批未满意结案并写明理由。", detail="close without satisfaction")
        if open_hand_offs:
            raise IllegalTransition(
                f"还有{open_hand_offs}项交办事项未落实,不能结案。", detail="open hand-offs")
    if action is ComplaintAction.HAND_OFF_DONE and not open_hand_offs:
        raise IllegalTransition("没有待落实的交办事项。", detail="no open hand-off")
    if not is_handler and not actor.can(MANAGER_WIDE) and action not in NOT_HANDLER_ACTIONS:
        raise PermissionDenied("该投诉由其他同事处理,请联系处理人或值班长。")
    return rule.moves[current]


def allowed_actions(state: str, actor: Actor, *, escalated: bool = False,
                    is_handler: bool = True, satisfied: bool = False,
                    open_hand_offs: int = 0) -> tuple[ComplaintAction, ...]:
    """Actions `actor` may take now, in workflow order (for the detail view's buttons)."""
    out: list[ComplaintAction] = []
    for action in RULES:
        if action is ComplaintAction.RECOVERY_BREAK:
            continue  # offered beside the clerk's name, not as a workflow step
        try:
            check_action(action, state, actor, escalated=escalated, is_handler=is_handler,
                         satisfied=satisfied, open_hand_offs=open_hand_offs)
        except (IllegalTransition, PermissionDenied):
            continue
        out.append(action)
    return tuple(out)


def is_legal_move(action: str, from_state: str, to_state: str) -> bool:
    """Whether a history row's move is one the machine allows (for the replay oracle)."""
    try:
        rule = RULES[ComplaintAction(action)]
        return rule.moves.get(ComplaintState(from_state)) == ComplaintState(to_state)
    except (KeyError, ValueError):
        return False


def require_text(value: str | None, field: str, message: str, limit: int = 2000) -> str:
    """Stripped `value`, or ValidationError(message) beside `field` when empty / too long."""
    text = clean_text(value, field)
    if not text:
        raise ValidationError(message, field=field)
    if len(text) > limit:
        raise ValidationError(f"内容不能超过{limit}个字。", field=field)
    return text


# -- deadlines ------------------------------------------------------------------------

OpeningTable = Mapping[int, tuple[time | None, time | None]]
"""weekday (0 = Monday) → (opens, closes); (None, None) or absent = closed that day."""


def _end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _close_of(day: date, tz: ZoneInfo, hours: OpeningTable) -> datetime | None:
    opens, closes = hours.get(day.weekday(), (None, None))
    if closes is None:
        return None
    return datetime.combine(day, closes, tzinfo=tz)


def reply_due(received_at: datetime, tz: ZoneInfo, hours: OpeningTable,
              reply_hours: int = 0) -> datetime:
    """When the reply is due.

    `reply_hours` > 0: that many hours after receipt. 0 (the default target, 当日答复):
    the close of the business day the complaint arrived on, in the hall's time zone;
    received after closing or on a closed day → the close of the next open day. Without
    any opening hours configured a business day ends at local midnight.

    This is the only definition of "replied the same day": a reply counts as 当日答复
    exactly when it is made by this deadline (a reply after closing does not).
    """
    if reply_hours > 0:
        return received_at + timedelta(hours=reply_hours)
    local = received_at.astimezone(tz)
    if not any(c is not None for _, c in hours.values()):
        return _end_of_day(local.date(), tz)
    for offset in range(0, 8):
        day = local.date() + timedelta(days=offset)
        close = _close_of(day, tz, hours)
        if close is not None and close > local:
            return close
    return _end_of_day(local.date(), tz)  # pragma: no cover - some day always opens


def replied_on_time(replied_at: datetime | None, reply_due_at: datetime) -> bool:
    """当日答复 (or within the configured hours): replied, and by the reply deadline."""
    return replied_at is not None and replied_at <= reply_due_at


def hard_due(received_at: datetime, tz: ZoneInfo, limit_days: int = 15) -> datetime:
    """The regulatory outer limit: the end of the `limit_days`-th day after receipt (hall tz)."""
    return _end_of_day(received_at.astimezone(tz).date() + timedelta(days=limit_days), tz)


def feedback_due(last_contact_at: datetime, feedback_hours: int) -> datetime:
    """When the customer must next hear from us (定期回馈, seed 004 §追踪与回馈)."""
    return last_contact_at + timedelta(hours=feedback_hours)


@dataclass(frozen=True)
class DeadlineStatus:
    reply_overdue: bool  # no reply yet and the reply deadline has passed
    hard_overdue: bool  # still open after the regulatory limit
    due_soon: bool  # no reply yet, deadline within the warning window
    minutes_left: int | None  # to the reply deadline (negative = late); None once replied
    near_limit: bool = False  # open, the regulatory limit within the warning days
    follow_up_due: bool = False  # the agreed follow-up time has come
    feedback_due: bool = False  # the customer is due an interim feedback

    @property
    def overdue(self) -> bool:
        return self.reply_overdue or self.hard_overdue


def deadline_status(state: str, now: datetime, reply_due_at: datetime, hard_due_at: datetime,
                    soon_minutes: int = 120, *, hard_warning_days: int = 3,
                    next_follow_up_at: datetime | None = None,
                    next_feedback_at: datetime | None = None) -> DeadlineStatus:
    unreplied = ComplaintState(state) in UNREPLIED_STATES
    is_open = ComplaintState(state) in OPEN_STATES
    left = int((reply_due_at - now).total_seconds() // 60) if unreplied else None
    reply_overdue = unreplied and now > reply_due_at
    hard_overdue = is_open and now > hard_due_at
    return DeadlineStatus(
        reply_overdue=reply_overdue,
        hard_overdue=hard_overdue,
        due_soon=unreplied and not reply_overdue and (reply_due_at - now)
        <= timedelta(minutes=soon_minutes),
        minutes_left=left,
        near_limit=is_open and not hard_overdue
        and hard_due_at - now <= timedelta(days=hard_warning_days),
        follow_up_due=is_open and next_follow_up_at is not None and next_follow_up_at <= now,
        feedback_due=is_open and next_feedback_at is not None and next_feedback_at <= now,
    )
