"""Change notices: a write by another workstation wakes the feed; silence times out."""

from __future__ import annotations

import threading
import time

from conftest import make_hall


def test_feed_wakes_on_another_workstations_change(db_url):
    watcher = make_hall(db_url)
    writer = make_hall(db_url)
    pay = next(s.id for s in writer.queries.services() if s.code == "PAY")
    feed = watcher.change_feed(interval=0.05)
    try:
        feed.wait_for_change(0.2)  # first call: connect / take the baseline
        assert feed.wait_for_change(0.3) is False  # nothing happened
        timer = threading.Timer(0.2, lambda: writer.tickets.issue(pay))
        timer.start()
        t0 = time.monotonic()
        assert feed.wait_for_change(5.0) is True
        assert time.monotonic() - t0 < 2.0
        timer.join()
    finally:
        feed.close()
        watcher.close()
        writer.close()


def test_postgres_notice_is_sent_only_on_commit(pg_url):
    watcher = make_hall(pg_url)
    writer = make_hall(pg_url)
    feed = watcher.change_feed()
    try:
        feed.wait_for_change(0.2)
        pay = next(s.id for s in writer.queries.services() if s.code == "PAY")
        try:
            with writer.ctx.write() as s:
                writer.ctx.notify(s, "tickets")
                raise RuntimeError("abort before commit")
        except RuntimeError:
            pass
        assert feed.wait_for_change(0.5) is False
        writer.tickets.issue(pay)
        assert feed.wait_for_change(2.0) is True
    finally:
        feed.close()
        watcher.close()
        writer.close()


def test_sqlite_feed_wakes_on_the_wal_write_not_at_its_poll(tmp_path):
    """The poll interval is 60 s here: only the WAL watch can see the commit in time."""
    from pathlib import Path

    from db.changes import SQLitePollFeed
    from db.wal_watch import WalWatcher

    url = f"sqlite:///{tmp_path / 'hall.db'}"
    watcher_hall = make_hall(url)
    writer = make_hall(url)
    pay = next(s.id for s in writer.queries.services() if s.code == "PAY")
    path = str(Path(tmp_path / "hall.db"))
    probe = WalWatcher.open(path)
    assert probe is not None, "inotify is available on Linux: the feed must not fall back"
    probe.close()
    feed = SQLitePollFeed(path, interval=60.0)
    try:
        feed.wait_for_change(0)  # baseline
        timer = threading.Timer(0.2, lambda: writer.tickets.issue(pay))
        timer.start()
        t0 = time.monotonic()
        assert feed.wait_for_change(30.0) is True
        assert time.monotonic() - t0 < 15.0  # a 60 s poll could not have seen it yet
        timer.join()
        assert feed.last_topics is None  # SQLite names no topic: windows reload all
    finally:
        feed.close()
        watcher_hall.close()
        writer.close()


def test_postgres_feed_says_which_topics_changed(pg_url):
    from hall_app.changes import FLOOR_TOPICS, concerns

    watcher = make_hall(pg_url)
    writer = make_hall(pg_url)
    feed = watcher.change_feed()
    try:
        feed.wait_for_change(0.2)
        with writer.ctx.write() as s:
            writer.ctx.notify(s, "complaints")
        assert feed.wait_for_change(2.0) is True
        assert feed.last_topics == frozenset({"complaints"})
        assert not concerns(feed.last_topics, FLOOR_TOPICS)  # the kiosk does not reload
        pay = next(s.id for s in writer.queries.services() if s.code == "PAY")
        writer.tickets.issue(pay)
        assert feed.wait_for_change(2.0) is True
        assert "tickets" in feed.last_topics and concerns(feed.last_topics, FLOOR_TOPICS)
    finally:
        feed.close()
        watcher.close()
        writer.close()
