"""Banners across the top of a window: lost database connection, outage notice.

A stale screen that looks live is worse than one that says it is disconnected,
so every window that shows live data puts a :class:`ConnectionBanner` on top and
binds it to its :class:`ui.live.LiveFeed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from hall_app.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from ui.live import LiveFeed

_BANNER_STYLE = """
QLabel#{name} {{
    background-color: {background};
    color: {foreground};
    font-size: 14pt;
    font-weight: bold;
    padding: 8px 16px;
    border-radius: 0px;
}}
"""

_SEVERITY_COLOURS = {
    "warning": ("#ffb300", "#1a1a1a"),  # amber, dark text
    "critical": ("#c62828", "#ffffff"),  # red, white text
}


class _Banner(QLabel):
    def __init__(self, name: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(name)
        self._point_size: int | None = None
        self._colours: tuple[str, str] = _SEVERITY_COLOURS["warning"]
        self.hide()

    def _colour(self, background: str, foreground: str) -> None:
        self._colours = (background, foreground)
        style = _BANNER_STYLE.format(
            name=self.objectName(), background=background, foreground=foreground)
        if self._point_size:
            style += f"QLabel#{self.objectName()} {{ font-size: {self._point_size}pt; }}"
        self.setStyleSheet(style)

    def set_point_size(self, point_size: int) -> None:
        """Text size that survives colour changes (the hall display uses big type)."""
        self._point_size = point_size
        self._colour(*self._colours)


class ConnectionBanner(_Banner):
    """Red 「数据库连接中断,正在重试…」 banner, visible only while the connection is lost."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("ConnectionBanner", parent)
        self._colour(*_SEVERITY_COLOURS["critical"])
        self.setText(DatabaseUnavailable().message)

    def bind(self, live: LiveFeed) -> None:
        """Follow a LiveFeed's ``connection_lost`` / ``connection_restored`` signals."""
        live.connection_lost.connect(self.on_connection_lost)
        live.connection_restored.connect(self.on_connection_restored)

    @Slot(str)
    def on_connection_lost(self, message: str = "") -> None:
        self.setText(message or DatabaseUnavailable().message)
        self.show()

    @Slot()
    def on_connection_restored(self) -> None:
        self.hide()

    def set_connected(self, connected: bool) -> None:
        if connected:
            self.on_connection_restored()
        else:
            self.on_connection_lost()


class OutageBanner(_Banner):
    """Outage or facility notice (告示牌): amber for "warning", red for "critical"; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("OutageBanner", parent)
        self.severity = "warning"
        self._colour(*_SEVERITY_COLOURS["warning"])

    @Slot(object)
    def set_notice(self, text: str | None, severity: str = "warning") -> None:
        """Show `text` (e.g. 「系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。」) or hide on None/""."""
        if severity not in _SEVERITY_COLOURS:
            raise ValueError(f"unknown severity {severity!r}")
        if not text:
            self.clear()
            self.hide()
            return
        if severity != self.severity:
            self.severity = severity
            self._colour(*_SEVERITY_COLOURS[severity])
        self.setText(text)
        self.show()
