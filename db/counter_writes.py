"""Writing one counter transition: the locked read, the conditional update, its row count.

A counter's state (open / paused / closed, active or not) decides whether call-next may
give it a customer, so every change of it is guarded like a ticket transition:

* `lock_counter` reads the counter row FOR NO KEY UPDATE on PostgreSQL (on SQLite the
  unit of work already holds the write lock) together with the code of the ticket open
  at it. PostgreSQL's call-next statement takes the same row lock before it claims a
  ticket (`db.queue`), so once a transition holds it no ticket can be called to the
  counter until the transition commits — and call-next then sees the new state;
* `write_counter` updates the row only if it is still in the state that was read
  (`state`, `active`) and no ticket is open at it, and returns whether it did.

`lock_hall_counters` locks all of a hall's counters in id order (closing the day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from db.models import Counter, Ticket


@dataclass(frozen=True)
class LockedCounter:
    id: int
    hall_id: int
    number: int
    state: str
    active: bool
    staff_id: int | None
    state_since: datetime | None
    busy_code: str | None  # the ticket called or being served at it, if any


def _locked(session: Session, stmt: Any) -> Any:
    if session.connection().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Counter, key_share=True)
    return stmt


def lock_counter(session: Session, hall_id: int, counter_id: int) -> LockedCounter | None:
    """The counter and its open ticket, row-locked against call-next (PostgreSQL)."""
    stmt = _locked(session, select(
        Counter.id, Counter.hall_id, Counter.number, Counter.state, Counter.active,
        Counter.staff_id, Counter.state_since).where(
        Counter.id == counter_id, Counter.hall_id == hall_id))
    row = session.connection().execute(stmt).first()
    if row is None:
        return None
    # Read after the lock: a ticket called just before it is visible now.
    busy = session.connection().execute(_open_ticket_stmt(counter_id)).scalar()
    return _locked_counter(row, busy)


def _open_ticket_stmt(counter_id: int) -> Any:
    return (select(Ticket.code)
            .where(Ticket.counter_id == counter_id, Ticket.state.in_(("called", "serving")))
            .limit(1))


def lock_hall_counters(session: Session, hall_id: int) -> list[LockedCounter]:
    """Every counter of the hall, row-locked in id order (PostgreSQL), with its open ticket."""
    stmt = _locked(session, select(
        Counter.id, Counter.hall_id, Counter.number, Counter.state, Counter.active,
        Counter.staff_id, Counter.state_since).where(Counter.hall_id == hall_id)
        .order_by(Counter.id))
    rows = session.connection().execute(stmt).all()
    busy = dict(session.connection().execute(
        select(Ticket.counter_id, Ticket.code).where(
            Ticket.hall_id == hall_id, Ticket.counter_id.is_not(None),
            Ticket.state.in_(("called", "serving")))).tuples().all())
    return [_locked_counter(r, busy.get(r[0])) for r in rows]


def _locked_counter(row: Any, busy: str | None) -> LockedCounter:
    return LockedCounter(id=row[0], hall_id=row[1], number=row[2], state=row[3],
                         active=bool(row[4]), staff_id=row[5], state_since=row[6],
                         busy_code=busy)


def write_counter(session: Session, seen: LockedCounter, values: dict[str, Any], *,
                  require_idle: bool = True) -> bool:
    """Apply `values` if the counter is still as `seen` (state, active) and, with
    `require_idle`, no ticket is open at it. False (nothing written) otherwise."""
    stmt = update(Counter).where(Counter.id == seen.id, Counter.state == seen.state,
                                 Counter.active.is_(seen.active))
    if require_idle:
        stmt = stmt.where(~exists(select(Ticket.id).where(
            Ticket.counter_id == seen.id, Ticket.state.in_(("called", "serving")))))
    result = session.connection().execute(stmt.values(**values))
    return int(getattr(result, "rowcount", 0) or 0) == 1
