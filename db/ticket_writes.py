"""Writing one ticket transition: the conditional update, its event row, the change notice.

On PostgreSQL the three go to the server as ONE statement (data-modifying CTEs), so a
counter action costs a lock-read, one write and the commit: three round trips instead of
seven. SQLite runs them one by one inside the same BEGIN IMMEDIATE transaction (no
network there). Either way the update is conditional on the state the caller saw, and
the caller checks the returned row count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Boolean,
    String,
    bindparam,
    case,
    exists,
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


def _lock_stmt(for_update: bool) -> Any:
    stmt = (
        select(Ticket.id, Ticket.hall_id, Ticket.code, Ticket.state, Ticket.service_id,
               ServiceType.name, Ticket.priority, Ticket.issued_at, Ticket.business_day,
               Ticket.counter_id, Counter.number, Ticket.started_at, Ticket.recall_count,
               Ticket.wait_seconds, Hall.recalls_before_no_show)
        .join(ServiceType, ServiceType.id == Ticket.service_id)
        .join(Hall, Hall.id == Ticket.hall_id)
        .outerjoin(Counter, Counter.id == Ticket.counter_id)
        .where(Ticket.id == bindparam("ticket_id"), Ticket.hall_id == bindparam("hall_id"))
    )
    return stmt.with_for_update(of=Ticket) if for_update else stmt


_LOCK = {True: _lock_stmt(True), False: _lock_stmt(False)}


def lock_ticket(session: Session, hall_id: int, ticket_id: int) -> LockedTicket | None:
    """Read the ticket (row-locked on PostgreSQL) with everything a transition needs."""
    conn = session.connection()
    stmt = _LOCK[conn.dialect.name == "postgresql"]
    row = conn.execute(stmt, {"ticket_id": ticket_id, "hall_id": hall_id}).first()
    return LockedTicket(*row) if row else None


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
def _simple_statements(keys: tuple[str, ...]) -> tuple[Any, Any, Any]:
    counted = (update(Counter).where(Counter.id == bindparam("c_id"))
               .values(calls_since_priority=case(
                   (bindparam("c_vip", type_=Boolean()), 0),
                   else_=Counter.calls_since_priority + 1)))
    logged = insert(TicketEvent).values(
        {name: bindparam(f"e_{name}", type_=TicketEvent.__table__.c[name].type)
         for name in _EVENT_COLUMNS})
    return _guarded_update(keys), counted, logged


@lru_cache(maxsize=64)
def _combined_statement(keys: tuple[str, ...], with_counter: bool) -> Any:
    """PostgreSQL: update + event (+ counter) + notice as one statement."""
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
    final = select(
        select(func.count()).select_from(changed).scalar_subquery(),
        select(func.count()).select_from(logged).scalar_subquery(),
        func.pg_notify(CHANNEL, bindparam("n_payload", type_=String())),
    )
    if with_counter:
        counted = (
            update(Counter)
            .where(Counter.id == bindparam("c_id"), exists(select(changed.c.id)))
            .values(calls_since_priority=case(
                (bindparam("c_vip", type_=Boolean()), 0),
                else_=Counter.calls_since_priority + 1))
            .returning(Counter.id)
            .cte("counted")
        )
        final = final.add_cte(counted)
    return final


def write_transition(session: Session, *, ticket_id: int, from_state: str,
                     values: dict[str, Any], event: dict[str, Any], notify_payload: str,
                     counter_after_call: tuple[int, bool] | None = None) -> bool:
    """Apply `values` if the ticket is still in `from_state`; append the event; notify.

    `counter_after_call=(counter_id, called_vip)` also updates the counter's count for
    the ratio priority rule. Returns False (and writes nothing) if the state had moved.
    The notice is sent by this statement on PostgreSQL; SQLite needs none.
    """
    conn = session.connection()
    keys = tuple(sorted(values))
    params: dict[str, Any] = {"t_id": ticket_id, "t_from": from_state}
    params.update({f"v_{k}": v for k, v in values.items()})
    params.update({f"e_{name}": event.get(name) for name in _EVENT_COLUMNS})
    if counter_after_call is not None:
        params["c_id"], params["c_vip"] = counter_after_call
    if conn.dialect.name != "postgresql":
        guarded, counted, logged = _simple_statements(keys)
        if conn.execute(guarded, params).rowcount != 1:
            return False
        if counter_after_call is not None:
            conn.execute(counted, params)
        conn.execute(logged, params)
        return True
    params["n_payload"] = notify_payload
    stmt = _combined_statement(keys, counter_after_call is not None)
    n_changed, _n_logged, _ = conn.execute(stmt, params).one()
    return int(n_changed) == 1
