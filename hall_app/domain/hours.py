"""A business day's hours as instants: when it opens, when it closes, when it closes itself.

Pure functions over the weekday's opening hours (`OpeningHours` rows: weekday, opens,
closes; closed that day when either is missing) and an administrator's change of one
day's hours (`business_day.opens_at` / `closes_at`). Times are local to the hall; the
results are aware datetimes. No database, no Qt.

* `day_hours` — the day's [opens, closes) in local time, or None (closed all day);
* `close_due_at` — when the day closes by itself: closing time + the grace period, or
  the end of the day + grace for a day without hours (tickets issued by staff on a day
  the hall is closed are settled all the same);
* `issue_refusal` — the Chinese reason a ticket cannot be issued now, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class WeekdayHours(Protocol):
    @property
    def weekday(self) -> int: ...
    @property
    def opens(self) -> time | None: ...
    @property
    def closes(self) -> time | None: ...


@dataclass(frozen=True)
class DayHours:
    """One day's opening [opens, closes), aware local datetimes."""

    opens: datetime
    closes: datetime

    def label(self) -> str:
        """「08:30–18:00」; a day open until midnight ends at 「24:00」."""
        end = "24:00" if self.closes.time() == time(0) else f"{self.closes:%H:%M}"
        return f"{self.opens:%H:%M}–{end}"


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def day_end(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def day_hours(day: date, tz: ZoneInfo, weekdays: Sequence[WeekdayHours],
              opens_at: datetime | None = None, closes_at: datetime | None = None
              ) -> DayHours | None:
    """The hours of `day`: the weekday's, with an administrator's change on top.

    `weekdays` are all of the hall's opening-hours rows. A hall with none at all has not
    configured hours: it is open around the clock (00:00–24:00).
    """
    opens: datetime | None = None
    closes: datetime | None = None
    if not weekdays:
        opens, closes = day_start(day, tz), day_end(day, tz)
    for row in weekdays:
        if row.weekday == day.weekday() and row.opens is not None and row.closes is not None:
            opens = datetime.combine(day, row.opens, tzinfo=tz)
            closes = datetime.combine(day, row.closes, tzinfo=tz)
            if closes <= opens:  # "closes at 00:00" = midnight at the end of the day
                closes = day_end(day, tz)
    if opens_at is not None:
        opens = opens_at.astimezone(tz)
    if closes_at is not None:
        closes = closes_at.astimezone(tz)
        if opens is None:
            opens = day_start(day, tz)
    if opens is None or closes is None or closes <= opens:
        return None
    return DayHours(opens, closes)


def close_due_at(day: date, tz: ZoneInfo, hours: DayHours | None, grace_minutes: int
                 ) -> datetime:
    """When `day` closes by itself: its closing time + grace (end of day + grace if the
    hall had no hours that day)."""
    closes = hours.closes if hours is not None else day_end(day, tz)
    return closes + timedelta(minutes=grace_minutes)


def issue_refusal(now: datetime, tz: ZoneInfo, hours: DayHours | None) -> str | None:
    """Why a customer cannot take a ticket at `now`, in Chinese; None if they can."""
    local = now.astimezone(tz)
    if hours is None:
        return "对不起,今天不是营业日,暂停取号。"
    if local < hours.opens:
        return f"对不起,现在还未到营业时间(今日营业时间 {hours.label()}),请稍后再取号。"
    if local >= hours.closes:
        return f"对不起,今日营业时间已过(营业时间 {hours.label()}),暂停取号,欢迎您明天再来。"
    return None


DAY_CLOSED_REFUSAL = "对不起,今日营业已结束,暂停取号,欢迎您明天再来。"
