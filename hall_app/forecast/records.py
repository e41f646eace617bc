"""The recorded facts the predictor learns from and replays, as plain rows (no ORM objects).

`load_days(session, hall_id, first, last)` reads the tickets of those business days and
the sessions, pauses and outages overlapping them, in four queries. Every field keeps
its timestamp, so a day can be cut at any instant ("what was known then").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from db.models import (
    AuditLog,
    Counter,
    CounterPause,
    CounterService,
    CounterSession,
    Hall,
    Incident,
    IncidentCounter,
    OpeningHours,
    ServiceType,
    Ticket,
    TicketEvent,
)
from hall_app.domain.priority import PriorityRule, RuleConfig
from hall_app.forecast.model import ServiceDef

RELEASED_STATES = ("done", "no_show", "transferred")


@dataclass(frozen=True)
class TicketRecord:
    id: int
    service_id: int
    vip: bool
    hop: int
    origin_id: int | None
    issued_at: datetime
    created_at: datetime
    first_called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None  # released (done, no-show, transferred) or left
    state: str
    counter_id: int | None
    target_counter_id: int | None
    from_service_id: int | None
    recall_times: tuple[datetime, ...] = ()

    @property
    def released(self) -> bool:
        return self.state in RELEASED_STATES and self.first_called_at is not None


@dataclass(frozen=True)
class Interval:
    counter_id: int
    started_at: datetime
    ended_at: datetime | None
    reason: str | None = None


@dataclass(frozen=True)
class OutageRecord:
    started_at: datetime
    ended_at: datetime | None
    counter_ids: tuple[int, ...]


@dataclass(frozen=True)
class RuleChange:
    at: datetime
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class HallSetup:
    """What does not change during a day: services, counters' services, hours, rule log."""

    hall_id: int
    tz: ZoneInfo
    services: tuple[ServiceDef, ...]
    counter_services: dict[int, tuple[int, ...]]  # counter id -> service ids by rank
    counter_numbers: dict[int, int]
    hours: dict[int, tuple[time, time]]  # weekday -> (opens, closes)
    rule_now: RuleConfig
    rule_changes: tuple[RuleChange, ...] = ()

    def rule_at(self, at: datetime) -> RuleConfig:
        """The priority rule in force at `at`, from the admin's audit trail."""
        values = {"priority_rule": str(self.rule_now.rule),
                  "priority_ratio": str(self.rule_now.ratio),
                  "priority_aging_minutes": str(self.rule_now.aging_minutes)}
        # Walk back from now: undo every change made after `at`.
        for change in sorted(self.rule_changes, key=lambda c: c.at, reverse=True):
            if change.at > at and change.old is not None and change.field in values:
                values[change.field] = change.old
        try:
            return RuleConfig(PriorityRule(values["priority_rule"]),
                              int(values["priority_ratio"]),
                              int(values["priority_aging_minutes"]))
        except ValueError:
            return self.rule_now

    def closes_at(self, day: date) -> datetime | None:
        hours = self.hours.get(day.weekday())
        if hours is None:
            return None
        return datetime.combine(day, hours[1], tzinfo=self.tz).astimezone(UTC)

    def opens_at(self, day: date) -> datetime | None:
        hours = self.hours.get(day.weekday())
        if hours is None:
            return None
        return datetime.combine(day, hours[0], tzinfo=self.tz).astimezone(UTC)


@dataclass
class DayLog:
    day: date
    tickets: list[TicketRecord] = field(default_factory=list)
    sessions: list[Interval] = field(default_factory=list)
    pauses: list[Interval] = field(default_factory=list)
    outages: list[OutageRecord] = field(default_factory=list)
    # Per counter: normal tickets called since its last VIP one, at the start of the day.
    calls_since_priority_at_start: dict[int, int] = field(default_factory=dict)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def load_setup(session: Session, hall_id: int) -> HallSetup:
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise LookupError(f"hall {hall_id}")
    tz = ZoneInfo(hall.timezone)
    services = tuple(
        ServiceDef(r.id, r.code, r.name, float(r.typical_service_minutes), bool(r.is_vip))
        for r in session.scalars(select(ServiceType).where(ServiceType.hall_id == hall_id)
                                 .order_by(ServiceType.sort_order, ServiceType.id)))
    ranks: dict[int, list[int]] = defaultdict(list)
    numbers: dict[int, int] = {}
    for cid, number, sid in session.execute(
            select(Counter.id, Counter.number, CounterService.service_id)
            .outerjoin(CounterService, CounterService.counter_id == Counter.id)
            .where(Counter.hall_id == hall_id, Counter.active.is_(True))
            .order_by(Counter.number, CounterService.rank, CounterService.id)):
        numbers[cid] = number
        if sid is not None:
            ranks[cid].append(sid)
    hours = {r.weekday: (r.opens, r.closes) for r in session.scalars(
        select(OpeningHours).where(OpeningHours.hall_id == hall_id))
        if r.opens is not None and r.closes is not None}
    changes = tuple(RuleChange(r.at, r.field, r.old_value, r.new_value) for r in session.scalars(
        select(AuditLog).where(AuditLog.hall_id == hall_id, AuditLog.entity == "priority",
                               AuditLog.field.in_(("priority_rule", "priority_ratio",
                                                   "priority_aging_minutes")))))
    rule = RuleConfig(PriorityRule(hall.priority_rule), hall.priority_ratio,
                      hall.priority_aging_minutes)
    return HallSetup(hall_id, tz, services, {c: tuple(ranks.get(c, ())) for c in numbers},
                     numbers, hours, rule, changes)


