"""Append-only, hash-chained history tables: the chain definition and its triggers.

Three tables are history: `ticket_event`, `complaint_history` and `audit_log`. On both
databases a trigger refuses UPDATE and DELETE on them (`GUARDS`), and a trigger fills
each new row's `prev_hash` and `row_hash`:

    row_hash = sha256("<table>\\n<prev_hash>\\n<canonical row>")

`prev_hash` is the `row_hash` of the row before it in its chain ('' for the first):

* ticket_event — chained per ticket (the previous event of the same ticket, by key).
  Every ticket transition already holds the ticket's row lock, so this costs no new
  lock on the hot path (docs/decisions.md, "Tamper-evident history").
* complaint_history — chained per complaint (complaint transitions lock the complaint).
* audit_log — chained per hall in `chain_seq` order (1, 2, …); on PostgreSQL the
  trigger takes a per-hall advisory lock (`audit_lock_key`), released at commit.

The canonical row is every content column in a fixed order, each written as
`<length>:<text>` or `~` for NULL: keys as their local part (key mod 2^40, so moving a
site's keys into its district range leaves every hash valid), timestamps as
microseconds since the Unix epoch (UTC), text as is. Python (`row_hash`, used by the
SQLite trigger through a registered function and by `hall-app audit verify`) and the
PostgreSQL trigger (generated here from the same column list) compute the same value;
tests compare them.

Per-hall seals (`history_seal`) chain the three tables together per hall; sealing and
verifying live in `hall_app.security.history`.

Migration 0003 installs the triggers generated here. Changing a trigger's SQL (or the
canonical form) needs a new migration that drops and re-creates them
(`drop_history_triggers` / `create_history_triggers`); and a later migration that
rebuilds one of these tables in SQLite batch mode ("move and copy") drops its triggers,
so it must re-create them too (tests/security/test_history.py fails if they are gone).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

LOCAL_KEY_MOD = 1 << 40
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SQLITE_HASH_FUNCTION = "hall_row_hash"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # key | int | time | text


@dataclass(frozen=True)
class ChainedTable:
    name: str
    columns: tuple[Column, ...]
    chain_by: str  # the column whose equal values form one chain
    ordered_by: str  # the column giving the order inside a chain


def _cols(spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec.split())


TICKET_EVENT = ChainedTable("ticket_event", _cols(
    "id:key hall_id:key ticket_id:key kind:text from_state:text to_state:text at:time "
    "counter_id:key staff_id:key detail:text"), chain_by="ticket_id", ordered_by="id")
COMPLAINT_HISTORY = ChainedTable("complaint_history", _cols(
    "id:key complaint_id:key at:time staff_id:key action:text from_state:text "
    "to_state:text note:text"), chain_by="complaint_id", ordered_by="id")
AUDIT_LOG = ChainedTable("audit_log", _cols(
    "chain_seq:int id:key hall_id:key staff_id:key at:time entity:text entity_id:key "
    "field:text old_value:text new_value:text"), chain_by="hall_id", ordered_by="chain_seq")
CHAINED_TABLES = (TICKET_EVENT, COMPLAINT_HISTORY, AUDIT_LOG)
# Also append-only, chained by its own seal_hash (hall_app.security.history).
SEAL_TABLE = "history_seal"
GUARDED_TABLES = tuple(t.name for t in CHAINED_TABLES) + (SEAL_TABLE,)
BY_NAME = {t.name: t for t in CHAINED_TABLES}


# -- the hash, in Python ------------------------------------------------------------------
def sqlite_time(value: Any) -> datetime:
    """A timestamp as stored (aware, or SQLite's naive UTC text) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _field(kind: str, value: Any) -> str:
    if value is None:
        return "~"
    if kind == "key":
        shown = str(int(value) % LOCAL_KEY_MOD)
    elif kind == "int":
        shown = str(int(value))
    elif kind == "time":
        shown = str((sqlite_time(value) - _EPOCH) // timedelta(microseconds=1))
    else:
        shown = str(value)
    return f"{len(shown)}:{shown}"


def canonical(table: ChainedTable, values: Sequence[Any]) -> str:
    """The row's content as one string (values in `table.columns` order)."""
    return "".join(_field(c.kind, v) for c, v in zip(table.columns, values, strict=True))


def row_hash(table: ChainedTable, prev_hash: str | None, values: Sequence[Any]) -> str:
    body = f"{table.name}\n{prev_hash or ''}\n{canonical(table, values)}"
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _sqlite_row_hash(table_name: str, prev_hash: str | None, *values: Any) -> str:
    """The function the SQLite triggers call (registered on every connection)."""
    return row_hash(BY_NAME[table_name], prev_hash, values)


def register_sqlite_functions(dbapi_conn: Any) -> None:
    """Called for every new SQLite connection (db.engine)."""
    dbapi_conn.create_function(SQLITE_HASH_FUNCTION, -1, _sqlite_row_hash, deterministic=True)


# -- PostgreSQL -------------------------------------------------------------------------
def _pg_field(col: Column) -> str:
    ref = f"NEW.{col.name}"
    if col.kind == "key":
        shown = f"({ref} % {LOCAL_KEY_MOD})::text"
    elif col.kind == "int":
        shown = f"{ref}::text"
    elif col.kind == "time":
        shown = f"((extract(epoch FROM {ref}) * 1000000)::bigint)::text"
    else:
        shown = f"{ref}::text"
    return (f"CASE WHEN {ref} IS NULL THEN '~' "
            f"ELSE length({shown})::text || ':' || {shown} END")


def audit_lock_key_sql(hall_ref: str) -> str:
    return f"hashtextextended('hall_audit_chain:' || COALESCE(CAST({hall_ref} AS text), '-'), 0)"


def _pg_chain_function(t: ChainedTable) -> str:
    canon = " || ".join(_pg_field(c) for c in t.columns)
    if t is AUDIT_LOG:
        find_prev = f"""
    PERFORM pg_advisory_xact_lock({audit_lock_key_sql('NEW.hall_id')});
    IF NEW.hall_id IS NULL THEN
        SELECT chain_seq, row_hash INTO last_seq, prev FROM audit_log
        WHERE hall_id IS NULL AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
    ELSE
        SELECT chain_seq, row_hash INTO last_seq, prev FROM audit_log
        WHERE hall_id = NEW.hall_id AND chain_seq IS NOT NULL
        ORDER BY chain_seq DESC LIMIT 1;
    END IF;
    NEW.chain_seq := COALESCE(last_seq, 0) + 1;"""
    else:
        find_prev = f"""
    SELECT row_hash INTO prev FROM {t.name}
    WHERE {t.chain_by} = NEW.{t.chain_by} AND id < NEW.id ORDER BY id DESC LIMIT 1;"""
    return f"""
CREATE OR REPLACE FUNCTION {t.name}_chain() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    prev text;
    last_seq integer;
BEGIN{find_prev}
    NEW.prev_hash := COALESCE(prev, '');
    NEW.row_hash := encode(sha256(convert_to(
        '{t.name}' || chr(10) || NEW.prev_hash || chr(10) || {canon}, 'UTF8')), 'hex');
    RETURN NEW;
END
$fn$"""


_PG_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION hall_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'history table % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$fn$"""


def _pg_create(conn: Connection) -> None:
    conn.execute(text(_PG_GUARD_FUNCTION))
    for t in CHAINED_TABLES:
        conn.execute(text(_pg_chain_function(t)))
        conn.execute(text(f"CREATE TRIGGER {t.name}_chain BEFORE INSERT ON {t.name} "
                          f"FOR EACH ROW EXECUTE FUNCTION {t.name}_chain()"))
    for name in GUARDED_TABLES:
        conn.execute(text(f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON "
                          f"{name} FOR EACH ROW EXECUTE FUNCTION hall_history_append_only()"))


def _pg_drop(conn: Connection) -> None:
    for name in GUARDED_TABLES:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}_append_only ON {name}"))
    for t in CHAINED_TABLES:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {t.name}_chain ON {t.name}"))
        conn.execute(text(f"DROP FUNCTION IF EXISTS {t.name}_chain()"))
    conn.execute(text("DROP FUNCTION IF EXISTS hall_history_append_only()"))


# -- SQLite -----------------------------------------------------------------------------
def _sqlite_chain_trigger(t: ChainedTable) -> str:
    """One UPDATE fills the new row's chain columns (the lookups repeat: cheaper than a
    second UPDATE of the row)."""
    if t is AUDIT_LOG:
        prev = """COALESCE((SELECT a.row_hash FROM audit_log a
                   WHERE a.hall_id IS NEW.hall_id AND a.id <> NEW.id
                     AND a.chain_seq IS NOT NULL
                   ORDER BY a.chain_seq DESC LIMIT 1), '')"""
        seq = """(COALESCE((SELECT max(a.chain_seq) FROM audit_log a
                   WHERE a.hall_id IS NEW.hall_id AND a.id <> NEW.id), 0) + 1)"""
        extra = f"chain_seq = {seq},"
    else:
        prev = f"""COALESCE((SELECT p.row_hash FROM {t.name} p
                   WHERE p.{t.chain_by} = NEW.{t.chain_by} AND p.id < NEW.id
                   ORDER BY p.id DESC LIMIT 1), '')"""
        seq, extra = "", ""
    args = ", ".join(seq if c.name == "chain_seq" else f"NEW.{c.name}" for c in t.columns)
    return f"""CREATE TRIGGER {t.name}_chain AFTER INSERT ON {t.name}
BEGIN
    SELECT RAISE(ABORT, 'history rows are hashed by the database')
    WHERE NEW.row_hash IS NOT NULL OR NEW.prev_hash IS NOT NULL;
    UPDATE {t.name} SET {extra}
        prev_hash = {prev},
        row_hash = {SQLITE_HASH_FUNCTION}('{t.name}', {prev}, {args})
    WHERE id = NEW.id;
END"""


def _sqlite_guard(t_name: str, content: Sequence[str]) -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in content)
    # The chain trigger's own UPDATEs fill the hash columns of a row that has none yet.
    when = f"OLD.row_hash IS NOT NULL OR {changed}" if content else "1"
    return [
        f"""CREATE TRIGGER {t_name}_append_only_update BEFORE UPDATE ON {t_name}
WHEN {when}
BEGIN SELECT RAISE(ABORT, 'history table {t_name} is append-only (UPDATE refused)'); END""",
        f"""CREATE TRIGGER {t_name}_append_only_delete BEFORE DELETE ON {t_name}
BEGIN SELECT RAISE(ABORT, 'history table {t_name} is append-only (DELETE refused)'); END""",
    ]


