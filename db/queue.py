"""The concurrency-critical queries: calling the next ticket and numbering new ones.

Call-next picks the best waiting ticket for a counter in the order documented in
`hall_app.domain.priority`, two ways:

* PostgreSQL — `call_next_pg`: the whole call is ONE statement (`_PG_CALL_NEXT`) on an
  autocommit connection. It first locks the counter's own row (so it cannot race a
  pause or a sign-out of that counter), then the claim locks the ticket row with FOR
  UPDATE SKIP LOCKED, so a
  second counter skips it instead of waiting or taking it too; data-modifying CTEs then
  mark it called (conditionally on state = 'waiting'), count the call for the ratio rule,
  append the event and send the change notice. No row back means nothing was called.
* SQLite — `claim_candidate`, inside a unit of work that began with BEGIN IMMEDIATE, so
  no one else can read-then-write in between; the caller then runs the conditional
  UPDATE ... WHERE state = 'waiting' (`db.ticket_writes.write_transition`) and checks
  the row count, in the same transaction.

`counter_call_state` reads the counter, its open ticket, its services and the hall's
rule in one query: SQLite's checks before the claim, and the reason when PostgreSQL's
statement called nobody.

Numbering: an atomic upsert on ticket_sequence (INSERT ... ON CONFLICT DO UPDATE
... RETURNING), never max(number) + 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, bindparam, case, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from db.models import (
    Counter,
    CounterService,
    Hall,
    ServiceType,
    Ticket,
    TicketSequence,
)


@dataclass(frozen=True)
class CounterCallState:
    number: int
    state: str
    active: bool
    calls_since_priority: int
    busy_code: str | None
    rule: str
    ratio: int
    aging_minutes: int
    # The services this counter serves, in its order of preference, with their names.
    services: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Candidate:
    id: int
    code: str
    service_id: int
    service_name: str
    priority: str
    issued_at: datetime


_P = bindparam  # short alias: every hot-path statement is built once, with parameters


def _counter_state_stmt() -> Any:
    busy = (
        select(Ticket.code)
        .where(Ticket.counter_id == _P("counter_id"), Ticket.state.in_(("called", "serving")))
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Counter.number, Counter.state, Counter.active, Counter.calls_since_priority,
               busy, Hall.priority_rule, Hall.priority_ratio, Hall.priority_aging_minutes,
               CounterService.service_id, ServiceType.name)
        .join(Hall, Hall.id == Counter.hall_id)
        .outerjoin(CounterService, CounterService.counter_id == Counter.id)
        .outerjoin(ServiceType, ServiceType.id == CounterService.service_id)
        .where(Counter.id == _P("counter_id"), Counter.hall_id == _P("hall_id"))
        .order_by(CounterService.rank, CounterService.id)
    )


_COUNTER_STATE = _counter_state_stmt()


def counter_call_state(session: Session, hall_id: int, counter_id: int) -> CounterCallState | None:
    """The counter, its open ticket (if any), its services and the hall's rule: one query."""
    rows = session.connection().execute(
        _COUNTER_STATE, {"counter_id": counter_id, "hall_id": hall_id}).all()
    if not rows:
        return None
    first = rows[0]
    return CounterCallState(
        number=first[0], state=first[1], active=first[2], calls_since_priority=first[3],
        busy_code=first[4], rule=first[5], ratio=first[6], aging_minutes=first[7],
        services=tuple((r[8], r[9]) for r in rows if r[8] is not None))


@lru_cache(maxsize=256)
def _claim_stmt(rule: str, prefer_vip: bool, service_ids: tuple[int, ...]) -> Any:
    is_vip = Ticket.priority == "vip"
    if rule == "aging":
        pclass = case((or_(is_vip, Ticket.issued_at <= _P("aging_cutoff")), 0), else_=1)
    elif rule == "ratio":
        pclass = case((is_vip, 0 if prefer_vip else 1), else_=1 if prefer_vip else 0)
    else:
        pclass = case((is_vip, 0), else_=1)
    rank = case({sid: i for i, sid in enumerate(service_ids)}, value=Ticket.service_id)
    stmt = (
        select(Ticket.id, Ticket.code, Ticket.service_id, Ticket.priority, Ticket.issued_at)
        .where(
            Ticket.hall_id == _P("hall_id"),
            Ticket.business_day == _P("day"),
            Ticket.state == "waiting",
            Ticket.service_id.in_(service_ids),
            or_(Ticket.target_counter_id.is_(None), Ticket.target_counter_id == _P("counter_id")),
        )
        .order_by(pclass, rank, Ticket.issued_at, Ticket.id)
        .limit(1)
    )
    return stmt


