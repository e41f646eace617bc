"""Frozen result types of the hall metrics (plain data: safe to hand between threads).

Durations are whole seconds (ints), or floats where they are averages or medians;
`None` means "no data" (for example nobody was called, so there is no wait), never zero.
Shares are kept as their two counts; the `Decimal` properties divide and round half up
(hall_app.metrics.numbers), so a printed 67.7 % is exactly 21 of 31.

`DailyMetrics` (the name predates weeks and months) holds one period: a business day,
an ISO week or a month (`period`). Definitions: docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from hall_app.domain.complaints import CLOSE_KIND_LABELS, STATE_LABELS
from hall_app.metrics.numbers import mean_seconds, ratio_value
from hall_app.metrics.period import Period

if TYPE_CHECKING:
    from hall_app.metrics.satisfaction import SatisfactionSummary


@dataclass(frozen=True)
class Stats:
    """Distribution of a duration: count, mean, median, 90th percentile, maximum (seconds)."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    max: float | None = None
    total: int = 0  # sum of the values (whole seconds): the mean is total ÷ count

    @property
    def exact_mean(self) -> Decimal | None:
        return mean_seconds(self.total, self.count)


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
    open_waiting: int = 0
    open_called: int = 0
    open_serving: int = 0

    @property
    def walkaways(self) -> int:
        return self.no_show + self.walked_away + self.abandoned


@dataclass(frozen=True)
class Headline:
    """The headline figures of one group of days (the period, a trend day, a comparison)."""

    arrived: int
    outcomes: Outcomes
    walkaway_rate: float | None  # percent of arrived
    walkaway_target_pct: int
    wait: Stats  # customers' total wait across every queue (customers whose last row was called)
    service: Stats
    served_with_wait: int  # served customers (denominator of the service level)
    within_target: int  # … whose total wait ≤ the target of the service that served them
    service_level: float | None  # percent
    service_level_target_pct: int
    recalls: int
    recalled_tickets: int
    transfers: int
    complaints: int
    outages: int
    outage_minutes: float  # clipped to the period
    facility_incidents: int
    cash_exchanges: int
    cash_received_fen: int
    queue_wait: Stats = EMPTY_STATS  # each queue's own wait, one value per called ticket row
    within_target_excl_outage: int = 0  # … with hall-wide outage time taken out of the wait
    queue_started: int = 0  # ticket rows whose service began (denominator of queue SL)
    queue_within_target: int = 0  # … whose own queue wait ≤ that queue's target
    outage_seconds: int = 0
    complaints_replied_same_day: int = 0
    cash_due_fen: int = 0
    cash_change_fen: int = 0
    escalations: int = 0
    escalations_open: int = 0
    serving_seconds: int = 0
    signed_in_seconds: int = 0
    staffed_seconds: int = 0  # signed in minus pauses that are not staffed time

    # -- shares (Decimal, rounded half up to 0.1) ----------------------------------------
    def rate_of(self, count: int) -> Decimal | None:
        return ratio_value(count, self.arrived)

    @property
    def walkaway_rate_value(self) -> Decimal | None:
        return self.rate_of(self.outcomes.walkaways)

    @property
    def service_level_value(self) -> Decimal | None:
        return ratio_value(self.within_target, self.served_with_wait)

    @property
    def service_level_excl_outage_value(self) -> Decimal | None:
        return ratio_value(self.within_target_excl_outage, self.served_with_wait)

    @property
    def queue_service_level_value(self) -> Decimal | None:
        return ratio_value(self.queue_within_target, self.queue_started)

    @property
    def utilisation_value(self) -> Decimal | None:
        return ratio_value(self.serving_seconds, self.staffed_seconds)

    @property
    def same_day_reply_value(self) -> Decimal | None:
        return ratio_value(self.complaints_replied_same_day, self.complaints)

    # -- verdicts on exact counts (no rounding involved) -----------------------------------
    @property
    def service_level_met(self) -> bool | None:
        if not self.served_with_wait:
            return None
        return self.within_target * 100 >= self.service_level_target_pct * self.served_with_wait

    @property
    def walkaway_target_met(self) -> bool | None:
        if not self.arrived:
            return None
        return self.outcomes.walkaways * 100 <= self.walkaway_target_pct * self.arrived