def _sqlite_guard_statements() -> list[str]:
    out: list[str] = []
    for t in CHAINED_TABLES:
        out += _sqlite_guard(t.name, [c.name for c in t.columns if c.name != "chain_seq"])
    out += _sqlite_guard(SEAL_TABLE, ())
    return out


def _sqlite_statements() -> list[str]:
    return [_sqlite_chain_trigger(t) for t in CHAINED_TABLES] + _sqlite_guard_statements()


def _sqlite_trigger_names() -> list[str]:
    names = [f"{t.name}_chain" for t in CHAINED_TABLES]
    for name in GUARDED_TABLES:
        names += [f"{name}_append_only_update", f"{name}_append_only_delete"]
    return names


# -- create / drop / suspend ----------------------------------------------------------------
def create_history_triggers(conn: Connection) -> None:
    """Install the chain and append-only triggers (migration 0003)."""
    if conn.dialect.name == "postgresql":
        _pg_create(conn)
    else:
        for stmt in _sqlite_statements():
            conn.exec_driver_sql(stmt)


def drop_history_triggers(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        _pg_drop(conn)
    else:
        for name in _sqlite_trigger_names():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def has_history_triggers(conn: Connection) -> bool:
    if conn.dialect.name == "postgresql":
        n = conn.execute(text(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'ticket_event_append_only' "
            "AND NOT tgisinternal")).scalar()
    else:
        n = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                              "AND name = 'ticket_event_append_only_delete'")).scalar()
    return bool(n)