def claim_candidate(
    session: Session,
    *,
    hall_id: int,
    day: date,
    counter_id: int,
    services: tuple[tuple[int, str], ...],
    rule: str,
    prefer_vip: bool,
    aging_cutoff: datetime | None,
) -> Candidate | None:
    """The ticket this counter should call next: SQLite only, in a BEGIN IMMEDIATE unit
    of work (PostgreSQL calls with `call_next_pg`, which claims and calls at once).

    `services` are the counter's (service id, name) in rank order. The rank goes into the
    ORDER BY as a CASE over the ids, so the query reads only the ticket table's queue index
    (no join per waiting ticket).
    """
    if not services:
        return None
    names = dict(services)
    conn = session.connection()
    if rule == "aging" and aging_cutoff is None:
        rule = "strict"
    stmt = _claim_stmt(rule, prefer_vip if rule == "ratio" else False, tuple(names))
    params: dict[str, Any] = {"hall_id": hall_id, "day": day, "counter_id": counter_id}
    if rule == "aging":
        params["aging_cutoff"] = aging_cutoff
    row = conn.execute(stmt, params).first()
    if row is None:
        return None
    return Candidate(row.id, row.code, row.service_id, names[row.service_id], row.priority,
                     row.issued_at)


# PostgreSQL: call-next as ONE statement, run on its own (autocommit) so it is a whole
# transaction in one round trip. `actor_ok` is the acting session's check (as
# ServiceContext.verify_actor makes it for every other action): the session live and
# holding this counter, no PIN change pending, the staff member active with the role the
# session was opened with (every role may serve); both rows locked FOR NO KEY UPDATE
# (as verify_actor locks them), so a disable or demotion waits for a call already past
# it, and a call after one claims nothing. (`last_seen_at` is left to the clerk's other
# actions: every call is followed by a start, recall or no-show.) `gate` then locks the
# counter row (FOR NO KEY UPDATE) while checking it is open and active: a pause,
# sign-out, deactivation or day close holding that lock (db.counter_writes) makes the
# call wait, and then see the new state, instead of calling a customer to a counter that
# is just being paused. `gate` needs `actor_ok`, so the locks come in the order every
# other staff action takes them (session and staff, then the counter, then tickets).
# The claim reads the counter's checks, its services and
# ranks and the hall's rule itself (uncorrelated sub-selects, evaluated once); the
# data-modifying CTEs then mark the ticket called, count the call for the ratio rule,
# append the event, and the final SELECT sends the change notice. The order is the one in
# hall_app.domain.priority; tests run every rule on both databases.
_PG_CALL_NEXT = text("""
WITH actor_ok AS (
    SELECT ss.id
    FROM staff_session ss JOIN staff st ON st.id = ss.staff_id
    WHERE ss.token_hash = :token_hash AND ss.hall_id = :hall_id AND ss.staff_id = :staff_id
      AND ss.ended_at IS NULL AND ss.counter_id = :counter_id AND NOT ss.pin_change_required
      AND st.active AND st.role = ss.role
    FOR NO KEY UPDATE OF ss, st
), gate AS (
    SELECT c.id FROM counter c
    WHERE c.id = :counter_id AND c.hall_id = :hall_id AND c.state = 'open' AND c.active
      AND EXISTS (SELECT 1 FROM actor_ok)
    FOR NO KEY UPDATE
), picked AS (
    SELECT t.id
    FROM ticket t
    WHERE t.hall_id = :hall_id AND t.business_day = :day AND t.state = 'waiting'
      AND t.service_id = ANY (ARRAY(SELECT service_id FROM counter_service
                                    WHERE counter_id = :counter_id))
      AND (t.target_counter_id IS NULL OR t.target_counter_id = :counter_id)
      AND EXISTS (SELECT 1 FROM gate)
      AND NOT EXISTS (SELECT 1 FROM ticket o WHERE o.counter_id = :counter_id
                      AND o.state IN ('called', 'serving'))
    ORDER BY
      CASE (SELECT priority_rule FROM hall WHERE id = :hall_id)
        WHEN 'aging' THEN CASE WHEN t.priority = 'vip' OR t.issued_at <= :now
               - (SELECT priority_aging_minutes FROM hall WHERE id = :hall_id)
                 * interval '1 minute' THEN 0 ELSE 1 END
        WHEN 'ratio' THEN CASE WHEN (t.priority = 'vip') =
               ((SELECT calls_since_priority FROM counter WHERE id = :counter_id)
                >= (SELECT priority_ratio FROM hall WHERE id = :hall_id)) THEN 0 ELSE 1 END
        ELSE CASE WHEN t.priority = 'vip' THEN 0 ELSE 1 END
      END,
      array_position(ARRAY(SELECT service_id FROM counter_service WHERE counter_id = :counter_id
                           ORDER BY rank, id), t.service_id),
      t.issued_at, t.id
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
), changed AS (
    UPDATE ticket
    SET state = 'called', first_called_at = :now, last_called_at = :now,
        counter_id = :counter_id, staff_id = :staff_id,
        wait_seconds = GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (:now - ticket.issued_at))))::int
    FROM picked
    WHERE ticket.id = picked.id AND ticket.state = 'waiting'
    RETURNING ticket.id, ticket.code, ticket.service_id, ticket.priority, ticket.issued_at,
              ticket.wait_seconds
), counted AS (
    UPDATE counter
    SET calls_since_priority = CASE WHEN changed.priority = 'vip' THEN 0
                                    ELSE counter.calls_since_priority + 1 END
    FROM changed
    WHERE counter.id = :counter_id
    RETURNING counter.number
), logged AS (
    INSERT INTO ticket_event (hall_id, ticket_id, kind, from_state, to_state, at, counter_id,
                              staff_id)
    SELECT :hall_id, changed.id, 'call', 'waiting', 'called', :now, :counter_id, :staff_id
    FROM changed
    RETURNING id
)
SELECT changed.id, changed.code, changed.service_id, s.name, changed.priority,
       changed.issued_at, changed.wait_seconds, (SELECT number FROM counted),
       (SELECT count(*) FROM logged), pg_notify(:channel, :payload)
FROM changed
JOIN service_type s ON s.id = changed.service_id
""").bindparams(bindparam("now", type_=DateTime(timezone=True)))


