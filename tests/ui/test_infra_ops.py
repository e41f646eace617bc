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
