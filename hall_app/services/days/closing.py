"""Closing one business day: one transaction, every change a guarded transition.

In this order (the order PostgreSQL's call-next and every staff action take their locks
in, so they never deadlock): lock the hall's live staff sessions (each action locks its
own session first), lock the day's row (exactly one closer; issuing waits), lock the
hall's counters (no counter can call any more), lock the day's open tickets, then

* waiting → abandoned (闭厅未办), called but not arrived → abandoned (metrics.md:
  "still waiting/called when the day was closed"), being served → done, finished at
  the close (event detail 闭厅时自动结束, service time up to the close) — each one the
  conditional transition of `db.ticket_writes`, checked by its row count;
* counters signed out (closed, no clerk), open counter sessions and pauses ended;
* every staff session ended (reason day_closed, recorded as the system's doing: the
  session row names no one who ended it): every window asks for a login the next day;
* the day row marked closed, with who closed it and what was settled.

The leftovers are settled at min(now, the day's close-due instant), so a day closed the
next morning (no workstation ran at closing) does not gain a night of waiting time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, literal, select, update
from sqlalchemy.orm import Session

from db.counter_writes import lock_hall_counters, write_counter
from db.day_writes import lock_day
from db.models import BusinessDay, CounterPause, CounterSession, OpeningHours, Staff, Ticket
from db.ticket_writes import event_values, lock_tickets, write_transition
from db.types import UTCDateTime
from hall_app.domain.hours import DayHours, close_due_at, day_end, day_hours
from hall_app.domain.roles import Actor
from hall_app.errors import StaleState
from hall_app.security import sessions as staff_sessions
from hall_app.services.context import ServiceContext
from hall_app.services.days.models import SYSTEM_LABEL, DayCloseResult

DETAIL_WAITING = "闭厅"
DETAIL_CALLED = "闭厅(已叫号未到)"
DETAIL_SERVING = "闭厅时自动结束"


def hours_of(ctx: ServiceContext, s: Session, day: date, opens_at: datetime | None,
             closes_at: datetime | None) -> DayHours | None:
    weekdays = list(s.scalars(select(OpeningHours).where(OpeningHours.hall_id == ctx.hall.id)))
    return day_hours(day, ctx.hall.tz, weekdays, opens_at, closes_at)


def due_of(ctx: ServiceContext, day: date, hours: DayHours | None) -> datetime:
    return close_due_at(day, ctx.hall.tz, hours,
                        ctx.settings.thresholds.day_close_grace_minutes)


class AlreadyClosed(Exception):
    """Internal: the day was closed before this transaction got its lock."""

    def __init__(self, closed_at: datetime | None) -> None:
        super().__init__("already closed")
        self.closed_at = closed_at


def close_in(ctx: ServiceContext, s: Session, day: date, *, actor: Actor | None,
             workstation: str | None, skip_locked: bool) -> DayCloseResult | None:
    """Close `day` inside the unit of work `s`. None: another transaction holds the day
    (`skip_locked`). Raises AlreadyClosed if it is closed already."""
    hall_id = ctx.hall.id
    now = ctx.now()
    staff_sessions.lock_live(s, hall_id)
    row = lock_day(s, hall_id, day, now, skip_locked=skip_locked)
    if row is None:
        return None
    if row.closed:
        raise AlreadyClosed(row.closed_at)
    settled_at = min(now, due_of(ctx, day, hours_of(ctx, s, day, row.opens_at, row.closes_at)))
    boundary = min(now, day_end(day, ctx.hall.tz))
    counters = lock_hall_counters(s, hall_id)
    leftovers = lock_tickets(s, hall_id, Ticket.business_day == day,
                             Ticket.state.in_(("waiting", "called", "serving")))
    ctx.checkpoint("close_day")
    staff_id = actor.staff_id if actor is not None else None
    counts = {"waiting": 0, "called": 0, "serving": 0}
    for t in leftovers:
        at = max(settled_at, t.started_at or t.last_called_at or t.created_at or settled_at)
        values: dict[str, Any]
        if t.state == "serving":
            values = {"state": "done", "finished_at": at, "ended_at": at,
                      "service_seconds": max(0, int((at - (t.started_at or at)).total_seconds()))}
            event = event_values(t, kind="finish", to_state="done", at=at,
                                 counter_id=t.counter_id, staff_id=staff_id,
                                 detail=DETAIL_SERVING)
        else:
            values = {"state": "abandoned", "ended_at": at}
            event = event_values(t, kind="abandon", to_state="abandoned", at=at,
                                 counter_id=t.counter_id, staff_id=staff_id,
                                 detail=DETAIL_WAITING if t.state == "waiting" else DETAIL_CALLED)
        if not write_transition(s, ticket_id=t.id, from_state=t.state, values=values,
                                event=event, notify_payload=f"{hall_id}:tickets"):
            raise StaleState(f"{t.code}号的状态已被其他窗口改变,闭厅未完成,请重试。")
        counts[t.state] += 1
    closed_counters = 0
    for c in counters:
        if c.state == "closed" or (c.state_since is not None and c.state_since >= boundary):
            continue  # already closed, or opened after this day (catching up a past day)
        if write_counter(s, c, {"state": "closed", "staff_id": None, "pause_reason": None,
                                "state_since": max(settled_at, c.state_since or settled_at)}):
            closed_counters += 1
    sessions = _end_open(s, CounterSession, hall_id, settled_at, boundary)
    _end_open(s, CounterPause, hall_id, settled_at, boundary)
    staff_sessions.end_sessions(s, hall_id, staff_sessions.EndReason.DAY_CLOSED, now)
    issued, served = s.execute(select(
        func.count(case((Ticket.hop == 0, 1))), func.count(case((Ticket.state == "done", 1))))
        .where(Ticket.hall_id == hall_id, Ticket.business_day == day)).one()
    who = SYSTEM_LABEL
    if actor is not None:
        who = actor.name or (s.scalar(select(Staff.name).where(Staff.id == staff_id)) or "")
    done = s.execute(update(BusinessDay).where(
        BusinessDay.id == row.id, BusinessDay.state == "open").values(
        state="closed", closed_at=now, closed_by=staff_id, closed_by_system=actor is None,
        workstation=(workstation or "")[:128] or None, issued=int(issued), served=int(served),
        abandoned_waiting=counts["waiting"], abandoned_called=counts["called"],
        finished_at_close=counts["serving"], counters_closed=closed_counters,
        sessions_ended=sessions))
    if int(getattr(done, "rowcount", 0) or 0) != 1:  # pragma: no cover - the row is locked above
        raise StaleState("该营业日已被其他工作站闭厅。")
    for topic in ("tickets", "counters", "day"):
        ctx.notify(s, topic)
    return DayCloseResult(
        day=day, closed_at=now, settled_at=settled_at, abandoned_waiting=counts["waiting"],
        abandoned_called=counts["called"], finished_at_close=counts["serving"],
        counters_closed=closed_counters, sessions_ended=sessions, issued=int(issued),
        served=int(served), by_system=actor is None, closed_by=who, workstation=workstation)


def _end_open(s: Session, model: type[CounterSession] | type[CounterPause], hall_id: int,
              at: datetime, boundary: datetime) -> int:
    """End the hall's open sessions (or pauses) begun before `boundary`, at `at` (never
    before their own start)."""
    result = s.execute(
        update(model).where(model.hall_id == hall_id, model.ended_at.is_(None),
                            model.started_at < boundary)
        .values(ended_at=case((model.started_at > at, model.started_at),
                             else_=literal(at, UTCDateTime())))
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
