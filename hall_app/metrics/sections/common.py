"""What the section builders share: the input they get, and small cell helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hall_app.metrics.model import DailyMetrics, Stats
from hall_app.metrics.numbers import NO_DATA, minutes, percent_value
from hall_app.metrics.period import Period


@dataclass(frozen=True)
class ReportSource:
    """A section builder's input: the period's figures, and the service context for a
    section that reads figures of its own (staffing, estimates, ratings…) in the same
    worker (None when a report is built from figures alone, e.g. in tests)."""

    metrics: DailyMetrics
    ctx: Any = None

    @property
    def period(self) -> Period:
        return self.metrics.span

    @property
    def is_day(self) -> bool:
        return self.period.is_day

    @property
    def scope_word(self) -> str:
        """「当日」 for a day, 「本期」 for a week or month."""
        return "当日" if self.is_day else "本期"


def when(at: datetime | None, period: Period) -> str:
    """「10:20」 inside the period's single day; 「11-24 17:30」 on another day."""
    if at is None:
        return NO_DATA
    if period.is_day and at.date() == period.first:
        return f"{at:%H:%M}"
    return f"{at:%m-%d %H:%M}"


def stat_cells(s: Stats) -> tuple[str, str, str, str]:
    """mean, median, P90, max in minutes."""
    return minutes(s.exact_mean), minutes(s.median), minutes(s.p90), minutes(s.max)


def pct(value: Any) -> str:
    return percent_value(value)


def count(n: int) -> str:
    return str(n)
