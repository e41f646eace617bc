"""Shared banners and big labels; a screenshot proves Chinese glyphs are drawn."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QObject, Signal  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget  # noqa: E402

from ui.fonts import install_cjk_font  # noqa: E402
from ui.widgets import BigLabel, ConnectionBanner, OutageBanner  # noqa: E402


class FakeLive(QObject):
    connection_lost = Signal(str)
    connection_restored = Signal()


def build_demo() -> QWidget:
    """A tiny window in the style a hall display would use."""
    demo = QWidget()
    layout = QVBoxLayout(demo)
    connection = ConnectionBanner()
    connection.set_connected(False)
    outage = OutageBanner()
    outage.set_notice("系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。")
    layout.addWidget(connection)
    layout.addWidget(outage)
    layout.addWidget(BigLabel("请A012号顾客到3号窗口办理", 28))
    layout.addWidget(BigLabel("营业厅 窗口号 前方等待3人", 16, bold=False))
    demo.resize(720, 300)
    return demo


def test_connection_banner_follows_live_feed(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    banner = ConnectionBanner(parent)
    parent.show()
    live = FakeLive()
    banner.bind(live)
    assert not banner.isVisible()
    live.connection_lost.emit("数据库连接中断,正在重试…")
    assert banner.isVisible()
    assert banner.text() == "数据库连接中断,正在重试…"
    live.connection_restored.emit()
    assert not banner.isVisible()


def test_outage_banner_severity_and_hiding(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    banner = OutageBanner(parent)
    parent.show()
    banner.set_notice("空调故障,正在维修", "warning")
    assert banner.isVisible() and banner.severity == "warning"
    assert "#ffb300" in banner.styleSheet()
    banner.set_notice("系统暂时出现故障", "critical")
    assert banner.severity == "critical" and "#c62828" in banner.styleSheet()
    banner.set_notice(None)
    assert not banner.isVisible()
    with pytest.raises(ValueError):
        banner.set_notice("x", "blue")


def test_big_label_keeps_size_under_app_style_sheet(qtbot, qapp: QApplication) -> None:
    old = qapp.styleSheet()
    qapp.setStyleSheet("QWidget { font-size: 11pt; }")
    try:
        label = BigLabel("请A012号", 40)
        qtbot.addWidget(label)
        label.ensurePolished()
        assert label.font().pointSizeF() == 40
        assert label.font().bold()
    finally:
        qapp.setStyleSheet(old)


def test_demo_screenshot_has_real_chinese_glyphs(qtbot, qapp: QApplication, tmp_path: Path) -> None:
    install_cjk_font(qapp)
    demo = build_demo()
    qtbot.addWidget(demo)
    demo.show()
    qtbot.waitExposed(demo)
    pixmap = demo.grab()
    out = Path(os.environ.get("HALL_UI_SCREENSHOT", tmp_path / "demo.png"))
    assert pixmap.save(str(out))
    image = pixmap.toImage()
    background = QColor(image.pixel(2, image.height() - 2))
    ink = sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if QColor(image.pixel(x, y)) != background
    )
    assert ink > 2000
