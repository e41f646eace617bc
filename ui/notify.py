"""One bridge for user-facing messages, from any thread to whatever presents them.

Code that wants to tell the user something calls::

    from ui import notify
    notify.info("已叫号 A012")
    notify.error(err.message)

The functions may be called from any thread; the texts arrive on the GUI thread
through the :class:`MessageBridge` signals. A window attaches a presenter (status
bar, or a non-blocking message box) with :func:`attach_default_presenter`. Tests
swap the bridge with :func:`set_bridge` or listen to its signals with qtbot.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStatusBar, QWidget

log = logging.getLogger(__name__)

INFO, WARNING, ERROR = "info", "warning", "error"


class MessageBridge(QObject):
    """Carries messages to presenters. Emit from any thread; receivers run on their own thread."""

    info = Signal(str)
    warning = Signal(str)
    error = Signal(str)
    # A session ended (登录已失效,请重新登录): windows re-ask for a login (ui/session.py).
    session_expired = Signal(str)

    def post(self, level: str, text: str) -> None:
        """Log `text` and emit the signal for `level` ("info", "warning" or "error")."""
        log_level = {INFO: logging.INFO, WARNING: logging.WARNING, ERROR: logging.ERROR}[level]
        log.log(log_level, "message to user: %s", text)
        getattr(self, level).emit(text)


_lock = threading.Lock()
_bridge: MessageBridge | None = None


def bridge() -> MessageBridge:
    """The process's bridge, created on first use and owned by the GUI thread."""
    global _bridge
    with _lock:
        if _bridge is None:
            _bridge = MessageBridge()
            app = QCoreApplication.instance()
            if app is not None and _bridge.thread() is not app.thread():
                _bridge.moveToThread(app.thread())
        return _bridge


def set_bridge(new: MessageBridge | None) -> MessageBridge | None:
    """Replace the bridge (tests); None means "create a fresh one on next use". Returns the old one."""
    global _bridge
    with _lock:
        old, _bridge = _bridge, new
    return old


def info(text: str) -> None:
    """Tell the user something routine (shown briefly)."""
    bridge().post(INFO, text)


def warning(text: str) -> None:
    """Tell the user something needs attention."""
    bridge().post(WARNING, text)


def error(text: str) -> None:
    """Tell the user an action failed (text should say what to do next)."""
    bridge().post(ERROR, text)


class StatusBarPresenter(QObject):
    """Shows bridge messages in a status bar; warnings and errors are coloured and stay longer."""

    TIMEOUTS_MS = {INFO: 6_000, WARNING: 15_000, ERROR: 30_000}

    def __init__(self, status_bar: QStatusBar, source: MessageBridge | None = None) -> None:
        super().__init__(status_bar)
        self.label = QLabel(status_bar)
        self.label.setObjectName("StatusMessage")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status_bar.addWidget(self.label, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        source = source or bridge()
        source.info.connect(self.show_info)
        source.warning.connect(self.show_warning)
        source.error.connect(self.show_error)

    @Slot(str)
    def show_info(self, text: str) -> None:
        self.show(INFO, text)

    @Slot(str)
    def show_warning(self, text: str) -> None:
        self.show(WARNING, text)

    @Slot(str)
    def show_error(self, text: str) -> None:
        self.show(ERROR, text)

    def show(self, level: str, text: str) -> None:
        self.label.setText(text)
        self.label.setProperty("level", level)
        # Re-polish so the style sheet's [level=...] rules apply.
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        self._timer.start(self.TIMEOUTS_MS[level])

    @Slot()
    def clear(self) -> None:
        self.label.clear()
        self.label.setProperty("level", None)


class PopupPresenter(QObject):
    """Shows messages of the chosen levels in one non-modal message box (never blocks)."""

    def __init__(
        self,
        parent: QWidget,
        source: MessageBridge | None = None,
        levels: tuple[str, ...] = (WARNING, ERROR),
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self.box: QMessageBox | None = None
        source = source or bridge()
        if INFO in levels:
            source.info.connect(self.show_info)
        if WARNING in levels:
            source.warning.connect(self.show_warning)
        if ERROR in levels:
            source.error.connect(self.show_error)

    @Slot(str)
    def show_info(self, text: str) -> None:
        self.show(QMessageBox.Icon.Information, text)

    @Slot(str)
    def show_warning(self, text: str) -> None:
        self.show(QMessageBox.Icon.Warning, text)

    @Slot(str)
    def show_error(self, text: str) -> None:
        self.show(QMessageBox.Icon.Critical, text)

    def show(self, icon: QMessageBox.Icon, text: str) -> None:
        if self.box is None:
            self.box = QMessageBox(self._parent)
            self.box.setWindowTitle("提示")
            self.box.setStandardButtons(QMessageBox.StandardButton.Ok)
            self.box.setWindowModality(Qt.WindowModality.NonModal)
        self.box.setIcon(icon)
        self.box.setText(text)
        self.box.show()  # show(), never exec(): the GUI keeps running


def attach_default_presenter(window: QWidget, source: MessageBridge | None = None) -> QObject:
    """Status bar presenter for a QMainWindow, non-modal popups for any other window."""
    if isinstance(window, QMainWindow):
        return StatusBarPresenter(window.statusBar(), source)
    return PopupPresenter(window, source)
