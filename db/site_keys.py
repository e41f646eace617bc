"""Site key ranges: which keys a site may make, and moving a site's keys into its range.

A site (one hall database) with number S makes keys in [S·2^40, (S+1)·2^40); site 0 (not
in a district) in [1, 2^40). See docs/decisions.md, "Keys across halls".

* `key_range(S)` — the bounds.
* `bound_sequences(conn, S)` — PostgreSQL: every key sequence draws only from S's range
  (idempotent; run after every upgrade so tables added later are bounded too).
* `renumber_site(conn, S)` — moves every key of the database into S's range by adding
  (S − S_old)·2^40 to every key and foreign-key column and to the logical references
  (`audit_log.entity_id`, the ids inside `alert_ack.alert_key`), then records S in the
  `site` table and bounds the sequences. Runs in the caller's transaction: either every
  row moves or none does. Order, counts and every figure derived from the rows are
  unchanged; only the numbers move.

The key columns are read from the live schema (primary keys and the foreign keys that
point at them), so the routine works at any revision, including tables added later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from db.history_chain import suspended_guards

SITE_BITS = 40
SITE_SPAN = 1 << SITE_BITS
MAX_SITE = (1 << 23) - 1
SITE_TABLE = "site"
# Tables whose keys are not site keys: the site row itself (id is always 1) and Alembic's.
NOT_SITE_KEYED = frozenset({SITE_TABLE, "alembic_version"})
# Columns that hold another row's key without a foreign key constraint.
LOGICAL_KEY_COLUMNS = (("audit_log", "entity_id"), ("history_seal", "ticket_event_through"),
                       ("history_seal", "complaint_history_through"),
                       ("history_seal", "audit_log_through"))
_ALERT_KEY = re.compile(r"^([a-z]+):(\d+)(.*)$", re.S)


class SiteKeyError(Exception):
    """The keys cannot be moved as asked; `message` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def key_range(site: int) -> tuple[int, int]:
    """Inclusive (lowest, highest) key that site `site` may make."""
    check_site_number(site, allow_zero=True)
    return max(1, site * SITE_SPAN), (site + 1) * SITE_SPAN - 1


def site_of_key(key: int) -> int:
    return key >> SITE_BITS


def check_site_number(site: int, *, allow_zero: bool = False) -> None:
    lowest = 0 if allow_zero else 1
    if not isinstance(site, int) or isinstance(site, bool) or not lowest <= site <= MAX_SITE:
        raise SiteKeyError(f"站点号必须是 {lowest} 到 {MAX_SITE} 之间的整数,收到「{site}」。")


def has_site_table(conn: Connection) -> bool:
    return inspect(conn).has_table(SITE_TABLE)


def read_site(conn: Connection) -> int:
    """This database's site number (0 when it has no site row or no site table yet)."""
    if not has_site_table(conn):
        return 0
    value = conn.execute(text(f"SELECT number FROM {SITE_TABLE} WHERE id = 1")).scalar()
    return int(value or 0)


@dataclass(frozen=True)
class KeyedTable:
    name: str
    key: str | None  # the single-column integer primary key, if any
    references: tuple[str, ...]  # foreign-key columns pointing at site-keyed tables

    @property
    def columns(self) -> tuple[str, ...]:
        return ((self.key,) if self.key else ()) + self.references


def keyed_tables(conn: Connection) -> list[KeyedTable]:
    """Every table with a site key or a reference to one, from the live schema."""
    insp = inspect(conn)
    names = [n for n in insp.get_table_names() if n not in NOT_SITE_KEYED]
    keys: dict[str, str | None] = {}
    for name in names:
        pk = insp.get_pk_constraint(name).get("constrained_columns") or []
        keys[name] = pk[0] if len(pk) == 1 else None
    result = []
    for name in sorted(names):
        refs: list[str] = []
        for fk in insp.get_foreign_keys(name):
            target = fk["referred_table"]
            if target in keys and len(fk["constrained_columns"]) == 1:
                col = fk["constrained_columns"][0]
                if col not in refs:
                    refs.append(col)
        for table, col in LOGICAL_KEY_COLUMNS:
            if table == name and col not in refs:
                refs.append(col)
        if keys[name] or refs:
            result.append(KeyedTable(name, keys[name], tuple(refs)))
    return result


@dataclass
class RenumberResult:
    old_site: int
    new_site: int
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows moved

    @property
    def moved(self) -> bool:
        return self.old_site != self.new_site


def _outside(conn: Connection, tables: list[KeyedTable], lo: int, hi: int) -> list[str]:
    bad = []
    for t in tables:
        for col in t.columns:
            n = conn.execute(text(
                f'SELECT count(*) FROM "{t.name}" WHERE "{col}" IS NOT NULL '
                f'AND ("{col}" < :lo OR "{col}" > :hi)'), {"lo": lo, "hi": hi}).scalar()
            if n:
                bad.append(f"{t.name}.{col}({n}行)")
    return bad


