"""What the staffing advice reads from the database: the hall's layout and its history.

Plain data out, so forecasting and planning are testable without a database. Arrivals
are first tickets (hop 0: a transfer is not a new customer), counted per service and
local clock hour. Behaviour per service: service times of finished tickets, and for
patience the walkaways (marked walked away, or no-show after the recalls) against the
time every customer spent waiting (exponential patience, censored by the call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from db.models import Counter, Hall, Incident, IncidentCounter, ServiceType, Ticket
from hall_app.domain.priority import PriorityRule, RuleConfig
from hall_app.metrics.sqlparts import hour_bucket, seconds_between


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    code: str
    name: str
    target_wait_minutes: int
    typical_service_minutes: int
    typical_per_day: int | None
    is_vip: bool


@dataclass(frozen=True)
class CounterInfo:
    id: int
    number: int
    name: str
    services: tuple[int, ...]  # service ids, the counter's first choice first


@dataclass(frozen=True)
class HallLayout:
    hall_id: int
    code: str
    name: str
    tz: ZoneInfo
    opening: dict[int, tuple[time, time] | None]  # weekday -> hours (None: closed)
    services: tuple[ServiceInfo, ...]
    counters: tuple[CounterInfo, ...]
    rule: RuleConfig

    def hours_on(self, day: date) -> tuple[time, time] | None:
        return self.opening.get(day.weekday())


@dataclass
class DayHistory:
    day: date
    arrivals: dict[tuple[int, int], int] = field(default_factory=dict)  # (service, hour)
    total: int = 0
    outage_minutes: float = 0.0


@dataclass
class ServiceStats:
    served: int = 0
    service_sum: float = 0.0  # minutes
    service_sq: float = 0.0
    walkaways: int = 0
    exposure_minutes: float = 0.0  # total time customers spent waiting


def load_layout(session: Session, hall_id: int) -> HallLayout:
    hall = session.get(Hall, hall_id)
    assert hall is not None
    services = session.scalars(select(ServiceType).where(
        ServiceType.hall_id == hall_id, ServiceType.active.is_(True))
        .order_by(ServiceType.sort_order, ServiceType.id)).all()
    active = {s.id for s in services}
    counters = session.scalars(select(Counter).where(
        Counter.hall_id == hall_id, Counter.active.is_(True)).order_by(Counter.number)).all()
    layout_counters = []
    for c in counters:
        served = tuple(cs.service_id for cs in c.services if cs.service_id in active)
        if served:
            layout_counters.append(CounterInfo(c.id, c.number, c.name, served))
    opening = {h.weekday: ((h.opens, h.closes) if h.opens and h.closes else None)
               for h in hall.opening_hours}
    rule = RuleConfig(PriorityRule(hall.priority_rule or "strict"), hall.priority_ratio or 3,
                      hall.priority_aging_minutes or 30)
    return HallLayout(
        hall.id, hall.code, hall.name, ZoneInfo(hall.timezone), opening,
        tuple(ServiceInfo(s.id, s.code, s.name, s.target_wait_minutes,
                          s.typical_service_minutes, s.typical_per_day, s.is_vip)
              for s in services),
        tuple(layout_counters), rule)


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    return start, start + timedelta(days=1)


def load_days(session: Session, layout: HallLayout, days: list[date]) -> dict[date, DayHistory]:
    """Arrivals per service and hour, and minutes of hall-wide outage, for each day."""
    result = {d: DayHistory(d) for d in days}
    if not days:
        return result
    # Counted in the database per (day, service, local hour): the hour from each day's
    # local hour starts in UTC (a day of a clock change has 23 or 25 of them).
    def starts(d: date) -> list[tuple[int, datetime]]:
        out = [(h, datetime.combine(d, time(h), tzinfo=layout.tz).astimezone(UTC))
               for h in range(24)]
        return [*out, (0, _day_bounds(d, layout.tz)[1])]
    hour = case(*((Ticket.business_day == d, hour_bucket(Ticket.issued_at, starts(d)))
                  for d in days), else_=0)
    rows = session.execute(select(Ticket.business_day, Ticket.service_id, hour, func.count())
                           .where(Ticket.hall_id == layout.hall_id,
                                  Ticket.business_day.in_(days), Ticket.hop == 0)
                           .group_by(Ticket.business_day, Ticket.service_id, hour))
    for day, service_id, clock_hour, n in rows:
        hist = result[day]
        hist.arrivals[(service_id, int(clock_hour))] = int(n)
        hist.total += int(n)
    first, _ = _day_bounds(min(days), layout.tz)
    _, last = _day_bounds(max(days), layout.tz)
    with_counters = select(IncidentCounter.incident_id)
    outages = session.execute(select(Incident.started_at, Incident.ended_at).where(
        Incident.hall_id == layout.hall_id, Incident.kind == "outage",
        Incident.started_at < last, Incident.id.not_in(with_counters)))
    for started, ended in outages:
        ended = ended or last
        if ended <= first:
            continue
        for d in days:
            hours = layout.hours_on(d)
            if hours is None:
                continue
            lo = datetime.combine(d, hours[0], tzinfo=layout.tz)
            hi = datetime.combine(d, hours[1], tzinfo=layout.tz)
            overlap = (min(hi, ended) - max(lo, started)).total_seconds() / 60
            if overlap > 0:
                result[d].outage_minutes += overlap
    return result


def load_behaviour_days(session: Session, layout: HallLayout, first: date,
                        last: date) -> dict[date, dict[int, ServiceStats]]:
    """The same statistics per day and service (every day of [first, last] present), in
    one pass over the window's tickets (one grouped statement), so windows that overlap
    (today's plan and tomorrow's) can share the days."""
    first_hop, done = Ticket.hop == 0, Ticket.state == "done"
    timed = and_(done, Ticket.service_seconds.is_not(None))
    left = and_(first_hop, Ticket.wait_seconds.is_(None), Ticket.ended_at.is_not(None),
                Ticket.state.in_(("walked_away", "abandoned")))
    waited_until_left = seconds_between(Ticket.issued_at, Ticket.ended_at)

    def total(cond: Any, value: Any = 1) -> Any:
        return func.coalesce(func.sum(case((cond, value), else_=0)), 0)

    rows = session.execute(
        select(Ticket.business_day, Ticket.service_id, total(timed),
               total(timed, Ticket.service_seconds),
               total(timed, Ticket.service_seconds * Ticket.service_seconds),
               # Waiting exposure: called customers waited wait_seconds; the rest until
               # they left.
               total(and_(first_hop, Ticket.wait_seconds.is_not(None)), Ticket.wait_seconds),
               total(and_(left, waited_until_left > 0), waited_until_left),
               total(and_(first_hop, Ticket.state == "no_show"))
               + total(and_(left, Ticket.state == "walked_away")))
        .where(Ticket.hall_id == layout.hall_id, Ticket.business_day >= first,
               Ticket.business_day <= last)
        .group_by(Ticket.business_day, Ticket.service_id))
    out: dict[date, dict[int, ServiceStats]] = {
        first + timedelta(days=i): {} for i in range((last - first).days + 1)}
    for day, service_id, served, seconds, squares, waited, before_leaving, walkaways in rows:
        out[day][service_id] = ServiceStats(
            served=int(served), service_sum=float(seconds) / 60,
            service_sq=float(squares) / 3600, walkaways=int(walkaways),
            exposure_minutes=(float(waited) + float(before_leaving)) / 60)
    return out


def add_days(per_day: dict[date, dict[int, ServiceStats]], first: date,
             last: date) -> dict[int, ServiceStats]:
    """Sum the days of [first, last], in day order (the same sums whichever days were
    read together)."""
    stats: dict[int, ServiceStats] = {}
    for i in range((last - first).days + 1):
        for service_id, st in per_day.get(first + timedelta(days=i), {}).items():
            acc = stats.setdefault(service_id, ServiceStats())
            acc.served += st.served
            acc.service_sum += st.service_sum
            acc.service_sq += st.service_sq
            acc.walkaways += st.walkaways
            acc.exposure_minutes += st.exposure_minutes
    return stats
