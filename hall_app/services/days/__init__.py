"""The business day's lifecycle: it opens with the first ticket and closes by itself.

    services.days.tick()                 # from every window's refresh worker: closes what is due
    services.days.close(actor, day)      # the duty manager / `hall-app day close`
    services.days.status(day)            # the overview / `hall-app day status`
    services.days.extend_hours(actor, closes_at)   # the administrator: today closes later

Closing is exactly once per (hall, day), whichever workstation gets there first
(`closing.close_in`, locked on the day's row); `DayCloser` decides when a workstation
should try (`scheduler.py`), and runs the after-close steps (`steps.py`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from db.day_writes import lock_day, read_day
from db.models import AuditLog, BusinessDay, Staff, Ticket
from hall_app.domain.hours import WeekdayHours, day_end, day_hours, day_start
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import DayClosed, IllegalTransition, ValidationError
from hall_app.services.context import ServiceContext
from hall_app.services.days.closing import AlreadyClosed, close_in, due_of, hours_of
from hall_app.services.days.models import SYSTEM_LABEL, DayCloseResult, DayStatus
from hall_app.services.days.scheduler import DayCloser
from hall_app.services.days.steps import AfterCloseStep, run_after_close

# One day's row (built once: the overview reads it on every refresh).
_DAY_ROW = select(BusinessDay).where(BusinessDay.hall_id == bindparam("hall"),
                                     BusinessDay.day == bindparam("day"))

__all__ = ["DayCloseResult", "DayCloser", "DayService", "DayStatus", "workstation_name"]


def workstation_name(role: str = "") -> str:
    """This workstation as the day-closed fact records it: host, role, process."""
    host = socket.gethostname() or "localhost"
    return f"{host}/{role or 'hall-app'}/{os.getpid()}"[:128]


class DayService:
    def __init__(self, ctx: ServiceContext, *, workstation: str | None = None,
                 steps: list[tuple[str, AfterCloseStep]] | None = None) -> None:
        self.ctx = ctx
        self.workstation = workstation or workstation_name(ctx.role)
        self.steps = steps
        self.closer = DayCloser(self)

    def set_role(self, role: str) -> None:
        """Name this workstation by its role (a window's entry point calls this)."""
        self.workstation = workstation_name(role)

    # -- closing -----------------------------------------------------------------------
    def tick(self) -> list[DayCloseResult]:
        """Close every day that is due (cheap when nothing is: a clock comparison)."""
        return self.closer.tick()

    def close(self, actor: Actor | None, day: date | None = None, *,
              skip_locked: bool = False, run_steps: bool = True) -> DayCloseResult:
        """Close `day` (default today) now. `actor` None: the system (the workstation).

        Raises IllegalTransition if the day is already closed (saying when and by whom).
        """
        if actor is not None:
            actor.require(Permission.CLOSE_DAY)
        day = day or self.ctx.business_day()
        try:
            if actor is None:
                with self.ctx.write() as s:
                    result = close_in(self.ctx, s, day, actor=None,
                                      workstation=self.workstation, skip_locked=skip_locked)
            else:
                with self.ctx.acting(actor, Permission.CLOSE_DAY) as s:
                    result = close_in(self.ctx, s, day, actor=actor,
                                      workstation=self.workstation, skip_locked=skip_locked)
        except AlreadyClosed:
            raise IllegalTransition(f"{day.isoformat()} 营业日已经闭厅,无需重复闭厅。"
                                    f"({self.status(day).summary()})") from None
        if result is None:
            raise IllegalTransition("其他工作站正在闭厅,请稍后查看营业日状态。")
        if run_steps:
            run_after_close(self.ctx, [result], self.steps)
        return result

    # -- reading -----------------------------------------------------------------------
    def status(self, day: date | None = None) -> DayStatus:
        with self.ctx.read() as s:
            return self.status_in(s, day or self.ctx.business_day())

    def status_in(self, s: Session, day: date, *,
                  weekdays: Sequence[WeekdayHours] | None = None,
                  state_counts: Mapping[str, int] | None = None,
                  issued: int | None = None) -> DayStatus:
        """`status`, inside the caller's read (the overview's one snapshot transaction).

        The overview passes what it has read already in the same transaction: the hall's
        opening-hours rows (`weekdays`), and the day's tickets counted by state
        (`state_counts`) with the first hops among them (`issued`).
        """
        ctx = self.ctx
        tz = ctx.hall.tz
        row = s.scalars(_DAY_ROW, {"hall": ctx.hall.id, "day": day}).first()
        opens_at, closes_at = (row.opens_at, row.closes_at) if row else (None, None)
        hours = (hours_of(ctx, s, day, opens_at, closes_at) if weekdays is None
                 else day_hours(day, tz, weekdays, opens_at, closes_at))
        due = due_of(ctx, day, hours).astimezone(tz)
        changed = row is not None and (row.opens_at is not None or row.closes_at is not None)
        if row is not None and row.state == "closed":
            who = SYSTEM_LABEL if row.closed_by_system else (
                s.scalar(select(Staff.name).where(Staff.id == row.closed_by)) or "")
            return DayStatus(
                day, "closed", hours, changed, due,
                closed_at=row.closed_at.astimezone(tz) if row.closed_at else None,
                closed_by=who, by_system=row.closed_by_system, workstation=row.workstation,
                issued=row.issued or 0, served=row.served or 0,
                abandoned=(row.abandoned_waiting or 0) + (row.abandoned_called or 0),
                abandoned_called=row.abandoned_called or 0,
                finished_at_close=row.finished_at_close or 0)
        counts = dict(state_counts) if state_counts is not None else dict(s.execute(
            select(Ticket.state, func.count(Ticket.id))
            .where(Ticket.hall_id == ctx.hall.id, Ticket.business_day == day)
            .group_by(Ticket.state)).tuples().all())
        if issued is None:
            issued = int(s.scalar(select(func.count(Ticket.id)).where(
                Ticket.hall_id == ctx.hall.id, Ticket.business_day == day,
                Ticket.hop == 0)) or 0)
        return DayStatus(
            day, "open" if row is not None else "none", hours, changed, due,
            issued=issued, served=int(counts.get("done", 0)),
            abandoned=int(counts.get("abandoned", 0)),
            waiting=int(counts.get("waiting", 0)) + int(counts.get("called", 0)),
            in_service=int(counts.get("serving", 0)))

    # -- the administrator: today's hours --------------------------------------------------
    def extend_hours(self, actor: Actor, closes_at: datetime, *,
                     opens_at: datetime | None = None, day: date | None = None) -> DayStatus:
        """Change one day's hours (default today): the kiosk issues until `closes_at`, and
        the day closes by itself at `closes_at` + the grace period. Audited on the day row."""
        actor.require(Permission.ADMIN_CONFIG)
        ctx = self.ctx
        tz = ctx.hall.tz
        day = day or ctx.business_day()
        for name, value in (("closes_at", closes_at), ("opens_at", opens_at)):
            if value is not None and value.tzinfo is None:
                raise ValidationError("时间缺少时区。", field=name)
        if not day_start(day, tz) < closes_at.astimezone(tz) <= day_end(day, tz) + timedelta(hours=6):
            raise ValidationError("营业结束时间应在当日之内(最晚次日06:00)。", field="closes_at")
        if opens_at is not None and opens_at >= closes_at:
            raise ValidationError("营业开始时间应早于结束时间。", field="opens_at")
        now = ctx.now()
        if closes_at <= now:
            raise ValidationError("新的营业结束时间应晚于现在。", field="closes_at")
        with ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            row = lock_day(s, ctx.hall.id, day, now)
            assert row is not None
            if row.closed:
                raise DayClosed(f"{day.isoformat()} 营业日已经闭厅,不能再延长营业时间。")
            ctx.checkpoint("extend_hours")
            values: dict[str, object] = {"closes_at": closes_at, "extended_by": actor.staff_id}
            if opens_at is not None:
                values["opens_at"] = opens_at
            s.execute(update(BusinessDay).where(BusinessDay.id == row.id,
                                                BusinessDay.state == "open").values(**values))
            s.add(AuditLog(hall_id=ctx.hall.id, staff_id=actor.staff_id, at=now,
                           entity="business_day", entity_id=row.id, field="closes_at",
                           old_value=row.closes_at.astimezone(tz).strftime("%H:%M")
                           if row.closes_at else None,
                           new_value=closes_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")))
            ctx.notify(s, "day")
            ctx.notify(s, "config")
        self.closer.forget()
        return self.status(day)

    def is_closed(self, day: date) -> bool:
        with self.ctx.read() as s:
            row = read_day(s, self.ctx.hall.id, day)
        return row is not None and row.closed