def renumber_site(conn: Connection, new_site: int) -> RenumberResult:
    """Move every key into `new_site`'s range, in the caller's transaction."""
    check_site_number(new_site, allow_zero=True)
    if not has_site_table(conn):
        raise SiteKeyError("数据库缺少站点表,请先升级数据库结构(hall-app db upgrade)。")
    old_site = read_site(conn)
    result = RenumberResult(old_site, new_site)
    tables = keyed_tables(conn)
    old_lo, old_hi = key_range(old_site)
    if old_site == 0:
        old_lo = 0  # tolerate a key 0 made by hand on a database outside any district
    bad = _outside(conn, tables, old_lo, old_hi)
    if bad:
        raise SiteKeyError(
            f"数据库中有不属于站点 {old_site} 号段的键,无法整体迁移:{'、'.join(bad[:5])}。")
    if not result.moved:
        if conn.dialect.name == "postgresql":
            bound_sequences(conn, new_site)
        return result
    offset = (new_site - old_site) * SITE_SPAN
    if conn.dialect.name == "postgresql":
        _lock(conn, tables)
        foreign_keys = _drop_foreign_keys(conn)
    else:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    # The history tables are append-only; their hashes use the keys' local part, so
    # they stay valid while the guards are off for this one transaction.
    with suspended_guards(conn):
        for t in tables:
            sets = ", ".join(f'"{c}" = "{c}" + :off' if c == t.key else
                             f'"{c}" = CASE WHEN "{c}" IS NULL THEN NULL ELSE "{c}" + :off END'
                             for c in t.columns)
            result.rows[t.name] = conn.execute(
                text(f'UPDATE "{t.name}" SET {sets}'), {"off": offset}).rowcount
    _move_alert_keys(conn, offset)
    if conn.dialect.name == "postgresql":
        for table, name, definition in foreign_keys:
            conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
    conn.execute(text(f"UPDATE {SITE_TABLE} SET number = :n WHERE id = 1"), {"n": new_site})
    if conn.dialect.name == "postgresql":
        bound_sequences(conn, new_site)
    return result


def _lock(conn: Connection, tables: list[KeyedTable]) -> None:
    names = ", ".join(f'"{t.name}"' for t in tables)
    conn.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))


def _drop_foreign_keys(conn: Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute(text("""
        SELECT cl.relname, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        JOIN pg_class cl ON cl.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        WHERE c.contype = 'f' AND n.nspname = current_schema()
        ORDER BY cl.relname, c.conname""")).all()
    for table, name, _definition in rows:
        conn.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def _move_alert_keys(conn: Connection, offset: int) -> None:
    if not inspect(conn).has_table("alert_ack"):
        return
    for row_id, key in conn.execute(text("SELECT id, alert_key FROM alert_ack")).all():
        m = _ALERT_KEY.match(key)
        if m is None:
            continue
        new_key = f"{m.group(1)}:{int(m.group(2)) + offset}{m.group(3)}"
        conn.execute(text("UPDATE alert_ack SET alert_key = :k WHERE id = :i"),
                     {"k": new_key, "i": row_id})


def key_sequences(conn: Connection) -> list[tuple[str, str, str]]:
    """PostgreSQL: (table, key column, sequence) for every site-keyed table's own sequence.

    One catalog query (this runs at every start, after the upgrade): the single-column
    primary keys of this schema whose default draws from a sequence.
    """
    rows = conn.execute(text("""
        SELECT cl.relname, a.attname, pg_get_serial_sequence(format('%I', cl.relname), a.attname)
        FROM pg_index i
        JOIN pg_class cl ON cl.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indisprimary AND i.indnatts = 1 AND n.nspname = current_schema()
        ORDER BY cl.relname""")).all()
    return [(str(t), str(c), str(seq)) for t, c, seq in rows
            if seq and t not in NOT_SITE_KEYED]


def bound_sequences(conn: Connection, site: int) -> list[str]:
    """PostgreSQL: make every key sequence draw from `site`'s range only.

    A sequence already bounded (and positioned inside the range) is left alone, so this
    is cheap to run after every upgrade. Returns the sequences it changed.
    """
    lo, hi = key_range(site)
    current = {str(r[0]): (str(r[1]), r[2], r[3], r[4]) for r in conn.execute(text(
        "SELECT format('%I.%I', schemaname, sequencename), data_type::text, min_value, "
        "max_value, last_value FROM pg_sequences WHERE schemaname = current_schema()"))}
    changed = []
    for table, key, seq in key_sequences(conn):
        row = current.get(seq)
        if row is not None and (row[0], row[1], row[2]) == ("bigint", lo, hi) \
                and (row[3] is None or lo <= row[3] <= hi):
            continue
        top = conn.execute(text(
            f'SELECT max("{key}") FROM "{table}" WHERE "{key}" BETWEEN :lo AND :hi'),
            {"lo": lo, "hi": hi}).scalar()
        restart = lo if top is None else int(top) + 1
        conn.execute(text(
            f"ALTER SEQUENCE {seq} AS bigint MINVALUE {lo} MAXVALUE {hi} "
            f"START WITH {lo} RESTART WITH {restart} NO CYCLE"))
        changed.append(seq)
    return changed
