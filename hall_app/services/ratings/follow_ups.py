"""The duty manager's side of ratings: 不满意 alerts and the follow-ups (回访).

    svc = FollowUpService(ctx)
    svc.follow_ups(actor)                       # open ones, and today's settled ones
    svc.complete(actor, follow_up_id, "已电话致歉,客户表示理解")
    svc.complaint_prefill(actor, follow_up_id)  # the complaint form starts from this

A follow-up is open until the manager records that the customer was contacted (done)
or a complaint is registered for the same ticket: the complaint is found when reading,
so turning a follow-up into a complaint is exactly one write (the complaint's own).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from db.models import (
    Complaint,
    Counter,
    Rating,
    RatingFollowUp,
    ServiceType,
    Staff,
    Ticket,
)
from hall_app.domain.ratings import DissatisfiedReason, RatingLevel, reason_label
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, NotFound, ValidationError
from hall_app.services.context import ServiceContext
from hall_app.services.ratings.models import (
    TOPIC,
    ComplaintPrefill,
    DissatisfiedRating,
    FollowUpRow,
)

#: Complaint category the form starts with, by the customer's reason on the pad.
REASON_CATEGORY = {
    DissatisfiedReason.LONG_WAIT: "waiting",
    DissatisfiedReason.ATTITUDE: "attitude",
    DissatisfiedReason.FEES: "fees",
    DissatisfiedReason.NOT_DONE: "other",
    DissatisfiedReason.OTHER: "other",
}


# The overview's statements, built once (a refresh only binds the hall and the day).
_DISSATISFIED = (
    select(Rating.id, Rating.rated_at, Ticket.code, Counter.number, Staff.name,
           Staff.staff_no, Rating.reason, Rating.wants_contact, RatingFollowUp.id)
    .join(Ticket, Ticket.id == Rating.ticket_id)
    .join(Counter, Counter.id == Rating.counter_id)
    .outerjoin(Staff, Staff.id == Rating.staff_id)
    .outerjoin(RatingFollowUp, RatingFollowUp.rating_id == Rating.id)
    .where(Rating.hall_id == bindparam("hall"), Rating.business_day == bindparam("day"),
           Rating.level == RatingLevel.DISSATISFIED.value)
    .order_by(Rating.rated_at, Rating.id))
_OPEN_FOLLOW_UPS = (
    select(func.count(RatingFollowUp.id))
    .where(RatingFollowUp.hall_id == bindparam("hall"), RatingFollowUp.state == "open",
           ~select(Complaint.id).where(Complaint.hall_id == bindparam("hall"),
                                       Complaint.ticket_id == RatingFollowUp.ticket_id)
           .exists()))


def dissatisfied_ratings(s: Session, hall_id: int, day: date) -> list[DissatisfiedRating]:
    """The day's 不满意 ratings with ticket, counter, clerk, reason and follow-up."""
    rows = s.execute(_DISSATISFIED, {"hall": hall_id, "day": day}).all()
    return [DissatisfiedRating(int(r[0]), r[1], r[2], int(r[3]), r[4], r[5], r[6], r[7],
                               int(r[8]) if r[8] is not None else None) for r in rows]


def open_follow_up_count(s: Session, hall_id: int) -> int:
    """Follow-ups still open (not done, and no complaint registered for their ticket)."""
    return int(s.scalar(_OPEN_FOLLOW_UPS, {"hall": hall_id}) or 0)


