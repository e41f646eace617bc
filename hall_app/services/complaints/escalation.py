"""A counter escalation (F7) about a customer marks that customer's complaints escalated.

Seed 001: 「不要随意把投诉升级的客户当成骚扰客户」. When a clerk calls the duty manager
(F7) about a ticket, every open complaint about the same customer (the ticket and its
transfer continuations) is marked escalated in the same transaction, so it can no longer
be closed as a nuisance; one already closed as a nuisance is reopened, escalated — the
customer escalating shows the nuisance label was wrong. Each change is a guarded
transition with its history row. A complaint registered later about a ticket that had
an F7 starts escalated (`ticket_was_escalated`).
"""

from __future__ import annotations

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from db.models import Complaint, ComplaintHistory, Escalation, Ticket
from hall_app.domain.complaints import ComplaintAction, ComplaintState
from hall_app.errors import IllegalTransition
from hall_app.services.complaints.base import STALE
from hall_app.services.context import ServiceContext
from hall_app.services.guard import rows_updated

_S = ComplaintState


def _customer_tickets(session: Session, hall_id: int, ticket_id: int) -> list[int]:
    """The ticket and every row of the same customer (transfers keep `origin_ticket_id`)."""
    root = session.scalar(select(func.coalesce(Ticket.origin_ticket_id, Ticket.id)).where(
        Ticket.id == ticket_id, Ticket.hall_id == hall_id))
    if root is None:
        return []
    return list(session.scalars(select(Ticket.id).where(
        Ticket.hall_id == hall_id, or_(Ticket.id == root, Ticket.origin_ticket_id == root))))


def ticket_was_escalated(session: Session, hall_id: int, ticket_id: int) -> bool:
    tickets = _customer_tickets(session, hall_id, ticket_id)
    return bool(tickets) and bool(session.scalar(select(exists().where(
        Escalation.hall_id == hall_id, Escalation.ticket_id.in_(tickets)))))


def escalate_for_ticket(ctx: ServiceContext, session: Session, staff_id: int | None,
                        ticket_id: int, reason: str) -> list[int]:
    """Mark the complaints about `ticket_id`'s customer escalated; returns their ids.

    Runs inside the caller's unit of work (the F7 escalation), after its row is written.
    """
    hall_id = ctx.hall.id
    tickets = _customer_tickets(session, hall_id, ticket_id)
    if not tickets:
        return []
    rows = session.execute(
        select(Complaint.id, Complaint.state, Complaint.escalated, Complaint.close_kind)
        .where(Complaint.hall_id == hall_id, Complaint.ticket_id.in_(tickets))
        .order_by(Complaint.id).with_for_update()).all()
    marked = []
    for cid, state, escalated, close_kind in rows:
        if state != _S.CLOSED.value and not escalated:
            action, target = ComplaintAction.ESCALATE, state
            note = f"窗口请求值班长协助(F7):{reason}"
            values: dict[str, object] = {"escalated": True}
        elif state == _S.CLOSED.value and close_kind == "nuisance":
            action, target = ComplaintAction.REOPEN, _S.IN_PROGRESS.value
            note = f"客户在窗口升级投诉(F7),撤销“非真实投诉”结论:{reason}"
            values = {"escalated": True, "close_kind": None, "closed_at": None,
                      "close_reason": None}
        else:
            continue
        ctx.checkpoint(f"complaint.f7.{action.value}")
        changed = rows_updated(session, update(Complaint)
            .where(Complaint.id == cid, Complaint.state == state,
                   Complaint.escalated.is_(bool(escalated)))
            .values(state=target, **values))
        if changed != 1:
            raise IllegalTransition(STALE, detail=f"F7 lost the race on complaint #{cid}")
        session.add(ComplaintHistory(complaint_id=cid, at=ctx.now(), staff_id=staff_id,
                                     action=action.value, from_state=state, to_state=target,
                                     note=note[:2000]))
        marked.append(cid)
    if marked:
        session.flush()
        ctx.notify(session, "complaints")
    return marked
