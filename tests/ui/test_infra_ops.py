"""run_op: work off the GUI thread, callbacks on it, failures as Chinese messages."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QPushButton, QWidget  # noqa: E402

from hall_app.errors import DatabaseUnavailable, QueueEmpty  # noqa: E402
from ui import notify, ops  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_bridge(qapp):
    old = notify.set_bridge(notify.MessageBridge())
    yield notify.bridge()
    assert ops.wait_idle(5000), "an operation was left running"
    notify.set_bridge(old)


def test_success_runs_off_gui_thread_and_returns_on_it(qtbot) -> None:
    seen: dict[str, object] = {}

    def work() -> int:
        seen["work_thread"] = threading.current_thread()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["callback_thread"] = threading.current_thread()

    handle = ops.run_op(work, on_success=done)
    assert handle.wait()
    assert seen["value"] == 42
    assert seen["work_thread"] is not threading.main_thread()
    assert seen["callback_thread"] is threading.main_thread()
    assert handle.result == 42 and handle.error is None


def test_hall_error_reaches_on_failure_with_its_message(qtbot) -> None:
    errors = []

    def work() -> None:
        raise QueueEmpty("当前没有等待的顾客")

    ops.run_op(work, on_success=lambda _: pytest.fail("no success"), on_failure=errors.append)
    assert ops.wait_idle()
    assert [type(e) for e in errors] == [QueueEmpty]
    assert errors[0].message == "当前没有等待的顾客"


def test_unexpected_error_is_logged_and_reported_generically(qtbot, caplog) -> None:
    errors = []

    def work() -> None:
        raise KeyError("internal detail")

    ops.run_op(work, on_failure=errors.append)
    assert ops.wait_idle()
    assert isinstance(errors[0], ops.OperationFailed)
    assert errors[0].message == "操作失败,请重试或联系值班长"
    assert isinstance(errors[0].original, KeyError)
    record = next(r for r in caplog.records if r.name == "ui.ops")
    assert record.exc_info is not None and "internal detail" in caplog.text


def test_lost_connection_becomes_database_unavailable(qtbot) -> None:
    from sqlalchemy.exc import OperationalError

    errors = []

    def work() -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    ops.run_op(work, on_failure=errors.append)
    assert ops.wait_idle()
    assert isinstance(errors[0], DatabaseUnavailable)
    assert errors[0].message == "数据库连接中断,正在重试…"


def test_without_on_failure_the_message_goes_to_the_bridge(qtbot, fresh_bridge) -> None:
    def work() -> None:
        raise QueueEmpty("当前没有等待的顾客")

    with qtbot.waitSignal(fresh_bridge.error, timeout=3000) as blocker:
        ops.run_op(work)
    assert blocker.args == ["当前没有等待的顾客"]


def test_gui_stays_responsive_and_buttons_are_disabled_meanwhile(qtbot) -> None:
    button = QPushButton("叫号")
    qtbot.addWidget(button)
    release = threading.Event()
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    clock = QElapsedTimer()
    clock.start()
    handle = ops.run_op(lambda: release.wait(5), disable=[button])
    assert not button.isEnabled()
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=5000)  # the GUI loop keeps ticking
    timer.stop()
    assert not handle.done
    release.set()
    assert handle.wait()
    assert button.isEnabled()


def test_callbacks_are_skipped_when_parent_is_gone(qtbot) -> None:
    owner = QWidget()
    release = threading.Event()
    called = []
    handle = ops.run_op(lambda: release.wait(5), on_success=called.append, parent=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: handle.cancelled, timeout=2000)
    release.set()
    assert handle.wait()
    assert called == []


def test_one_windows_operations_run_in_the_order_started(qtbot) -> None:
    """F1 then F2: the second must not reach the database before the first is done."""
    window = QWidget()
    qtbot.addWidget(window)
    button = QPushButton("叫号", window)
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        release.wait(5)
        order.append("first")

    ops.run_op(first, parent=button)  # a child: its window's lane
    second = ops.run_op(lambda: order.append("second"), parent=window)
    time.sleep(0.05)
    QTimer.singleShot(0, release.set)
    assert second.wait()
    assert order == ["first", "second"]


def test_other_windows_and_background_reads_do_not_wait_behind_a_window(qtbot) -> None:
    busy, other = QWidget(), QWidget()
    qtbot.addWidget(busy)
    qtbot.addWidget(other)
    release = threading.Event()
    blocked = ops.run_op(lambda: release.wait(5), parent=busy)
    elsewhere = ops.run_op(lambda: "other window", parent=other)
    estimate = ops.run_op(lambda: "estimate", parent=busy, background=True)
    assert elsewhere.wait() and estimate.wait()
    assert (elsewhere.result, estimate.result) == ("other window", "estimate")
    assert not blocked.done
    release.set()
    assert blocked.wait()


class _Tracked:
    """A callable that records the thread that releases it."""

    def __init__(self, released: list[str]) -> None:
        self.released = released

    def __call__(self) -> int:
        return 1

    def __del__(self) -> None:
        self.released.append(threading.current_thread().name)


def test_the_work_and_its_handle_are_released_on_the_gui_thread(qtbot) -> None:
    """A worker thread never drops the last reference to an operation (a Qt object
    freed on the wrong thread can crash the window)."""
    import gc

    released: list[str] = []
    owner = QWidget()
    qtbot.addWidget(owner)
    for _ in range(50):
        ops.run_op(_Tracked(released), parent=owner)
    assert ops.wait_idle()
    gc.collect()
    assert len(released) == 50
    assert set(released) == {threading.main_thread().name}


def test_a_window_only_its_operation_keeps_alive_is_freed_safely(qtbot) -> None:
    """The handle held the window strongly; freeing the handle then destroyed the window
    inside the handle's own destruction, which called back into it (a segfault)."""
    import gc

    def open_and_forget() -> ops.OpHandle:
        window = QWidget()
        return ops.run_op(lambda: 1, on_success=lambda _v: window.setWindowTitle("已完成"),
                          parent=window)

    handles = [open_and_forget() for _ in range(5)]
    assert all(h.wait() for h in handles)
    assert [h.result for h in handles] == [1] * 5
    del handles
    gc.collect()  # this process is still alive: the windows went without a crash
    assert ops.pending_count() == 0