@dataclass(frozen=True)
class ServiceRow:
    service_id: int
    code: str
    name: str
    target_wait_minutes: int
    arrived: int  # customers who took a ticket for this service
    outcomes: Outcomes  # customers whose journey ended in this service
    transfers_out: int
    wait: Stats  # total wait of the customers whose last (called) row was in this service
    service: Stats
    served_with_wait: int  # customers served in this service
    within_target: int  # … whose total wait ≤ this service's target
    queue_wait: Stats = EMPTY_STATS  # this queue's own wait (rows called from this queue)
    within_target_excl_outage: int = 0
    queue_started: int = 0  # rows of this queue whose service began
    queue_within_target: int = 0  # … whose own wait in this queue ≤ its target

    @property
    def service_level(self) -> float | None:
        if not self.served_with_wait:
            return None
        return 100.0 * self.within_target / self.served_with_wait

    @property
    def service_level_value(self) -> Decimal | None:
        return ratio_value(self.within_target, self.served_with_wait)

    @property
    def service_level_excl_outage_value(self) -> Decimal | None:
        return ratio_value(self.within_target_excl_outage, self.served_with_wait)

    @property
    def queue_service_level_value(self) -> Decimal | None:
        return ratio_value(self.queue_within_target, self.queue_started)


@dataclass(frozen=True)
class PauseRow:
    reason: str
    count: int
    seconds: float
    in_staffed_time: bool = True  # False: taken out of staffed time (docs/metrics.md)
    kind: str = "normal"  # counter_pause.kind: "recovery" is a 调整情绪 break a manager granted

    @property
    def recovery(self) -> bool:
        return self.kind == "recovery"


@dataclass(frozen=True)
class CounterRow:
    counter_id: int
    number: int
    name: str
    served: int
    no_show: int
    recalls: int
    transfers: int
    wait: Stats  # own queue waits of the rows this counter called
    service: Stats
    serving_seconds: float
    open_seconds: float  # signed in
    paused_seconds: float  # every pause, whatever its type
    pauses: tuple[PauseRow, ...] = ()
    staffed_seconds: float = 0.0  # signed in minus pauses that are not staffed time

    @property
    def away_seconds(self) -> float:
        """Pauses taken out of staffed time (meals, training, 调整情绪 breaks …)."""
        return max(0.0, self.open_seconds - self.staffed_seconds)

    @property
    def recovery_seconds(self) -> float:
        """调整情绪 breaks the duty manager granted (never idle time)."""
        return sum(p.seconds for p in self.pauses if p.recovery)

    @property
    def utilisation(self) -> float | None:
        """Percent of staffed time spent serving customers."""
        if self.staffed_seconds <= 0:
            return None
        return 100.0 * self.serving_seconds / self.staffed_seconds

    @property
    def utilisation_value(self) -> Decimal | None:
        return ratio_value(int(self.serving_seconds), int(self.staffed_seconds))


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
    paused_seconds: float  # every pause, whatever its type
    pauses: tuple[PauseRow, ...] = ()
    staffed_seconds: float = 0.0

    @property
    def away_seconds(self) -> float:
        """Pauses taken out of staffed time (meals, training, 调整情绪 breaks …)."""
        return max(0.0, self.signed_in_seconds - self.staffed_seconds)

    @property
    def recovery_seconds(self) -> float:
        return sum(p.seconds for p in self.pauses if p.recovery)

    @property
    def utilisation(self) -> float | None:
        if self.staffed_seconds <= 0:
            return None
        return 100.0 * self.serving_seconds / self.staffed_seconds

    @property
    def utilisation_value(self) -> Decimal | None:
        return ratio_value(int(self.serving_seconds), int(self.staffed_seconds))


