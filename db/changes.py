"""Change feeds for both databases (implementations of hall_app.changes.ChangeFeed).

SQLite: a dedicated connection polls `PRAGMA data_version`, which moves whenever any
other connection commits. PostgreSQL: a dedicated psycopg connection LISTENs on the
channel and wakes as soon as a notice arrives. Connection problems are raised as
`FeedUnavailable`; the core maps them to its Chinese `DatabaseUnavailable`.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from db.notify import CHANNEL

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow


class FeedUnavailable(Exception):
    """The feed's connection is down."""


class SQLitePollFeed:
    def __init__(self, path: str, interval: float = 1.0) -> None:
        self.path = path
        self.interval = interval
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None

    def _version_now(self) -> int:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
            self._conn.isolation_level = None
        row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def wait_for_change(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                version = self._version_now()
            except sqlite3.Error as exc:
                self.close()
                raise FeedUnavailable(str(exc)) from exc
            if self._version is None:
                self._version = version
            elif version != self._version:
                self._version = version
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(self.interval, remaining))

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


class PostgresListenFeed:
    def __init__(self, url: str, hall_id: int | None = None) -> None:
        parsed = make_url(url)
        self._conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self.hall_id = hall_id
        self._conn: psycopg.Connection[TupleRow] | None = None

    def _connect(self) -> None:
        import psycopg

        conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
        self._conn = conn
        conn.execute(f"LISTEN {CHANNEL}")

    def _relevant(self, payload: str) -> bool:
        if self.hall_id is None:
            return True
        hall, _, _topic = payload.partition(":")
        return hall in ("", "*", str(self.hall_id))

    def wait_for_change(self, timeout: float) -> bool:
        import psycopg

        try:
            fresh = self._conn is None
            if fresh:
                self._connect()
            assert self._conn is not None
            changed = False
            for note in self._conn.notifies(timeout=timeout, stop_after=1):
                changed = changed or self._relevant(note.payload)
            # Drain whatever else already arrived, without waiting.
            for note in self._conn.notifies(timeout=0.001):
                changed = changed or self._relevant(note.payload)
            return changed or fresh
        except psycopg.Error as exc:
            self.close()
            raise FeedUnavailable(str(exc).split("\n")[0]) from exc

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None
