"""Run blocking work (database, printer) off the GUI thread; results come back on the GUI thread.

A window never calls a service directly from a slot. It does::

    run_op(
        lambda: services.tickets.call_next(actor, counter_id),
        on_success=self.show_ticket,          # gets the TicketInfo, on the GUI thread
        on_failure=self.show_error,           # gets a HallError, on the GUI thread
        parent=self,                          # callbacks are dropped if the window is gone
        disable=[self.call_button],           # greyed out while the operation runs
    )

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

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from hall_app.db_errors import hall_error_from
from hall_app.errors import DatabaseUnavailable, HallError, SessionExpired
from ui import notify

log = logging.getLogger(__name__)

GENERIC_FAILURE = "操作失败,请重试或联系值班长"
MAX_THREADS = 4


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


_pool: QThreadPool | None = None
_pending: set[OpHandle] = set()
_pending_lock = threading.Lock()


def op_pool() -> QThreadPool:
    """Thread pool reserved for operations (separate from Qt's global pool)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(MAX_THREADS)
        _pool.setObjectName("hall-ops")
    return _pool


class OpHandle(QObject):
    """One running operation. Lives on the GUI thread until its callbacks have run.

    ``finished`` is emitted on the GUI thread after the callbacks. ``result`` / ``error``
    hold the outcome; ``done`` tells whether it has been delivered.
    """

    finished = Signal()
    _succeeded = Signal(object)
    _failed = Signal(object)

    def __init__(
        self,
        on_success: Callable[[Any], object] | None,
        on_failure: Callable[[HallError], object] | None,
        parent: QObject | None,
        disable: Iterable[QWidget],
        description: str,
    ) -> None:
        super().__init__()  # no Qt parent: the handle must outlive a closed window
        self.description = description
        self.done = False
        self.cancelled = False
        self.result: Any = None
        self.error: HallError | None = None
        self._on_success = on_success
        self._on_failure = on_failure
        self._disabled = [w for w in disable if w.isEnabled()]
        for widget in self._disabled:
            widget.setEnabled(False)
        self._parent = parent
        if parent is not None:
            parent.destroyed.connect(self._owner_gone)
        self._succeeded.connect(self._deliver_success)
        self._failed.connect(self._deliver_failure)

    @Slot()
    def _owner_gone(self) -> None:
        self.cancelled = True

    def cancel(self) -> None:
        """Drop the callbacks (the work itself still runs to the end)."""
        self.cancelled = True

    def _run(self, fn: Callable[[], Any]) -> None:
        """Body executed on a pool thread."""
        try:
            result = fn()
        except Exception as exc:  # every failure becomes a HallError
            outcome, signal_name = as_hall_error(exc), "_failed"
        else:
            outcome, signal_name = result, "_succeeded"
        try:  # the handle may be gone (the application quit while the work ran)
            getattr(self, signal_name).emit(outcome)
        except RuntimeError:
            log.debug("operation finished after its handle was deleted")

    @Slot(object)
    def _deliver_success(self, result: Any) -> None:
        self.result = result
        self._finish(lambda: self._on_success(result) if self._on_success else None)

    @Slot(object)
    def _deliver_failure(self, error: HallError) -> None:
        self.error = error
        on_failure = self._on_failure
        if isinstance(error, SessionExpired) and not self.cancelled:
            from ui.session import route_session_expired

            taken = route_session_expired(self._parent, error)
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
            with _pending_lock:
                _pending.discard(self)
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
) -> OpHandle:
    """Run `fn()` on the operation pool; call back on the GUI thread. Call from the GUI thread.

    `parent`: if this object is destroyed first, the callbacks are skipped.
    `disable`: widgets disabled now and re-enabled when the operation ends.
    """
    handle = OpHandle(on_success, on_failure, parent, disable, description or repr(fn))
    with _pending_lock:
        _pending.add(handle)
    op_pool().start(lambda: handle._run(fn))
    return handle


def pending_count() -> int:
    """Operations started but not yet delivered."""
    with _pending_lock:
        return len(_pending)


def wait_idle(timeout_ms: int = 5000) -> bool:
    """FOR TESTS: process GUI events until every operation has been delivered."""
    deadline = time.monotonic() + timeout_ms / 1000
    while pending_count() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.002)
    return pending_count() == 0


def shutdown(timeout_ms: int = 10_000) -> bool:
    """At application exit: let running operations finish writing (their callbacks are skipped)."""
    if _pool is None:
        return True
    with _pending_lock:
        for handle in _pending:
            handle.cancelled = True
    return _pool.waitForDone(timeout_ms)