class suspended_guards:  # noqa: N801 - used as a context manager, named like one
    """Inside: the append-only guards are off (the caller's transaction only).

    For `db.site_keys.renumber_site`, which adds a multiple of 2^40 to every key (the
    hashes use the keys' local part, so they stay valid). PostgreSQL disables the guard
    triggers (the renumbering holds ACCESS EXCLUSIVE locks anyway); SQLite drops and
    re-creates them. Either way it is transactional: a rollback leaves them in place.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.active = has_history_triggers(conn)

    def __enter__(self) -> suspended_guards:
        if not self.active:
            return self
        if self.conn.dialect.name == "postgresql":
            for name in GUARDED_TABLES:
                self.conn.execute(text(f"ALTER TABLE {name} DISABLE TRIGGER {name}_append_only"))
        else:
            for name in GUARDED_TABLES:
                for op in ("update", "delete"):
                    self.conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_append_only_{op}")
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if not self.active or exc_type is not None:
            return
        if self.conn.dialect.name == "postgresql":
            for name in GUARDED_TABLES:
                self.conn.execute(text(f"ALTER TABLE {name} ENABLE TRIGGER {name}_append_only"))
        else:
            for stmt in _sqlite_guard_statements():
                self.conn.exec_driver_sql(stmt)


# -- chaining rows written before the triggers existed (migration 0003) -----------------------
def backfill_chains(conn: Connection) -> int:
    """Chain every row that has no hash yet, in key order; returns how many were chained."""
    done = 0
    for t in CHAINED_TABLES:
        names = ", ".join(c.name for c in t.columns if c.name != "chain_seq")
        rows = conn.execute(text(
            f"SELECT {names} FROM {t.name} WHERE row_hash IS NULL "
            f"ORDER BY {'hall_id' if t is AUDIT_LOG else t.chain_by}, id")).all()
        heads: dict[Any, tuple[int, str]] = {}
        updates = []
        for row in rows:
            values = dict(row._mapping)
            chain = values[t.chain_by]
            seq, prev = heads.get(chain, (0, ""))
            if t is AUDIT_LOG:
                values["chain_seq"] = seq + 1
            digest = row_hash(t, prev, [values[c.name] for c in t.columns])
            heads[chain] = (seq + 1, digest)
            updates.append({"id": values["id"], "p": prev, "h": digest,
                            "s": values.get("chain_seq")})
        if updates:
            extra = ", chain_seq = :s" if t is AUDIT_LOG else ""
            conn.execute(text(f"UPDATE {t.name} SET prev_hash = :p, row_hash = :h{extra} "
                              f"WHERE id = :id"), updates)
        done += len(updates)
    return done
