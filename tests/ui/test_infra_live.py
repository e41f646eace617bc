"""LiveFeed with a fake change feed and a fake load(): no database needed."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from hall_app.errors import DatabaseUnavailable  # noqa: E402
from ui.live import LiveFeed  # noqa: E402


class FakeFeed:
    """Change feed driven by the test: `change()` fires a notice, `down` makes it raise."""

    def __init__(self) -> None:
        self.down = False
        self.closed_in: threading.Thread | None = None
        self.used_in: set[threading.Thread] = set()
        self.waits = 0  # how often the worker came round to the feed
        self.last_topics: frozenset[str] | None = None
        self._changed = threading.Event()

    def change(self) -> None:
        self._changed.set()

    def wait_for_change(self, timeout: float) -> bool:
        self.used_in.add(threading.current_thread())
        self.waits += 1
        if self.down:
            raise DatabaseUnavailable()
        fired = self._changed.wait(timeout)
        self._changed.clear()
        return fired

    def close(self) -> None:
        self.closed_in = threading.current_thread()


class FakeLoad:
    def __init__(self) -> None:
        self.count = 0
        self.calls = 0  # attempts, failed ones included
        self.threads: set[threading.Thread] = set()
        self.error: BaseException | None = None

    def __call__(self) -> dict:
        self.threads.add(threading.current_thread())
        self.calls += 1
        if self.error is not None:
            raise self.error
        self.count += 1
        return {"version": self.count}


@pytest.fixture
def feeds(qapp):
    made: list[LiveFeed] = []

    def make(feed, load, **kwargs) -> LiveFeed:
        kwargs.setdefault("poll_timeout", 0.02)
        kwargs.setdefault("backoff", (0.02, 0.05))
        live = LiveFeed(feed, load, **kwargs)
        made.append(live)
        return live

    yield make
    for live in made:
        assert live.stop(timeout=3)
        assert not live.is_running()


def _collect(live: LiveFeed) -> list[tuple]:
    events: list[tuple] = []
    live.snapshot.connect(lambda data: events.append(("snapshot", data, threading.current_thread())))
    live.connection_lost.connect(lambda msg: events.append(("lost", msg)))
    live.connection_restored.connect(lambda: events.append(("restored",)))
    live.load_failed.connect(lambda msg: events.append(("load_failed", msg)))
    return events


def worker_went_round(qtbot, feed: FakeFeed, times: int = 3) -> None:
    """Wait until the worker has come back to the feed `times` more times, then deliver
    whatever it emitted meanwhile: anything it was going to say has been said."""
    target = feed.waits + times
    qtbot.waitUntil(lambda: feed.waits >= target, timeout=3000)
    QCoreApplication.processEvents()


def _snapshots(events: list[tuple]) -> list:
    return [e[1] for e in events if e[0] == "snapshot"]


def test_initial_snapshot_loaded_in_worker_delivered_on_gui(qtbot, feeds) -> None:
    feed, load = FakeFeed(), FakeLoad()
    live = feeds(feed, load)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)
    assert events[0][:2] == ("snapshot", {"version": 1})
    assert events[0][2] is threading.main_thread()
    assert threading.main_thread() not in load.threads
    assert threading.main_thread() not in feed.used_in


def test_change_and_refresh_trigger_reload(qtbot, feeds) -> None:
    feed, load = FakeFeed(), FakeLoad()
    live = feeds(feed, load)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(_snapshots(events)) == 1, timeout=2000)
    feed.change()
    qtbot.waitUntil(lambda: len(_snapshots(events)) == 2, timeout=2000)
    live.request_refresh()
    qtbot.waitUntil(lambda: len(_snapshots(events)) == 3, timeout=2000)
    worker_went_round(qtbot, feed)
    assert _snapshots(events) == [{"version": 1}, {"version": 2}, {"version": 3}]


def test_safety_interval_reloads_without_notices(qtbot, feeds) -> None:
    live = feeds(FakeFeed(), FakeLoad(), safety_interval=0.1)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(_snapshots(events)) >= 3, timeout=3000)


def test_feed_down_reports_once_and_recovers(qtbot, feeds) -> None:
    feed, load = FakeFeed(), FakeLoad()
    live = feeds(feed, load)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)
    feed.down = True
    qtbot.waitUntil(lambda: not live.connected, timeout=2000)
    worker_went_round(qtbot, feed)  # retries happen meanwhile ...
    assert [e[0] for e in events] == ["snapshot", "lost"]  # ... but one notice
    assert events[1][1] == "数据库连接中断,正在重试…"
    feed.down = False
    qtbot.waitUntil(lambda: len(events) == 4, timeout=2000)
    assert [e[0] for e in events] == ["snapshot", "lost", "restored", "snapshot"]
    assert live.connected


def test_load_operational_error_counts_as_lost(qtbot, feeds) -> None:
    from sqlalchemy.exc import OperationalError

    load = FakeLoad()
    load.error = OperationalError("SELECT", {}, Exception("could not connect to server"))
    feed = FakeFeed()
    live = feeds(feed, load)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)
    worker_went_round(qtbot, feed)  # retries, still down
    assert [e[0] for e in events] == ["lost"]
    load.error = None
    qtbot.waitUntil(lambda: len(events) == 3, timeout=2000)
    assert [e[0] for e in events] == ["lost", "restored", "snapshot"]


def test_feed_factory_runs_in_worker_and_may_fail_first(qtbot, feeds) -> None:
    feed = FakeFeed()
    attempts: list[threading.Thread] = []

    def factory() -> FakeFeed:
        attempts.append(threading.current_thread())
        if len(attempts) == 1:
            raise DatabaseUnavailable()
        return feed

    live = feeds(factory, FakeLoad())
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 3, timeout=2000)
    assert [e[0] for e in events] == ["lost", "restored", "snapshot"]
    assert threading.main_thread() not in attempts


def test_unexpected_load_error_reported_once_and_no_crash(qtbot, feeds) -> None:
    feed, load = FakeFeed(), FakeLoad()
    load.error = ValueError("bug")
    live = feeds(feed, load)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)
    for attempt in (2, 3, 4):
        feed.change()
        qtbot.waitUntil(lambda attempt=attempt: load.calls == attempt, timeout=2000)
    worker_went_round(qtbot, feed)
    assert events == [("load_failed", "操作失败,请重试或联系值班长")]
    load.error = None
    live.request_refresh()
    qtbot.waitUntil(lambda: len(events) == 2, timeout=2000)
    assert events[1][:2] == ("snapshot", {"version": 1})


def test_stop_ends_thread_and_closes_feed_in_worker(qtbot, feeds) -> None:
    feed, load = FakeFeed(), FakeLoad()
    live = feeds(feed, load)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)
    assert live.stop(timeout=2)
    assert not live.is_running()
    assert feed.closed_in is not None and feed.closed_in is not threading.main_thread()
    count = len(events)
    feed.change()
    QCoreApplication.processEvents()  # the thread has ended: nothing more can come
    assert len(events) == count


def test_a_closing_window_does_not_wait_for_a_load_in_progress(qtbot, feeds) -> None:
    """stop_soon() (what closeEvent calls) returns while the worker is still inside a
    slow load; the worker ends afterwards and delivers nothing more."""
    entered, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow_load() -> int:
        calls.append(1)
        if len(calls) == 2:
            entered.set()
            release.wait(10)
        return len(calls)

    live = feeds(FakeFeed(), slow_load)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)
    live.request_refresh()
    assert entered.wait(5)
    live.stop_soon()
    assert live.is_running() and not release.is_set()  # returned without waiting
    release.set()
    qtbot.waitUntil(lambda: not live.is_running(), timeout=3000)
    QCoreApplication.processEvents()
    assert len(events) == 1  # the load finished after the stop was not delivered


def test_a_window_reloads_only_for_the_topics_it_shows(qtbot, feeds) -> None:
    """The kiosk (FLOOR_TOPICS) is not reloaded by a complaint note; a call reloads it,
    and so does a change of unknown topic (SQLite)."""
    from hall_app.changes import FLOOR_TOPICS

    feed, load = FakeFeed(), FakeLoad()
    live = feeds(feed, load, topics=FLOOR_TOPICS, safety_interval=60.0)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)

    feed.last_topics = frozenset({"complaints"})
    feed.change()
    qtbot.waitUntil(lambda: live.skipped == 1, timeout=2000)
    assert len(events) == 1
    feed.last_topics = frozenset({"complaints", "tickets"})
    feed.change()
    qtbot.waitUntil(lambda: len(events) == 2, timeout=2000)
    feed.last_topics = None
    feed.change()
    qtbot.waitUntil(lambda: len(events) == 3, timeout=2000)
    assert live.skipped == 1


def test_stop_before_start_is_harmless(qapp) -> None:
    live = LiveFeed(FakeFeed(), FakeLoad())
    assert live.stop()
    live.start()  # ignored after stop
    assert not live.is_running()


def test_change_committed_right_after_the_first_read_is_not_missed(qtbot, feeds, tmp_path):
    """Another workstation commits just after the window's first snapshot was read: the
    feed's baseline was taken before the read, so the change brings a second snapshot
    (not one only at the 30 s safety refresh)."""
    import sqlite3

    from db.changes import SQLitePollFeed

    path = tmp_path / "race.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")

    def load() -> int:
        with sqlite3.connect(path) as conn:
            value = conn.execute("SELECT v FROM t").fetchone()[0]
        if value == 1:  # the other workstation's commit lands right after our read
            with sqlite3.connect(path) as other:
                other.execute("UPDATE t SET v = 2")
        return int(value)

    live = feeds(lambda: SQLitePollFeed(str(path), interval=0.01), load,
                 safety_interval=30.0)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: _snapshots(events) == [1, 2], timeout=5000)


class CountingEvent(threading.Event):
    """threading.Event that counts how often a thread waited on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waited = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waited += 1
        return super().wait(timeout)


