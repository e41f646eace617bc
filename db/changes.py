"""Change feeds for both databases (implementations of hall_app.changes.ChangeFeed).

SQLite: a dedicated connection reads `PRAGMA data_version`, which moves whenever any
other connection commits; it reads it as soon as the database's WAL file is written
(inotify on its folder, db.wal_watch) and, where no watch can be had, every
`interval` seconds. PostgreSQL: a dedicated psycopg connection LISTENs on the
channel and wakes as soon as a notice arrives. Connection problems are raised as
`FeedUnavailable`; the core maps them to its Chinese `DatabaseUnavailable`.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from db.notify import CHANNEL
from db.wal_watch import WalWatcher

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
        self._watcher: WalWatcher | None = None
        self._watch_tried = False
        # SQLite gives no topic: every change may concern the window.
        self.last_topics: frozenset[str] | None = None

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
            if not self._watch_tried:
                self._watch_tried = True
                self._watcher = WalWatcher.open(self.path)
            if self._watcher is not None:
                # Every change is reported at once; how often a window reloads during a
                # burst of writes is the reader's choice (ui.live.LiveFeed paces itself).
                self._watcher.wait(min(self.interval, remaining))
            else:
                time.sleep(min(self.interval, remaining))

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
            self._watch_tried = False
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
        self.last_topics: frozenset[str] | None = None

    def _connect(self) -> None:
        import psycopg

        conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
        self._conn = conn
        conn.execute(f"LISTEN {CHANNEL}")

    def _relevant(self, payload: str, topics: set[str] | None) -> bool:
        """Whether a notice concerns this hall; its topic ("*" if none) goes into `topics`."""
        hall, _, topic = payload.partition(":")
        if self.hall_id is not None and hall not in ("", "*", str(self.hall_id)):
            return False
        if topics is not None:
            topics.add(topic or "*")
        return True

    def wait_for_change(self, timeout: float) -> bool:
        """As the protocol; afterwards `last_topics` holds the topics of the notices
        heard (None when one carried no topic, or after a reconnect: anything may
        have changed)."""
        import psycopg

        try:
            fresh = self._conn is None
            if fresh:
                self._connect()
            assert self._conn is not None
            changed = False
            topics: set[str] = set()
            for note in self._conn.notifies(timeout=timeout, stop_after=1):
                changed = self._relevant(note.payload, topics) or changed
            # Drain whatever else already arrived, without waiting.
            for note in self._conn.notifies(timeout=0.001):
                changed = self._relevant(note.payload, topics) or changed
            self.last_topics = None if fresh or "*" in topics else frozenset(topics)
            return changed or fresh
        except psycopg.Error as exc:
            self.close()
            self.last_topics = None
            raise FeedUnavailable(str(exc).split("\n")[0]) from exc

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None
