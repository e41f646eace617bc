"""Keep a window's data fresh from a worker thread, and say so when the database is gone.

A window gives a change feed and a ``load()`` callable (a core service call that
returns an immutable snapshot); ``LiveFeed`` calls ``load()`` in its own thread
once at start, after every change notice, after ``request_refresh()`` and every
``safety_interval`` seconds, and hands the result to the GUI thread::

    self.live = LiveFeed(lambda: make_change_feed(config), lambda: overview.snapshot(hall_id), parent=self)
    self.live.snapshot.connect(self.apply_snapshot)
    self.live.connection_lost.connect(self.banner.on_connection_lost)
    self.live.connection_restored.connect(self.banner.on_connection_restored)
    self.live.start()
    ...
    def closeEvent(self, event):
        self.live.stop_soon()   # never waits: the worker ends on its own

When the feed or ``load()`` raises ``DatabaseUnavailable`` (the core's error for a lost
connection; a raw driver error is mapped the same way, ``ui.ops.as_known_error``),
``connection_lost`` is emitted once, the worker retries with growing pauses, and on
recovery emits ``connection_restored`` followed by a fresh snapshot. Any other error —
a constraint the database refused, a full disk, a bug — is not a lost connection: it is
logged and reported once (``load_failed``, with its own message when the core gave
one), and the worker keeps trying at the longest pause only. The feed is created, used
and closed in the worker thread (SQLite connections must stay in their thread).
``topics`` (optional): the change-notice topics this window shows
(``hall_app.changes.FLOOR_TOPICS``); a notice about anything else is not a reason to
reload (the safety interval still is).
``before_load`` (optional) runs in the same worker before every load but the first, and
right after the first snapshot is handed over: the windows pass ``services.days.tick``
there, so whichever workstation is running closes the business day when it is due, off
the GUI thread, and a window's first screen does not wait for the check (when it closed
something, the next snapshot follows at once).

Pacing: the GUI thread takes one snapshot at a time. The worker loads again only after
the window has shown the previous snapshot, and, during a burst of changes, no sooner
than the last cycle (load, queue, show) took again (``PACE_FACTOR``, at most
``MAX_PACE`` s). A change after a quiet spell is loaded at once; a burst (the demo at
600x, a hall at its busiest) is coalesced into as many snapshots as the window can show
while still spending at least half its time on its clerk. And the clerk's own action
comes first: no reload starts while the window has an operation queued or running on
its lane, or for ``ui.ops.ACTION_GRACE_S`` after one (its result is being painted), for
at most ``MAX_YIELD`` s.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal

from hall_app.changes import ChangeFeed, concerns
from hall_app.errors import DatabaseUnavailable, HallError, SessionExpired
from ui.ops import GENERIC_FAILURE, actions_running, as_known_error, is_connection_error

log = logging.getLogger(__name__)

DEFAULT_BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0)
PACE_FACTOR = 1.0  # pause between loads in a burst, as a multiple of the last cycle
MAX_PACE = 1.0  # seconds: the longest such pause
#: The longest a reload waits for the window's own actions (then it loads regardless).
MAX_YIELD = 1.0


def _feed_factory(feed: ChangeFeed | Callable[[], ChangeFeed]) -> Callable[[], ChangeFeed]:
    """Always a factory: a feed given as such is what it returns; a factory is used as is."""
    if hasattr(feed, "wait_for_change"):  # ChangeFeed is a Protocol: no isinstance
        given = cast(ChangeFeed, feed)
        return lambda: given
    return cast(Callable[[], ChangeFeed], feed)


class LiveFeed(QObject):
    """Worker that turns change notices into snapshots for the GUI thread.

    Signals (delivered on the GUI thread):
      ``snapshot(object)``       the value returned by ``load()``;
      ``connection_lost(str)``   once per outage, with the Chinese message;
      ``connection_restored()``  once when the database answers again (a snapshot follows);
      ``load_failed(str)``       once per streak of unexpected ``load()`` errors (logged).

    A ``load()`` refused with ``SessionExpired`` (the window's login ended) is routed to
    the window (``parent``'s chain, ui/session.py) once per streak, not as a failure.
    """

    snapshot = Signal(object)
    connection_lost = Signal(str)
    connection_restored = Signal()
    load_failed = Signal(str)
    _session_expired = Signal(object)
    _deliver = Signal(object)  # worker -> GUI thread: a snapshot to show

    def __init__(
        self,
        feed: ChangeFeed | Callable[[], ChangeFeed],
        load: Callable[[], Any],
        *,
        poll_timeout: float = 0.5,
        safety_interval: float = 30.0,
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        name: str = "live",
        before_load: Callable[[], object] | None = None,
        topics: frozenset[str] | None = None,
        parent: QObject | None = None,
        yield_to: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        # The window's actions go first: no reload starts while one of them is queued or
        # running on its lane, or is being painted (at most MAX_YIELD s).
        self._yield_to = yield_to if yield_to is not None or parent is None \
            else actions_running(parent)
        self._make_feed = _feed_factory(feed)
        self._load = load
        self._before_load = before_load
        self._topics = topics  # None: every change reloads (hall_app.changes.concerns)
        self.skipped = 0  # change notices that concerned nothing this window shows
        self._poll_timeout = poll_timeout
        self._safety_interval = safety_interval if safety_interval > 0 else math.inf
        self._backoff = tuple(backoff) or DEFAULT_BACKOFF
        self._stop = threading.Event()
        self._wake = threading.Event()  # interrupts a retry pause (refresh or stop)
        self._refresh = threading.Event()
        self._connected = True
        # Pacing (worker and GUI thread): set while no snapshot waits to be shown.
        self._shown = threading.Event()
        self._shown.set()
        self._load_started = 0.0
        self._next_load_at = -math.inf
        self._thread = threading.Thread(target=self._run, name=f"hall-{name}", daemon=True)
        stop, wake, shown = self._stop, self._wake, self._shown  # no reference to self in the slot

        def stop_worker(*_: object) -> None:
            stop.set()
            wake.set()
            shown.set()

        self.destroyed.connect(stop_worker)
        self._session_expired.connect(self._route_session_expired)
        self._deliver.connect(self._show_snapshot)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    # --- GUI-thread API -------------------------------------------------------

    def start(self) -> None:
        """Start the worker (first snapshot follows at once). Idempotent."""
        if self._thread.ident is None and not self._stop.is_set():
            self._thread.start()

    def stop_soon(self) -> None:
        """Ask the worker to end and return at once (a closing window): it ends after
        the load or feed wait in progress, and emits nothing more."""
        self._stop.set()
        self._wake.set()
        self._shown.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Ask the worker to end and wait for it (at most one feed wait). True if it ended."""
        self._stop.set()
        self._wake.set()
        self._shown.set()
        if self._thread.ident is None or self._thread is threading.current_thread():
            return True
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("%s did not stop within %.1f s", self._thread.name, timeout)
            return False
        return True

    def request_refresh(self) -> None:
        """Reload soon (within one poll timeout), e.g. right after a local action."""
        self._refresh.set()
        self._wake.set()

    def is_running(self) -> bool:
        return self._thread.is_alive()

    @property
    def connected(self) -> bool:
        """False between ``connection_lost`` and ``connection_restored``."""
        return self._connected

    def _show_snapshot(self, data: object) -> None:
        """GUI thread: hand a snapshot to the window, then let the worker pace the next."""
        try:
            if not self._stop.is_set():
                self.snapshot.emit(data)
        finally:
            now = time.monotonic()
            self._next_load_at = now + min(MAX_PACE, PACE_FACTOR * (now - self._load_started))
            self._shown.set()

    def _route_session_expired(self, error: SessionExpired) -> None:
        from ui.session import route_session_expired

        route_session_expired(self.parent(), error)

    # --- worker thread --------------------------------------------------------

    def _emit(self, signal_name: str, *args: Any) -> None:
        if not self._stop.is_set() and shiboken6.isValid(self):
            getattr(self, signal_name).emit(*args)

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _await_turn(self) -> bool:
        """Wait until the window has shown the last snapshot and the pace allows the
        next load. True if the worker had to wait (changes may have come meanwhile)."""
        waited = False
        yield_until: float | None = None
        while not self._stop.is_set():
            if not self._shown.is_set():
                waited = True
                self._shown.wait(0.25)
                continue
            gap = self._next_load_at - time.monotonic()
            if gap > 0:
                waited = True
                self._stop.wait(gap)
                continue
            if self._yield_to is not None and self._yield_to():
                now = time.monotonic()
                yield_until = now + MAX_YIELD if yield_until is None else yield_until
                if now < yield_until:
                    waited = True
                    self._stop.wait(0.005)
                    continue
            break
        return waited

    def _run(self) -> None:
        feed: ChangeFeed | None = None
        need_load = True
        last_load = -math.inf
        attempt = 0
        failing = False  # inside a streak of unexpected load errors
        delivered = False  # a snapshot was handed to the window
        try:
            while not self._stop.is_set():
                try:
                    if feed is None:
                        feed = self._make_feed()
                        # The feed's baseline (SQLite's data_version, PostgreSQL's LISTEN)
                        # comes before the snapshot is read: a change committed between
                        # the read and the first wait would otherwise go unnoticed.
                        feed.wait_for_change(0)
                        need_load = True
                    if not self._connected:
                        feed.wait_for_change(0)  # probe: raises while still down
                        need_load = True
                    if self._refresh.is_set():
                        self._refresh.clear()
                        need_load = True
                    if need_load or time.monotonic() - last_load >= self._safety_interval:
                        if self._await_turn():
                            if self._stop.is_set():
                                break
                            # What changed while waiting is covered by the load below.
                            feed.wait_for_change(0)
                        need_load = False
                        last_load = self._load_started = time.monotonic()
                        if self._before_load is not None and delivered:
                            self._before_load()  # e.g. close the business day if it is due
                        data = self._load()
                        attempt = 0
                        failing = False
                        if not self._connected:
                            self._connected = True
                            log.info("Database connection restored")
                            self._emit("connection_restored")
                        self._shown.clear()
                        self._emit("_deliver", data)
                        if self._stop.is_set():
                            self._shown.set()
                        if self._before_load is not None and not delivered:
                            # The first snapshot is painted before the first check: a
                            # day-close catch-up imports and reads far more than the
                            # snapshot, and would hold the interpreter while the window
                            # paints. What it closes is loaded at once.
                            self._await_turn()
                            if not self._stop.wait(AFTER_FIRST_PAINT_MS / 1000):
                                need_load = bool(self._before_load())
                        delivered = True
                    if self._stop.is_set():
                        break
                    if feed.wait_for_change(self._poll_timeout):
                        if concerns(getattr(feed, "last_topics", None), self._topics):
                            need_load = True
                        else:
                            self.skipped += 1
                except Exception as exc:
                    if self._stop.is_set():
                        break
                    if isinstance(exc, SessionExpired):
                        if not failing:
                            failing = True
                            self._emit("_session_expired", exc)
                    elif is_connection_error(exc):
                        need_load = True
                        if self._connected:
                            self._connected = False
                            message = exc.message if isinstance(exc, HallError) else DatabaseUnavailable().message
                            log.warning("Database connection lost: %s", exc)
                            self._emit("connection_lost", message)
                    else:
                        known = as_known_error(exc)
                        if not failing:
                            failing = True
                            log.error("Live refresh failed", exc_info=True)
                            self._emit("load_failed", known.message if known is not None
                                       else GENERIC_FAILURE)
                        else:
                            log.debug("Live refresh failed again: %r", exc)
                        # Not a lost connection: no fast retries (the fault will not pass).
                        attempt = max(attempt, len(self._backoff) - 1)
                    self._pause(self._backoff[min(attempt, len(self._backoff) - 1)])
                    attempt += 1
        finally:
            if feed is not None:
                try:
                    feed.close()
                except Exception:
                    log.debug("Closing the change feed failed", exc_info=True)


#: How long after the first snapshot a window starts its background extras (warming the
#: action services, the staffing planner, the inspection button): the first paint comes
#: first, not sharing the interpreter with imports in a worker.
AFTER_FIRST_PAINT_MS = 150


def after_first_snapshot(live: LiveFeed, fn: Callable[[], object],
                         delay_ms: int = AFTER_FIRST_PAINT_MS) -> None:
    """Call `fn` once on the GUI thread, `delay_ms` after the first snapshot arrived
    (not at all if the feed is gone by then)."""
    from PySide6.QtCore import QTimer

    done = [False]

    def first(_: object) -> None:
        if not done[0]:
            done[0] = True
            QTimer.singleShot(delay_ms, live, fn)

    live.snapshot.connect(first)


def warm_after_first_snapshot(live: LiveFeed, warm: Callable[[], object]) -> None:
    """Run `warm` once, off the GUI thread, after the window has shown its first snapshot.

    The windows pass ``lambda: services.warm("tickets", …)``: the services their actions
    use are imported and built then, so neither the first refresh nor the clerk's first
    F1 waits for them.
    """
    from ui.ops import run_op

    after_first_snapshot(live, lambda: run_op(warm, on_failure=lambda _e: None,
                                              background=True))
