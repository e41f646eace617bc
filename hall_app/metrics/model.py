"""Frozen result types of the daily metrics (plain data: safe to hand between threads).

Durations are seconds (float where they are averages); `None` means "no data" (for
example no customer was called, so there is no wait), never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hall_app.metrics.satisfaction import SatisfactionSummary

from hall_app.domain.complaints import CLOSE_KIND_LABELS, STATE_LABELS


@dataclass(frozen=True)
class Stats:
    """Distribution of a duration: count, mean, median, 90th percentile, maximum (seconds)."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    max: float | None = None


EMPTY_STATS = Stats()


@dataclass(frozen=True)
class Outcomes:
    """How customers ended (counted on each customer's final ticket row)."""

    served: int = 0
    no_show: int = 0
    walked_away: int = 0
    abandoned: int = 0
    cancelled: int = 0
    open: int = 0  # still waiting / called / serving when the report was made

    @property
    def walkaways(self) -> int:
        return self.no_show + self.walked_away + self.abandoned


@dataclass(frozen=True)
class Headline:
    arrived: int
    outcomes: Outcomes
    walkaway_rate: float | None  # percent of arrived
    walkaway_target_pct: int
    wait: Stats
    service: Stats
    served_with_wait: int  # served customers whose wait is known (denominator of SL)
    within_target: int
    service_level: float | None  # percent
    service_level_target_pct: int
    recalls: int
    recalled_tickets: int
    transfers: int
    complaints: int
    outages: int
    outage_minutes: float
    facility_incidents: int
    cash_exchanges: int
    cash_received_fen: int

    @property
    def service_level_met(self) -> bool | None:
        if self.service_level is None:
            return None
        return self.service_level >= self.service_level_target_pct

    @property
    def walkaway_target_met(self) -> bool | None:
        if self.walkaway_rate is None:
            return None
        return self.walkaway_rate <= self.walkaway_target_pct


@dataclass(frozen=True)
class ServiceRow:
    service_id: int
    code: str
    name: str
    target_wait_minutes: int
    arrived: int
    outcomes: Outcomes
    transfers_out: int
    wait: Stats
    service: Stats
    served_with_wait: int
    within_target: int

    @property
    def service_level(self) -> float | None:
        if not self.served_with_wait:
            return None
        return 100.0 * self.within_target / self.served_with_wait


@dataclass(frozen=True)
class PauseRow:
    reason: str
    count: int
    seconds: float
    recovery: bool = False  # a 调整情绪 break granted by the duty manager: not idle time


@dataclass(frozen=True)
class CounterRow:
    counter_id: int
    number: int
    name: str
    served: int
    no_show: int
    recalls: int
    transfers: int
    wait: Stats
    service: Stats
    serving_seconds: float
    open_seconds: float
    paused_seconds: float  # pauses counted as idle (not the 调整情绪 breaks)
    pauses: tuple[PauseRow, ...] = ()
    recovery_seconds: float = 0.0  # 调整情绪 breaks granted after hard complaints

    @property
    def utilisation(self) -> float | None:
        """Percent of signed-in time spent serving customers, recovery breaks left out."""
        available = self.open_seconds - self.recovery_seconds
        if available <= 0:
            return None
        return 100.0 * self.serving_seconds / available


@dataclass(frozen=True)
class ClerkRow:
    staff_id: int
    staff_no: str
    name: str
    served: int
    no_show: int
    recalls: int
    transfers: int
    wait: Stats
    service: Stats
    serving_seconds: float
    signed_in_seconds: float
    paused_seconds: float  # pauses counted as idle (not the 调整情绪 breaks)
    recovery_seconds: float = 0.0

    @property
    def utilisation(self) -> float | None:
        available = self.signed_in_seconds - self.recovery_seconds
        if available <= 0:
            return None
        return 100.0 * self.serving_seconds / available


@dataclass(frozen=True)
class HourRow:
    hour: int  # local hour h: the half-open interval [h:00, h+1:00)
    arrived: int
    served: int
    walkaways: int
    mean_wait: float | None  # of customers first called in this hour

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00–{self.hour + 1:02d}:00"


@dataclass(frozen=True)
class WaitBucket:
    lo_minutes: int
    hi_minutes: int | None  # None = open-ended
    count: int

    @property
    def label(self) -> str:
        if self.hi_minutes is None:
            return f"≥{self.lo_minutes}分"
        return f"{self.lo_minutes}–{self.hi_minutes}分"


