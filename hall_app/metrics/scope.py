"""What every metrics statement is restricted to: one hall, and numbered groups of days.

A group is a set of business days whose figures are computed together: the report's
period (group 0), each day of a trend, a comparison day or week. Every statement joins
its rows to `Scope.grp`, a small literal table with one row per (group, day):

    g    the group number
    d    the business day
    lo   the day's start (00:00 in the hall's zone, as UTC)
    hi   the day's end (next 00:00)
    asof min(now, hi): open things (a session not signed out, an outage not cleared)
         count until here

so one statement yields the figures of every group (GROUP BY g), and a day that belongs
to two groups (a day of the week and the week) is simply joined twice. Ticket rows join
on `business_day`; timestamped rows (complaints, cash, sessions…) on [lo, hi). The
outer filters keep every statement an index range over the groups' days only; on SQLite
a ticket statement joined to `grp` filters by hall alone, so the planner looks each
group's day up by (hall, day) instead of scanning the whole range once per group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, and_, literal, select, union_all
from sqlalchemy.orm import Session

from db.models import Ticket
from hall_app.metrics.sqlparts import ts


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a business day as UTC instants."""
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


class Scope:
    def __init__(self, s: Session, hall_id: int, tz: ZoneInfo, now: datetime,
                 groups: Mapping[int, Iterable[date]]) -> None:
        self.s, self.hid, self.tz, self.now = s, hall_id, tz, now
        self.groups = {g: tuple(sorted(set(days))) for g, days in groups.items()}
        all_days = sorted({d for days in self.groups.values() for d in days})
        if not all_days:
            raise ValueError("a scope needs at least one day")
        self.first_day, self.last_day = all_days[0], all_days[-1]
        self.lo = day_bounds(self.first_day, tz)[0]
        self.hi = day_bounds(self.last_day, tz)[1]
        self.as_of = min(now, self.hi)
        rows = []
        for g, days in self.groups.items():
            for d in days:
                lo, hi = day_bounds(d, tz)
                rows.append(select(literal(g, Integer).label("g"), literal(d, Date).label("d"),
                                   ts(lo).label("lo"), ts(hi).label("hi"),
                                   ts(min(now, hi)).label("asof")))
        self.grp = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("grp")
        self.memo: dict[Any, Any] = {}  # subqueries built once per scope (journeys)

    # -- ticket rows -----------------------------------------------------------------
    def tickets(self) -> Any:
        """The condition joining ticket rows to their groups (use in a join's ON)."""
        return and_(Ticket.business_day == self.grp.c.d)

    def ticket_range(self) -> Any:
        """The outer, indexed restriction: this hall, the groups' days."""
        return and_(Ticket.hall_id == self.hid, Ticket.business_day >= self.first_day,
                    Ticket.business_day <= self.last_day)

    def joined_ticket_range(self) -> Any:
        """`ticket_range` for a statement that joins tickets to `grp` (see the module)."""
        if self.s.get_bind().dialect.name == "sqlite":
            return Ticket.hall_id == self.hid
        return self.ticket_range()

    # -- timestamped rows ----------------------------------------------------------------
    def at(self, col: Any) -> Any:
        """ON condition for a row stamped `col`: inside its group day's [lo, hi)."""
        return and_(col >= self.grp.c.lo, col < self.grp.c.hi)

    def at_range(self, col: Any) -> Any:
        return and_(col >= ts(self.lo), col < ts(self.hi))

    def local(self, when: datetime | None) -> datetime | None:
        return None if when is None else when.astimezone(self.tz)

    def group_bounds(self, g: int) -> list[tuple[datetime, datetime]]:
        """[(lo, asof)] of each day of group g (for clipping a few rows in Python)."""
        out = []
        for d in self.groups[g]:
            lo, hi = day_bounds(d, self.tz)
            out.append((lo, min(self.now, hi)))
        return out
