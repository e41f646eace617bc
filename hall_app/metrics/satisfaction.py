"""Satisfaction figures of one business day (definitions: docs/metrics.md, "Satisfaction").

* **served** — tickets of the day that ended `done` (one per served customer);
* **rated** — served tickets with a rating of one of the four levels (未评价 is not rated);
* **satisfaction rate** = (非常满意 + 满意) ÷ rated; **participation rate** = rated ÷ served.

Grouped per clerk, counter and service (the ticket's, i.e. who served it) and per local
hour of 办结, by two SQL aggregates over the day's done tickets (indexed by hall and
day), so Python only reshapes a few dozen grouped rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.orm import Session

from db.models import Counter, Rating, RatingFollowUp, ServiceType, Staff, Ticket
from hall_app.domain.ratings import CUSTOMER_LEVELS, RatingLevel
from hall_app.metrics.window import DayWindow


@dataclass(frozen=True)
class SatisfactionFigures:
    served: int = 0
    very_satisfied: int = 0
    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0

    @property
    def rated(self) -> int:
        return self.very_satisfied + self.satisfied + self.basic + self.dissatisfied

    @property
    def unrated(self) -> int:
        """Served customers without a rating (timed out, or the pad was not answering)."""
        return max(0, self.served - self.rated)

    @property
    def satisfied_count(self) -> int:
        return self.very_satisfied + self.satisfied

    @property
    def satisfaction_rate(self) -> float | None:
        """Percent of rated services rated 非常满意 or 满意; None when nothing was rated."""
        return 100.0 * self.satisfied_count / self.rated if self.rated else None

    @property
    def participation_rate(self) -> float | None:
        """Percent of served customers who rated; None when nobody was served."""
        return 100.0 * self.rated / self.served if self.served else None


EMPTY = SatisfactionFigures()


@dataclass(frozen=True)
class SatisfactionRow:
    id: int  # the staff member's, counter's or service's key
    label: str
    figures: SatisfactionFigures


@dataclass(frozen=True)
class SatisfactionHour:
    hour: int  # local hour h: [h:00, h+1:00) of 办结
    label: str
    figures: SatisfactionFigures


@dataclass(frozen=True)
class SatisfactionSummary:
    target_pct: int
    total: SatisfactionFigures = EMPTY
    by_clerk: tuple[SatisfactionRow, ...] = ()
    by_counter: tuple[SatisfactionRow, ...] = ()
    by_service: tuple[SatisfactionRow, ...] = ()
    by_hour: tuple[SatisfactionHour, ...] = ()
    reasons: tuple[tuple[str | None, int], ...] = field(default=())  # 不满意 by reason
    follow_ups: int = 0

    @property
    def target_met(self) -> bool | None:
        """On the exact counts (no rounding involved)."""
        t = self.total
        if not t.rated:
            return None
        return t.satisfied_count * 100 >= self.target_pct * t.rated


# Grouping keys of one done ticket: (staff, counter, service, local hour of finish).
_Key = tuple[int | None, int | None, int, int]


def _figures(served: int, levels: dict[str, int]) -> SatisfactionFigures:
    return SatisfactionFigures(served, levels.get(RatingLevel.VERY_SATISFIED, 0),
                               levels.get(RatingLevel.SATISFIED, 0),
                               levels.get(RatingLevel.BASIC, 0),
                               levels.get(RatingLevel.DISSATISFIED, 0))


def _grouped(s: Session, hall_id: int, w: DayWindow | None, staff_id: int | None = None,
             days: tuple[date, date] | None = None,
             ) -> tuple[dict[_Key, int], dict[_Key, dict[str, int]]]:
    """Served tickets and their ratings, grouped by (staff, counter, service, hour).

    One day (`w`): the hour is the local hour of 办结. A range of days (`days`, first and
    last, for a week or month): every key has hour 0, the hours are not told apart.
    """
    hour: Any = w.hour(Ticket.finished_at) if w is not None else literal(0)
    first, last = days if days is not None else (w.day, w.day)  # type: ignore[union-attr]
    keys = (Ticket.staff_id, Ticket.counter_id, Ticket.service_id, hour)
    where = [Ticket.hall_id == hall_id, Ticket.business_day >= first,
             Ticket.business_day <= last, Ticket.state == "done"]
    if staff_id is not None:
        where.append(Ticket.staff_id == staff_id)
    served: dict[_Key, int] = {}
    for sid, cid, svc, h, n in s.execute(
            select(*keys, func.count(Ticket.id)).where(*where).group_by(*keys)).all():
        served[(sid, cid, svc, int(h))] = int(n)
    rated: dict[_Key, dict[str, int]] = defaultdict(dict)
    for sid, cid, svc, h, level, n in s.execute(
            select(*keys, Rating.level, func.count(Rating.id))
            .join(Rating, Rating.ticket_id == Ticket.id)
            .where(*where, Rating.hall_id == hall_id,
                   Rating.level.in_([lv.value for lv in CUSTOMER_LEVELS]))
            .group_by(*keys, Rating.level)).all():
        rated[(sid, cid, svc, int(h))][level] = int(n)
    return served, rated


def _roll_up(served: dict[_Key, int], rated: dict[_Key, dict[str, int]],
             part: int) -> dict[int | None, SatisfactionFigures]:
    """Sum the grouped counts over every key but position `part` (None: the total)."""
    sums: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    order = [lv.value for lv in CUSTOMER_LEVELS]
    for key in set(served) | set(rated):
        bucket = sums[key[part] if part >= 0 else None]
        bucket[0] += served.get(key, 0)
        for i, level in enumerate(order, 1):
            bucket[i] += rated.get(key, {}).get(level, 0)
    return {k: SatisfactionFigures(*v) for k, v in sums.items()}


def day_satisfaction(s: Session, hall_id: int, w: DayWindow,
                     target_pct: int) -> SatisfactionSummary:
    """The day's satisfaction figures, in total and per clerk, counter, service and hour."""
    return _summary(s, hall_id, w, (w.day, w.day), target_pct)


