"""The concurrency-critical queries: calling the next ticket and numbering new ones.

Call-next picks the best waiting ticket for a counter in the order documented in
`hall_app.domain.priority`. On both databases the claim and its checks are one
statement, so nothing is read in one statement and trusted in the next:

* PostgreSQL — `call_next_pg`: the whole call is ONE statement (`_PG_CALL_NEXT`) on an
  autocommit connection. It checks and locks the acting session and staff rows, then
  the counter's own row (so it cannot race a pause or a sign-out of that counter); the
  claim locks the ticket row with FOR UPDATE SKIP LOCKED, so a second counter skips it
  instead of waiting or taking it too; data-modifying CTEs then mark it called
  (conditionally on state = 'waiting'), count the call for the ratio rule, append the
  event and send the change notice. No row back means nothing was called.
* SQLite — `call_next_sqlite`, in a unit of work that began with BEGIN IMMEDIATE (the
  database's one write lock, so no other writer runs in between): one
  `UPDATE ticket … WHERE id = (SELECT … ORDER BY … LIMIT 1) AND state = 'waiting'
  RETURNING …` (`_SQLITE_CALL_NEXT`) checks the session and the counter and claims;
  then the counter's count for the ratio rule and the event row. Three statements
  under the lock, no round trip between them; no row back means nothing was called.

When nothing was called, `counter_call_state` (the counter, its open ticket, its
services and the hall's rule in one query) and the session check give the caller the
reason for its message.

Numbering: an atomic upsert on ticket_sequence (INSERT ... ON CONFLICT DO UPDATE
... RETURNING), never max(number) + 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, DateTime, bindparam, select, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from db.models import (
    Counter,
    CounterService,
    Hall,
    ServiceType,
    Ticket,
    TicketSequence,
)
from db.types import UTCDateTime
from db.upsert import dialect_insert


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


# SQLite: call-next as one UPDATE … RETURNING (SQLite >= 3.35) inside BEGIN IMMEDIATE,
# then the counter's count for the ratio rule and the event: three statements while the
# write lock is held, where the claim used to be a session check, a counter read, a
# claim read and three writes. The UPDATE carries every check the unit of work made
# before (`ServiceContext.verify_actor` and `counter_call_state`): the session live, of
# this staff member, holding this counter, with the actor's role, no PIN change pending,
# the staff member active with that role; the counter of this hall, open and active,
# with no customer called or served at it. Failing any of them, or with nobody to call,
# it changes no row and the caller finds out why (in the same transaction). The pick is
# the order of hall_app.domain.priority, as in `_PG_CALL_NEXT`: the counter's services
# joined by their rank (a handful of rows, each driving the queue index), the hall's
# rule and the counter's count read once by uncorrelated sub-selects. Timestamps are
# SQLAlchemy's text 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): the aging cutoff keeps the
# fraction of :now (whole minutes subtracted), and wait_seconds is the whole seconds
# between issue and now, truncated as `int(timedelta.total_seconds())` truncates.
_SQLITE_CALL_NEXT = """
UPDATE ticket
SET state = 'called', first_called_at = :now, last_called_at = :now,
    counter_id = :counter_id, staff_id = :staff_id,
    wait_seconds = MAX(0, ((strftime('%s', substr(:now, 1, 19))
                            - strftime('%s', substr(issued_at, 1, 19))) * 1000000
                           + CAST(substr(:now, 21) AS INTEGER)
                           - CAST(substr(issued_at, 21) AS INTEGER)) / 1000000)
