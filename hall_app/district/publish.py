"""`hall-app district setup hall`: make a hall's PostgreSQL a publisher for its district.

On the hall's own database, in this order:
1. check the server settings logical replication needs (`wal_level = logical`, a free
   replication slot and WAL sender);
2. move the keys into the site's range (`hall_app.district.keys`, one transaction);
3. in one transaction: the replication role with the least rights (LOGIN REPLICATION,
   CONNECT, USAGE on the schema, SELECT on exactly the published columns), and the
   publication `hall_facts` with its column lists (`db.publication`);
4. the logical replication slot the district's subscription will use, so WAL is kept
   for the district from this moment on, even before it subscribes.
Every step can be run again: an existing role, publication or slot is brought up to
date, never duplicated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from db.engine import Database
from db.publication import PUBLICATION, PublishedTable, publication_plan
from hall_app.clock import Clock
from hall_app.district.keys import SiteMove, move_to_site
from hall_app.errors import HallError, ValidationError

DEFAULT_ROLE = "hall_district"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def slot_name(site: int) -> str:
    return f"district_site_{site}"


def check_identifier(name: str, what: str) -> str:
    if not _IDENT.match(name or ""):
        raise ValidationError(f"{what}「{name}」无效:只能用小写字母、数字和下划线,以字母开头。",
                              field=what)
    return name


@dataclass(frozen=True)
class HallSetup:
    move: SiteMove
    role: str
    role_created: bool
    publication_created: bool
    slot: str
    slot_created: bool
    tables: tuple[PublishedTable, ...]

    @property
    def withheld(self) -> tuple[str, ...]:
        return tuple(f"{t.name}.{c}" for t in self.tables for c in t.withheld)


def require_postgres(database: Database, where: str) -> None:
    if not database.is_postgres:
        raise HallError(f"{where}需要 PostgreSQL 数据库;SQLite 不能参加逻辑复制。")


def check_server(conn: Connection, need_slot: bool) -> None:
    """Refuse, in Chinese with the fix, when the server cannot publish."""
    wal_level = conn.execute(text("SHOW wal_level")).scalar()
    if wal_level != "logical":
        raise HallError(f"本库服务器的 wal_level 为 {wal_level},须设为 logical 并重启 PostgreSQL"
                        "(见 docs/district.md)。")
    if not need_slot:
        return
    free_slots = conn.execute(text(
        "SELECT current_setting('max_replication_slots')::int - count(*) "
        "FROM pg_replication_slots")).scalar()
    senders = conn.execute(text("SELECT current_setting('max_wal_senders')::int")).scalar()
    if not free_slots or free_slots < 1 or not senders:
        raise HallError("本库服务器没有空余的复制槽或 WAL 发送进程:请调大 max_replication_slots "
                        "和 max_wal_senders 并重启(见 docs/district.md)。")


def live_columns(conn: Connection) -> dict[str, list[str]]:
    insp = inspect(conn)
    return {t: [c["name"] for c in insp.get_columns(t)] for t in insp.get_table_names()}


def _role_exists(conn: Connection, role: str) -> bool:
    return bool(conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                             {"r": role}).scalar())


def _ensure_role(conn: Connection, role: str, password: str | None) -> bool:
    created = not _role_exists(conn, role)
    if created and not password:
        raise ValidationError(f"复制账号 {role} 尚不存在,请提供密码(环境变量 "
                              "HALL_DISTRICT_PASSWORD)。", field="password")
    verb = "CREATE" if created else "ALTER"
    conn.execute(text(f'{verb} ROLE "{role}" LOGIN REPLICATION NOSUPERUSER NOCREATEDB '
                      "NOCREATEROLE NOINHERIT"))
    if password:
        from psycopg import sql

        # Through the driver's own literal quoting: a password is never parsed as SQL.
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))
    return created


def _grant(conn: Connection, role: str, tables: list[PublishedTable]) -> None:
    database = conn.execute(text("SELECT current_database()")).scalar()
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"'))
    conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
    # Start from nothing, then exactly the published columns (and the site's number,
    # which the district reads to check the registry).
    conn.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}"'))
    for t in tables:
        if not t.complete:
            cols = ", ".join(f'"{c}"' for c in t.columns)
            conn.execute(text(f'REVOKE ALL ({", ".join(chr(34) + c + chr(34) for c in t.withheld)}) '
                              f'ON "{t.name}" FROM "{role}"'))
            conn.execute(text(f'GRANT SELECT ({cols}) ON "{t.name}" TO "{role}"'))
        else:
            conn.execute(text(f'GRANT SELECT ON "{t.name}" TO "{role}"'))
    conn.execute(text(f'GRANT SELECT (id, number) ON site TO "{role}"'))


def _publication_sql(verb: str, tables: list[PublishedTable]) -> str:
    parts = []
    for t in tables:
        if t.complete:
            parts.append(f'"{t.name}"')
        else:
            parts.append(f'"{t.name}" (' + ", ".join(f'"{c}"' for c in t.columns) + ")")
    listing = ", ".join(parts)
    if verb == "CREATE":
        return (f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {listing} "
                "WITH (publish = 'insert, update, delete')")
    return f"ALTER PUBLICATION {PUBLICATION} SET TABLE {listing}"


def _ensure_publication(conn: Connection, tables: list[PublishedTable]) -> bool:
    exists = bool(conn.execute(text("SELECT 1 FROM pg_publication WHERE pubname = :p"),
                               {"p": PUBLICATION}).scalar())
    conn.execute(text(_publication_sql("ALTER" if exists else "CREATE", tables)))
    if exists:
        conn.execute(text(f"ALTER PUBLICATION {PUBLICATION} "
                          "SET (publish = 'insert, update, delete')"))
    return not exists


def _ensure_slot(database: Database, slot: str) -> bool:
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_replication_slots WHERE slot_name = :s"),
                              {"s": slot}).scalar()
        if exists:
            return False
        conn.execute(text("SELECT pg_create_logical_replication_slot(:s, 'pgoutput')"),
                     {"s": slot})
        return True


def setup_hall(database: Database, site: int, *, role: str = DEFAULT_ROLE,
               password: str | None = None, clock: Clock | None = None) -> HallSetup:
    """Steps 1-4 of the module docstring on `database`; safe to run again."""
    require_postgres(database, "营业厅接入区域")
    check_identifier(role, "复制账号")
    slot = slot_name(site)
    with database.engine.connect() as conn:
        has_slot = bool(conn.execute(text(
            "SELECT 1 FROM pg_replication_slots WHERE slot_name = :s"), {"s": slot}).scalar())
        check_server(conn, need_slot=not has_slot)
    move = move_to_site(database, site, clock=clock)
    with database.engine.begin() as conn:
        tables = publication_plan(live_columns(conn))
        role_created = _ensure_role(conn, role, password)
        _grant(conn, role, tables)
        publication_created = _ensure_publication(conn, tables)
    slot_created = _ensure_slot(database, slot)
    return HallSetup(move, role, role_created, publication_created, slot, slot_created,
                     tuple(tables))