@dataclass(frozen=True)
class CallResult:
    ticket: Candidate
    wait_seconds: int
    counter_number: int


def call_next_pg(conn: Connection, *, hall_id: int, day: date, counter_id: int,
                 staff_id: int | None, token_hash: str, now: datetime, channel: str,
                 payload: str) -> CallResult | None:
    """PostgreSQL only, on an autocommit connection: claim and call in one statement.

    None means "nothing to call right now" for any reason (the session not valid here,
    empty queue, counter paused, closed or busy); the caller finds out which, for its
    message, only then (`counter_call_state` and the session check).
    """
    row = conn.execute(_PG_CALL_NEXT, {
        "hall_id": hall_id, "day": day, "counter_id": counter_id, "staff_id": staff_id,
        "token_hash": token_hash, "now": now, "channel": channel, "payload": payload,
    }).first()
    if row is None:
        return None
    ticket = Candidate(row[0], row[1], row[2], row[3], row[4], row[5])
    return CallResult(ticket, int(row[6]), int(row[7]))


def next_number(session: Session, hall_id: int, day: date, prefix: str) -> int:
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    insert_stmt = dialect_insert(TicketSequence).values(
        hall_id=hall_id, business_day=day, prefix=prefix, last_number=1
    )
    stmt = insert_stmt.on_conflict_do_update(
        index_elements=["hall_id", "business_day", "prefix"],
        set_={"last_number": TicketSequence.last_number + 1},
    ).returning(TicketSequence.last_number)
    return int(session.connection().execute(stmt).scalar_one())
