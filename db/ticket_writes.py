"""Writing one ticket transition: the conditional update, its event row, the change notice.

Every ticket state change in the product goes through here:

* `lock_ticket` / `lock_tickets` — the locked read (FOR UPDATE on PostgreSQL; on SQLite
  the unit of work already began with BEGIN IMMEDIATE);
* `write_transition` — the update conditioned on the state the caller saw, its event
  row and the change notice; the caller checks the returned flag;
* `write_transfer` — the one continuation-ticket routine: the guarded transition to
  `transferred` plus the continuation row (same code, hop + 1, original issue time) and
  its `transfer_in` event. Counter transfers, the duty manager's transfers and a
  deactivated service's queue all use it.

On PostgreSQL the update, the event and the notice go to the server as ONE statement
(data-modifying CTEs), so a counter action costs a lock-read, one write and the commit:
three round trips instead of seven. SQLite runs them one by one inside the same BEGIN
IMMEDIATE transaction (no network there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    String,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from db.models import Counter, Hall, ServiceType, Ticket, TicketEvent
from db.notify import CHANNEL


@dataclass(frozen=True)
class LockedTicket:
    """The ticket row as a transition needs it, with its service, counter and hall limits."""

    id: int
    hall_id: int
    code: str
    state: str
    service_id: int
    service_name: str
    priority: str
    issued_at: datetime
    business_day: date
    counter_id: int | None
    counter_number: int | None
    started_at: datetime | None
    recall_count: int
    wait_seconds: int | None
    hall_recalls_before_no_show: int | None
    prefix: str = ""
    number: int = 0
    hop: int = 0
    origin_ticket_id: int | None = None
    target_counter_id: int | None = None
    created_at: datetime | None = None
    last_called_at: datetime | None = None
    staff_id: int | None = None
    care: bool = False  # 爱心通道: the continuation keeps it


_LOCKED_COLUMNS = (
    Ticket.id, Ticket.hall_id, Ticket.code, Ticket.state, Ticket.service_id, ServiceType.name,
    Ticket.priority, Ticket.issued_at, Ticket.business_day, Ticket.counter_id, Counter.number,
    Ticket.started_at, Ticket.recall_count, Ticket.wait_seconds, Hall.recalls_before_no_show,
    Ticket.prefix, Ticket.number, Ticket.hop, Ticket.origin_ticket_id,
    Ticket.target_counter_id, Ticket.created_at, Ticket.last_called_at, Ticket.staff_id,
    Ticket.care,
)


def _locked_select() -> Any:
    return (
        select(*_LOCKED_COLUMNS)
        .join(ServiceType, ServiceType.id == Ticket.service_id)
        .join(Hall, Hall.id == Ticket.hall_id)
        .outerjoin(Counter, Counter.id == Ticket.counter_id)
    )


def _lock_stmt(for_update: bool) -> Any:
    stmt = _locked_select().where(Ticket.id == bindparam("ticket_id"),
                                  Ticket.hall_id == bindparam("hall_id"))
    return stmt.with_for_update(of=Ticket) if for_update else stmt


_LOCK = {True: _lock_stmt(True), False: _lock_stmt(False)}


def lock_ticket(session: Session, hall_id: int, ticket_id: int) -> LockedTicket | None:
    """Read the ticket (row-locked on PostgreSQL) with everything a transition needs."""
    conn = session.connection()
    stmt = _LOCK[conn.dialect.name == "postgresql"]
    row = conn.execute(stmt, {"ticket_id": ticket_id, "hall_id": hall_id}).first()
    return LockedTicket(*row) if row else None


def lock_tickets(session: Session, hall_id: int, *conditions: Any) -> list[LockedTicket]:
    """Every ticket of the hall matching `conditions`, row-locked (PostgreSQL), by id.

    Locking in id order keeps two bulk transitions (close the day, deactivate a service)
    from deadlocking each other. Call-next skips locked rows, so a ticket locked here is
    never called while its transition is being written.
    """
    conn = session.connection()
    stmt = _locked_select().where(Ticket.hall_id == hall_id, *conditions).order_by(Ticket.id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Ticket)
    return [LockedTicket(*row) for row in conn.execute(stmt).all()]


_EVENT_COLUMNS = ("hall_id", "ticket_id", "kind", "from_state", "to_state", "at", "counter_id",
                  "staff_id", "detail")


def _guarded_update(keys: tuple[str, ...]) -> Any:
    return (
        update(Ticket)
        .where(Ticket.id == bindparam("t_id"), Ticket.state == bindparam("t_from"))
        .values({key: bindparam(f"v_{key}", type_=Ticket.__table__.c[key].type)
                 for key in keys})
    )


@lru_cache(maxsize=64)
def _simple_statements(keys: tuple[str, ...]) -> tuple[Any, Any]:
    logged = insert(TicketEvent).values(
        {name: bindparam(f"e_{name}", type_=TicketEvent.__table__.c[name].type)
         for name in _EVENT_COLUMNS})
    return _guarded_update(keys), logged


@lru_cache(maxsize=64)
def _combined_statement(keys: tuple[str, ...]) -> Any:
    """PostgreSQL: update + event + notice as one statement."""
    changed = _guarded_update(keys).returning(Ticket.id).cte("changed")
    logged = (
        insert(TicketEvent)
        .from_select(list(_EVENT_COLUMNS), select(*[
            changed.c.id if name == "ticket_id"
            else bindparam(f"e_{name}", type_=TicketEvent.__table__.c[name].type)
            for name in _EVENT_COLUMNS
        ]))
        .returning(TicketEvent.id)
        .cte("logged")
    )
    return select(
        select(func.count()).select_from(changed).scalar_subquery(),
        select(func.count()).select_from(logged).scalar_subquery(),
        func.pg_notify(CHANNEL, bindparam("n_payload", type_=String())),
    )


def write_transition(session: Session, *, ticket_id: int, from_state: str,
                     values: dict[str, Any], event: dict[str, Any], notify_payload: str) -> bool:
    """Apply `values` if the ticket is still in `from_state`; append the event; notify.

    Returns False (and writes nothing) if the state had moved. The notice is sent by
    this statement on PostgreSQL; SQLite needs none. (Call-next has its own statements,
    which also count the call for the ratio rule: `db.queue`.)
    """
    conn = session.connection()
    keys = tuple(sorted(values))
    params: dict[str, Any] = {"t_id": ticket_id, "t_from": from_state}
    params.update({f"v_{k}": v for k, v in values.items()})
    params.update({f"e_{name}": event.get(name) for name in _EVENT_COLUMNS})
    if conn.dialect.name != "postgresql":
        guarded, logged = _simple_statements(keys)
        if conn.execute(guarded, params).rowcount != 1:
            return False
        conn.execute(logged, params)
        return True
    params["n_payload"] = notify_payload
    n_changed, _n_logged, _ = conn.execute(_combined_statement(keys), params).one()
    return int(n_changed) == 1


def event_values(row: LockedTicket, *, kind: str, to_state: str, at: datetime,
                 counter_id: int | None, staff_id: int | None,
                 detail: str | None = None, from_state: str | None = None) -> dict[str, Any]:
    """The `ticket_event` row of a transition of `row` (from the state it was read in)."""
    return {"hall_id": row.hall_id, "ticket_id": row.id, "kind": kind,
            "from_state": row.state if from_state is None else from_state,
            "to_state": to_state, "at": at, "counter_id": counter_id, "staff_id": staff_id,
            "detail": detail}


@dataclass(frozen=True)
class Continuation:
    """The row a transfer opened: the customer's new place (same code, next hop)."""

    id: int
    code: str
    service_id: int
    target_counter_id: int | None


