"""Run blocking work (database, printer) off the GUI thread; results come back on the GUI thread.

A window never calls a service directly from a slot. It does::

    run_op(
        lambda: services.tickets.call_next(actor, counter_id),
        on_success=self.show_ticket,          # gets the TicketInfo, on the GUI thread
        on_failure=self.show_error,           # gets a HallError, on the GUI thread
        parent=self,                          # callbacks are dropped if the window is gone
        disable=[self.call_button],           # greyed out while the operation runs
    )

Order: every window has ONE lane, a worker thread that runs that window's operations
one after another in the order they were started (``parent``'s top-level window picks
the lane; no parent means the application's lane). A clerk's F1 then F2 therefore
reach the database in that order, and a read started after an action sees it.
Slow reads that need no order (wait estimates, report sections) pass
``background=True`` and run on a small shared pool instead, so they never hold up
the window's actions.

Lifetime: a worker thread only ever holds an operation's number and (while it runs)
its callable; the :class:`OpHandle` (a QObject) lives on the GUI thread, in a table
keyed by that number, and keeps its own reference to the callable, so both are
released on the GUI thread. One module-wide bridge object carries every outcome back.
A lane's thread pool is never destroyed (a closed window's lane is retired, idle).

Failures are always a :class:`hall_app.errors.HallError` with a Chinese ``.message``:

* a ``HallError`` raised by the core is passed on unchanged — the core has already
  turned every database error into one (``hall_app.db_errors``): a lost connection is
  ``DatabaseUnavailable`` (the only error windows treat as "connection lost, retry"),
  a full disk ``StorageFull``, a refused constraint or any other refusal
  ``DatabaseError`` (a bug: shown once, never retried);
* a database error that reached here some other way is mapped by the same core code;
* anything else is logged with its traceback and becomes :class:`OperationFailed`
  with the message 「操作失败,请重试或联系值班长」.

A :class:`hall_app.errors.SessionExpired` (登录已失效,请重新登录) is also routed to
the window the operation belongs to (``parent``'s chain, see :mod:`ui.session`), which
shows its login dialog; ``on_failure`` still runs.

``ui`` never imports SQLAlchemy.

Without ``on_failure`` the message goes to :func:`ui.notify.error`. Tests wait with
``handle.wait()`` or :func:`wait_idle` (never call those from production code: the
GUI thread must not wait on the database).
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from hall_app.db_errors import hall_error_from
from hall_app.errors import DatabaseUnavailable, HallError, SessionExpired
from ui import notify

log = logging.getLogger(__name__)

GENERIC_FAILURE = "操作失败,请重试或联系值班长"
BACKGROUND_THREADS = 3
IDLE_EXIT_S = 30.0  # a lane's thread ends after this long without work (restarted on demand)


class OperationFailed(HallError):
    """An unexpected exception in an operation; `original` is the exception, already logged."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(GENERIC_FAILURE, detail=f"{type(original).__name__}: {original}")
        self.original = original


def is_connection_error(exc: BaseException) -> bool:
    """True if `exc` means "the database cannot be reached" (retrying later may work)."""
    return isinstance(as_known_error(exc), DatabaseUnavailable)


def as_known_error(exc: BaseException) -> HallError | None:
    """`exc` as the core's error (database errors mapped by the core), or None."""
    if isinstance(exc, HallError):
        return exc
    return hall_error_from(exc)


def as_hall_error(exc: BaseException) -> HallError:
    """The user-facing form of `exc` (see the module docstring). Logs unexpected errors."""
    known = as_known_error(exc)
    if known is not None:
        if isinstance(known, DatabaseUnavailable) and known is not exc:
            log.warning("Database unreachable during an operation: %s", type(exc).__name__)
        return known
    log.error("Operation failed unexpectedly", exc_info=(type(exc), exc, exc.__traceback__))
    return OperationFailed(exc)


# --- the GUI-thread side: handles by number, one bridge for every outcome ------------

_pending: dict[int, OpHandle] = {}  # GUI thread only (read by pending_count anywhere)
_numbers = itertools.count(1)


class _Bridge(QObject):
    """Lives on the GUI thread for the whole run; workers emit, the GUI thread delivers."""

    outcome = Signal(int, bool, object)  # operation number, succeeded, result or HallError

    @Slot(int, bool, object)
    def deliver(self, number: int, succeeded: bool, value: object) -> None:
        handle = _pending.get(number)
        if handle is None:  # pragma: no cover - delivered twice would be a bug
            log.error("operation %d delivered without a handle", number)
            return
        if succeeded:
            handle._deliver_success(value)
        else:
            handle._deliver_failure(value)  # type: ignore[arg-type]


