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
from typing import TYPE_CHECKING

from sqlalchemy import func, select

# Light table clauses, not the mapped models: a display or kiosk paints its first
# screen before `db.models` is imported (db/screen_tables.py).
from db import screen_tables as st
from hall_app.domain.hours import DAY_CLOSED_REFUSAL, day_hours, issue_refusal
from hall_app.services.context import ServiceContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    care_channel: bool = True  # the hall offers 爱心通道 at the kiosk


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
        select(st.ticket_event.c.id, st.ticket_event.c.ticket_id, st.ticket.c.code,
               st.ticket_event.c.kind, st.ticket_event.c.at, st.counter.c.id,
               st.counter.c.number, st.counter.c.name, st.service_type.c.name)
        .select_from(st.ticket_event)
        .join(st.ticket, st.ticket.c.id == st.ticket_event.c.ticket_id)
        .join(st.counter, st.counter.c.id == st.ticket_event.c.counter_id)
        .join(st.service_type, st.service_type.c.id == st.ticket.c.service_id)
        .where(st.ticket_event.c.hall_id == ctx.hall.id,
               st.ticket_event.c.kind.in_(CALL_KINDS),
               st.ticket_event.c.at >= start, st.ticket_event.c.at < end,
               st.ticket.c.business_day == day)
        .order_by(st.ticket_event.c.id.desc())
        .limit(max(0, limit))
    ).all()
    return [CallInfo(int(r[0]), int(r[1]), r[2], r[3], r[4], int(r[5]), int(r[6]), r[7], r[8])
            for r in rows]


def recent_calls(ctx: ServiceContext, limit: int = 20) -> list[CallInfo]:
    """Today's calls and recalls, newest first (at most `limit` events)."""
    with ctx.read() as s:
        return _recent_calls(s, ctx, limit)


def _outage_notice(s: Session, ctx: ServiceContext) -> OutageNotice | None:
    incidents = s.execute(
        select(st.incident.c.id, st.incident.c.notice)
        .where(st.incident.c.hall_id == ctx.hall.id, st.incident.c.kind == "outage",
               st.incident.c.ended_at.is_(None))
        .order_by(st.incident.c.started_at, st.incident.c.id)).all()
    if not incidents:
        return None
    numbers = dict(s.execute(select(st.counter.c.id, st.counter.c.number)
                             .where(st.counter.c.hall_id == ctx.hall.id)).tuples().all())
    ids = [i.id for i in incidents]
    affected: dict[int, list[int]] = {}
    for incident_id, counter_id in s.execute(
            select(st.incident_counter.c.incident_id, st.incident_counter.c.counter_id)
            .where(st.incident_counter.c.incident_id.in_(ids))).all():
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
            select(st.ticket.c.service_id, func.count(st.ticket.c.id))
            .where(st.ticket.c.hall_id == hall.id, st.ticket.c.business_day == day,
                   st.ticket.c.state == "waiting")
            .group_by(st.ticket.c.service_id)).tuples().all())
        services = s.execute(
            select(st.service_type.c.id, st.service_type.c.name, st.service_type.c.prefix,
                   st.service_type.c.is_vip)
            .where(st.service_type.c.hall_id == hall.id, st.service_type.c.active.is_(True))
            .order_by(st.service_type.c.sort_order, st.service_type.c.id)).all()
        items = tuple(KioskService(sv.id, sv.name, sv.prefix, int(waiting.get(sv.id, 0)),
                                   bool(sv.is_vip)) for sv in services)
        care = bool(s.scalar(select(st.hall.c.care_channel).where(st.hall.c.id == hall.id)))
        return KioskBoard(hall.name, hall.hotline, items, _outage_notice(s, ctx),
                          _closed_notice(s, ctx, day), care)


def _closed_notice(s: Session, ctx: ServiceContext, day: date) -> str | None:
    """The kiosk's reason to refuse tickets now (the same rule `issue` applies)."""
    day_row = st.business_day.c
    row = s.execute(select(day_row.state, day_row.opens_at, day_row.closes_at)
                    .where(day_row.hall_id == ctx.hall.id, day_row.day == day)).first()
    if row is not None and row.state == "closed":
        return DAY_CLOSED_REFUSAL
    weekdays = s.execute(select(st.opening_hours.c.weekday, st.opening_hours.c.opens,
                                st.opening_hours.c.closes)
                         .where(st.opening_hours.c.hall_id == ctx.hall.id)).all()
    hours = day_hours(day, ctx.hall.tz, weekdays, row.opens_at if row else None,
                      row.closes_at if row else None)
    return issue_refusal(ctx.now(), ctx.hall.tz, hours)