class FollowUpService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def follow_ups(self, actor: Actor, day: date | None = None) -> list[FollowUpRow]:
        """Every open follow-up, and the ones opened on `day` (default today) that are settled."""
        actor.require(Permission.ACK_ALERT)
        with self.ctx.acting(actor, Permission.ACK_ALERT, read_only=True) as s:
            day = day or self.ctx.business_day()
            return self._rows(s, day)

    def _rows(self, s: Session, day: date, follow_up_id: int | None = None) -> list[FollowUpRow]:
        hall_id = self.ctx.hall.id
        handler = aliased(Staff)
        first_complaint = (select(func.min(Complaint.id))
                           .where(Complaint.hall_id == hall_id,
                                  Complaint.ticket_id == RatingFollowUp.ticket_id)
                           .scalar_subquery())
        stmt = (
            select(RatingFollowUp, Rating.reason, Ticket.code, ServiceType.name, Counter.id,
                   Counter.number, Staff.id, Staff.name, Staff.staff_no, handler.name,
                   first_complaint)
            .join(Rating, Rating.id == RatingFollowUp.rating_id)
            .join(Ticket, Ticket.id == RatingFollowUp.ticket_id)
            .join(ServiceType, ServiceType.id == Ticket.service_id)
            .join(Counter, Counter.id == Rating.counter_id)
            .outerjoin(Staff, Staff.id == Rating.staff_id)
            .outerjoin(handler, handler.id == RatingFollowUp.handled_by)
            .where(RatingFollowUp.hall_id == hall_id)
            .order_by(RatingFollowUp.opened_at, RatingFollowUp.id))
        if follow_up_id is not None:
            stmt = stmt.where(RatingFollowUp.id == follow_up_id)
        else:
            stmt = stmt.where(or_(RatingFollowUp.state == "open", Rating.business_day == day))
        out = []
        for fu, reason, code, service, cid, number, sid, name, no, handled_by, complaint in \
                s.execute(stmt).all():
            state = fu.state
            if state == "open" and complaint is not None:
                state = "complaint"
            out.append(FollowUpRow(
                fu.id, fu.rating_id, fu.ticket_id, code, service, int(cid), int(number),
                int(sid) if sid is not None else None, name, no, reason, fu.opened_at, state,
                int(complaint) if complaint is not None else None, handled_by, fu.handled_at,
                fu.note))
        return out

    def complete(self, actor: Actor, follow_up_id: int, note: str) -> FollowUpRow:
        """The customer was contacted: close the follow-up with what was agreed."""
        actor.require(Permission.ACK_ALERT)
        note = (note or "").strip()
        if not note:
            raise ValidationError("请简要记录回访结果。", field="note")
        if len(note) > 500:
            raise ValidationError("回访结果不能超过500个字。", field="note")
        with self.ctx.acting(actor, Permission.ACK_ALERT) as s:
            row = s.get(RatingFollowUp, follow_up_id)
            if row is None or row.hall_id != self.ctx.hall.id:
                raise NotFound("找不到该回访。")
            self.ctx.checkpoint("follow_up.complete")
            changed = s.execute(
                update(RatingFollowUp)
                .where(RatingFollowUp.id == follow_up_id, RatingFollowUp.state == "open")
                .values(state="done", handled_by=actor.staff_id, handled_at=self.ctx.now(),
                        note=note)
                .execution_options(synchronize_session=False))
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise IllegalTransition("该回访已处理。")
            self.ctx.notify(s, TOPIC)
            self.ctx.notify(s, "alerts")
            s.expire_all()
            return self._rows(s, self.ctx.business_day(), follow_up_id)[0]

    def complaint_prefill(self, actor: Actor, follow_up_id: int) -> ComplaintPrefill:
        """The ticket, counter, clerk, category and wording the complaint form starts with."""
        actor.require(Permission.ACK_ALERT)
        with self.ctx.acting(actor, Permission.ACK_ALERT, read_only=True) as s:
            rows = self._rows(s, self.ctx.business_day(), follow_up_id)
            if not rows:
                raise NotFound("找不到该回访。")
            fu = rows[0]
            if fu.state == "done":
                raise IllegalTransition("该回访已处理。")
            if fu.complaint_id is not None:
                raise IllegalTransition(f"该号票已登记投诉 #{fu.complaint_id}。")
            label = reason_label(fu.reason) or "未选择原因"
            clerk = f"{fu.clerk_no} {fu.clerk_name}".strip() if fu.clerk_name else None
            category = REASON_CATEGORY.get(DissatisfiedReason(fu.reason)) if fu.reason else None
            text = (f"顾客在{fu.counter_number}号窗口办理{fu.service_name}({fu.ticket_code}号)后"
                    f"在评价器上选择「不满意」,原因:{label},并希望值班长联系。")
            return ComplaintPrefill(fu.id, fu.ticket_id, fu.ticket_code, fu.counter_id,
                                    fu.clerk_id, clerk, category, text)
