"""The business day a report covers: its UTC bounds and local hours (`DayWindow`), and
`DayScope`, the session, hall and day every metrics query is restricted to.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy.orm import Session

from db.models import Ticket
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


class DayScope:
    """One hall's business day in one session; `base` restricts tickets to it (indexed)."""

    def __init__(self, s: Session, hall_id: int, w: DayWindow) -> None:
        self.s, self.hid, self.w = s, hall_id, w
        self.base = and_(Ticket.hall_id == hall_id, Ticket.business_day == w.day)
