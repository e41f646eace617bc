"""Shared fixtures: a fresh database per test, on SQLite and (when available) PostgreSQL.

PostgreSQL tests use `HALL_TEST_PG_URL` (`.ci/run` starts a throwaway server and sets
it). Without it they are skipped, and the skip reason says so in the summary.

Fixtures:
  db_url        (parametrised: sqlite, pg) a migrated database with the demo hall's
                configuration (no traffic), copied from a per-session template
  sqlite_url / pg_url   one database kind only
  empty_sqlite_url / empty_pg_url   nothing in them (migration tests)
  hall          HallServices on a fresh demo hall (no traffic), ManualClock at 10:00 local
  clock         that ManualClock
  clerk / manager / admin   Actors from the demo hall (1001 at counter 1, 2001, 9001)
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HALL_LOG_DIR", "/tmp/hall-app-test-logs")
# Day-close backups (and anything else "in the user's data folder") stay out of $HOME.
os.environ.setdefault("HALL_DATA_DIR", "/tmp/hall-app-test-data")

PG_URL = os.environ.get("HALL_TEST_PG_URL", "")
PG_SKIP_REASON = (
    "PostgreSQL not available: set HALL_TEST_PG_URL (e.g. start one with "
    "`bash .ci/start_pg.sh`) to run the PostgreSQL tests"
)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday, inside the demo hall's opening hours (08:30-18:00).
DEMO_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"postgresql: {'HALL_TEST_PG_URL set' if PG_URL else PG_SKIP_REASON}"]


def _pg_admin_conninfo() -> str:
    from sqlalchemy.engine import make_url

    admin = make_url(PG_URL).set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False)


def _pg_url_for(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _create_pg_database(template: str | None = None) -> str:
    import psycopg

    name = f"hall_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    return name


def _drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed(url: str) -> None:
    from db.engine import Database
    from db.migrate import upgrade
    from hall_app.demo.seed import ensure_demo_hall

    database = Database(url)
    upgrade(database)
    ensure_demo_hall(database)
    database.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("template") / "demo.db"
    _seed(f"sqlite+pysqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    name = _create_pg_database()
    _seed(_pg_url_for(name))
    yield name
    _drop_pg_database(name)


@pytest.fixture
def empty_sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite+pysqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    name = _create_pg_database()
    try:
        yield _pg_url_for(name)
    finally:
        _drop_pg_database(name)


@pytest.fixture
def sqlite_url(tmp_path, _sqlite_template) -> str:  # type: ignore[no-untyped-def]
    """A migrated SQLite database holding the demo hall's configuration (no traffic)."""
    path = tmp_path / "hall.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite+pysqlite:///{path}"


@pytest.fixture
def pg_url(_pg_template) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A migrated PostgreSQL database holding the demo hall's configuration."""
    name = _create_pg_database(template=_pg_template)
    try:
        yield _pg_url_for(name)
    finally:
        _drop_pg_database(name)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


def make_hall(url: str, clock=None):  # type: ignore[no-untyped-def]
    """HallServices on `url` with the demo hall's configuration and no traffic."""
    from db.engine import Database
    from db.migrate import upgrade
    from hall_app.clock import ManualClock
    from hall_app.config import Settings
    from hall_app.demo.seed import ensure_demo_hall
    from hall_app.services import HallServices
    from hall_app.services.context import ServiceContext

    database = Database(url)
    upgrade(database)  # a no-op on the seeded fixtures
    ensure_demo_hall(database)
    clock = clock or ManualClock(DEMO_NOW)
    # The demo hall's staff keep the demo's default PINs: run it as the demo does.
    return HallServices(ServiceContext(database, Settings(database_url=url, demo=True), clock,
                                       "DEMO"))


@pytest.fixture
def hall(db_url):  # type: ignore[no-untyped-def]
    services = make_hall(db_url)
    yield services
    services.close()


@pytest.fixture
def clock(hall):  # type: ignore[no-untyped-def]
    return hall.ctx.clock


@pytest.fixture
def clerk(hall):  # type: ignore[no-untyped-def]
    return hall.auth.login("1001", "1234")


@pytest.fixture
def manager(hall):  # type: ignore[no-untyped-def]
    return hall.auth.login("2001", "2468")


@pytest.fixture
def admin(hall):  # type: ignore[no-untyped-def]
    return hall.auth.login("9001", "9999")


@pytest.fixture(autouse=True)
def _window_tests_collect_garbage_between_tests(request) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Window tests (tests/ui) run with Python's cyclic garbage collector off; their
    garbage is collected after the test, once every operation has been delivered.

    A collection while an operation ran on a pool thread ended a run with a segmentation
    fault (the GUI thread "Garbage-collecting" during a login's operation). The product
    collects on the GUI thread between operations (ui/gc_guard.py). Afterwards the
    collector is on again for whatever runs next on the worker.
    """
    import gc

    if "ui" not in Path(str(request.node.path)).relative_to(Path(__file__).parent).parts[:1]:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        from ui import ops

        ops.wait_idle(5000)
        gc.collect()
        gc.enable()
