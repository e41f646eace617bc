"""Complaint reads: one complaint, the filtered list, the overview's alert counts, the
day summary (SQL aggregates) and the register form's link choices.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from db.models import Complaint, Counter, Staff, Ticket
from hall_app.domain.complaints import STATE_LABELS, ComplaintState
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ValidationError
from hall_app.services.complaints import sql
from hall_app.services.complaints.base import ComplaintBase
from hall_app.services.complaints.models import (
    DUE_SOON_MINUTES,
    AlertCounts,
    Choice,
    ComplaintDetail,
    ComplaintFilter,
    ComplaintRow,
    DaySummary,
    LinkChoices,
)


class ComplaintQueries(ComplaintBase):
    def get(self, actor: Actor, complaint_id: int) -> ComplaintDetail:
        with self.ctx.acting(actor, Permission.HANDLE_COMPLAINT, read_only=True) as s:
            return self._detail(s, self._row(s, complaint_id), actor)

    def query(self, actor: Actor, flt: ComplaintFilter | None = None) -> list[ComplaintRow]:
        flt = flt or ComplaintFilter()
        now = self.ctx.now()
        handler = aliased(Staff)
        stmt = (select(Complaint, handler.name, Counter.number, Ticket.code)
                .outerjoin(handler, handler.id == Complaint.handler_id)
                .outerjoin(Counter, Counter.id == Complaint.counter_id)
                .outerjoin(Ticket, Ticket.id == Complaint.ticket_id)
                .where(Complaint.hall_id == self.ctx.hall.id))
        if flt.state == "open":
            stmt = stmt.where(Complaint.state != ComplaintState.CLOSED.value)
        elif flt.state:
            if flt.state not in STATE_LABELS:
                raise ValidationError("未知的投诉状态。", field="state")
            stmt = stmt.where(Complaint.state == flt.state)
        if flt.category:
            stmt = stmt.where(Complaint.category == flt.category)
        if flt.escalated is not None:
            stmt = stmt.where(Complaint.escalated.is_(flt.escalated))
        if flt.day_from:
            stmt = stmt.where(Complaint.business_day >= flt.day_from)
        if flt.day_to:
            stmt = stmt.where(Complaint.business_day <= flt.day_to)
        if flt.overdue:
            stmt = stmt.where(sql.open_and_overdue(now))
        severity_rank = case({"high": 0, "normal": 1, "low": 2}, value=Complaint.severity, else_=3)
        order = {
            "received_desc": (Complaint.received_at.desc(), Complaint.id.desc()),
            "received_asc": (Complaint.received_at, Complaint.id),
            "due": (Complaint.reply_due_at, Complaint.id),
            "severity": (severity_rank, Complaint.received_at.desc()),
            "state": (Complaint.state, Complaint.received_at.desc()),
        }.get(flt.sort)
        if order is None:
            raise ValidationError("未知的排序方式。", field="sort")
        stmt = stmt.order_by(*order).limit(max(1, min(flt.limit, 5000)))
        with self.ctx.acting(actor, Permission.HANDLE_COMPLAINT, read_only=True) as s:
            th = self._thresholds(s)
            return [self._row_info(c, hname, number, code, actor, now, th)
                    for c, hname, number, code in s.execute(stmt).all()]

    def alert_counts(self, soon_minutes: int = DUE_SOON_MINUTES) -> AlertCounts:
        """For the overview: open complaints by what they wait for (one SQL statement)."""
        now = self.ctx.now()
        soon = now + timedelta(minutes=soon_minutes)
        with self.ctx.read() as s:
            warn = timedelta(days=self._thresholds(s).complaint_hard_warning_days)
            n = sql.count_if
            is_open, unreplied = sql.is_open(), sql.is_unreplied()
            waiting = Complaint.state == ComplaintState.AWAITING_APPROVAL.value
            stmt = select(
                n(is_open),
                n(and_(unreplied, Complaint.reply_due_at >= now, Complaint.reply_due_at <= soon)),
                n(and_(unreplied, Complaint.reply_due_at < now)),
                n(and_(is_open, Complaint.hard_due_at < now)),
                n(and_(is_open, Complaint.escalated.is_(True))),
                n(waiting),
                n(and_(waiting, Complaint.compensation.is_not(None))),
                n(and_(is_open, Complaint.next_follow_up_at <= now)),
                n(and_(is_open, Complaint.next_feedback_at <= now)),
                n(and_(is_open, Complaint.hard_due_at >= now, Complaint.hard_due_at <= now + warn)),
            ).where(Complaint.hall_id == self.ctx.hall.id)
            values = s.execute(stmt).one()
        return AlertCounts(*(int(v) for v in values))

    def summary_for_day(self, day: date) -> DaySummary:
        """Complaints received on business day `day`, aggregated in SQL."""
        now = self.ctx.now()
        base = and_(Complaint.hall_id == self.ctx.hall.id, Complaint.business_day == day)
        n = sql.count_if
        scalars = select(
            func.count(Complaint.id),
            n(Complaint.replied_at.is_not(None)),
            n(sql.replied_on_time()),
            n(sql.overdue(now)),
            n(Complaint.escalated.is_(True)),
            n(Complaint.close_kind == "nuisance"),
            n(Complaint.close_kind == "signed_off"),
        ).where(base)
        with self.ctx.read() as s:
            total, replied, on_time, overdue, escalated, nuisance, signed_off = (
                int(v) for v in s.execute(scalars).one())
            cats = dict(s.execute(select(Complaint.category, func.count())
                                  .where(base).group_by(Complaint.category)).tuples().all())
            states = dict(s.execute(select(Complaint.state, func.count())
                                    .where(base).group_by(Complaint.state)).tuples().all())
            # NULLs are filtered out in SQL, which the column's type cannot express.
            sats = cast("dict[str, int]", dict(s.execute(
                select(Complaint.satisfaction, func.count())
                .where(base, Complaint.satisfaction.is_not(None))
                .group_by(Complaint.satisfaction)).tuples().all()))
            counters = s.execute(
                select(Counter.number, func.count(Complaint.id))
                .select_from(Complaint).outerjoin(Counter, Counter.id == Complaint.counter_id)
                .where(base).group_by(Counter.number)
                .order_by(func.count(Complaint.id).desc(), Counter.number)).all()
            clerk = aliased(Staff)
            clerks = s.execute(
                select(clerk.name, func.count(Complaint.id))
                .select_from(Complaint).outerjoin(clerk, clerk.id == Complaint.clerk_id)
                .where(base).group_by(clerk.name)
                .order_by(func.count(Complaint.id).desc(), clerk.name)).all()
        known = [c.code for c in self.categories()]
        ordered = known + sorted(set(cats) - set(known))
        return DaySummary(
            day=day, total=total,
            by_category=tuple((c, self._category_name(c), int(cats.get(c, 0))) for c in ordered),
            by_state={k: int(v) for k, v in states.items()},
            by_counter=tuple((num, int(cnt)) for num, cnt in counters),
            by_clerk=tuple((name, int(cnt)) for name, cnt in clerks),
            by_satisfaction={k: int(v) for k, v in sats.items()},
            replied=replied, replied_on_time=on_time, overdue=overdue,
            escalated=escalated, nuisance=nuisance, signed_off=signed_off)

    def link_choices(self, day: date | None = None) -> LinkChoices:
        """Tickets of the day (served or called), counters and staff for the form's lists."""
        day = day or self.ctx.business_day()
        hall_id = self.ctx.hall.id
        with self.ctx.read() as s:
            served = aliased(Staff)
            tickets = s.execute(
                select(Ticket.id, Ticket.code, Counter.number, served.name)
                .outerjoin(Counter, Counter.id == Ticket.counter_id)
                .outerjoin(served, served.id == Ticket.staff_id)
                .where(Ticket.hall_id == hall_id, Ticket.business_day == day,
                       Ticket.first_called_at.is_not(None))
                .order_by(Ticket.last_called_at.desc()).limit(300)).all()
            counters = s.execute(select(Counter.id, Counter.number, Counter.name).where(
                Counter.hall_id == hall_id, Counter.active.is_(True))
                .order_by(Counter.number)).all()
            staff = s.execute(select(Staff.id, Staff.staff_no, Staff.name).where(
                Staff.hall_id == hall_id, Staff.active.is_(True),
                Staff.role.in_(("clerk", "duty_manager"))).order_by(Staff.staff_no)).all()
        return LinkChoices(
            tickets=tuple(Choice(i, f"{code}" + (f"({num}号窗口 {name or ''})" if num else ""))
                          for i, code, num, name in tickets),
            counters=tuple(Choice(i, name or f"{num}号窗口") for i, num, name in counters),
            clerks=tuple(Choice(i, f"{no} {name}") for i, no, name in staff),
            categories=self.categories())