def period_satisfaction(s: Session, hall_id: int, first: date, last: date,
                        target_pct: int) -> SatisfactionSummary:
    """A week's or month's figures, in total and per clerk, counter and service."""
    return _summary(s, hall_id, None, (first, last), target_pct)


def _summary(s: Session, hall_id: int, w: DayWindow | None, days: tuple[date, date],
             target_pct: int) -> SatisfactionSummary:
    served, rated = _grouped(s, hall_id, w, days=days)
    total = _roll_up(served, rated, -1).get(None, EMPTY)
    clerks = _roll_up(served, rated, 0)
    counters = _roll_up(served, rated, 1)
    services = _roll_up(served, rated, 2)
    hours = _roll_up(served, rated, 3) if w is not None else {}
    staff = {st.id: f"{st.staff_no} {st.name}" for st in s.scalars(
        select(Staff).where(Staff.id.in_([k for k in clerks if k is not None])))}
    counter_rows = {c.id: c for c in s.scalars(
        select(Counter).where(Counter.id.in_([k for k in counters if k is not None])))}
    service_rows = {sv.id: sv for sv in s.scalars(
        select(ServiceType).where(ServiceType.id.in_([k for k in services if k is not None])))}
    reasons = s.execute(
        select(Rating.reason, func.count(Rating.id))
        .where(Rating.hall_id == hall_id, Rating.business_day >= days[0],
               Rating.business_day <= days[1], Rating.level == RatingLevel.DISSATISFIED.value)
        .group_by(Rating.reason)).all()
    follow_ups = int(s.scalar(
        select(func.count(RatingFollowUp.id)).join(Rating, Rating.id == RatingFollowUp.rating_id)
        .where(Rating.hall_id == hall_id, Rating.business_day >= days[0],
               Rating.business_day <= days[1])) or 0)

    def rows(figures: dict[int | None, SatisfactionFigures], label: Callable[[int], str],
             order: Callable[[int], Any]) -> tuple[SatisfactionRow, ...]:
        keys = sorted((k for k in figures if k is not None), key=order)
        return tuple(SatisfactionRow(k, label(k), figures[k]) for k in keys)

    return SatisfactionSummary(
        target_pct=target_pct, total=total,
        by_clerk=rows(clerks, lambda k: staff.get(k, f"#{k}"), lambda k: staff.get(k, "")),
        by_counter=rows(counters, lambda k: counter_rows[k].name if k in counter_rows else f"#{k}",
                        lambda k: counter_rows[k].number if k in counter_rows else 0),
        by_service=rows(services, lambda k: service_rows[k].name if k in service_rows else f"#{k}",
                        lambda k: (service_rows[k].sort_order, k) if k in service_rows else (0, k)),
        by_hour=tuple(SatisfactionHour(h, f"{h:02d}:00–{h + 1:02d}:00", hours[h])
                      for h in sorted(k for k in hours if k is not None)),
        reasons=tuple(sorted(((r, int(n)) for r, n in reasons),
                             key=lambda item: (-item[1], item[0] or ""))),
        follow_ups=follow_ups,
    )


def clerk_day_figures(s: Session, hall_id: int, tz: ZoneInfo, day: date, now: datetime,
                      staff_id: int) -> SatisfactionFigures:
    """One clerk's figures for `day` (the counter window shows the clerk his own only)."""
    served, rated = _grouped(s, hall_id, DayWindow(day, tz, now), staff_id)
    return _roll_up(served, rated, -1).get(None, EMPTY)


# The overview's two statements, built once (a refresh only binds the hall and the day).
_DAY_SERVED = select(func.count(Ticket.id)).where(
    Ticket.hall_id == bindparam("hall"), Ticket.business_day == bindparam("day"),
    Ticket.state == "done")
_DAY_LEVELS = (select(Rating.level, func.count(Rating.id))
               .join(Ticket, Ticket.id == Rating.ticket_id)
               .where(Rating.hall_id == bindparam("hall"), Rating.business_day == bindparam("day"),
                      Ticket.state == "done")
               .group_by(Rating.level))


def day_total_figures(s: Session, hall_id: int, day: date, *,
                      served: int | None = None) -> SatisfactionFigures:
    """The hall's figures for `day` in total only (two small aggregates: the overview).

    `served`: the day's done tickets when the caller has counted them already (one
    aggregate less)."""
    params = {"hall": hall_id, "day": day}
    if served is None:
        served = int(s.scalar(_DAY_SERVED, params) or 0)
    levels = dict(s.execute(_DAY_LEVELS, params).tuples().all())
    return _figures(served, {str(k): int(v) for k, v in levels.items()})
