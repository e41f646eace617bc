"""What complaint commands and queries share: the script book (categories, forbidden
phrases), loading one complaint of this hall, the history row, and building the row and
detail views (phone masked per role, next actions for the viewer).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Complaint, ComplaintHistory, Counter, Staff, Ticket
from hall_app.domain.complaints import ComplaintAction, allowed_actions, deadline_status
from hall_app.domain.roles import Actor
from hall_app.errors import NotFound
from hall_app.phone import shown_phone
from hall_app.scripts import ComplaintCategory, ForbiddenHit, ScriptBook, find_forbidden
from hall_app.services.complaints.models import (
    DUE_SOON_MINUTES,
    ComplaintDetail,
    ComplaintRow,
    HistoryEntry,
)
from hall_app.services.context import ServiceContext


class ComplaintBase:
    """The context and helpers the complaint parts build on (see `ComplaintService`)."""

    def __init__(self, ctx: ServiceContext, book: ScriptBook | None = None) -> None:
        self.ctx = ctx
        self._book = book

    @property
    def book(self) -> ScriptBook:
        if self._book is None:
            from hall_app.scripts import default_book, load_scripts

            path = self.ctx.settings.scripts_path
            self._book = load_scripts(path) if path else default_book()
        return self._book

    def categories(self) -> tuple[ComplaintCategory, ...]:
        return self.book.complaint_categories

    def _category_name(self, code: str) -> str:
        return next((c.name for c in self.categories() if c.code == code), code)

    def check_reply(self, text: str) -> list[ForbiddenHit]:
        """Forbidden phrases in a draft reply (no database; the form checks as you type)."""
        return find_forbidden(self.book, text or "")

    @staticmethod
    def _is_handler(row: Complaint, actor: Actor) -> bool:
        return row.handler_id is None or row.handler_id == actor.staff_id

    def _row(self, s: Session, complaint_id: int, *, lock: bool = False) -> Complaint:
        stmt = select(Complaint).where(Complaint.id == complaint_id)
        if lock:
            stmt = stmt.with_for_update()
        row = s.scalars(stmt).first()
        if row is None or row.hall_id != self.ctx.hall.id:
            raise NotFound("找不到该投诉记录。")
        return row

    def _history(self, s: Session, row: Complaint, actor: Actor, action: ComplaintAction,
                 before: str | None, note: str | None) -> None:
        s.add(ComplaintHistory(complaint_id=row.id, at=self.ctx.now(), staff_id=actor.staff_id,
                               action=action.value, from_state=before, to_state=row.state,
                               note=note))

    def _row_info(self, c: Complaint, handler_name: str | None, counter_number: int | None,
                  ticket_code: str | None, actor: Actor, now: datetime) -> ComplaintRow:
        return ComplaintRow(
            id=c.id, received_at=c.received_at, business_day=c.business_day, channel=c.channel,
            customer_name=c.customer_name, phone=shown_phone(c.phone, actor),
            category=c.category, category_name=self._category_name(c.category),
            severity=c.severity, state=c.state, escalated=c.escalated, handler_id=c.handler_id,
            handler_name=handler_name, counter_number=counter_number, ticket_code=ticket_code,
            reply_due_at=c.reply_due_at, hard_due_at=c.hard_due_at, replied_at=c.replied_at,
            deadline=deadline_status(c.state, now, c.reply_due_at, c.hard_due_at,
                                     DUE_SOON_MINUTES))

    def _detail(self, s: Session, c: Complaint, actor: Actor) -> ComplaintDetail:
        s.flush()
        # Keyed by optional ids too: a missing handler/clerk/staff simply finds no name.
        names: dict[int | None, str] = dict(s.execute(select(Staff.id, Staff.name).where(
            Staff.hall_id == self.ctx.hall.id)).tuples().all())
        counter = s.get(Counter, c.counter_id) if c.counter_id else None
        ticket = s.get(Ticket, c.ticket_id) if c.ticket_id else None
        history = s.scalars(select(ComplaintHistory).where(
            ComplaintHistory.complaint_id == c.id).order_by(ComplaintHistory.id)).all()
        row = self._row_info(c, names.get(c.handler_id), counter.number if counter else None,
                             ticket.code if ticket else None, actor, self.ctx.now())
        return ComplaintDetail(
            row=row, address=c.address, description=c.description, expectation=c.expectation,
            clerk_name=names.get(c.clerk_id), recorder_name=names.get(c.recorded_by, ""),
            compensation=c.compensation, reply_text=c.reply_text, satisfaction=c.satisfaction,
            close_reason=c.close_reason, closed_at=c.closed_at,
            history=tuple(HistoryEntry(h.at, h.staff_id, names.get(h.staff_id, "系统"),
                                       h.action, h.from_state, h.to_state, h.note)
                          for h in history),
            actions=allowed_actions(c.state, actor, escalated=c.escalated,
                                    is_handler=self._is_handler(c, actor)))
