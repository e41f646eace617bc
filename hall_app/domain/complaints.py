"""The complaint workflow (投诉处理) as a state machine, plus its reply deadlines.

registered → in_progress → (awaiting_approval ⇄ in_progress, when compensation is
proposed; only a duty manager approves or rejects) → replied (reply text required)
→ confirmed (the customer accepts) → follow_up (回访, may be recorded repeatedly)
→ closed with the customer's satisfaction (满意 / 基本满意 / 不满意).
replied → in_progress when the customer does not accept the reply.
Escalation to the duty manager is a flag, allowed from any open state.
Closing as a nuisance (骚扰/非真实投诉) needs a duty manager, a written reason, and a
complaint that was never escalated.

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


class ComplaintState(StrEnum):
    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    AWAITING_APPROVAL = "awaiting_approval"
    REPLIED = "replied"
    CONFIRMED = "confirmed"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


STATE_LABELS: dict[str, str] = {
    "registered": "已登记",
    "in_progress": "处理中",
    "awaiting_approval": "待审批",
    "replied": "已答复",
    "confirmed": "客户已确认",
    "follow_up": "回访中",
    "closed": "已关闭",
}

OPEN_STATES = frozenset(s for s in ComplaintState if s is not ComplaintState.CLOSED)
# States in which the customer has not yet received a reply (the reply deadline runs).
UNREPLIED_STATES = frozenset(
    {ComplaintState.REGISTERED, ComplaintState.IN_PROGRESS, ComplaintState.AWAITING_APPROVAL}
)


class ComplaintAction(StrEnum):
    REGISTER = "register"
    START = "start"
    ASSIGN = "assign"
    PROPOSE_COMPENSATION = "propose_compensation"
    APPROVE = "approve"
    REJECT = "reject"
    REPLY = "reply"
    REOPEN = "reopen"
    CONFIRM = "confirm"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    ESCALATE = "escalate"
    CLOSE_NUISANCE = "close_nuisance"
    NOTE = "note"


ACTION_LABELS: dict[str, str] = {
    "register": "登记投诉",
    "start": "开始处理",
    "assign": "指派处理人",
    "propose_compensation": "提出补偿方案",
    "approve": "批准补偿",
    "reject": "驳回补偿",
    "reply": "答复客户",
    "reopen": "客户不接受,重新处理",
    "confirm": "客户确认处理结果",
    "follow_up": "回访",
    "close": "结案",
    "escalate": "升级至值班长",
    "close_nuisance": "按非真实投诉(骚扰)关闭",
    "note": "备注",
}

_S = ComplaintState
_OPEN = frozenset(OPEN_STATES)


@dataclass(frozen=True)
class Rule:
    """Where an action may start, where it leads (None = stays), and who may do it."""

    sources: frozenset[ComplaintState]
    target: ComplaintState | None
    permission: Permission | None = None


RULES: dict[ComplaintAction, Rule] = {
    ComplaintAction.START: Rule(frozenset({_S.REGISTERED}), _S.IN_PROGRESS),
    ComplaintAction.ASSIGN: Rule(_OPEN, None),
    ComplaintAction.PROPOSE_COMPENSATION: Rule(frozenset({_S.IN_PROGRESS}), _S.AWAITING_APPROVAL),
    ComplaintAction.APPROVE: Rule(frozenset({_S.AWAITING_APPROVAL}), _S.IN_PROGRESS,
                                  Permission.APPROVE_COMPENSATION),
    ComplaintAction.REJECT: Rule(frozenset({_S.AWAITING_APPROVAL}), _S.IN_PROGRESS,
                                 Permission.APPROVE_COMPENSATION),
    ComplaintAction.REPLY: Rule(frozenset({_S.IN_PROGRESS}), _S.REPLIED),
    ComplaintAction.REOPEN: Rule(frozenset({_S.REPLIED}), _S.IN_PROGRESS),
    ComplaintAction.CONFIRM: Rule(frozenset({_S.REPLIED}), _S.CONFIRMED),
    ComplaintAction.FOLLOW_UP: Rule(frozenset({_S.CONFIRMED, _S.FOLLOW_UP}), _S.FOLLOW_UP),
    ComplaintAction.CLOSE: Rule(frozenset({_S.FOLLOW_UP}), _S.CLOSED),
    ComplaintAction.ESCALATE: Rule(_OPEN, None),
    ComplaintAction.CLOSE_NUISANCE: Rule(_OPEN, _S.CLOSED, Permission.CLOSE_AS_NUISANCE),
    ComplaintAction.NOTE: Rule(_OPEN, None),
}

# Actions a clerk may take only on complaints they handle (or that nobody handles yet);
# a duty manager acts on any complaint.
MANAGER_WIDE = Permission.APPROVE_COMPENSATION


SATISFACTION_LABELS: dict[str, str] = {"satisfied": "满意", "mostly": "基本满意",
                                       "unsatisfied": "不满意"}
CHANNEL_LABELS: dict[str, str] = {"counter": "柜台", "phone": "电话", "letter": "信函",
                                  "other": "其他"}
SEVERITY_LABELS: dict[str, str] = {"low": "一般", "normal": "较重", "high": "严重"}
NUISANCE_PREFIX = "非真实投诉(骚扰):"


def check_action(action: ComplaintAction, state: str, actor: Actor, *, escalated: bool = False,
                 is_handler: bool = True) -> ComplaintState | None:
    """The state `action` leads to (None = unchanged), or a Chinese IllegalTransition /
    PermissionDenied. `is_handler`: the actor handles this complaint or nobody does yet."""
    rule = RULES[action]
    if rule.permission is not None:
        actor.require(rule.permission)
    if action is ComplaintAction.ASSIGN:
        actor.require(MANAGER_WIDE)
    current = ComplaintState(state)
    if current not in rule.sources:
        raise IllegalTransition(
            f"投诉当前状态为「{STATE_LABELS[current]}」,不能{ACTION_LABELS[action]}。",
            detail=f"{action} from {state}",
        )
    if action is ComplaintAction.CLOSE_NUISANCE and escalated:
        raise IllegalTransition(
            "该投诉曾升级至值班长,不能按非真实投诉(骚扰)关闭。请按正常流程答复并回访。",
            detail="escalated complaint cannot be closed as nuisance",
        )
    if action is ComplaintAction.ESCALATE and escalated:
        raise IllegalTransition("该投诉已升级至值班长。", detail="already escalated")
    if not is_handler and not actor.can(MANAGER_WIDE) and action not in (
            ComplaintAction.ESCALATE, ComplaintAction.NOTE):
        raise PermissionDenied("该投诉由其他同事处理,请联系处理人或值班长。")
    return rule.target


def allowed_actions(state: str, actor: Actor, *, escalated: bool = False,
                    is_handler: bool = True) -> tuple[ComplaintAction, ...]:
    """Actions `actor` may take now, in workflow order (for the detail view's buttons)."""
    out: list[ComplaintAction] = []
    for action in RULES:
        try:
            check_action(action, state, actor, escalated=escalated, is_handler=is_handler)
        except (IllegalTransition, PermissionDenied):
            continue
        out.append(action)
    return tuple(out)


def require_text(value: str | None, field: str, message: str, limit: int = 2000) -> str:
    """Stripped `value`, or ValidationError(message) beside `field` when empty / too long."""
    text = (value or "").strip()
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


def hard_due(received_at: datetime, tz: ZoneInfo, limit_days: int = 15) -> datetime:
    """The regulatory outer limit: the end of the `limit_days`-th day after receipt (hall tz)."""
    return _end_of_day(received_at.astimezone(tz).date() + timedelta(days=limit_days), tz)


@dataclass(frozen=True)
class DeadlineStatus:
    reply_overdue: bool  # no reply yet and the reply deadline has passed
    hard_overdue: bool  # still open after the regulatory limit
    due_soon: bool  # no reply yet, deadline within the warning window
    minutes_left: int | None  # to the reply deadline (negative = late); None once replied

    @property
    def overdue(self) -> bool:
        return self.reply_overdue or self.hard_overdue


def deadline_status(state: str, now: datetime, reply_due_at: datetime, hard_due_at: datetime,
                    soon_minutes: int = 120) -> DeadlineStatus:
    unreplied = ComplaintState(state) in UNREPLIED_STATES
    is_open = ComplaintState(state) in OPEN_STATES
    left = int((reply_due_at - now).total_seconds() // 60) if unreplied else None
    reply_overdue = unreplied and now > reply_due_at
    return DeadlineStatus(
        reply_overdue=reply_overdue,
        hard_overdue=is_open and now > hard_due_at,
        due_soon=unreplied and not reply_overdue and (reply_due_at - now)
        <= timedelta(minutes=soon_minutes),
        minutes_left=left,
    )
