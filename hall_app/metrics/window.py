"""One business day as UTC bounds and local hour boundaries (`DayWindow`), for the hourly
figures of a daily report. Groups of days for every other figure: `scope.Scope`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hall_app.metrics.sqlparts import hour_bucket


class DayWindow:
    """The business day as UTC instants, and the hour boundaries in the hall's zone."""

    def __init__(self, day: date, tz: ZoneInfo, now: datetime) -> None:
        self.day, self.tz = day, tz
        self.start = datetime.combine(day, time(0), tz).astimezone(UTC)
        self.end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
        self.now = now
        self.as_of = min(now, self.end)
        self.hour_starts = [(h, datetime.combine(day, time(h), tz).astimezone(UTC))
                            for h in range(24)] + [(24, self.end)]

    def hour(self, col: Any) -> Any:
        return hour_bucket(col, self.hour_starts)

    def local(self, when: datetime | None) -> datetime | None:
        return None if when is None else when.astimezone(self.tz)