def write_transfer(session: Session, row: LockedTicket, *, to_service_id: int,
                   to_counter_id: int | None, at: datetime, staff_id: int | None,
                   counter_id: int | None, detail: str, in_detail: str) -> Continuation | None:
    """The one continuation-ticket routine: close `row` as `transferred` — only if it is
    still in the state it was read in — and open its continuation, waiting, with the
    original issue time, so the customer keeps their place.

    Returns None (and writes nothing) if the ticket's state had moved. `counter_id` is
    the counter the transfer happened at (event rows); `detail` / `in_detail` describe
    it on the two events.
    """
    values: dict[str, Any] = {"state": "transferred", "ended_at": at}
    if row.state == "serving" and row.started_at is not None:
        values["service_seconds"] = max(0, int((at - row.started_at).total_seconds()))
    event = event_values(row, kind="transfer", to_state="transferred", at=at,
                         counter_id=counter_id, staff_id=staff_id, detail=detail)
    if not write_transition(session, ticket_id=row.id, from_state=row.state, values=values,
                            event=event, notify_payload=f"{row.hall_id}:tickets"):
        return None
    conn = session.connection()
    new_id = conn.execute(
        insert(Ticket).values(
            hall_id=row.hall_id, business_day=row.business_day, service_id=to_service_id,
            prefix=row.prefix, number=row.number, hop=row.hop + 1, code=row.code,
            priority=row.priority, care=row.care, state="waiting", issued_at=row.issued_at,
            created_at=at, target_counter_id=to_counter_id, origin_ticket_id=row.origin_ticket_id or row.id,
            transferred_from_service_id=row.service_id, recall_count=0)
        .returning(Ticket.id)).scalar_one()
    conn.execute(insert(TicketEvent).values(
        hall_id=row.hall_id, ticket_id=new_id, kind="transfer_in", from_state=None,
        to_state="waiting", at=at, counter_id=counter_id, staff_id=staff_id,
        detail=in_detail))
    return Continuation(int(new_id), row.code, to_service_id, to_counter_id)
