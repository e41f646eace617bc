"""Plain data the predictor works on: the hall as it is at one moment, and what it said.

A `HallState` is built either from the live tables (`hall_app.forecast.live`) or, for the
backtest, reconstructed from the recorded rows of a day as they were at an instant
(`hall_app.forecast.replay`). Both produce the same frozen objects, so the predictor
cannot tell a replayed moment from a live one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from hall_app.domain.priority import RuleConfig


@dataclass(frozen=True)
class ServiceDef:
    id: int
    code: str
    name: str
    typical_service_minutes: float
    is_vip: bool = False


@dataclass(frozen=True)
class HeldTicket:
    """The customer a counter has called and not yet released."""

    id: int
    service_id: int
    vip: bool
    called_at: datetime
    started_at: datetime | None  # None: called, the customer has not reached the counter
    recalls: int = 0


@dataclass(frozen=True)
class CounterNow:
    id: int
    number: int
    service_ids: tuple[int, ...]  # in the counter's order of preference (rank 0 first)
    state: str  # open | paused | closed (signed in or not, paused or not)
    since: datetime | None = None  # when the current pause began
    pause_reason: str | None = None
    calls_since_priority: int = 0
    held: HeldTicket | None = None


@dataclass(frozen=True)
class WaitingNow:
    id: int
    service_id: int
    vip: bool
    issued_at: datetime  # the original issue time (a transferred customer keeps it)
    target_counter_id: int | None = None


@dataclass(frozen=True)
class OutageNow:
    started_at: datetime
    counter_ids: tuple[int, ...] = ()  # empty: the whole hall

    @property
    def hall_wide(self) -> bool:
        return not self.counter_ids


@dataclass(frozen=True)
class HallState:
    now: datetime
    tz: ZoneInfo
    rule: RuleConfig
    services: tuple[ServiceDef, ...]
    counters: tuple[CounterNow, ...]
    waiting: tuple[WaitingNow, ...]  # sorted by (issued_at, id)
    outages: tuple[OutageNow, ...] = ()
    closes_at: datetime | None = None

    def service(self, service_id: int) -> ServiceDef | None:
        for s in self.services:
            if s.id == service_id:
                return s
        return None

    def serving_counters(self, service_id: int) -> tuple[CounterNow, ...]:
        """Signed-in counters (open or paused) that serve `service_id`."""
        return tuple(c for c in self.counters
                     if c.state != "closed" and service_id in c.service_ids)


@dataclass(frozen=True)
class Assumption:
    """One line of what the estimate assumed, in Chinese (shown) and English (logs, docs)."""

    zh: str
    en: str


@dataclass(frozen=True)
class WaitEstimate:
    """A remaining-wait estimate for one waiting ticket, in minutes from `at`.

    `no_counter`: no signed-in counter serves the ticket's service, so there is no
    estimate (point and interval are None) — the kiosk says so and the overview alerts.
    The interval is the 80 % one, already widened to whole minutes as shown to customers.
    """

    ticket_id: int
    at: datetime
    point_minutes: float | None
    low_minutes: int | None
    high_minutes: int | None
    no_counter: bool = False
    assumptions: tuple[Assumption, ...] = field(default=())

    @property
    def text(self) -> str:
        """The customer's line: 「预计等候10–15分钟」 (or the no-counter notice)."""
        return wait_text(self)


NO_COUNTER_TEXT = "暂无窗口办理此业务,请咨询大堂经理"


UNKNOWN_TEXT = "预计等候时间:请留意叫号屏"


def interval_text(low: int | None, high: int | None, no_counter: bool = False) -> str:
    """What the kiosk and the slip say: 「预计等候10–15分钟」 or the no-counter notice."""
    if no_counter:
        return NO_COUNTER_TEXT
    if low is None or high is None:
        return UNKNOWN_TEXT
    return f"预计等候{low}–{high}分钟"


def wait_text(est: WaitEstimate | None) -> str:
    if est is None:
        return UNKNOWN_TEXT
    return interval_text(est.low_minutes, est.high_minutes, est.no_counter)


def remaining_text(est: WaitEstimate | None) -> str:
    """A table cell's estimate of the remaining wait: 「10–15分」, 「暂无窗口」 or 「—」."""
    if est is None:
        return "—"
    if est.no_counter:
        return "暂无窗口"
    if est.low_minutes is None or est.high_minutes is None:
        return "—"
    return f"{est.low_minutes}–{est.high_minutes}分"