WHERE state = 'waiting' AND id = (
    SELECT t.id
    FROM counter_service cs
    JOIN ticket t ON t.service_id = cs.service_id
    WHERE cs.counter_id = :counter_id
      AND t.hall_id = :hall_id AND t.business_day = :day AND t.state = 'waiting'
      AND (t.target_counter_id IS NULL OR t.target_counter_id = :counter_id)
      AND EXISTS (
          SELECT 1 FROM staff_session ss JOIN staff st ON st.id = ss.staff_id
          WHERE ss.token_hash = :token_hash AND ss.hall_id = :hall_id
            AND ss.staff_id = :staff_id AND ss.role = :role AND ss.ended_at IS NULL
            AND ss.counter_id = :counter_id AND NOT ss.pin_change_required
            AND st.active AND st.role = ss.role)
      AND EXISTS (SELECT 1 FROM counter c WHERE c.id = :counter_id AND c.hall_id = :hall_id
                  AND c.state = 'open' AND c.active)
      AND NOT EXISTS (SELECT 1 FROM ticket o WHERE o.counter_id = :counter_id
                      AND o.state IN ('called', 'serving'))
    ORDER BY
      CASE (SELECT priority_rule FROM hall WHERE id = :hall_id)
        WHEN 'aging' THEN CASE WHEN t.priority = 'vip' OR t.issued_at <= (
               SELECT datetime(substr(:now, 1, 19),
                               '-' || priority_aging_minutes || ' minutes')
                      || substr(:now, 20)
               FROM hall WHERE id = :hall_id) THEN 0 ELSE 1 END
        WHEN 'ratio' THEN CASE WHEN (t.priority = 'vip') = (
               SELECT c.calls_since_priority >= h.priority_ratio
               FROM counter c JOIN hall h ON h.id = c.hall_id
               WHERE c.id = :counter_id) THEN 0 ELSE 1 END
        ELSE CASE WHEN t.priority = 'vip' THEN 0 ELSE 1 END
      END,
      cs.rank, cs.id, t.issued_at, t.id
    LIMIT 1)
RETURNING id, code, service_id, (SELECT name FROM service_type WHERE id = service_id),
          priority, issued_at, wait_seconds
"""
_SQLITE_COUNT_CALL = """
UPDATE counter
SET calls_since_priority = CASE WHEN :vip THEN 0 ELSE calls_since_priority + 1 END
WHERE id = :counter_id
RETURNING number
"""
_SQLITE_LOG_CALL = """
INSERT INTO ticket_event (hall_id, ticket_id, kind, from_state, to_state, at, counter_id,
                          staff_id)
VALUES (:hall_id, :ticket_id, 'call', 'waiting', 'called', :now, :counter_id, :staff_id)
"""


@lru_cache(maxsize=4)
def _sqlite_codecs(dialect: Dialect) -> tuple[Callable[[Any], Any], Callable[[Any], Any],
                                              Callable[[Any], Any]]:
    """The column types' own conversions (timestamp and day to SQLite, timestamp back)."""
    def identity(value: Any) -> Any:
        return value

    moment, day = UTCDateTime().dialect_impl(dialect), Date().dialect_impl(dialect)
    return (moment.bind_processor(dialect) or identity, day.bind_processor(dialect) or identity,
            moment.result_processor(dialect, None) or identity)


def call_next_sqlite(conn: Connection, *, hall_id: int, day: date, counter_id: int,
                     staff_id: int | None, role: str, token_hash: str,
                     now: datetime) -> CallResult | None:
    """SQLite only, in a unit of work that began with BEGIN IMMEDIATE: claim and call.

    None means nothing was called, for any reason (as `call_next_pg`); the caller finds
    out which in the same transaction, before it rolls back. The event row is chained by
    the ticket_event trigger (db.history_chain) like every other event.
    """
    # The three statements go to the unit of work's own DB-API connection (the same
    # transaction), with the column types' conversions: through SQLAlchemy they held the
    # write lock 0.50 ms, directly 0.30 ms (docs/performance.md).
    raw = conn.connection.dbapi_connection
    assert raw is not None
    to_time, to_day, from_time = _sqlite_codecs(conn.dialect)
    params: dict[str, Any] = {"hall_id": hall_id, "day": to_day(day), "counter_id": counter_id,
                              "staff_id": staff_id, "role": role, "token_hash": token_hash,
                              "now": to_time(now)}
    rows = raw.execute(_SQLITE_CALL_NEXT, params).fetchall()
    if len(rows) != 1:  # the conditional update's row count: 0 = nobody called
        return None
    ticket_id, code, service_id, service_name, priority, issued_at, wait = rows[0]
    (number,) = raw.execute(_SQLITE_COUNT_CALL, {"vip": priority == "vip",
                                                 "counter_id": counter_id}).fetchone()
    params["ticket_id"] = ticket_id
    raw.execute(_SQLITE_LOG_CALL, params)
    ticket = Candidate(ticket_id, code, service_id, service_name, priority,
                       from_time(issued_at))
    return CallResult(ticket, int(wait), int(number))


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
    insert_stmt = dialect_insert(dialect)(TicketSequence).values(
        hall_id=hall_id, business_day=day, prefix=prefix, last_number=1
    )
    stmt = insert_stmt.on_conflict_do_update(
        index_elements=["hall_id", "business_day", "prefix"],
        set_={"last_number": TicketSequence.last_number + 1},
    ).returning(TicketSequence.last_number)
    return int(session.connection().execute(stmt).scalar_one())
