"""MessageBridge: messages from any thread reach presenters on the GUI thread."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMainWindow, QWidget  # noqa: E402

from ui import notify  # noqa: E402


@pytest.fixture
def bridge(qapp):
    old = notify.set_bridge(notify.MessageBridge())
    yield notify.bridge()
    notify.set_bridge(old)


def test_module_functions_emit_level_signals(qtbot, bridge) -> None:
    for func, signal in ((notify.info, bridge.info), (notify.warning, bridge.warning), (notify.error, bridge.error)):
        with qtbot.waitSignal(signal, timeout=1000) as blocker:
            func("系统暂时出现故障")
        assert blocker.args == ["系统暂时出现故障"]


def test_message_from_worker_thread_arrives_on_gui_thread(qtbot, bridge) -> None:
    received = []
    bridge.warning.connect(lambda text: received.append((text, threading.current_thread())))
    worker = threading.Thread(target=notify.warning, args=("数据库连接中断",))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(received), timeout=1000)
    assert received == [("数据库连接中断", threading.main_thread())]


def test_status_bar_presenter_shows_level(qtbot, bridge) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    presenter = notify.attach_default_presenter(window)
    assert isinstance(presenter, notify.StatusBarPresenter)
    notify.error("叫号失败")
    assert presenter.label.text() == "叫号失败"
    assert presenter.label.property("level") == "error"
    presenter.clear()
    assert presenter.label.text() == ""


def test_popup_presenter_is_non_modal_and_reused(qtbot, bridge) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    presenter = notify.attach_default_presenter(window)
    assert isinstance(presenter, notify.PopupPresenter)
    notify.info("普通提示不弹窗")
    assert presenter.box is None
    notify.warning("打印机缺纸")
    box = presenter.box
    assert box is not None and box.isVisible()
    assert box.windowModality() == Qt.WindowModality.NonModal
    notify.error("数据库连接中断")
    assert presenter.box is box and box.text() == "数据库连接中断"
    box.close()


def test_set_bridge_swaps_the_singleton(qapp) -> None:
    mine = notify.MessageBridge()
    old = notify.set_bridge(mine)
    try:
        assert notify.bridge() is mine
    finally:
        notify.set_bridge(old)