@dataclass(frozen=True)
class IncidentRow:
    id: int
    kind: str  # outage | facility
    category: str | None
    notice: str
    started_at: datetime  # hall-local
    ended_at: datetime | None  # hall-local; None = still going at report time
    minutes: float
    counter_numbers: tuple[int, ...]
    waiting_customers: int


@dataclass(frozen=True)
class NoticeRow:
    """A 通报 to the staff (lessons from complaints)."""

    issued_at: datetime  # hall-local
    issued_by: str
    title: str
    lessons: str


@dataclass(frozen=True)
class InspectionProblem:
    label: str
    note: str
    incident_id: int | None


@dataclass(frozen=True)
class InspectionRow:
    """One 巡检 round of the day."""

    slot: str  # the set time, "HH:MM"
    state: str  # open | done
    started_at: datetime  # hall-local
    finished_at: datetime | None
    inspector: str
    ok: int
    unchecked: int
    problems: tuple[InspectionProblem, ...]


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    received_at: datetime  # hall-local
    channel: str
    category: str
    state: str
    customer_name: str
    phone_masked: str
    counter_number: int | None
    replied_same_day: bool  # replied by the reply deadline (the hall's closing by default)
    overdue: bool  # replied after it, or not replied and it has passed
    close_kind: str | None = None  # satisfied | signed_off | nuisance
    escalated: bool = False

    @property
    def state_label(self) -> str:
        if self.close_kind in ("signed_off", "nuisance"):
            return CLOSE_KIND_LABELS[self.close_kind]
        return STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class ComplaintSummary:
    total: int = 0
    by_category: tuple[tuple[str, int], ...] = ()
    by_state: tuple[tuple[str, int], ...] = ()
    overdue: int = 0
    replied_same_day: int = 0
    rows: tuple[ComplaintRow, ...] = ()
    escalated: int = 0  # of the day's complaints
    # Complaints closed during the day (whenever received), by how they ended.
    closed_by_kind: tuple[tuple[str, int], ...] = ()
    signed_off_reasons: tuple[tuple[int, str], ...] = ()  # (complaint id, reason) 未满意结案
    notices: tuple[NoticeRow, ...] = ()  # 通报 issued during the day

    @property
    def closed_unsatisfied(self) -> int:
        return dict(self.closed_by_kind).get("signed_off", 0)

    @property
    def same_day_reply_rate(self) -> float | None:
        if not self.total:
            return None
        return 100.0 * self.replied_same_day / self.total


@dataclass(frozen=True)
class DailyMetrics:
    hall_code: str
    hall_name: str
    day: date
    timezone: str
    generated_at: datetime  # hall-local
    as_of: datetime  # hall-local: min(now, end of day); open items are judged at this time
    status: str  # "future" | "empty" | "ok"
    headline: Headline
    services: tuple[ServiceRow, ...] = ()
    counters: tuple[CounterRow, ...] = ()
    clerks: tuple[ClerkRow, ...] = ()
    hours: tuple[HourRow, ...] = ()
    wait_buckets: tuple[WaitBucket, ...] = ()
    incidents: tuple[IncidentRow, ...] = ()
    complaints: ComplaintSummary = field(default_factory=ComplaintSummary)
    inspections: tuple[InspectionRow, ...] = ()
    inspection_times: tuple[str, ...] = ()  # the checklist's set times of the day
    satisfaction: SatisfactionSummary | None = None  # rating pads (hall_app.metrics.satisfaction)
    # The business day's close (hall_app.services.days): until then the figures still move.
    day_closed: bool = False
    day_closed_at: datetime | None = None  # hall-local

    @property
    def is_final(self) -> bool:
        """The day is closed: its figures will not change any more (targets can be judged)."""
        return self.day_closed

    @property
    def not_closed_notice(self) -> str | None:
        """The report's first line for a day whose figures are still moving, else None."""
        if self.day_closed or self.status != "ok":
            return None  # closed, not begun, or without any traffic: nothing is moving
        return (f"注意:{self.day.isoformat()} 营业日尚未闭厅,以下数字截至 {self.as_of:%H:%M},"
                "仍在变化,不作达标判定。")

    @property
    def is_future(self) -> bool:
        return self.status == "future"

    @property
    def has_traffic(self) -> bool:
        return self.status == "ok"
