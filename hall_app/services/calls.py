"""Read side of the hall display and the kiosk: recent calls, the outage notice, queue sizes.

`recent_calls` reads today's `ticket_event` rows of kind call/recall (newest first) with
their counter; the display shows them and announces each new event id once.
`outage_notice` is the customer-facing text of the active outages: each outage's notice
as the duty manager left it (prefilled from the hall's script), or the hall's scripted
notice when an outage carries none. `display_board` and
`kiosk_board` take everything one screen needs in one read, as frozen dataclasses a
worker thread can hand to the GUI thread. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.day_writes import read_day
from db.models import (
    Counter,
    Incident,
    IncidentCounter,
    OpeningHours,
    ServiceType,
    Ticket,
    TicketEvent,
)
from hall_app.domain.hours import DAY_CLOSED_REFUSAL, day_hours, issue_refusal
from hall_app.services.context import ServiceContext

CALL_KINDS = ("call", "recall")


@dataclass(frozen=True)
class CallInfo:
    """One announcement: ticket `code` was called (or recalled) to counter `counter_number`."""

    event_id: int
    ticket_id: int
    code: str
    kind: str  # call | recall
    at: datetime
    counter_id: int
    counter_number: int
    counter_name: str
    service_name: str

    @property
    def is_recall(self) -> bool:
        return self.kind == "recall"


@dataclass(frozen=True)
class OutageNotice:
    """What customers should read: the notices of the active outages, joined."""

    text: str
    hall_wide: bool


@dataclass(frozen=True)
class DisplayBoard:
    hall_name: str
    now: datetime
    calls: tuple[CallInfo, ...]  # newest first, one row per call/recall event
    outage: OutageNotice | None

    @property
    def last_event_id(self) -> int:
        return self.calls[0].event_id if self.calls else 0


@dataclass(frozen=True)
class KioskService:
    id: int
    name: str
    prefix: str
    waiting: int
    is_vip: bool


@dataclass(frozen=True)
class KioskBoard:
    hall_name: str
    hotline: str
    services: tuple[KioskService, ...]
    outage: OutageNotice | None
    # Why no ticket can be taken now (outside opening hours, day closed), or None.
    closed_notice: str | None = None


def _day_bounds(ctx: ServiceContext, day: date) -> tuple[datetime, datetime]:
    """UTC instants where the hall's local business day starts and ends."""
    tz = ctx.hall.tz
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, start + timedelta(days=1)


def _recent_calls(s: Session, ctx: ServiceContext, limit: int) -> list[CallInfo]:
    now = ctx.now()
    day = ctx.business_day(now)
    start, end = _day_bounds(ctx, day)
    rows = s.execute(
        select(TicketEvent.id, TicketEvent.ticket_id, Ticket.code, TicketEvent.kind,
               TicketEvent.at, Counter.id, Counter.number, Counter.name, ServiceType.name)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .join(Counter, Counter.id == TicketEvent.counter_id)
        .join(ServiceType, ServiceType.id == Ticket.service_id)
        .where(TicketEvent.hall_id == ctx.hall.id,
               TicketEvent.kind.in_(CALL_KINDS),
               TicketEvent.at >= start, TicketEvent.at < end,
               Ticket.business_day == day)
        .order_by(TicketEvent.id.desc())
        .limit(max(0, limit))
    ).all()
    return [CallInfo(int(r[0]), int(r[1]), r[2], r[3], r[4], int(r[5]), int(r[6]), r[7], r[8])
            for r in rows]


def recent_calls(ctx: ServiceContext, limit: int = 20) -> list[CallInfo]:
    """Today's calls and recalls, newest first (at most `limit` events)."""
    with ctx.read() as s:
        return _recent_calls(s, ctx, limit)


def _outage_notice(s: Session, ctx: ServiceContext) -> OutageNotice | None:
    incidents = s.scalars(
        select(Incident).where(Incident.hall_id == ctx.hall.id, Incident.kind == "outage",
                               Incident.ended_at.is_(None))
        .order_by(Incident.started_at, Incident.id)).all()
    if not incidents:
        return None
    numbers = dict(s.execute(select(Counter.id, Counter.number)
                             .where(Counter.hall_id == ctx.hall.id)).tuples().all())
    ids = [i.id for i in incidents]
    affected: dict[int, list[int]] = {}
    for incident_id, counter_id in s.execute(
            select(IncidentCounter.incident_id, IncidentCounter.counter_id)
            .where(IncidentCounter.incident_id.in_(ids))).all():
        affected.setdefault(incident_id, []).append(numbers.get(counter_id, 0))
    texts: list[str] = []
    hall_wide = False
    scripted: str | None = None
    for inc in incidents:
        notice = inc.notice.strip()
        if not notice:
            if scripted is None:
                from hall_app.scripts import outage_text

                scripted = outage_text(ctx.settings.scripts_path)
            notice = scripted
        counters = sorted(affected.get(inc.id, []))
        if counters:
            label = "、".join(str(n) for n in counters)
            text = f"{label}号窗口:{notice}"
        else:
            hall_wide = True
            text = notice
        if text not in texts:
            texts.append(text)
    return OutageNotice("\n".join(texts), hall_wide)


def outage_notice(ctx: ServiceContext) -> OutageNotice | None:
    """The active outages' notices for customers (hall-wide first-declared first), or None."""
    with ctx.read() as s:
        return _outage_notice(s, ctx)


def display_board(ctx: ServiceContext, limit: int = 30) -> DisplayBoard:
    """Everything the hall display shows, in one read."""
    hall = ctx.hall
    with ctx.read() as s:
        return DisplayBoard(hall.name, ctx.now(), tuple(_recent_calls(s, ctx, limit)),
                            _outage_notice(s, ctx))


def kiosk_board(ctx: ServiceContext) -> KioskBoard:
    """The kiosk's buttons (active services with how many wait now) and the outage notice."""
    hall = ctx.hall
    with ctx.read() as s:
        day = ctx.business_day()
        waiting = dict(s.execute(
            select(Ticket.service_id, func.count(Ticket.id))
            .where(Ticket.hall_id == hall.id, Ticket.business_day == day,
                   Ticket.state == "waiting")
            .group_by(Ticket.service_id)).tuples().all())
        services = s.scalars(
            select(ServiceType).where(ServiceType.hall_id == hall.id,
                                      ServiceType.active.is_(True))
            .order_by(ServiceType.sort_order, ServiceType.id)).all()
        items = tuple(KioskService(sv.id, sv.name, sv.prefix, int(waiting.get(sv.id, 0)),
                                   sv.is_vip) for sv in services)
        return KioskBoard(hall.name, hall.hotline, items, _outage_notice(s, ctx),
                          _closed_notice(s, ctx, day))


def _closed_notice(s: Session, ctx: ServiceContext, day: date) -> str | None:
    """The kiosk's reason to refuse tickets now (the same rule `issue` applies)."""
    row = read_day(s, ctx.hall.id, day)
    if row is not None and row.closed:
        return DAY_CLOSED_REFUSAL
    weekdays = list(s.scalars(select(OpeningHours).where(OpeningHours.hall_id == ctx.hall.id)))
    hours = day_hours(day, ctx.hall.tz, weekdays, row.opens_at if row else None,
                      row.closes_at if row else None)
    return issue_refusal(ctx.now(), ctx.hall.tz, hours)
