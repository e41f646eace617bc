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

Waiting for SQLite's write lock (`begin_immediate`): SQLite's own busy handler sleeps
in growing steps (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, then 100 ms), so a writer that
had waited a while slept through many releases of the lock while newcomers took it:
with 8 busy counters some calls took 1-6 s. Here BEGIN IMMEDIATE is tried once at once
(through SQLAlchemy, so its events see it); when the lock is taken, the writer queues on
a file lock beside the database (`<database>-writers`, flock, POSIX): the writers waiting
sleep in the kernel, and only the one at the head retries BEGIN IMMEDIATE, every 0.1 ms,
then leaves the queue as soon as it holds SQLite's lock. So the lock is handed on within
a fraction of a millisecond, in about the order the writers came, and the writers
waiting cost no CPU (on 2 shared cores, eight writers retrying on their own took the
CPU the one holding the lock needed). Without flock (Windows), or when the file cannot be
opened, every waiting writer retries on its own, more often the longer it has waited.
Either way the connection's `busy_timeout` (30 s) stays for everything else (reads),
and a writer still without the write lock 30 s after it asked (checked at each retry,
and as soon as it reaches the head of the queue) gets SQLite's busy error.
Correctness never depends on the queue: SQLite's lock is what excludes writers (other
programs writing the database simply do not queue).

Connection problems surface as `hall_app`-independent SQLAlchemy errors here; the core
turns them into `DatabaseUnavailable` with a Chinese message. Every engine hides bound
parameters in its error messages (`hide_parameters=True`): a failed statement must never
put a customer's phone number or name into a log. An SQLite database file is private
(0600 in a 0700 folder on POSIX, `db.private_files`).
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from db.history_chain import register_sqlite_functions
from db.private_files import private_dir, private_file

SQLITE_BUSY_TIMEOUT_S = 30.0
# Retrying BEGIN IMMEDIATE: at the head of the writers' queue every 0.1 ms; without the
# queue after about 1 ms, then more often the longer the writer has waited
# (1 ms / (1 + waited / 1 ms)), never more often than every 0.1 ms.
_RETRY_FIRST_S = 0.001
_RETRY_MIN_S = 0.0001
_SQLITE_BUSY = 5
# Where a pooled connection keeps its descriptor of the writers' queue file.
_QUEUE_FD = "hall_writers_queue_fd"


def redact_url(url: str | URL) -> str:
    """The URL with its password hidden, for logs and error messages."""
    try:
        return make_url(str(url)).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", str(url))


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def _setup_sqlite(engine: Engine, queue_path: str | None = None) -> None:
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
        if mode != "IMMEDIATE":
            conn.exec_driver_sql(f"BEGIN {mode}")
            return
        begin_immediate(conn.connection.dbapi_connection,
                        lambda: conn.exec_driver_sql("BEGIN IMMEDIATE"),
                        queue_fd=_queue_fd(conn.connection.info, queue_path))

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_conn: Any, record: Any) -> None:
        fd = record.info.pop(_QUEUE_FD, None)
        if fd is not None:
            os.close(fd)


def writers_queue_path(database: str) -> str | None:
    """The writers' queue file of an SQLite database file (None: in memory)."""
    return None if not database or database == ":memory:" else f"{database}-writers"


def _queue_fd(info: dict[str, Any], path: str | None) -> int | None:
    """The pooled connection's descriptor of the writers' queue file (opened once, closed
    with the connection), or None: no flock here, or the file cannot be opened."""
    if fcntl is None or path is None:
        return None
    fd = info.get(_QUEUE_FD)
    if fd is None:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError:
            return None
        info[_QUEUE_FD] = fd
    return int(fd)


def _busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF == _SQLITE_BUSY
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


def begin_immediate(dbapi_conn: Any, first: Callable[[], Any] | None = None, *,
                    queue_fd: int | None = None,
                    timeout_s: float = SQLITE_BUSY_TIMEOUT_S) -> None:
    """BEGIN IMMEDIATE on an SQLite DB-API connection, waiting for the write lock as the
    module docstring says: `first` makes the first try (and the last one, whose busy
    error is raised after `timeout_s`); `queue_fd` is the writers' queue file."""
    def plain() -> None:
        dbapi_conn.execute("BEGIN IMMEDIATE")

    first = first or plain
    dbapi_conn.execute("PRAGMA busy_timeout = 0")  # a taken lock answers at once
    queued = False
    try:
        try:
            first()
            return
        except Exception as exc:
            if not _busy(exc):
                raise
        started = time.monotonic()
        if queue_fd is not None and fcntl is not None:
            fcntl.flock(queue_fd, fcntl.LOCK_EX)  # asleep until the writers ahead leave
            queued = True
        while True:
            waited = time.monotonic() - started
            if waited >= timeout_s:
                first()  # raises the busy error (or, just freed, takes the lock)
                return
            interval = _RETRY_MIN_S if queued else max(
                _RETRY_MIN_S, _RETRY_FIRST_S / (1.0 + waited / _RETRY_FIRST_S))
            time.sleep(interval * random.uniform(0.75, 1.25))
            try:
                plain()
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
    finally:
        if queued:
            fcntl.flock(queue_fd, fcntl.LOCK_UN)  # type: ignore[arg-type]
        dbapi_conn.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")


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
        _setup_sqlite(engine, writers_queue_path(parsed.database or ""))
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
        if self.dialect == "postgresql":
            from db.models import add_postgresql_index_options

            add_postgresql_index_options()

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
