"""The ticket lifecycle as a state machine.

waiting → called (recalled n times) → serving → done
called → no_show (after the configured number of recalls)
waiting / called / serving → transferred (a continuation ticket is opened)
waiting → walked_away / cancelled
waiting / called → abandoned (when the day is closed)
"""

from __future__ import annotations

from enum import StrEnum

from hall_app.errors import IllegalTransition


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    WALKED_AWAY = "walked_away"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    ABANDONED = "abandoned"


STATE_LABELS: dict[str, str] = {
    "waiting": "等候中",
    "called": "已呼叫",
    "serving": "办理中",
    "done": "已完成",
    "no_show": "过号",
    "walked_away": "已离开",
    "transferred": "已转移",
    "cancelled": "已取消",
    "abandoned": "闭厅未办",
}

OPEN_STATES = frozenset({TicketState.CALLED, TicketState.SERVING})
WALKAWAY_STATES = frozenset({TicketState.NO_SHOW, TicketState.WALKED_AWAY, TicketState.ABANDONED})


class TicketAction(StrEnum):
    ISSUE = "issue"
    CALL = "call"
    RECALL = "recall"
    NO_SHOW = "no_show"
    START = "start"
    FINISH = "finish"
    TRANSFER = "transfer"
    WALK_AWAY = "walk_away"
    CANCEL = "cancel"
    ABANDON = "abandon"


ACTION_LABELS: dict[str, str] = {
    "issue": "取号",
    "call": "叫号",
    "recall": "重呼",
    "no_show": "过号",
    "start": "开始办理",
    "finish": "办理完成",
    "transfer": "转移",
    "walk_away": "标记离开",
    "cancel": "取消",
    "abandon": "闭厅弃号",
}

TRANSITIONS: dict[TicketAction, tuple[frozenset[TicketState], TicketState]] = {
    TicketAction.CALL: (frozenset({TicketState.WAITING}), TicketState.CALLED),
    TicketAction.RECALL: (frozenset({TicketState.CALLED}), TicketState.CALLED),
    TicketAction.NO_SHOW: (frozenset({TicketState.CALLED}), TicketState.NO_SHOW),
    TicketAction.START: (frozenset({TicketState.CALLED}), TicketState.SERVING),
    TicketAction.FINISH: (frozenset({TicketState.SERVING}), TicketState.DONE),
    TicketAction.TRANSFER: (
        frozenset({TicketState.WAITING, TicketState.CALLED, TicketState.SERVING}),
        TicketState.TRANSFERRED,
    ),
    TicketAction.WALK_AWAY: (frozenset({TicketState.WAITING}), TicketState.WALKED_AWAY),
    TicketAction.CANCEL: (frozenset({TicketState.WAITING}), TicketState.CANCELLED),
    TicketAction.ABANDON: (
        frozenset({TicketState.WAITING, TicketState.CALLED}),
        TicketState.ABANDONED,
    ),
}


def next_state(action: TicketAction, current: str, code: str = "") -> TicketState:
    """The state `action` leads to from `current`, or IllegalTransition in Chinese."""
    allowed, target = TRANSITIONS[action]
    if TicketState(current) not in allowed:
        label = STATE_LABELS.get(current, current)
        raise IllegalTransition(
            f"{code}号当前状态为「{label}」,不能{ACTION_LABELS[action]}。".lstrip("号"),
            detail=f"{action} from {current}",
        )
    return target
