"""What complaint commands and queries share: the script book (categories, forbidden
phrases), loading one complaint of this hall, the guarded transition (locked read, the
conditional update checked by its row count, the history row), and building the row and
detail views (phone masked per role, next actions for the viewer).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import (
    Complaint,
    ComplaintContact,
    ComplaintHandOff,
    ComplaintHistory,
    Counter,
    Hall,
    Staff,
    Ticket,
)
from hall_app.config import Thresholds
from hall_app.domain.complaints import (
    SATISFIED,
    ComplaintAction,
    ComplaintState,
    allowed_actions,
    check_action,
    deadline_status,
)
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, NotFound
from hall_app.phone import mask_phone, shown_phone
from hall_app.scripts import ComplaintCategory, ForbiddenHit, ScriptBook, find_forbidden
from hall_app.services.complaints.models import (
    DUE_SOON_MINUTES,
    TOPIC,
    ComplaintDetail,
    ComplaintRow,
    ContactEntry,
    HandOffEntry,
    HistoryEntry,
)
from hall_app.services.context import ServiceContext
from hall_app.services.guard import rows_updated

STALE = "该投诉刚被其他人处理过,请刷新后重试。"


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

    def _thresholds(self, s: Session) -> Thresholds:
        return self.ctx.thresholds(s.get(Hall, self.ctx.hall.id))

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

    def _open_hand_offs(self, s: Session, complaint_id: int) -> int:
        return int(s.scalar(select(func.count(ComplaintHandOff.id)).where(
            ComplaintHandOff.complaint_id == complaint_id,
            ComplaintHandOff.state != "done")) or 0)

    def _check(self, s: Session, row: Complaint, actor: Actor,
               action: ComplaintAction) -> ComplaintState:
        return check_action(action, row.state, actor, escalated=row.escalated,
                            is_handler=self._is_handler(row, actor),
                            satisfied=row.satisfaction in SATISFIED,
                            open_hand_offs=self._open_hand_offs(s, row.id)
                            if action in (ComplaintAction.CLOSE, ComplaintAction.HAND_OFF_DONE)
                            else 0)

    # -- the guarded transition ------------------------------------------------------
    def _move(self, s: Session, row: Complaint, actor: Actor | None, action: ComplaintAction,
              target: ComplaintState, note: str | None,
              values: Mapping[str, Any] | None = None) -> None:
        """Move `row` (read under lock in this transaction) to `target`.

        The update is conditional on the state and escalation flag the caller saw, its
        row count is checked, and the history row is written in the same transaction.
        """
        seen_state, seen_escalated = row.state, bool(row.escalated)
        self.ctx.checkpoint(f"complaint.{action.value}")
        changed = rows_updated(s, update(Complaint)
            .where(Complaint.id == row.id, Complaint.state == seen_state,
                   Complaint.escalated.is_(seen_escalated))
            .values(state=target.value, **dict(values or {})))
        if changed != 1:
            raise IllegalTransition(STALE, detail=f"{action} lost the race on #{row.id}")
        s.add(ComplaintHistory(complaint_id=row.id, at=self.ctx.now(),
                               staff_id=actor.staff_id if actor else None,
                               action=action.value, from_state=seen_state,
                               to_state=target.value, note=note))
        s.flush()
        s.expire(row)

    def _act(self, actor: Actor, complaint_id: int, action: ComplaintAction,
             note: str | None = None, values: Mapping[str, Any] | None = None,
             ) -> ComplaintDetail:
        """One workflow command: the unit of work, the rule check, the guarded move."""
        from hall_app.domain.complaints import RULES

        with self.ctx.acting(actor, RULES[action].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, action)
            self._move(s, row, actor, action, target, note, values)
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    # -- views ------------------------------------------------------------------------
    def _row_info(self, c: Complaint, handler_name: str | None, counter_number: int | None,
                  ticket_code: str | None, actor: Actor, now: datetime,
                  th: Thresholds | None = None) -> ComplaintRow:
        th = th or self.ctx.settings.thresholds
        return ComplaintRow(
            id=c.id, received_at=c.received_at, business_day=c.business_day, channel=c.channel,
            customer_name=c.customer_name, phone=shown_phone(c.phone, actor),
            category=c.category, category_name=self._category_name(c.category),
            severity=c.severity, state=c.state, escalated=c.escalated, handler_id=c.handler_id,
            handler_name=handler_name, counter_number=counter_number, ticket_code=ticket_code,
            reply_due_at=c.reply_due_at, hard_due_at=c.hard_due_at, replied_at=c.replied_at,
            deadline=deadline_status(c.state, now, c.reply_due_at, c.hard_due_at,
                                     DUE_SOON_MINUTES,
                                     hard_warning_days=th.complaint_hard_warning_days,
                                     next_follow_up_at=c.next_follow_up_at,
                                     next_feedback_at=c.next_feedback_at),
            close_kind=c.close_kind, next_follow_up_at=c.next_follow_up_at,
            next_feedback_at=c.next_feedback_at)

    def _detail(self, s: Session, c: Complaint, actor: Actor) -> ComplaintDetail:
        s.flush()
        s.expire_all()  # guarded updates bypass the identity map: read what is stored
        # Keyed by optional ids too: a missing handler/clerk/staff simply finds no name.
        names: dict[int | None, str] = dict(s.execute(select(Staff.id, Staff.name).where(
            Staff.hall_id == self.ctx.hall.id)).tuples().all())
        counter = s.get(Counter, c.counter_id) if c.counter_id else None
        ticket = s.get(Ticket, c.ticket_id) if c.ticket_id else None
        history = s.scalars(select(ComplaintHistory).where(
            ComplaintHistory.complaint_id == c.id).order_by(ComplaintHistory.id)).all()
        contacts = s.scalars(select(ComplaintContact).where(
            ComplaintContact.complaint_id == c.id).order_by(ComplaintContact.id)).all()
        hand_offs = s.scalars(select(ComplaintHandOff).where(
            ComplaintHandOff.complaint_id == c.id).order_by(ComplaintHandOff.id)).all()
        row = self._row_info(c, names.get(c.handler_id), counter.number if counter else None,
                             ticket.code if ticket else None, actor, self.ctx.now(),
                             self._thresholds(s))
        approver = next((names.get(h.staff_id, "") for h in reversed(history)
                         if h.action == ComplaintAction.APPROVE.value), None)
        open_hand_offs = sum(1 for h in hand_offs if h.state != "done")
        number = c.business_number
        if number and not actor.can(Permission.VIEW_PHONE):
            number = mask_phone(number)
        return ComplaintDetail(
            row=row, address=c.address, description=c.description, expectation=c.expectation,
            clerk_name=names.get(c.clerk_id), recorder_name=names.get(c.recorded_by, ""),
            compensation=c.compensation, reply_text=c.reply_text, satisfaction=c.satisfaction,
            close_reason=c.close_reason, closed_at=c.closed_at,
            history=tuple(HistoryEntry(h.at, h.staff_id, names.get(h.staff_id, "系统"),
                                       h.action, h.from_state, h.to_state, h.note)
                          for h in history),
            actions=allowed_actions(c.state, actor, escalated=c.escalated,
                                    is_handler=self._is_handler(c, actor),
                                    satisfied=c.satisfaction in SATISFIED,
                                    open_hand_offs=open_hand_offs),
            company_name=c.company_name, business=c.business, business_number=number,
            problem_onset=c.problem_onset, resolution=c.resolution, approved_at=c.approved_at,
            approved_by=approver, agreement_text=c.agreement_text,
            agreement_signer=c.agreement_signer, agreement_signed_at=c.agreement_signed_at,
            follow_up_method=c.follow_up_method, last_contact_at=c.last_contact_at,
            contacts=tuple(ContactEntry(k.id, k.at, names.get(k.staff_id, "系统"), k.method,
                                        k.purpose, k.note) for k in contacts),
            hand_offs=tuple(HandOffEntry(h.id, h.department, h.task, h.due_at, h.state,
                                         h.handed_at, names.get(h.handed_by, ""), h.done_at,
                                         names.get(h.done_by) if h.done_by else None,
                                         h.done_note) for h in hand_offs),
            clerk_id=c.clerk_id, workflow=c.workflow)