def test_a_busy_window_is_handed_one_snapshot_at_a_time(qtbot, feeds) -> None:
    """While the GUI thread has not shown the last snapshot (a burst of writes, a slow
    repaint), further changes load nothing; once it is shown, one load covers them all.
    Without this the demo's overview fell behind for good (snapshots queued faster than
    they were painted)."""
    feed, load = FakeFeed(), FakeLoad()
    live = feeds(feed, load, safety_interval=60.0)
    live._shown = shown = CountingEvent()
    shown.set()
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)
    feed.change()
    # The second load is done and queued for the GUI thread, which is not looking yet.
    deadline = threading.Event()
    for _ in range(200):
        if load.count == 2:
            break
        deadline.wait(0.01)
    assert load.count == 2
    for _ in range(5):
        feed.change()
        before = shown.waited
        for _ in range(400):  # the worker waits for the GUI, not loading
            if shown.waited > before:
                break
            deadline.wait(0.005)
    assert load.count == 2 and len(events) == 1
    # The GUI thread shows snapshot 2; the worker then loads once for the five changes.
    qtbot.waitUntil(lambda: len(_snapshots(events)) == 3, timeout=2000)
    worker_went_round(qtbot, feed)
    assert _snapshots(events) == [{"version": 1}, {"version": 2}, {"version": 3}]
    assert load.count == 3