@dataclass(frozen=True)
class HourRow:
    hour: int  # local hour h: the half-open interval [h:00, h+1:00)
    arrived: int
    served: int
    walkaways: int
    mean_wait: float | None  # total wait of the customers who took a ticket in this hour
    no_show: int = 0
    walked_away: int = 0
    abandoned: int = 0
    wait_total: int = 0
    wait_count: int = 0

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00–{self.hour + 1:02d}:00"

    @property
    def exact_mean_wait(self) -> Decimal | None:
        return mean_seconds(self.wait_total, self.wait_count)


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
    minutes: float  # inside the period (clipped)
    counter_numbers: tuple[int, ...]
    waiting_customers: int
    seconds: int = 0  # inside the period (clipped)


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
    """One 巡检 round."""

    slot: str  # the set time, "HH:MM"
    state: str  # open | done
    started_at: datetime  # hall-local
    finished_at: datetime | None
    inspector: str
    ok: int
    unchecked: int
    problems: tuple[InspectionProblem, ...]
    day: date | None = None  # the round's business day (a week or month lists several)


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    received_at: datetime  # hall-local
    channel: str
    category: str  # the code stored with the complaint
    state: str
    customer_name: str
    phone_masked: str
    counter_number: int | None
    replied_same_day: bool  # replied by the reply deadline (the hall's closing by default)
    overdue: bool  # replied after it, or not replied and it has passed
    category_name: str = ""  # the category's Chinese name from the script book
    close_kind: str | None = None  # satisfied | signed_off | nuisance
    escalated: bool = False
    number: int = 0  # the number shown to people (投诉#12): the id within the site

    @property
    def state_label(self) -> str:
        if self.close_kind in ("signed_off", "nuisance"):
            return CLOSE_KIND_LABELS[self.close_kind]
        return STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class SignedOffRow:
    """A complaint closed during the period without the customer's satisfaction (未满意结案)."""

    number: int  # 投诉#n as shown to people
    category_name: str
    reason: str


@dataclass(frozen=True)
class ComplaintSummary:
    total: int = 0
    by_category: tuple[tuple[str, int], ...] = ()  # (Chinese name, count), most first
    by_state: tuple[tuple[str, int], ...] = ()  # (state code, count)
    overdue: int = 0
    replied_same_day: int = 0
    rows: tuple[ComplaintRow, ...] = ()
    escalated: int = 0  # of the period's complaints
    # Complaints closed during the period (whenever received), by how they ended.
    closed_by_kind: tuple[tuple[str, int], ...] = ()
    signed_off: tuple[SignedOffRow, ...] = ()  # 未满意结案, with the manager's reason
    notices: tuple[NoticeRow, ...] = ()  # 通报 issued during the period

    @property
    def closed_unsatisfied(self) -> int:
        return dict(self.closed_by_kind).get("signed_off", 0)

    @property
    def closed_total(self) -> int:
        return sum(n for _, n in self.closed_by_kind)

    @property
    def same_day_reply_rate(self) -> float | None:
        if not self.total:
            return None
        return 100.0 * self.replied_same_day / self.total


@dataclass(frozen=True)
class EscalationRow:
    """A counter's call for the duty manager (F7) and what became of it."""

    id: int
    raised_at: datetime  # hall-local
    counter_number: int | None
    staff_no: str | None
    clerk_name: str | None
    ticket_code: str | None
    reason: str
    resolved_at: datetime | None  # hall-local; None = not handled at report time
    resolver_name: str | None
    customer_outcome: str | None  # final state of the customer's ticket, if one was named

    @property
    def response_seconds(self) -> int | None:
        if self.resolved_at is None:
            return None
        return max(0, int((self.resolved_at - self.raised_at).total_seconds()))


@dataclass(frozen=True)
class LongWaitRow:
    code: str
    services: tuple[str, ...]  # the queues the customer waited in, in order
    issued_at: datetime  # hall-local
    called_at: datetime  # hall-local: the final call
    wait_seconds: int  # total wait across every queue
    counter_number: int | None
    clerk_name: str | None
    outcome: str


