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