def load_days(session: Session, setup: HallSetup, first: date, last: date, *,
              ratio_counts: bool = True) -> list[DayLog]:
    """The recorded days first..last (inclusive), oldest first; days without tickets too.

    `ratio_counts=False` skips each counter's ratio-rule count at the start of the days
    (the caller has it, e.g. cached for today).
    """
    hall_id, tz = setup.hall_id, setup.tz
    lo, _ = day_bounds(first, tz)
    _, hi = day_bounds(last, tz)
    logs: dict[date, DayLog] = {}
    d = first
    while d <= last:
        logs[d] = DayLog(d)
        d += timedelta(days=1)

    recalls: dict[int, list[datetime]] = defaultdict(list)
    for tid, at in session.execute(
            select(TicketEvent.ticket_id, TicketEvent.at)
            .where(TicketEvent.hall_id == hall_id, TicketEvent.kind == "recall",
                   TicketEvent.at >= lo, TicketEvent.at < hi)):
        recalls[tid].append(at)
    rows = session.execute(
        select(Ticket.id, Ticket.business_day, Ticket.service_id, Ticket.priority, Ticket.hop,
               Ticket.origin_ticket_id, Ticket.issued_at, Ticket.created_at,
               Ticket.first_called_at, Ticket.started_at, Ticket.ended_at, Ticket.state,
               Ticket.counter_id, Ticket.target_counter_id, Ticket.transferred_from_service_id)
        .where(Ticket.hall_id == hall_id, Ticket.business_day >= first,
               Ticket.business_day <= last)
        .order_by(Ticket.issued_at, Ticket.id))
    for r in rows:
        log = logs.get(r.business_day)
        if log is None:
            continue
        log.tickets.append(TicketRecord(
            r.id, r.service_id, r.priority == "vip", r.hop, r.origin_ticket_id, r.issued_at,
            r.created_at, r.first_called_at, r.started_at, r.ended_at, r.state, r.counter_id,
            r.target_counter_id, r.transferred_from_service_id,
            tuple(sorted(recalls.get(r.id, ())))))

    def overlapping(model):  # type: ignore[no-untyped-def]
        return and_(model.hall_id == hall_id, model.started_at < hi,
                    or_(model.ended_at.is_(None), model.ended_at >= lo))

    def spread(start: datetime, end: datetime | None) -> list[DayLog]:
        out = []
        for day, log in logs.items():
            d_lo, d_hi = day_bounds(day, tz)
            if start < d_hi and (end is None or end >= d_lo):
                out.append(log)
        return out

    for cid, started, ended in session.execute(
            select(CounterSession.counter_id, CounterSession.started_at, CounterSession.ended_at)
            .where(overlapping(CounterSession))):
        for log in spread(started, ended):
            log.sessions.append(Interval(cid, started, ended))
    for cid, reason, started, ended in session.execute(
            select(CounterPause.counter_id, CounterPause.reason, CounterPause.started_at,
                   CounterPause.ended_at).where(overlapping(CounterPause))):
        for log in spread(started, ended):
            log.pauses.append(Interval(cid, started, ended, reason))
    incidents = session.execute(
        select(Incident.id, Incident.started_at, Incident.ended_at)
        .where(overlapping(Incident), Incident.kind == "outage")).all()
    named: dict[int, list[int]] = defaultdict(list)
    if incidents:
        for iid, cid in session.execute(
                select(IncidentCounter.incident_id, IncidentCounter.counter_id)
                .where(IncidentCounter.incident_id.in_([i[0] for i in incidents]))):
            named[iid].append(cid)
    for iid, started, ended in incidents:
        for log in spread(started, ended):
            log.outages.append(OutageRecord(started, ended, tuple(sorted(named.get(iid, ())))))

    if ratio_counts:
        calls_since_at_start(session, setup, logs)
    return [logs[d] for d in sorted(logs)]


def calls_since_at_start(session: Session, setup: HallSetup, logs: dict[date, DayLog]) -> None:
    """Each counter's ratio-rule count at the start of every day: replay the calls."""
    if not logs:
        return
    first = min(logs)
    lo, _ = day_bounds(first, setup.tz)
    # The count before the first day: normal calls since the counter's last VIP call.
    counts: dict[int, int] = {}
    for cid in setup.counter_numbers:
        last_vip = session.scalar(
            select(Ticket.first_called_at)
            .where(Ticket.counter_id == cid, Ticket.priority == "vip",
                   Ticket.first_called_at.is_not(None), Ticket.first_called_at < lo)
            .order_by(Ticket.first_called_at.desc()).limit(1))
        cond = [Ticket.counter_id == cid, Ticket.first_called_at.is_not(None),
                Ticket.first_called_at < lo, Ticket.priority == "normal"]
        if last_vip is not None:
            cond.append(Ticket.first_called_at > last_vip)
        counts[cid] = len(session.scalars(select(Ticket.id).where(*cond)).all())
    for day in sorted(logs):
        log = logs[day]
        log.calls_since_priority_at_start = dict(counts)
        for t in sorted((t for t in log.tickets if t.first_called_at is not None
                         and t.counter_id is not None), key=lambda t: t.first_called_at):  # type: ignore[arg-type, return-value]
            if t.counter_id is not None:
                counts[t.counter_id] = 0 if t.vip else counts.get(t.counter_id, 0) + 1