@dataclass(frozen=True)
class CashRow:
    counter_number: int | None
    staff_no: str
    clerk_name: str
    count: int
    due_fen: int
    received_fen: int
    change_fen: int


@dataclass(frozen=True)
class DayFigures:
    """The headline of one day of a trend."""

    day: date
    headline: Headline


@dataclass(frozen=True)
class Comparison:
    """A period the report compares with: 上一营业日, 上周同日, 上周, 上月."""

    label: str  # 「上一营业日」
    period: Period
    headline: Headline


@dataclass(frozen=True)
class DailyMetrics:
    hall_code: str
    hall_name: str
    day: date  # the period's first day
    timezone: str
    generated_at: datetime  # hall-local
    as_of: datetime  # hall-local: min(now, end of period); open items are judged at this time
    status: str  # "future" | "empty" | "ok"
    headline: Headline
    services: tuple[ServiceRow, ...] = ()
    counters: tuple[CounterRow, ...] = ()
    clerks: tuple[ClerkRow, ...] = ()
    hours: tuple[HourRow, ...] = ()
    wait_buckets: tuple[WaitBucket, ...] = ()
    incidents: tuple[IncidentRow, ...] = ()
    complaints: ComplaintSummary = field(default_factory=ComplaintSummary)
    period: Period | None = None  # None: the single day `day`
    comparisons: tuple[Comparison, ...] = ()
    trend: tuple[DayFigures, ...] = ()
    escalations: tuple[EscalationRow, ...] = ()
    longest_waits: tuple[LongWaitRow, ...] = ()
    cash: tuple[CashRow, ...] = ()
    inspections: tuple[InspectionRow, ...] = ()
    inspection_times: tuple[str, ...] = ()  # the checklist's set times of a day
    satisfaction: SatisfactionSummary | None = None  # rating pads (hall_app.metrics.satisfaction)
    # The business day's close (hall_app.services.days, the business_day table): until
    # then the figures still move and no verdict (达标) is printed. For a week or month:
    # the period is over and every day of it that opened has been closed.
    day_closed: bool = False
    day_closed_at: datetime | None = None  # hall-local; a single day only
    days_not_closed: tuple[date, ...] = ()  # a period's days that opened and are not closed
    finished_at_close: int = 0  # still being served at the close: finished by it (done)

    @property
    def span(self) -> Period:
        return self.period or Period.day(self.day)

    @property
    def is_future(self) -> bool:
        return self.status == "future"

    @property
    def has_traffic(self) -> bool:
        return self.status == "ok"

    @property
    def in_progress(self) -> bool:
        """The period has not ended at report time (its figures still move)."""
        return self.as_of.date() <= self.span.last and not self.is_future

    @property
    def is_final(self) -> bool:
        """The day is closed (a period: over, and each of its days closed): its figures
        will not change any more, so targets can be judged."""
        return self.day_closed

    @property
    def verdicts_final(self) -> bool:
        """达标 / 未达标 may be printed (the same as `is_final`)."""
        return self.is_final

    @property
    def not_closed_notice(self) -> str | None:
        """The report's first line while its figures are still moving, else None."""
        if self.day_closed or self.status != "ok":
            return None  # closed, not begun, or without any traffic: nothing is moving
        until = (f"{self.as_of:%H:%M}" if self.as_of.date() == self.day
                 else f"{self.as_of:%Y-%m-%d %H:%M}")
        if self.span.is_day:
            return (f"注意:{self.day.isoformat()} 营业日尚未闭厅,以下数字截至 {until},"
                    "仍在变化,不作达标判定。")
        if self.in_progress:
            return (f"注意:{self.span.label}尚未结束,以下数字截至 {until},"
                    "仍在变化,不作达标判定。")
        days = "、".join(f"{d:%m-%d}" for d in self.days_not_closed)
        return f"注意:本期有营业日尚未闭厅({days}),以下数字仍在变化,不作达标判定。"
