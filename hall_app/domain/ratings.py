"""Customer satisfaction ratings (评价器): the levels, the reasons and the rating window.

A customer rates one finished ticket at the counter's pad. The rules here are pure (no
database): which levels exist, which count as satisfied, which reasons go with
不满意, and how long after 办结 a rating or a 未评价 record is accepted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class RatingLevel(StrEnum):
    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASIC = "basic"
    DISSATISFIED = "dissatisfied"
    UNRATED = "unrated"  # the pad's timeout passed without a tap


#: The four levels a customer can tap, in the order the pad shows them.
CUSTOMER_LEVELS = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED, RatingLevel.BASIC,
                   RatingLevel.DISSATISFIED)
#: Levels that count as satisfied in the satisfaction rate.
SATISFIED_LEVELS = frozenset({RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED})

LEVEL_LABELS = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.BASIC: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.UNRATED: "未评价",
}


class DissatisfiedReason(StrEnum):
    LONG_WAIT = "long_wait"
    ATTITUDE = "attitude"
    NOT_DONE = "not_done"
    FEES = "fees"
    OTHER = "other"


REASON_LABELS = {
    DissatisfiedReason.LONG_WAIT: "等候时间长",
    DissatisfiedReason.ATTITUDE: "服务态度",
    DissatisfiedReason.NOT_DONE: "业务未办成",
    DissatisfiedReason.FEES: "收费疑问",
    DissatisfiedReason.OTHER: "其他",
}

#: A tap already on its way when the pad's countdown ends is still accepted this long.
TAP_GRACE_SECONDS = 5


def rating_open(finished_at: datetime, now: datetime, timeout_seconds: int) -> bool:
    """May the customer still rate a ticket finished at `finished_at`?"""
    return now - finished_at <= timedelta(seconds=timeout_seconds + TAP_GRACE_SECONDS)


def timeout_reached(finished_at: datetime, now: datetime, timeout_seconds: int) -> bool:
    """May the pad record 未评价? Only once the customer's time is over (never earlier:
    recording 未评价 at once would let a clerk suppress a bad rating)."""
    return now - finished_at >= timedelta(seconds=timeout_seconds)


def explain_open(rated_at: datetime, now: datetime, timeout_seconds: int) -> bool:
    """May the reason and the contact wish still be added to a 不满意 rating?

    The pad gives the reason screen and the contact question one countdown each.
    """
    return now - rated_at <= timedelta(seconds=2 * timeout_seconds + TAP_GRACE_SECONDS)


def level_label(level: str) -> str:
    try:
        return LEVEL_LABELS[RatingLevel(level)]
    except ValueError:
        return level


def reason_label(reason: str | None) -> str | None:
    if reason is None:
        return None
    try:
        return REASON_LABELS[DissatisfiedReason(reason)]
    except ValueError:
        return reason
