"""The overview's reads: SQL written once, executed per refresh with bound values only.

Every statement here is a `text()` built when the module is imported, with its bound
parameters and result columns typed (so SQLite's stored strings come back as aware UTC
datetimes and dates, as through the models). A refresh only binds values: no statement
is constructed, and SQLAlchemy's cache key for a text statement is its string, not a
walk over a 57-column expression tree.

Rows come back as tuples. What one statement can read for several parts of the overview
is read once:

* today's tickets in two grouped passes, the waiting ones (`queue_groups`) and the rest
  (`DAY_GROUPS`): counts by state and first hop, wait and service sums, arrivals per local
  hour of issue and services per local hour of finishing; the day's figures, the business
  day's counts and the satisfaction "served" all come from their few dozen rows; the
  waiting ones' groups are also by service and wait bucket: the per-service queues, the
  无窗口办理 alerts and the wait chart, without reading every waiting row;
* the longest-waiting tickets (`WAITING`, at most the list's length);
* the counters with the ticket open at each (`COUNTERS`, one join through the partial
  index `uq_ticket_one_open_per_counter`);
* the open incidents with the counters they name (`INCIDENTS`).

The SQL is the same on SQLite and PostgreSQL except the acknowledgement look-up, which
passes the alert keys as one JSON array (a few hundred keys would otherwise be a few
hundred bound parameters).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Integer,
    String,
    Text,
    Time,
    bindparam,
    column,
    text,
)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from db.types import UTCDateTime

_DT = UTCDateTime()


def _stmt(sql: str, columns: Sequence[tuple[str, Any]], **binds: Any) -> Any:
    """A text statement with typed bound parameters and typed result columns (positional)."""
    clause: TextClause = text(sql)
    if binds:
        clause = clause.bindparams(*(bindparam(name, type_=type_) for name, type_ in binds.items()))
    return clause.columns(*(column(name, type_) for name, type_ in columns))


def _hour_index(col: str, lo: int = 0, hi: int = 24) -> str:
    """SQL for the hour (0-23) of `col` between the bound boundaries :h<lo> and :h<hi>.

    A binary search over the 25 local hour boundaries (UTC instants bound as :h0 … :h24),
    so each row takes five comparisons; the caller keeps `col` within [:h0, :h24).
    """
    if hi - lo == 1:
        return str(lo)
    mid = (lo + hi) // 2
    return (f"CASE WHEN {col} < :h{mid} THEN {_hour_index(col, lo, mid)} "
            f"ELSE {_hour_index(col, mid, hi)} END")


def _in_day(col: str) -> str:
    return f"{col} >= :h0 AND {col} < :h24"


HOURS = tuple(f"h{i}" for i in range(25))

# The whole hall row, untyped: the thresholds an administrator overrides are plain numbers.
HALL = text("SELECT * FROM hall WHERE id = :hall")

# The hall's services, each with whether a signed-in (not closed) active counter serves it
# now (the 无窗口办理 alert is for a service with customers waiting and none).
HALL_SERVICES = _stmt(
    "SELECT sv.id, sv.code, sv.name, sv.prefix, sv.active, sv.long_wait_minutes, "
    "CASE WHEN EXISTS (SELECT 1 FROM counter_service cs JOIN counter c ON c.id = cs.counter_id "
    "WHERE cs.service_id = sv.id AND c.hall_id = :hall AND c.active IS TRUE "
    "AND c.state <> 'closed') THEN 1 ELSE 0 END "
    "FROM service_type sv WHERE sv.hall_id = :hall ORDER BY sv.sort_order, sv.id",
    [("id", Integer), ("code", String), ("name", String), ("prefix", String),
     ("active", Boolean), ("long_wait_minutes", Integer), ("served", Integer)])

INCIDENTS = _stmt(
    "SELECT i.id, i.kind, i.category, i.notice, i.started_at, i.ended_at, st.name, c.number "
    "FROM incident i "
    "LEFT JOIN staff st ON st.id = i.declared_by "
    "LEFT JOIN incident_counter ic ON ic.incident_id = i.id "
    "LEFT JOIN counter c ON c.id = ic.counter_id "
    "WHERE i.hall_id = :hall AND i.ended_at IS NULL "
    "ORDER BY i.started_at, i.id",
    [("id", Integer), ("kind", String), ("category", String), ("notice", Text),
     ("started_at", _DT), ("ended_at", _DT), ("declared_by", String), ("number", Integer)])

# The literal state test (not bound) lets both databases use the partial unique index on
# a counter's open ticket, so the join reads a handful of index entries. The last column:
# for a paused counter whose pause (its latest) is a 调整情绪 break the duty manager
# granted, the minutes granted; found through the counter's latest pause, so a counter's
# years of past pauses are never read.
COUNTERS = _stmt(
    "SELECT c.id, c.number, c.name, c.state, c.state_since, c.pause_reason, st.name, "
    "c.is_vip, t.code, t.state, t.service_id, t.first_called_at, t.started_at, "
    "CASE WHEN c.state = 'paused' THEN ("
    "SELECT rb.minutes FROM counter_pause p JOIN recovery_break rb ON rb.pause_id = p.id "
    "WHERE p.id = (SELECT p2.id FROM counter_pause p2 WHERE p2.counter_id = c.id "
    "ORDER BY p2.started_at DESC LIMIT 1) "
    "AND p.ended_at IS NULL AND p.kind = 'recovery') END "
    "FROM counter c "
    "LEFT JOIN staff st ON st.id = c.staff_id "
    "LEFT JOIN ticket t ON t.counter_id = c.id AND t.state IN ('called', 'serving') "
    "WHERE c.hall_id = :hall AND c.active IS TRUE "
    "ORDER BY c.number",
    [("id", Integer), ("number", Integer), ("name", String), ("state", String),
     ("state_since", _DT), ("pause_reason", String), ("staff_name", String),
     ("is_vip", Boolean), ("ticket_code", String), ("ticket_state", String),
     ("ticket_service_id", Integer), ("first_called_at", _DT), ("started_at", _DT),
     ("recovery_minutes", Integer)])

_WAITING_SQL = (
    "SELECT id, code, service_id, priority, issued_at FROM ticket "
    "WHERE hall_id = :hall AND business_day = :day AND state = 'waiting' "
    "ORDER BY issued_at, id")
_WAITING_COLUMNS = [("id", Integer), ("code", String), ("service_id", Integer),
                    ("priority", String), ("issued_at", _DT)]
#: The longest-waiting `:shown` tickets: what the waiting list and the long-wait alerts show.
WAITING = _stmt(_WAITING_SQL + " LIMIT :shown", _WAITING_COLUMNS, day=Date, shown=Integer)
#: Every waiting ticket (the 标记顾客离开 dialog, when the list above is cut short).
WAITING_ALL = _stmt(_WAITING_SQL, _WAITING_COLUMNS, day=Date)


@lru_cache(maxsize=32)
def queue_groups(services: int, buckets: int) -> Any:
    """The waiting tickets counted in the database, by service, wait bucket, first hop and
    local hour of issue.

    Per group: how many, the oldest issue, the lowest ticket id, and how many were issued
    before the service's long-wait cutoff. Each service's cutoff is bound as a row of a
    VALUES list (:s<i>, :c<i>); the bucket of a ticket is the number of bound edges
    :w1 … :w<buckets-1> (now minus each bucket's lower minutes) it was issued at or before;
    the hour is DAY_GROUPS' (hop 0 only, :h0 … :h24). The waiting tickets' share of the
    day's counts comes from these rows, so DAY_GROUPS leaves them out and each waiting
    row is read once per refresh. One statement per number of services, built on first use.
    """
    # Typed binds: PostgreSQL sees ::BIGINT and ::TIMESTAMP WITH TIME ZONE on each value.
    values = ", ".join(f"(:s{i}, :c{i})" for i in range(services))
    bucket = "CASE " + " ".join(f"WHEN t.issued_at > :w{k} THEN {k - 1}"
                                for k in range(1, buckets)) + f" ELSE {buckets - 1} END"
    binds: dict[str, Any] = {f"c{i}": _DT for i in range(services)}
    binds.update({f"s{i}": BigInteger for i in range(services)})
    binds.update({f"w{k}": _DT for k in range(1, buckets)})
    binds.update(dict.fromkeys(HOURS, _DT))
    return _stmt(
        f"WITH lim (sid, cutoff) AS (VALUES {values}) "
        f"SELECT t.service_id, {bucket}, CASE WHEN t.hop = 0 THEN 1 ELSE 0 END, "
        f"CASE WHEN t.hop = 0 AND {_in_day('t.issued_at')} "
        f"THEN {_hour_index('t.issued_at')} END, "
        "count(*), min(t.issued_at), min(t.id), "
        "sum(CASE WHEN t.issued_at < lim.cutoff THEN 1 ELSE 0 END) "
        "FROM ticket t JOIN lim ON lim.sid = t.service_id "
        "WHERE t.hall_id = :hall AND t.business_day = :day AND t.state = 'waiting' "
        "GROUP BY 1, 2, 3, 4",
        [("service_id", Integer), ("bucket", Integer), ("first", Integer),
         ("issued_hour", Integer), ("n", Integer), ("oldest", _DT), ("first_id", Integer),
         ("over", Integer)],
        day=Date, **binds)

# One pass over today's tickets that are not waiting (those are counted by
# `queue_groups`; `state` is in the index, so their rows are skipped without being read),
# grouped by state, first hop (hop 0: one per customer), the local hour of issue (first
# hop only) and of finishing (done only). Hour boundaries
# are computed in Python, so the same SQL works on both databases and across a
# daylight-saving change; an hour outside today is NULL (not counted per hour).
DAY_GROUPS = _stmt(
    "SELECT state, CASE WHEN hop = 0 THEN 1 ELSE 0 END, "
    f"CASE WHEN hop = 0 AND {_in_day('issued_at')} THEN {_hour_index('issued_at')} END, "
    f"CASE WHEN state = 'done' AND {_in_day('finished_at')} "
    f"THEN {_hour_index('finished_at')} END, "
    "count(*), sum(wait_seconds), count(wait_seconds), "
    "sum(service_seconds), count(service_seconds) "
    "FROM ticket WHERE hall_id = :hall AND business_day = :day AND state <> 'waiting' "
    "GROUP BY 1, 2, 3, 4",
    [("state", String), ("first", Integer), ("issued_hour", Integer),
     ("finished_hour", Integer), ("n", Integer), ("wait_sum", Integer),
     ("wait_n", Integer), ("service_sum", Integer), ("service_n", Integer)],
    day=Date, **dict.fromkeys(HOURS, _DT))

OPENING_HOURS = _stmt(
    "SELECT weekday, opens, closes FROM opening_hours WHERE hall_id = :hall",
    [("weekday", Integer), ("opens", Time), ("closes", Time)])

# Open escalations, plus today's resolved ones (shown as acknowledged).
ESCALATIONS = _stmt(
    "SELECT e.id, e.reason, e.raised_at, c.number, st.name, t.code, e.resolved_at "
    "FROM escalation e "
    "LEFT JOIN counter c ON c.id = e.counter_id "
    "LEFT JOIN staff st ON st.id = e.staff_id "
    "LEFT JOIN ticket t ON t.id = e.ticket_id "
    "WHERE e.hall_id = :hall AND (e.resolved_at IS NULL OR e.raised_at >= :day_start) "
    "ORDER BY e.raised_at",
    [("id", Integer), ("reason", Text), ("raised_at", _DT), ("number", Integer),
     ("staff_name", String), ("ticket_code", String), ("resolved_at", _DT)],
    day_start=_DT)

# Today's ratings of served tickets, by level (the satisfaction figures).
RATING_LEVELS = _stmt(
    "SELECT r.level, count(r.id) FROM rating r JOIN ticket t ON t.id = r.ticket_id "
    "WHERE r.hall_id = :hall AND r.business_day = :day AND t.state = 'done' "
    "GROUP BY r.level",
    [("level", String), ("n", Integer)],
    day=Date)

_ACKS_SQL = (
    "SELECT a.alert_key, st.name, a.acknowledged_at FROM alert_ack a "
    "JOIN staff st ON st.id = a.acknowledged_by "
    "WHERE a.hall_id = :hall AND a.alert_key IN ({keys})")
_ACK_COLUMNS = [("alert_key", String), ("staff_name", String), ("acknowledged_at", _DT)]
ACKS = {
    "sqlite": _stmt(_ACKS_SQL.format(keys="SELECT value FROM json_each(:keys)"),
                    _ACK_COLUMNS),
    "postgresql": _stmt(_ACKS_SQL.format(
        keys="SELECT jsonb_array_elements_text(CAST(:keys AS jsonb))"), _ACK_COLUMNS),
}


def rows(s: Session, stmt: Any, **params: Any) -> Sequence[Row[Any]]:
    """Execute a prepared statement in the caller's transaction; the rows as tuples."""
    return s.connection().execute(stmt, params).all()


def hour_params(hour_starts: Sequence[datetime]) -> dict[str, datetime]:
    """The 25 UTC hour boundaries of the day as DAY_GROUPS binds them."""
    return dict(zip(HOURS, hour_starts, strict=True))


def acks(s: Session, hall_id: int, keys: Sequence[str]) -> Sequence[Row[Any]]:
    """(key, who, when) of the acknowledged ones among `keys`."""
    if not keys:
        return ()
    return rows(s, ACKS[s.get_bind().dialect.name], hall=hall_id, keys=json.dumps(list(keys)))