_bridge: _Bridge | None = None


def _the_bridge() -> _Bridge:
    global _bridge
    if _bridge is None or not shiboken6.isValid(_bridge):
        _bridge = _Bridge()
        _bridge.outcome.connect(_bridge.deliver)
    return _bridge


# --- the worker side: lanes ----------------------------------------------------------

class _Tally:
    """Operations submitted to a lane and not yet finished (any thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self.idle_since = -math.inf  # monotonic time the last operation finished

    def add(self, n: int) -> None:
        with self._lock:
            self.count += n
            if self.count == 0:
                self.idle_since = time.monotonic()


def _execute(number: int, box: list[Callable[[], Any]], tally: _Tally) -> None:
    """Body run on a lane's thread. Holds only the number and (briefly) the callable:
    the runnable Qt releases afterwards on this thread references no Qt object."""
    fn = box.pop()
    try:
        value, succeeded = fn(), True
    except Exception as exc:  # every failure becomes a HallError
        value, succeeded = as_hall_error(exc), False
    del fn  # the GUI-side handle keeps its own reference, released on the GUI thread
    tally.add(-1)
    bridge = _bridge
    try:
        if bridge is not None:
            bridge.outcome.emit(number, succeeded, value)
    except RuntimeError:  # the application is gone
        log.debug("operation finished after the application quit")


class _Lane:
    """A thread pool of `threads` threads; with one (a window's lane) the operations run
    one after another in the order they were started (QThreadPool runs FIFO)."""

    def __init__(self, name: str, threads: int = 1) -> None:
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(threads)
        self.pool.setExpiryTimeout(int(IDLE_EXIT_S * 1000))
        self.pool.setObjectName(f"hall-ops-{name}")
        self.tally = _Tally()
        self.closed = False

    def submit(self, number: int, fn: Callable[[], Any]) -> None:
        box, tally = [fn], self.tally
        tally.add(1)
        self.pool.start(lambda: _execute(number, box, tally))

    def busy(self) -> bool:
        return self.tally.count > 0


_lanes: dict[int, _Lane] = {}
# Lanes of windows that are gone: kept (idle, their threads expire) so that no thread
# pool is ever destroyed while, or where, it runs.
_retired: list[_Lane] = []
_background: _Lane | None = None


def _background_lane() -> _Lane:
    global _background
    if _background is None:
        _background = _Lane("background", BACKGROUND_THREADS)
    return _background


def _owning_window(parent: QObject | None) -> QWidget | None:
    obj = parent
    while obj is not None and shiboken6.isValid(obj):
        if isinstance(obj, QWidget):
            return obj.window()
        obj = obj.parent()
    return None


def _lane_for(parent: QObject | None) -> _Lane:
    window = _owning_window(parent)
    key = id(window) if window is not None else 0
    lane = _lanes.get(key)
    if lane is not None:
        return lane
    lane = _Lane(type(window).__name__ if window is not None else "app")
    _lanes[key] = lane
    if window is not None:
        def retire(*_: object, key: int = key, lane: _Lane = lane) -> None:
            if _lanes.get(key) is lane:
                del _lanes[key]
            lane.closed = True
            _retired.append(lane)

        window.destroyed.connect(retire)
    return lane


class OpHandle(QObject):
    """One running operation. Lives on the GUI thread until its callbacks have run.

    ``finished`` is emitted on the GUI thread after the callbacks. ``result`` / ``error``
    hold the outcome; ``done`` tells whether it has been delivered.
    """

    finished = Signal()

    def __init__(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], object] | None,
        on_failure: Callable[[HallError], object] | None,
        parent: QObject | None,
        disable: Iterable[QWidget],
        description: str,
    ) -> None:
        super().__init__()  # no Qt parent: the handle must outlive a closed window
        self.number = next(_numbers)
        self.description = description
        self.done = False
        self.cancelled = False
        self.result: Any = None
        self.error: HallError | None = None
        self._fn: Callable[[], Any] | None = fn  # released here, on the GUI thread
        self._on_success = on_success
        self._on_failure = on_failure
        self._disabled = [w for w in disable if w.isEnabled()]
        for widget in self._disabled:
            widget.setEnabled(False)
        # Weakly: a handle must never be what keeps its window alive (the window would
        # then be destroyed inside the handle's own destruction, and call back into it).
        self._parent = weakref.ref(parent) if parent is not None else None
        if parent is not None:
            parent.destroyed.connect(self._owner_gone)

    @Slot()
    def _owner_gone(self) -> None:
        self.cancelled = True

    def _owner(self) -> QObject | None:
        parent = self._parent() if self._parent is not None else None
        return parent if parent is not None and shiboken6.isValid(parent) else None

    def cancel(self) -> None:
        """Drop the callbacks (the work itself still runs to the end)."""
        self.cancelled = True

    def _deliver_success(self, result: Any) -> None:
        self.result = result
        self._finish(lambda: self._on_success(result) if self._on_success else None)

    def _deliver_failure(self, error: HallError) -> None:
        self.error = error
        on_failure = self._on_failure
        if isinstance(error, SessionExpired) and not self.cancelled:
            from ui.session import route_session_expired

            taken = route_session_expired(self._owner(), error)
            if taken and on_failure is None:
                self._finish(lambda: None)
                return
        if on_failure is not None:
            self._finish(lambda: on_failure(error))
        else:
            self._finish(lambda: notify.error(error.message))

    def _finish(self, callback: Callable[[], object]) -> None:
        try:
            for widget in self._disabled:
                if shiboken6.isValid(widget):
                    widget.setEnabled(True)
            if not self.cancelled:
                callback()
        finally:
            self.done = True
            # Released now, while the handle is whole: a callback or the work may hold
            # the last reference to a window.
            self._fn = self._on_success = self._on_failure = None
            self._disabled = []
            _pending.pop(self.number, None)
            self.finished.emit()

    def wait(self, timeout_ms: int = 5000) -> bool:
        """FOR TESTS: process GUI events until delivered. True if done in time."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not self.done and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.002)
        return self.done


def run_op(
    fn: Callable[[], Any],
    *,
    on_success: Callable[[Any], object] | None = None,
    on_failure: Callable[[HallError], object] | None = None,
    parent: QObject | None = None,
    disable: Iterable[QWidget] = (),
    description: str = "",
    background: bool = False,
) -> OpHandle:
    """Run `fn()` off the GUI thread; call back on the GUI thread. Call from the GUI thread.

    `parent`: if this object is destroyed first, the callbacks are skipped; its window's
    lane runs the operation, after every operation that window started before.
    `disable`: widgets disabled now and re-enabled when the operation ends.
    `background`: a read that needs no order runs on the shared pool instead.
    """
    _the_bridge()
    handle = OpHandle(fn, on_success, on_failure, parent, disable, description or repr(fn))
    _pending[handle.number] = handle
    lane = _background_lane() if background else _lane_for(parent)
    lane.submit(handle.number, fn)
    return handle


#: After a window's action finishes, its live refresh waits this long more: the GUI
#: thread is painting the action's result (F1's called ticket) and a reload started now
#: would compete with it for the interpreter and the CPU.
ACTION_GRACE_S = 0.05


def actions_running(parent: QObject) -> Callable[[], bool]:
    """A probe (any thread) for `parent`'s window: True while one of its operations is
    queued or running, or finished less than ACTION_GRACE_S ago. `ui.live.LiveFeed`
    holds its reloads while it is true (the clerk's action first)."""
    tally = _lane_for(parent).tally

    def running() -> bool:
        return tally.count > 0 or time.monotonic() - tally.idle_since < ACTION_GRACE_S

    return running


def pending_count() -> int:
    """Operations started but not yet delivered."""
    return len(_pending)


def wait_idle(timeout_ms: int = 5000) -> bool:
    """FOR TESTS: process GUI events until every operation has been delivered."""
    deadline = time.monotonic() + timeout_ms / 1000
    while pending_count() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.002)
    return pending_count() == 0


def _all_lanes() -> list[_Lane]:
    return [*_lanes.values(), *_retired, *([_background] if _background is not None else [])]


def _work_in_flight() -> bool:
    return any(lane.busy() for lane in _all_lanes())


def shutdown(timeout_ms: int = 10_000) -> bool:
    """At application exit: let running operations finish writing (their callbacks are skipped).

    The windows are hidden first: the wait is the process's, never a window's.
    """
    for handle in list(_pending.values()):
        handle.cancelled = True
    if not _work_in_flight():
        return True
    app = QCoreApplication.instance()
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            widget.hide()
    deadline = time.monotonic() + timeout_ms / 1000
    for lane in _all_lanes():
        left = max(0, int((deadline - time.monotonic()) * 1000))
        if not lane.pool.waitForDone(left):
            log.warning("operations still running at exit")
            return False
    return True