def test_no_reload_starts_while_the_windows_own_action_runs(qtbot, feeds) -> None:
    """F1 first: while the clerk's call is on the window's lane (and while its result is
    painted), a change notice does not start a reload that would compete with it."""
    from PySide6.QtWidgets import QWidget

    from ui import ops

    window = QWidget()
    qtbot.addWidget(window)
    running = ops.actions_running(window)
    asked: list[bool] = []

    def probe() -> bool:
        answer = running()
        asked.append(answer)
        return answer

    feed, load = FakeFeed(), FakeLoad()
    live = feeds(feed, load, safety_interval=60.0, yield_to=probe)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(events) == 1, timeout=2000)
    inside, release = threading.Event(), threading.Event()

    def the_call() -> str:
        inside.set()
        release.wait(5)
        return "A001"

    handle = ops.run_op(the_call, parent=window)
    assert inside.wait(5)
    feed.change()
    qtbot.waitUntil(lambda: asked.count(True) >= 5, timeout=2000)
    assert load.count == 1  # the worker is holding its reload for the action
    release.set()
    handle.wait()
    qtbot.waitUntil(lambda: load.count == 2, timeout=2000)  # then one reload follows
    assert asked[-1] is False
    window.close()


def test_action_services_are_warmed_once_off_the_gui_thread_after_the_first_snapshot(
        qtbot, feeds) -> None:
    from ui import ops
    from ui.live import warm_after_first_snapshot

    feed, load = FakeFeed(), FakeLoad()
    live = feeds(feed, load, safety_interval=60.0)
    warmed: list[threading.Thread] = []
    shown: list[int] = []
    live.snapshot.connect(lambda data: shown.append(len(warmed)))
    warm_after_first_snapshot(live, lambda: warmed.append(threading.current_thread()))
    live.start()
    qtbot.waitUntil(lambda: len(warmed) == 1, timeout=2000)
    assert shown[0] == 0  # the first snapshot was shown before anything was warmed
    assert warmed[0] is not threading.main_thread()
    feed.change()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=2000)
    ops.wait_idle()
    assert len(warmed) == 1  # once, not on every refresh


def test_the_first_snapshot_is_shown_before_the_day_check_and_a_close_reloads(
        qtbot, feeds) -> None:
    """`before_load` (the windows' day-close tick) runs after the first snapshot has been
    shown, not before it; before every later load as before; and when the first check
    closed something (returns it), the next snapshot follows without a notice."""
    feed, load = FakeFeed(), FakeLoad()
    checks: list[int] = []  # how many snapshots had been loaded when the check ran
    closed = [["2026-12-03"]]  # the first check closes yesterday, later ones nothing

    def tick() -> list[str]:
        checks.append(load.count)
        return closed.pop() if closed else []

    live = feeds(feed, load, before_load=tick)
    events = _collect(live)
    live.start()
    qtbot.waitUntil(lambda: len(_snapshots(events)) >= 2, timeout=3000)
    # The first check came after the first load; the reload after it had its own check.
    assert checks[:2] == [1, 1]
    worker_went_round(qtbot, feed)
    assert _snapshots(events) == [{"version": 1}, {"version": 2}]  # no notice, one reload
    feed.change()
    qtbot.waitUntil(lambda: len(_snapshots(events)) == 3, timeout=2000)
    assert checks == [1, 1, 2]
