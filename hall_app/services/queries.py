"""Read models for the windows: what a counter sees, the service and counter lists.

Each function is one read transaction returning plain frozen dataclasses, so a worker
thread can build it and hand it to the GUI thread safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from db.models import Counter, CounterService, Hall, OpeningHours, ServiceType, Staff, Ticket
from hall_app.config import Thresholds
from hall_app.domain.priority import (
    PriorityRule,
    QueuedTicket,
    RuleConfig,
    call_order,
    call_reason,
    rule_description,
)
from hall_app.errors import NotFound
from hall_app.metrics.satisfaction import SatisfactionFigures, clerk_day_figures
from hall_app.services.context import ServiceContext
from hall_app.services.incidents import IncidentInfo, IncidentService


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    code: str
    name: str
    prefix: str
    target_wait_minutes: int
    long_wait_minutes: int
    typical_service_minutes: int
    is_vip: bool
    active: bool
    commitment: str | None = None  # the farewell's commitment time, e.g. "24小时"


@dataclass(frozen=True)
class CounterInfo:
    id: int
    number: int
    name: str
    state: str
    pause_reason: str | None
    state_since: datetime | None
    staff_id: int | None
    staff_name: str | None
    is_vip: bool
    active: bool
    service_ids: tuple[int, ...]


@dataclass(frozen=True)
class QueueEntry:
    ticket_id: int
    code: str
    service_id: int
    service_name: str
    priority: str
    issued_at: datetime
    waited_seconds: int
    long_wait_minutes: int
    target_counter_id: int | None
    care: bool = False  # 爱心通道
    position: int = 0  # 1 = the ticket F1 calls next (hall_app.domain.priority.call_order)
    reason: str = ""  # why it has this place (call_reason)

    @property
    def over_threshold(self) -> bool:
        return self.waited_seconds > self.long_wait_minutes * 60


@dataclass(frozen=True)
class CurrentTicket:
    ticket_id: int
    code: str
    state: str
    service_id: int
    service_name: str
    priority: str
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    wait_seconds: int
    recall_count: int
    long_wait_minutes: int
    commitment: str | None = None  # the service's commitment time for the farewell
    care: bool = False  # 爱心通道

    @property
    def waited_too_long(self) -> bool:
        return self.wait_seconds > self.long_wait_minutes * 60


@dataclass(frozen=True)
class FinishedTicket:
    """The ticket last finished at a counter today (for the farewell after 办理完成)."""

    ticket_id: int
    code: str
    service_name: str
    commitment: str | None
    finished_at: datetime


@dataclass(frozen=True)
class CounterView:
    """Everything the counter window shows, taken in one consistent read."""

    now: datetime
    counter: CounterInfo
    current: CurrentTicket | None
    queue: tuple[QueueEntry, ...]
    waiting_by_service: dict[int, int]
    outages: tuple[IncidentInfo, ...]
    last_outage_ended_at: datetime | None
    minutes_to_closing: int | None
    open_counters: int
    hotline: str
    hall_name: str
    recalls_before_no_show: int
    services: tuple[ServiceInfo, ...] = field(default=())
    thresholds: Thresholds | None = None  # settings file + the admin's database values
    # Open counters serving at least one of this counter's services (this one included):
    # what the crowded-counter phrase compares the queue with.
    peer_open_counters: int = 1
    last_finished: FinishedTicket | None = None
    rule_text: str = ""  # the hall's call rule in one sentence (rule_description)
    # Today's rating-pad figures of the clerk holding this counter (his own only).
    my_rating: SatisfactionFigures | None = None


def _service_info(s: ServiceType) -> ServiceInfo:
    return ServiceInfo(s.id, s.code, s.name, s.prefix, s.target_wait_minutes,
                       s.long_wait_minutes, s.typical_service_minutes, s.is_vip, s.active,
                       s.commitment)


def minutes_to_closing(now: datetime, tz: ZoneInfo, hours: list[OpeningHours]) -> int | None:
    local = now.astimezone(tz)
    for row in hours:
        if row.weekday == local.weekday() and row.closes is not None:
            closes = datetime.combine(local.date(), row.closes, tzinfo=tz)
            opens = datetime.combine(local.date(), row.opens or time(0), tzinfo=tz)
            if local < opens:
                return None
            return int((closes - local).total_seconds() // 60)
    return None


class QueryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def services(self, *, include_inactive: bool = False) -> list[ServiceInfo]:
        with self.ctx.read() as s:
            stmt = select(ServiceType).where(ServiceType.hall_id == self.ctx.hall.id)
            if not include_inactive:
                stmt = stmt.where(ServiceType.active.is_(True))
            rows = s.scalars(stmt.order_by(ServiceType.sort_order, ServiceType.id)).all()
            return [_service_info(r) for r in rows]

    def counters(self, *, include_inactive: bool = False) -> list[CounterInfo]:
        with self.ctx.read() as s:
            stmt = (select(Counter).where(Counter.hall_id == self.ctx.hall.id)
                    .options(selectinload(Counter.services)))
            if not include_inactive:
                stmt = stmt.where(Counter.active.is_(True))
            counters = list(s.scalars(stmt.order_by(Counter.number)))
            # The clerks at them in one read: `_counter_info`'s s.get() then finds each in
            # the session (held here: the session keeps only weak references), instead of
            # one statement (one round trip) per counter.
            staff_ids = {c.staff_id for c in counters if c.staff_id}
            clerks = (s.scalars(select(Staff).where(Staff.id.in_(staff_ids))).all()
                      if staff_ids else [])
            infos = [self._counter_info(s, c) for c in counters]
            del clerks
            return infos

    def _counter_info(self, s, c: Counter) -> CounterInfo:  # type: ignore[no-untyped-def]
        staff = s.get(Staff, c.staff_id) if c.staff_id else None
        return CounterInfo(c.id, c.number, c.name, c.state, c.pause_reason, c.state_since,
                           c.staff_id, staff.name if staff else None, c.is_vip, c.active,
                           tuple(cs.service_id for cs in c.services))

    def counter_view(self, counter_id: int, queue_limit: int = 200) -> CounterView:
        hall_info = self.ctx.hall
        with self.ctx.read() as s:
            now = self.ctx.now()
            day = self.ctx.business_day(now)
            counter = self.ctx.counter(s, counter_id)
            hall = s.get(Hall, hall_info.id)
            assert hall is not None  # the counter belongs to it
            services = {sv.id: sv for sv in s.scalars(
                select(ServiceType).where(ServiceType.hall_id == hall.id))}
            service_ids = [cs.service_id for cs in counter.services]
            cur = s.scalars(select(Ticket).where(
                Ticket.counter_id == counter_id,
                Ticket.state.in_(["called", "serving"]))).first()
            current = None
            if cur is not None:
                sv = services[cur.service_id]
                current = CurrentTicket(
                    cur.id, cur.code, cur.state, cur.service_id, sv.name, cur.priority,
                    cur.issued_at, cur.first_called_at, cur.started_at, cur.wait_seconds or 0,
                    cur.recall_count, self._long_wait(sv), sv.commitment, bool(cur.care))
            rows = {t.id: t for t in s.scalars(
                select(Ticket).where(
                    Ticket.hall_id == hall.id, Ticket.business_day == day,
                    Ticket.state == "waiting", Ticket.service_id.in_(service_ids),
                    (Ticket.target_counter_id.is_(None)) | (Ticket.target_counter_id == counter_id))
                .order_by(Ticket.issued_at, Ticket.id))}
            # In the order F1 will call them: the core's call order, as the admin preview.
            rule = RuleConfig(PriorityRule(hall.priority_rule), hall.priority_ratio,
                              hall.priority_aging_minutes)
            ranks = {cs.service_id: cs.rank for cs in counter.services}
            ordered = call_order(
                [QueuedTicket(t.id, t.code, t.service_id, t.priority, t.issued_at)
                 for t in rows.values()], ranks, rule, now, counter.calls_since_priority)
            queue = tuple(
                QueueEntry(q.id, q.code, q.service_id, services[q.service_id].name, q.priority,
                           q.issued_at, max(0, int((now - q.issued_at).total_seconds())),
                           self._long_wait(services[q.service_id]),
                           rows[q.id].target_counter_id, bool(rows[q.id].care), position,
                           call_reason(q, rule, now, ranks, care=bool(rows[q.id].care)))
                for position, q in enumerate(ordered[:queue_limit], start=1))
            by_service = dict(s.execute(
                select(Ticket.service_id, func.count(Ticket.id)).where(
                    Ticket.hall_id == hall.id, Ticket.business_day == day,
                    Ticket.state == "waiting", Ticket.service_id.in_(service_ids))
                .group_by(Ticket.service_id)).tuples().all())
            open_counters = int(s.scalar(select(func.count(Counter.id)).where(
                Counter.hall_id == hall.id, Counter.state == "open")) or 0)
            peers = int(s.scalar(
                select(func.count(func.distinct(Counter.id)))
                .join(CounterService, CounterService.counter_id == Counter.id)
                .where(Counter.hall_id == hall.id, Counter.state == "open",
                       CounterService.service_id.in_(service_ids))) or 0)
            done = s.scalars(select(Ticket).where(
                Ticket.hall_id == hall.id, Ticket.business_day == day,
                Ticket.counter_id == counter_id, Ticket.state == "done")
                .order_by(Ticket.finished_at.desc(), Ticket.id.desc()).limit(1)).first()
            last_finished = None
            if done is not None and done.finished_at is not None:
                sv_done = services[done.service_id]
                last_finished = FinishedTicket(done.id, done.code, sv_done.name,
                                               sv_done.commitment, done.finished_at)
            info = self._counter_info(s, counter)
            closing = minutes_to_closing(now, hall_info.tz, list(hall.opening_hours))
            thresholds = self.ctx.thresholds(hall)
            # Read from the row, not the per-process cache: an admin may have renamed it.
            hall_name, hall_hotline = hall.name, hall.hotline
            ordered_services = tuple(_service_info(services[i]) for i in service_ids)
            incidents = IncidentService(self.ctx)
            outages = tuple(incidents.active_in(s, counter_id))
            last = incidents.last_ended_outage_in(s, counter_id)
            my_rating = (clerk_day_figures(s, hall.id, hall_info.tz, day, now, counter.staff_id)
                         if counter.staff_id is not None else None)
        return CounterView(
            now=now, counter=info, current=current, queue=queue,
            waiting_by_service={int(k): int(v) for k, v in by_service.items()},
            outages=outages, last_outage_ended_at=last.ended_at if last else None,
            minutes_to_closing=closing, open_counters=open_counters,
            hotline=hall_hotline, hall_name=hall_name,
            recalls_before_no_show=thresholds.recalls_before_no_show,
            services=ordered_services, thresholds=thresholds, my_rating=my_rating,
            peer_open_counters=max(1, peers), last_finished=last_finished,
            rule_text=rule_description(rule),
        )

    def _long_wait(self, sv: ServiceType) -> int:
        return self.ctx.settings.long_wait_minutes.get(sv.code, sv.long_wait_minutes)

    def counter_for_number(self, number: int) -> CounterInfo:
        with self.ctx.read() as s:
            c = s.scalars(select(Counter).where(Counter.hall_id == self.ctx.hall.id,
                                                Counter.number == number)).first()
            if c is None:
                raise NotFound(f"找不到{number}号窗口。")
            return self._counter_info(s, c)

    def service_ranks(self, counter_id: int) -> dict[int, int]:
        with self.ctx.read() as s:
            return dict(s.execute(select(CounterService.service_id, CounterService.rank)
                                  .where(CounterService.counter_id == counter_id))
                        .tuples().all())
