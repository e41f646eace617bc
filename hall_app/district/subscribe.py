"""`hall-app district setup district`: subscribe the district's PostgreSQL to one hall.

On the district's database (as a superuser: PostgreSQL 15 requires one to create a
subscription):
1. the schema, by the same migrations as a hall, plus the district's relaxations: a
   column a hall withholds (`db.publication.WITHHELD`) arrives empty, so it may be NULL;
2. read the hall's site number and halls through the hall URL (the replication role);
3. in one transaction: the registry row (`district_site`, which refuses a site number
   or a hall code already taken by another site) and the subscription `site_<S>` on the
   slot the hall made (`district_site_<S>`), copying the hall's existing rows first.
Run again for a registered site, it refreshes the subscription's table list (after an
upgrade added tables) instead of subscribing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Connection, make_url

from db.engine import Database
from db.migrate import upgrade
from db.models import DistrictSite, Hall
from db.publication import PUBLICATION, WITHHELD
from db.site_keys import key_range
from hall_app.clock import Clock, SystemClock
from hall_app.district.publish import check_server, require_postgres, slot_name
from hall_app.errors import HallError, ValidationError


def subscription_name(site: int) -> str:
    return f"site_{site}"


@dataclass(frozen=True)
class HallSource:
    """What the district learns from the hall before subscribing."""

    site: int
    halls: tuple[tuple[int, str, str], ...]  # (id, code, name)
    publisher: str  # host:port/database user=…, no password


@dataclass(frozen=True)
class DistrictSetup:
    site: int
    name: str
    subscription: str
    created: bool
    halls: tuple[str, ...]


def libpq_url(url: str) -> str:
    """A SQLAlchemy or libpq URL as the URI libpq (and CREATE SUBSCRIPTION) accepts."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValidationError("营业厅数据库地址须为 PostgreSQL(postgresql://用户@主机:端口/库名)。",
                              field="hall_url")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def describe_publisher(url: str) -> str:
    p = make_url(url)
    return f"{p.host or 'localhost'}:{p.port or 5432}/{p.database} user={p.username or ''}"


def read_hall_source(hall_url: str) -> HallSource:
    """Connect to the hall as the district will (its replication role) and look."""
    try:
        with psycopg.connect(libpq_url(hall_url), connect_timeout=10) as conn:
            site_row = conn.execute("SELECT number FROM site WHERE id = 1").fetchone()
            halls = conn.execute("SELECT id, code, name FROM hall ORDER BY id").fetchall()
            published = conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s",
                                     (PUBLICATION,)).fetchone()
    except psycopg.OperationalError as exc:
        raise HallError("连接不上营业厅数据库,请检查地址、账号和 pg_hba.conf。",
                        detail=str(exc).split("\n")[0]) from exc
    except psycopg.Error as exc:
        raise HallError("营业厅数据库尚未接入区域:请先在营业厅执行 hall-app district setup hall。",
                        detail=str(exc).split("\n")[0]) from exc
    site = int(site_row[0]) if site_row else 0
    if not site:
        raise HallError("该营业厅数据库还没有站点号:请先在营业厅执行 "
                        "hall-app district setup hall --site S。")
    if not published:
        raise HallError("该营业厅数据库还没有发布:请先在营业厅执行 hall-app district setup hall。")
    lo, hi = key_range(site)
    stray = [code for hid, code, _ in halls if not lo <= hid <= hi]
    if stray:
        raise HallError(f"营业厅 {'、'.join(stray)} 的键值不在站点 {site} 号段内,不能接入。")
    return HallSource(site, tuple((int(h[0]), str(h[1]), str(h[2])) for h in halls),
                      describe_publisher(hall_url))


def relax_withheld_columns(conn: Connection) -> list[str]:
    """District only: a withheld column arrives empty, so it must accept NULL."""
    insp = inspect(conn)
    relaxed = []
    for table, columns in WITHHELD.items():
        if not insp.has_table(table):
            continue
        for col in insp.get_columns(table):
            if col["name"] in columns and not col["nullable"]:
                conn.execute(text(f'ALTER TABLE "{table}" ALTER COLUMN "{col["name"]}" '
                                  "DROP NOT NULL"))
                relaxed.append(f"{table}.{col['name']}")
    return relaxed


def _check_registry(conn: Connection, source: HallSource) -> str | None:
    """The registered name of this site (None if new); refuses a clash."""
    row = conn.execute(select(DistrictSite.name, DistrictSite.publisher)
                       .where(DistrictSite.site_no == source.site)).first()
    taken = conn.execute(select(Hall.code, Hall.id).where(
        Hall.code.in_([code for _, code, _ in source.halls]))).all()
    lo, hi = key_range(source.site)
    clash = [code for code, hid in taken if not lo <= hid <= hi]
    if clash:
        raise HallError(f"营业厅代码 {'、'.join(clash)} 已属于区域中的其他站点,不能重复接入。")
    if row is None:
        return None
    if row.publisher != source.publisher:
        raise HallError(f"站点号 {source.site} 已登记给「{row.name}」({row.publisher}),"
                        "不能重复使用。")
    return str(row.name)


def _subscription_exists(conn: Connection, name: str) -> bool:
    return bool(conn.execute(text(
        "SELECT 1 FROM pg_subscription WHERE subname = :n AND subdbid = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"),
        {"n": name}).scalar())


def _create_subscription(conn: Connection, sub: str, uri: str, slot: str) -> None:
    """In the caller's transaction (allowed: the slot exists already at the hall)."""
    from psycopg import sql

    raw = conn.connection.driver_connection
    assert raw is not None
    # Through the driver's literal quoting: the URL holds the replication password.
    raw.execute(sql.SQL(
        "CREATE SUBSCRIPTION {} CONNECTION {} PUBLICATION {} "
        "WITH (slot_name = {}, create_slot = false, copy_data = true)").format(
        sql.Identifier(sub), sql.Literal(uri), sql.Identifier(PUBLICATION), sql.Literal(slot)))


def setup_district(database: Database, hall_url: str, *, name: str | None = None,
                   site: int | None = None, clock: Clock | None = None) -> DistrictSetup:
    """Steps 1-3 of the module docstring; `site`, if given, must match the hall's."""
    require_postgres(database, "区域中心")
    clock = clock or SystemClock()
    upgrade(database)
    with database.engine.connect() as conn:
        check_server(conn, need_slot=False)
    source = read_hall_source(hall_url)
    if site is not None and site != source.site:
        raise ValidationError(f"营业厅数据库是站点 {source.site} 号,与指定的 {site} 号不符。",
                              field="site")
    label = name or "、".join(n for _, _, n in source.halls) or f"站点{source.site}"
    label = label[:100]
    sub = subscription_name(source.site)
    with database.engine.begin() as conn:
        relax_withheld_columns(conn)
        registered = _check_registry(conn, source)
        exists = _subscription_exists(conn, sub)
        if registered is None:
            conn.execute(insert(DistrictSite).values(
                site_no=source.site, name=label, subscription=sub, publisher=source.publisher,
                created_at=clock.now()))
        if not exists:
            _create_subscription(conn, sub, libpq_url(hall_url), slot_name(source.site))
    if exists:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"ALTER SUBSCRIPTION {sub} REFRESH PUBLICATION"))
    return DistrictSetup(source.site, registered or label, sub,
                         not exists, tuple(code for _, code, _ in source.halls))
