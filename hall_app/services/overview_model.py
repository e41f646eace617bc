"""What the duty manager's overview shows, as frozen values a worker thread hands to the
GUI thread: counter tiles, queues, the day's figures, alerts, incidents, the wait chart.

Durations that tick (how long a counter has been paused, how long a customer has
waited) are carried as timestamps, so a window can keep them current without asking the
database and redraw a section only when its data really changed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hall_app.metrics.satisfaction import SatisfactionFigures
    from hall_app.services.days import DayStatus

# Severity: higher is more urgent; the alert list is sorted by it.
CRITICAL, HIGH, MEDIUM, LOW = 4, 3, 2, 1
SEVERITY_LABELS = {CRITICAL: "紧急", HIGH: "高", MEDIUM: "中", LOW: "低"}
ALERT_KIND_LABELS = {
    "outage": "系统故障",
    "escalation": "窗口求助",
    "longwait": "等候超时",
    "complaint": "投诉跟进",
    "pause": "窗口暂停过久",
    "facility": "设施故障",
    "rating": "顾客不满意",
    "nocounter": "无窗口办理",
}
# Current-wait distribution buckets, in minutes: [0,5), [5,10), ... [30, ∞).
WAIT_BUCKET_EDGES = (0, 5, 10, 15, 20, 30)


@dataclass(frozen=True)
class CounterTile:
    id: int
    number: int
    name: str
    state: str  # open | serving | paused | closed (serving = a customer is at the counter)
    state_since: datetime | None
    pause_reason: str | None
    staff_name: str | None
    is_vip: bool
    ticket_code: str | None = None
    ticket_state: str | None = None  # called | serving
    ticket_service: str | None = None
    ticket_since: datetime | None = None  # started (serving) or first called (called)
    in_outage: bool = False


@dataclass(frozen=True)
class ServiceQueue:
    service_id: int
    code: str
    name: str
    prefix: str
    waiting: int
    oldest_issued_at: datetime | None
    long_wait_minutes: int
    over_threshold: int


@dataclass(frozen=True)
class DayFigures:
    arrived: int
    served: int
    walkaways: int
    no_shows: int
    walked_away: int
    waiting: int
    in_service: int
    avg_wait_seconds: int | None
    avg_service_seconds: int | None


@dataclass(frozen=True)
class WaitingTicket:
    id: int
    code: str
    service_name: str
    priority: str
    issued_at: datetime
    long_wait_minutes: int
    service_id: int


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str
    severity: int
    title: str
    detail: str
    since: datetime
    acked_by: str | None = None
    acked_at: datetime | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acked_at is not None

    @property
    def kind_label(self) -> str:
        return ALERT_KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class ActiveIncident:
    id: int
    kind: str  # outage | facility
    category: str | None
    notice: str
    started_at: datetime
    ended_at: datetime | None
    counter_numbers: tuple[int, ...]
    declared_by: str | None

    @property
    def hall_wide(self) -> bool:
        return not self.counter_numbers


@dataclass(frozen=True)
class HourFigure:
    hour: int  # local hour of day
    arrivals: int
    served: int


@dataclass(frozen=True)
class WaitBucket:
    label: str
    low_minutes: int
    count: int


@dataclass(frozen=True)
class SatisfactionToday:
    """Today's rating-pad figures for the hall, the target, and the 回访 still open."""

    figures: SatisfactionFigures
    target_pct: int
    open_follow_ups: int


@dataclass(frozen=True)
class OverviewSnapshot:
    now: datetime
    business_day: date
    hall_name: str
    pause_alert_minutes: int
    counters: tuple[CounterTile, ...]
    queues: tuple[ServiceQueue, ...]
    figures: DayFigures
    alerts: tuple[Alert, ...]
    incidents: tuple[ActiveIncident, ...]
    hourly: tuple[HourFigure, ...]
    wait_buckets: tuple[WaitBucket, ...]
    waiting: tuple[WaitingTicket, ...]
    satisfaction: SatisfactionToday | None = None
    # The business day's lifecycle: open until…, or closed (when, by whom, abandoned).
    day_status: DayStatus | None = None

    @property
    def outages(self) -> tuple[ActiveIncident, ...]:
        return tuple(i for i in self.incidents if i.kind == "outage")

    @property
    def open_alerts(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if not a.acknowledged)


@dataclass(frozen=True)
class AckInfo:
    alert_key: str
    acked_by: str
    acked_at: datetime



def wait_buckets(now: datetime, issued: list[datetime]) -> tuple[WaitBucket, ...]:
    edges = WAIT_BUCKET_EDGES
    counts = [0] * len(edges)
    for at in issued:
        minutes = (now - at).total_seconds() / 60
        # The last edge at or below `minutes` (a wait "from the future" counts as 0).
        counts[bisect_right(edges, minutes) - 1 if minutes >= 0 else 0] += 1
    return labelled_buckets(counts)


def labelled_buckets(counts: Sequence[int]) -> tuple[WaitBucket, ...]:
    """The wait chart's bars: 「0-5分」… 「30分以上」 with their counts."""
    edges = WAIT_BUCKET_EDGES
    labels = [f"{lo}-{hi}分" for lo, hi in zip(edges, edges[1:], strict=False)]
    labels.append(f"{edges[-1]}分以上")
    return tuple(WaitBucket(label, lo, n) for label, lo, n in zip(labels, edges, counts,
                                                                   strict=True))

