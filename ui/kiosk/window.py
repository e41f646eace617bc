"""The ticket kiosk (取号机): one big button per service, the number on screen, a printed slip.

A tap issues a ticket through the core (off the GUI thread), shows the number in huge
type, optionally says 「您已领取A005号,前方等待3人」, then prints the slip on a worker
thread. The number stays on screen whatever the printer does; a printer failure adds a
clear Chinese line under it. The buttons' waiting counts and the outage notice follow the
database through a LiveFeed. The printer and the announcer are injectable (tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hall_app.announce import ticket_taken_announcement
from hall_app.errors import DayClosed, HallError
from hall_app.services import HallServices
from hall_app.services.calls import KioskBoard, kiosk_board
from ui.kiosk.printers import PrinterError, QtSlipPrinter, SlipPrinter
from ui.kiosk.slip import SlipData, slip_from_ticket
from ui.live import LiveFeed
from ui.ops import run_op
from ui.widgets import BigLabel, ConnectionBanner, OutageBanner

if TYPE_CHECKING:  # the speech module loads only when a window speaks
    from ui.voice import Speaker

log = logging.getLogger(__name__)

PROMPT = "请选择您要办理的业务"
PRINTING = "正在打印号票…"
PRINTED = "请取走您的号票,留意叫号屏和语音提示"
ISSUE_FAILED_PREFIX = "取号失败:"

_STYLE = """
QWidget#KioskWindow { background-color: #f4f7fb; }
QLabel#KioskTitle { color: #0b3d91; }
QLabel#KioskPrompt { font-size: 20pt; color: #333333; }
QLabel#KioskPrompt[closed="true"] { font-size: 24pt; color: #c62828; font-weight: bold; }
QPushButton.service {
    font-size: 22pt; min-height: 110px; padding: 10px 18px;
    background-color: #1565c0; color: white; border-radius: 12px;
}
QPushButton.service[vip="true"] { background-color: #8d6e00; }
QPushButton.service:disabled { background-color: #9aa7b8; }
QFrame#KioskResult { background-color: white; border: 3px solid #1565c0; border-radius: 16px; }
QLabel#KioskCode { color: #c62828; }
QLabel#KioskInfo { font-size: 22pt; color: #222222; }
QLabel#KioskPrinter { font-size: 16pt; color: #2e7d32; }
QLabel#KioskPrinter[failed="true"] { color: #c62828; font-weight: bold; }
"""


def _button_text(name: str, waiting: int) -> str:
    return f"{name}\n等候 {waiting} 人"


class KioskWindow(QWidget):
    """The kiosk screen. `printer`: any SlipPrinter; `announcer`: anything with say(text)."""

    def __init__(
        self,
        services: HallServices,
        *,
        printer: SlipPrinter | None = None,
        announcer: Speaker | None = None,
        speak: bool = True,
        feed_factory: Callable[[], Any] | None = None,
        clear_after_ms: int = 30_000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("KioskWindow")
        self.setWindowTitle("取号机")
        self.setStyleSheet(_STYLE)
        self.services = services
        self.printer: SlipPrinter = printer or QtSlipPrinter()
        self.announcer = announcer
        self.speak = speak and announcer is not None
        self.board: KioskBoard | None = None
        self.last_ticket: Any = None
        self.last_slip: SlipData | None = None
        self.print_error: HallError | None = None

        self.connection_banner = ConnectionBanner()
        self.outage_banner = OutageBanner()
        self.title = BigLabel("", 30)
        self.title.setObjectName("KioskTitle")
        self.prompt = QLabel(PROMPT)
        self.prompt.setObjectName("KioskPrompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.buttons: dict[int, QPushButton] = {}

        self.result = QFrame()
        self.result.setObjectName("KioskResult")
        self.code_label = BigLabel("", 96)
        self.code_label.setObjectName("KioskCode")
        self.info_label = QLabel("")
        self.info_label.setObjectName("KioskInfo")
        self.info_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.info_label.setWordWrap(True)
        self.printer_label = QLabel("")
        self.printer_label.setObjectName("KioskPrinter")
        self.printer_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.printer_label.setWordWrap(True)
        box = QVBoxLayout(self.result)
        box.addWidget(self.code_label)
        box.addWidget(self.info_label)
        box.addWidget(self.printer_label)
        self.result.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 0, 24, 24)
        layout.addWidget(self.connection_banner)
        layout.addWidget(self.outage_banner)
        layout.addWidget(self.title)
        layout.addWidget(self.prompt)
        layout.addLayout(self.grid)
        layout.addWidget(self.result)
        layout.addStretch(1)

        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.setInterval(clear_after_ms)
        self._clear_timer.timeout.connect(self.clear_result)

        self.live = LiveFeed(feed_factory or services.change_feed,
                             lambda: kiosk_board(services.ctx), name="kiosk",
                             before_load=services.days.tick, parent=self)
        self.live.snapshot.connect(self.apply_board)
        self.connection_banner.bind(self.live)
        self.live.start()

    # --- live data ------------------------------------------------------------
    def apply_board(self, board: KioskBoard) -> None:
        """Redraw what changed: title, outage notice, buttons and their waiting counts."""
        previous = self.board
        self.board = board
        if previous is None or previous.hall_name != board.hall_name:
            self.title.setText(board.hall_name)
            self.setWindowTitle(f"取号机 - {board.hall_name}")
        if previous is None or previous.outage != board.outage:
            if board.outage is None:
                self.outage_banner.set_notice(None)
            else:
                self.outage_banner.set_notice(board.outage.text,
                                              "critical" if board.outage.hall_wide else "warning")
        ids = [s.id for s in board.services]
        rebuilt = previous is None or [s.id for s in previous.services] != ids
        if rebuilt:
            self._rebuild_buttons(board)
        for service in board.services:
            button = self.buttons[service.id]
            text = _button_text(service.name, service.waiting)
            if button.text() != text:
                button.setText(text)
        if rebuilt or previous is None or previous.closed_notice != board.closed_notice:
            self._show_open(board.closed_notice)

    def _show_open(self, closed_notice: str | None) -> None:
        """Outside opening hours (or once the day is closed) the buttons rest and the
        prompt says why; the core refuses a ticket anyway."""
        self.prompt.setText(closed_notice or PROMPT)
        self.prompt.setProperty("closed", closed_notice is not None)
        self.prompt.style().unpolish(self.prompt)
        self.prompt.style().polish(self.prompt)
        for button in self.buttons.values():
            button.setEnabled(closed_notice is None)

    def _rebuild_buttons(self, board: KioskBoard) -> None:
        for button in self.buttons.values():
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        columns = 2 if len(board.services) <= 8 else 3
        for index, service in enumerate(board.services):
            button = QPushButton(_button_text(service.name, service.waiting))
            button.setProperty("class", "service")
            button.setProperty("vip", service.is_vip)
            button.setAccessibleName(service.name)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, sid=service.id: self.take_ticket(sid))
            self.grid.addWidget(button, index // columns, index % columns)
            self.buttons[service.id] = button

    # --- taking a ticket --------------------------------------------------------
    def take_ticket(self, service_id: int) -> None:
        services = self.services

        def issue() -> tuple[Any, SlipData]:
            ticket = services.tickets.issue(service_id)
            hall = services.ctx.hall
            return ticket, slip_from_ticket(ticket, hall.name, hall.tz, hall.hotline)

        run_op(issue, on_success=self._issued, on_failure=self._issue_failed, parent=self,
               disable=list(self.buttons.values()), description="kiosk issue")

    def _issued(self, result: tuple[Any, SlipData]) -> None:
        ticket, slip = result
        self.last_ticket, self.last_slip, self.print_error = ticket, slip, None
        self.code_label.setText(ticket.code)
        self.info_label.setText(f"{ticket.service_name} · 前方等待{ticket.ahead}人 · {slip.wait_text}")
        self._printer_status(PRINTING, failed=False)
        self.result.show()
        self._clear_timer.start()
        if self.speak and self.announcer is not None:
            self.announcer.say(ticket_taken_announcement(ticket.code, ticket.ahead))
        log.info("Issued %s (%s ahead)", ticket.code, ticket.ahead)
        printer, code = self.printer, ticket.code
        run_op(lambda: printer.print_slip(slip),
               on_success=lambda _: self._printed(code),
               on_failure=lambda err: self._print_failed(code, err),
               parent=self, description="kiosk print")
        self.live.request_refresh()

    def _issue_failed(self, error: HallError) -> None:
        if isinstance(error, DayClosed):  # the hours ended (or the day closed) meanwhile
            self._show_open(error.message)
        self.last_ticket = None
        self.code_label.setText("")
        self.info_label.setText(ISSUE_FAILED_PREFIX + error.message)
        self._printer_status("", failed=False)
        self.result.show()
        self._clear_timer.start()

    def _printed(self, code: str) -> None:
        if self.last_ticket is not None and self.last_ticket.code == code:
            self._printer_status(PRINTED, failed=False)

    def _print_failed(self, code: str, error: HallError) -> None:
        log.warning("Slip %s not printed: %s (%s)", code, error.message, error.detail or "")
        if not isinstance(error, PrinterError):
            error = PrinterError(error.detail or error.message)
        if self.last_ticket is not None and self.last_ticket.code == code:
            self.print_error = error
            self._printer_status(f"您的号码是 {code}。{error.message}", failed=True)

    def _printer_status(self, text: str, *, failed: bool) -> None:
        self.printer_label.setText(text)
        self.printer_label.setProperty("failed", failed)
        self.printer_label.style().unpolish(self.printer_label)
        self.printer_label.style().polish(self.printer_label)

    def clear_result(self) -> None:
        """Back to the choice of services (after a while, for the next customer)."""
        self.result.hide()
        self.code_label.setText("")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.live.stop()
        super().closeEvent(event)


def main(args: Any, settings: Any) -> int:
    """`hall-app kiosk`: the kiosk on this workstation's default printer."""
    from ui.app_runtime import GeometryKeeper, create_app
    from ui.startup import open_services
    from ui.voice import Announcer

    app = create_app("kiosk")
    services = open_services(settings, "取号机", role="kiosk")
    if services is None:
        return 1
    announcer = Announcer(enabled=settings.voice.enabled, volume=settings.voice.volume)
    window = KioskWindow(services, announcer=announcer, speak=settings.voice.enabled)
    GeometryKeeper(window, "kiosk")
    window.showMaximized()
    try:
        return int(app.exec())
    finally:
        window.live.stop()
        services.close()
