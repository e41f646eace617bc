"""Engine and session setup for SQLite (embedded, WAL) and PostgreSQL (psycopg 3).

`Database` owns one engine and hands out units of work:

* `db.write()` — one transaction for one user action. On SQLite it starts with
  `BEGIN IMMEDIATE`, so the write lock is taken before anything is read and two
  counters can never read the same "next" ticket. On PostgreSQL row locks do that
  job: call-next claims with `FOR UPDATE SKIP LOCKED` (`db.queue`), the other ticket
  transitions lock their row with `FOR UPDATE` (`db.ticket_writes.lock_ticket`).
* `db.single_statement()` — an autocommit connection for one self-contained statement
  (PostgreSQL's one-statement call-next).
* `db.read()` — a read-only transaction (deferred on SQLite).

Connection problems surface as `hall_app`-independent SQLAlchemy errors here; the core
turns them into `DatabaseUnavailable` with a Chinese message. Every engine hides bound
parameters in its error messages (`hide_parameters=True`): a failed statement must never
put a customer's phone number or name into a log. An SQLite database file is private
(0600 in a 0700 folder on POSIX, `db.private_files`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from db.history_chain import register_sqlite_functions
from db.private_files import private_dir, private_file

SQLITE_BUSY_TIMEOUT_S = 30.0


def redact_url(url: str | URL) -> str:
    """The URL with its password hidden, for logs and error messages."""
    try:
        return make_url(str(url)).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", str(url))


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the driver would defer it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cur.close()
        register_sqlite_functions(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """Create the engine for `url` with the per-database settings the app relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            if not path.parent.exists():
                private_dir(path.parent)
            private_file(path)
        engine = create_engine(
            parsed,
            echo=echo,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        _setup_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            echo=echo,
            pool_size=pool_size,
            pool_pre_ping=True,
            hide_parameters=True,
            connect_args={"connect_timeout": 5},
        )
    return create_engine(parsed, echo=echo, hide_parameters=True)


class Database:
    """One engine plus the unit-of-work helpers the core services use."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.dialect = self.engine.dialect.name
        self._writer = sessionmaker(bind=self.engine, expire_on_commit=False)
        reader_engine = (
            self.engine.execution_options(sqlite_begin="DEFERRED")
            if self.dialect == "sqlite"
            else self.engine
        )
        self._reader = sessionmaker(bind=reader_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commit on success, roll back on any error."""
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def single_statement(self) -> Iterator[Connection]:
        """A connection in autocommit mode: each statement is its own transaction.

        Only for statements that are atomic on their own (PostgreSQL's one-statement
        call-next); saves the BEGIN and COMMIT round trips.
        """
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({redact_url(self.url)})"
