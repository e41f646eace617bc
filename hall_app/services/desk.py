"""Counter-side records that are not ticket transitions: cash and document exchanges
(唱收唱交) and escalations to the duty manager (an escalation about a ticket also marks
that customer's complaints escalated, `hall_app.services.complaints.escalation`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from db.models import CashExchange, Counter, DocumentExchange, Escalation, Ticket
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, NotFound, ValidationError
from hall_app.scripts import DocumentItem, check_items, exchange_phrase, hall_book
from hall_app.services.complaints.escalation import escalate_for_ticket
from hall_app.services.context import ServiceContext
from hall_app.text import clean_text


@dataclass(frozen=True)
class DocumentRecord:
    """One recorded document of an exchange."""

    id: int
    document: str
    disposition: str  # returned | kept | handed
    phrase: str
    at: datetime


@dataclass(frozen=True)
class EscalationInfo:
    id: int
    counter_id: int | None
    counter_number: int | None
    ticket_code: str | None
    reason: str
    raised_at: datetime
    resolved_at: datetime | None


class DeskService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record_cash(self, actor: Actor, *, due_fen: int, received_fen: int,
                    ticket_id: int | None = None, counter_id: int | None = None,
                    items: dict[str, int] | None = None) -> int:
        """Store one exchange; the amounts were checked by hall_app.scripts' cash helper."""
        actor.require(Permission.SERVE)
        if due_fen < 0 or received_fen < due_fen:
            raise ValidationError("实收金额不能少于应收金额。", field="received")
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            if ticket_id is not None:
                t = s.get(Ticket, ticket_id)
                if t is None or t.hall_id != self.ctx.hall.id:
                    raise NotFound("找不到该号票。")
            row = CashExchange(
                hall_id=self.ctx.hall.id, ticket_id=ticket_id, counter_id=counter_id,
                staff_id=actor.staff_id, due_fen=due_fen, received_fen=received_fen,
                change_fen=received_fen - due_fen,
                items=json.dumps(items, ensure_ascii=False) if items else None,
                at=self.ctx.now())
            s.add(row)
            s.flush()
            return row.id

    def record_documents(self, actor: Actor, items: Sequence[DocumentItem], *,
                         counter_id: int, ticket_id: int | None = None) -> list[DocumentRecord]:
        """Store one 证件唱收唱交: the documents taken (returned or kept) and handed over.

        The items are checked again here (never trust a form) and the phrase is rendered
        from the hall's script file, so the record says what the clerk was shown.
        """
        actor.require(Permission.SERVE)
        checked = check_items(list(items))
        phrase = exchange_phrase(hall_book(self.ctx.settings.scripts_path), checked)
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            self.ctx.counter(s, counter_id)
            if ticket_id is not None:
                t = s.get(Ticket, ticket_id)
                if t is None or t.hall_id != self.ctx.hall.id:
                    raise NotFound("找不到该号票。")
            at = self.ctx.now()
            rows = [DocumentExchange(hall_id=self.ctx.hall.id, ticket_id=ticket_id,
                                     counter_id=counter_id, staff_id=actor.staff_id,
                                     document=item.name, disposition=item.disposition,
                                     phrase=phrase, at=at)
                    for item in checked]
            s.add_all(rows)
            s.flush()
            return [DocumentRecord(r.id, r.document, r.disposition, r.phrase, r.at)
                    for r in rows]

    def documents_for_ticket(self, ticket_id: int) -> list[DocumentRecord]:
        """The documents recorded for a ticket, oldest first (e.g. to settle a dispute)."""
        with self.ctx.read() as s:
            rows = s.scalars(select(DocumentExchange).where(
                DocumentExchange.hall_id == self.ctx.hall.id,
                DocumentExchange.ticket_id == ticket_id)
                .order_by(DocumentExchange.at, DocumentExchange.id)).all()
            return [DocumentRecord(r.id, r.document, r.disposition, r.phrase, r.at)
                    for r in rows]

    def escalate(self, actor: Actor, counter_id: int | None, reason: str,
                 ticket_id: int | None = None) -> EscalationInfo:
        actor.require(Permission.SERVE)
        reason = clean_text(reason, "reason", label="求助原因",
                            required="请简要说明需要值班长协助的原因。")
        if len(reason) > 200:
            raise ValidationError("原因不能超过200个字。", field="reason")
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            if ticket_id is not None:
                t = s.get(Ticket, ticket_id)
                if t is None or t.hall_id != self.ctx.hall.id:
                    raise NotFound("找不到该号票。")
            row = Escalation(hall_id=self.ctx.hall.id, counter_id=counter_id,
                             staff_id=actor.staff_id, ticket_id=ticket_id, reason=reason,
                             raised_at=self.ctx.now())
            s.add(row)
            s.flush()
            if ticket_id is not None:
                # Never label an escalating complainant a nuisance (seed 001): the
                # customer's complaints count as escalated from this moment.
                escalate_for_ticket(self.ctx, s, actor.staff_id, ticket_id, reason)
            self.ctx.notify(s, "alerts")
            return self._info(s, row)

    def resolve_escalation(self, actor: Actor, escalation_id: int) -> EscalationInfo:
        actor.require(Permission.ACK_ALERT)
        with self.ctx.acting(actor, Permission.ACK_ALERT) as s:
            row = s.get(Escalation, escalation_id)
            if row is None or row.hall_id != self.ctx.hall.id:
                raise NotFound("找不到该求助记录。")
            if row.resolved_at is not None:
                raise IllegalTransition("该求助已处理。")
            row.resolved_at = self.ctx.now()
            row.resolved_by = actor.staff_id
            self.ctx.notify(s, "alerts")
            return self._info(s, row)

    def open_escalations(self) -> list[EscalationInfo]:
        with self.ctx.read() as s:
            rows = s.scalars(select(Escalation).where(
                Escalation.hall_id == self.ctx.hall.id, Escalation.resolved_at.is_(None))
                .order_by(Escalation.raised_at)).all()
            return [self._info(s, r) for r in rows]

    def _info(self, s, row: Escalation) -> EscalationInfo:  # type: ignore[no-untyped-def]
        counter = s.get(Counter, row.counter_id) if row.counter_id else None
        ticket = s.get(Ticket, row.ticket_id) if row.ticket_id else None
        return EscalationInfo(row.id, row.counter_id, counter.number if counter else None,
                              ticket.code if ticket else None, row.reason, row.raised_at,
                              row.resolved_at)
