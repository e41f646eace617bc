"""The ticket kiosk (取号机): one big button per service, the number on screen, a printed slip.

A tap issues a ticket through the core (off the GUI thread), shows the number in huge
type, optionally says 「您已领取A005号,前方等待3人」, then prints the slip on a worker
thread. The number stays on screen whatever the printer does; a printer failure adds a
clear Chinese line under it. The buttons' waiting counts and the outage notice follow the
database through a LiveFeed. The printer and the announcer are injectable (tests).

Customers only ever read words meant for them: while the database cannot be reached the
kiosk says 「系统繁忙,请稍候或咨询大堂经理」 in large type and nothing can be tapped. The
「爱心通道」 button (where the hall offers it) issues the next ticket as a priority one,
served like VIP; 「大字模式」 (适老化) enlarges targets and text and speaks the number.
Every size follows the window (`fit`), so the screen fits 1366×768 as well as full HD.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hall_app.announce import ticket_taken_announcement
from hall_app.changes import FLOOR_TOPICS
from hall_app.errors import DatabaseUnavailable, DayClosed, HallError
from hall_app.services import HallServices
from hall_app.services.calls import KioskBoard, kiosk_board
from ui.kiosk.printers import PrinterError, QtSlipPrinter, SlipPrinter
from ui.kiosk.slip import SlipData, slip_from_ticket
from ui.live import LiveFeed, warm_after_first_snapshot
from ui.ops import OperationFailed, run_op
from ui.widgets import BigLabel, ConnectionBanner, OutageBanner, VoiceStatus

if TYPE_CHECKING:  # the speech module loads only when a window speaks
    from ui.voice import Speaker

log = logging.getLogger(__name__)

PROMPT = "请选择您要办理的业务"
CARE_PROMPT = "爱心通道:请选择您要办理的业务"
PRINTING = "正在打印号票…"
PRINTED = "请取走您的号票,留意叫号屏和语音提示"
ISSUE_FAILED_PREFIX = "取号失败:"
#: What customers read while the database cannot be reached (never the technical text).
CUSTOMER_BUSY = "系统繁忙,请稍候或咨询大堂经理"
CARE_BUTTON = "爱心通道\n老人 · 孕妇 · 残障人士"
LARGE_ON, LARGE_OFF = "大字模式", "标准字体"
BACK = "返回"

#: Sizes at scale 1 (a 1366×768 landscape kiosk); `apply_scale` multiplies them.
SIZES = {"title": 28, "prompt": 18, "service": 20, "service_h": 84, "code": 88,
         "info": 20, "printer": 15, "banner": 22, "small": 15, "small_h": 52, "closed": 22}
LARGE_FACTOR = 1.35
DESIGN_LANDSCAPE, DESIGN_PORTRAIT = (1366, 768), (768, 1100)
MIN_SCALE = 0.35

_STYLE = """
QWidget#KioskWindow { background-color: #f4f7fb; }
QLabel#KioskTitle { color: #0b3d91; }
QLabel#KioskPrompt { font-size: {prompt}pt; color: #333333; }
QLabel#KioskPrompt[closed="true"] { font-size: {closed}pt; color: #c62828; font-weight: bold; }
QPushButton.service {
    font-size: {service}pt; min-height: {service_h}px; padding: 6px 14px;
    background-color: #1565c0; color: white; border-radius: 12px;
}
QPushButton.service[vip="true"] { background-color: #8d6e00; }
QPushButton.service[care="true"] { background-color: #ad1457; }
QPushButton.service:disabled { background-color: #9aa7b8; }
QPushButton#KioskCare {
    font-size: {service}pt; min-height: {service_h}px; padding: 6px 14px;
    background-color: #ad1457; color: white; border-radius: 12px;
}
QPushButton#KioskCare:disabled { background-color: #9aa7b8; }
QPushButton#KioskLarge, QPushButton#KioskBack {
    font-size: {small}pt; min-height: {small_h}px; padding: 4px 22px; border-radius: 8px;
    background-color: #ffffff; color: #0b3d91; border: 2px solid #0b3d91;
}
QPushButton#KioskLarge:checked { background-color: #0b3d91; color: #ffffff; }
QFrame#KioskResult { background-color: white; border: 3px solid #1565c0; border-radius: 16px; }
QLabel#KioskCode { color: #c62828; }
QLabel#KioskInfo { font-size: {info}pt; color: #222222; }
QLabel#KioskPrinter { font-size: {printer}pt; color: #2e7d32; }
QLabel#KioskPrinter[failed="true"] { color: #c62828; font-weight: bold; }
"""


def _button_text(name: str, waiting: int) -> str:
    return f"{name}\n等候 {waiting} 人"


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class KioskWindow(QWidget):
    """The kiosk screen. `printer`: any SlipPrinter; `announcer`: anything with say(text).

    Two modes for the customer at the screen, both ending with the result: 爱心通道
    (the next ticket is a priority one; shown in large type) and 大字模式 (适老化:
    bigger targets and text, and the number issued is spoken).
    """

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
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.services = services
        self.printer: SlipPrinter = printer or QtSlipPrinter()
        self.announcer = announcer
        self.speak = speak and announcer is not None
        self.board: KioskBoard | None = None
        self.last_ticket: Any = None
        self.last_slip: SlipData | None = None
        self.print_error: HallError | None = None
        self.offline = False
        self.closed_notice: str | None = None  # why no ticket can be taken now
        self.care_mode = False
        self.large = False
        self.scale = 0.0
        self.role_sheet = ""
        self._issuing = False

        self.connection_banner = ConnectionBanner()
        self.outage_banner = OutageBanner()
        self.title = BigLabel("", 30)
        self.title.setObjectName("KioskTitle")
        self.prompt = QLabel(PROMPT)
        self.prompt.setObjectName("KioskPrompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        self.buttons: dict[int, QPushButton] = {}
        self._columns = 0
        self.care_button = QPushButton(CARE_BUTTON)
        self.care_button.setObjectName("KioskCare")
        self.care_button.setAccessibleName("爱心通道")
        self.care_button.setToolTip("老人、孕妇、残障人士优先办理")
        self.care_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.care_button.clicked.connect(self.enter_care_mode)
        self.large_button = QPushButton(LARGE_ON)
        self.large_button.setObjectName("KioskLarge")
        self.large_button.setCheckable(True)
        self.large_button.toggled.connect(self.set_large)
        self.back_button = QPushButton(BACK)
        self.back_button.setObjectName("KioskBack")
        self.back_button.clicked.connect(self.leave_care_mode)
        self.back_button.hide()
        self.voice_status = VoiceStatus()
        if self.speak or announcer is not None:
            self.voice_status.bind(announcer)
        extras = QHBoxLayout()
        extras.addWidget(self.back_button)
        extras.addWidget(self.large_button)
        extras.addStretch(1)
        extras.addWidget(self.voice_status)

        choice = QVBoxLayout()
        choice.addWidget(self.prompt)
        choice.addLayout(self.grid)
        choice.addWidget(self.care_button)
        choice.addLayout(extras)
        choice.addStretch(1)

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
        box.addStretch(1)
        box.addWidget(self.code_label)
        box.addWidget(self.info_label)
        box.addWidget(self.printer_label)
        box.addStretch(1)
        self.result.hide()

        # Landscape: the result beside the choice; portrait: below it (resizeEvent).
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setSpacing(20)
        self.body.addLayout(choice, 3)
        self.body.addWidget(self.result, 2)

        layout = self.root_layout = QVBoxLayout(self)
        # The window keeps the size it is given; `fit` sizes the content to it.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(24, 0, 24, 16)
        layout.addWidget(self.connection_banner)
        layout.addWidget(self.outage_banner)
        layout.addWidget(self.title)
        layout.addLayout(self.body, 1)

        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.setInterval(clear_after_ms)
        self._clear_timer.timeout.connect(self.clear_result)

        self.live = LiveFeed(feed_factory or services.change_feed,
                             lambda: kiosk_board(services.ctx), name="kiosk",
                             # the day service (and the mapped models) after the first paint
                             before_load=lambda: services.days.tick(), topics=FLOOR_TOPICS,
                             parent=self)
        self.live.snapshot.connect(self.apply_board)
        warm_after_first_snapshot(self.live, lambda: services.warm("tickets", "forecast"))
        self.live.connection_lost.connect(self._on_connection_lost)
        self.live.connection_restored.connect(self._on_connection_restored)
        self.apply_scale(0.5)
        self.live.start()

    # --- size -----------------------------------------------------------------
    def set_role_sheet(self, sheet: str) -> None:
        """The role's style sheet, kept under the window's own rules (the demo)."""
        self.role_sheet = sheet
        self.apply_scale(self.scale, force=True)

    def apply_scale(self, scale: float, *, force: bool = False) -> None:
        """Every size of the screen at `scale` × the 1366×768 design (× 1.35 in large type)."""
        if not force and abs(scale - self.scale) < 0.02:
            return
        self.scale = scale
        size = {key: max(8, round(value * scale)) for key, value in SIZES.items()}
        style = _STYLE
        for key, value in size.items():
            style = style.replace("{" + key + "}", str(value))
        self.setStyleSheet(self.role_sheet + "\n" + style)
        self.title.set_point_size(size["title"])
        self.code_label.set_point_size(size["code"])
        self.outage_banner.set_point_size(size["banner"])
        self.connection_banner.set_point_size(size["banner"])

    def fit(self) -> None:
        """The largest scale (for the mode) whose layout fits the window."""
        width, height = max(1, self.width()), max(1, self.height())
        design_w, design_h = DESIGN_PORTRAIT if height > width else DESIGN_LANDSCAPE
        target = min(1.6, width / design_w, height / design_h)
        if self.large or self.care_mode:
            target *= LARGE_FACTOR
        scale = max(MIN_SCALE, target)
        self._arrange_buttons()
        layout = self.root_layout
        for _ in range(12):
            self.apply_scale(scale)
            for nested in self.findChildren(QLayout):  # their caches hold the old sizes
                nested.invalidate()
            layout.invalidate()
            need = layout.totalMinimumSize()
            if (need.width() <= width and need.height() <= height) or scale <= MIN_SCALE:
                break
            scale = max(MIN_SCALE, scale * 0.92)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        size = event.size()
        direction = (QBoxLayout.Direction.TopToBottom if size.height() > size.width()
                     else QBoxLayout.Direction.LeftToRight)
        if self.body.direction() != direction:
            self.body.setDirection(direction)
        self.fit()

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
        self.care_button.setVisible(board.care_channel)
        if not board.care_channel and self.care_mode:
            self.leave_care_mode()
        if rebuilt or previous is None or previous.closed_notice != board.closed_notice:
            self._show_open(board.closed_notice)
        self._update_enabled()
        self.fit()

    def _show_open(self, closed_notice: str | None) -> None:
        """Outside opening hours (or once the day is closed) the buttons rest and the
        prompt says why; the core refuses a ticket anyway."""
        self.closed_notice = closed_notice
        if closed_notice is not None and self.care_mode:
            self.leave_care_mode()
        self.prompt.setText(closed_notice or (CARE_PROMPT if self.care_mode else PROMPT))
        self.prompt.setProperty("closed", closed_notice is not None)
        _repolish(self.prompt)
        self._update_enabled()

    def _rebuild_buttons(self, board: KioskBoard) -> None:
        for button in self.buttons.values():
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        self._columns = 0
        for service in board.services:
            button = QPushButton(_button_text(service.name, service.waiting))
            button.setProperty("class", "service")
            button.setProperty("vip", service.is_vip)
            button.setProperty("care", self.care_mode)
            button.setAccessibleName(service.name)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, sid=service.id: self.take_ticket(sid))
            self.buttons[service.id] = button
        self._arrange_buttons()

    def _arrange_buttons(self) -> None:
        """Two columns (three for many services, or in large type on a wide screen, so
        the bigger buttons need fewer rows)."""
        landscape = self.width() >= self.height()
        columns = 3 if len(self.buttons) > 8 or (landscape and (self.large or self.care_mode)) \
            else 2
        if columns == self._columns:
            return
        self._columns = columns
        for index, button in enumerate(self.buttons.values()):
            self.grid.removeWidget(button)
            self.grid.addWidget(button, index // columns, index % columns)

    def _update_enabled(self) -> None:
        usable = not self.offline and not self._issuing and self.closed_notice is None
        for button in self.buttons.values():
            button.setEnabled(usable)
        self.care_button.setEnabled(usable and not self.care_mode)
        self.large_button.setEnabled(not self.offline)

    def _on_connection_lost(self, _message: str) -> None:
        """Customers read 「系统繁忙,请稍候或咨询大堂经理」, large; nothing can be tapped."""
        self.offline = True
        self.connection_banner.on_connection_lost(CUSTOMER_BUSY)
        self._update_enabled()
        self.fit()

    def _on_connection_restored(self) -> None:
        self.offline = False
        self.connection_banner.on_connection_restored()
        self._update_enabled()
        self.fit()

    # --- modes ------------------------------------------------------------------
    def enter_care_mode(self) -> None:
        """爱心通道: the next service tapped issues a priority ticket (large type)."""
        if self.board is None or not self.board.care_channel or self.offline \
                or self.closed_notice is not None:
            return
        self.care_mode = True
        self.result.hide()
        self.prompt.setText(CARE_PROMPT)
        self.back_button.show()
        self.care_button.hide()
        self.large_button.hide()  # 爱心通道 is in large type already
        for button in self.buttons.values():
            button.setProperty("care", True)
            _repolish(button)
        self._update_enabled()
        self._clear_timer.start()  # nobody chose: back to the start after a while
        self.fit()

    def leave_care_mode(self) -> None:
        if not self.care_mode:
            return
        self.care_mode = False
        self.prompt.setText(self.closed_notice or PROMPT)
        self.back_button.hide()
        self.large_button.show()
        self.care_button.setVisible(self.board is None or self.board.care_channel)
        for button in self.buttons.values():
            button.setProperty("care", False)
            _repolish(button)
        self._update_enabled()
        self.fit()

    def set_large(self, large: bool) -> None:
        """大字模式 (适老化): bigger targets and text; the number issued is spoken."""
        self.large = large
        if self.large_button.isChecked() != large:
            self.large_button.setChecked(large)
        self.large_button.setText(LARGE_OFF if large else LARGE_ON)
        self.fit()

    # --- taking a ticket --------------------------------------------------------
    def take_ticket(self, service_id: int) -> None:
        if self.offline or self._issuing:
            return
        services, care = self.services, self.care_mode

        def issue() -> tuple[Any, SlipData]:
            ticket = services.tickets.issue(service_id, care=care)
            hall = services.ctx.hall
            return ticket, slip_from_ticket(ticket, hall.name, hall.tz, hall.hotline)

        self._issuing = True
        self._update_enabled()
        run_op(issue, on_success=self._issued, on_failure=self._issue_failed, parent=self,
               description="kiosk issue")

    def _issued(self, result: tuple[Any, SlipData]) -> None:
        ticket, slip = result
        self._issuing = False
        spoken_prompt = self.large or self.care_mode  # 适老化: say the number
        self.leave_care_mode()
        self._update_enabled()
        self.last_ticket, self.last_slip, self.print_error = ticket, slip, None
        self.code_label.setText(ticket.code)
        care = "爱心通道 · " if getattr(ticket, "care", False) else ""
        self.info_label.setText(
            f"{care}{ticket.service_name} · 前方等待{ticket.ahead}人 · {slip.wait_text}")
        self._printer_status(PRINTING, failed=False)
        self.result.show()
        self._clear_timer.start()
        if (self.speak or spoken_prompt) and self.announcer is not None:
            self.announcer.say(ticket_taken_announcement(ticket.code, ticket.ahead))
        log.info("Issued %s (%s ahead)", ticket.code, ticket.ahead)
        printer, code = self.printer, ticket.code
        run_op(lambda: printer.print_slip(slip),
               on_success=lambda _: self._printed(code),
               on_failure=lambda err: self._print_failed(code, err),
               parent=self, description="kiosk print")
        self.live.request_refresh()
        self.fit()

    def _issue_failed(self, error: HallError) -> None:
        self._issuing = False
        if isinstance(error, DayClosed):  # the hours ended (or the day closed) meanwhile
            self._show_open(error.message)
        self._update_enabled()
        self.last_ticket = None
        self.code_label.setText("")
        if isinstance(error, DatabaseUnavailable | OperationFailed):
            text = CUSTOMER_BUSY  # a customer is told what to do, not what broke
        else:
            text = ISSUE_FAILED_PREFIX + error.message
        self.info_label.setText(text)
        self._printer_status("", failed=False)
        self.result.show()
        self._clear_timer.start()
        self.fit()

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
        _repolish(self.printer_label)

    def clear_result(self) -> None:
        """Back to the choice of services (after a while, for the next customer), in
        standard type."""
        self.result.hide()
        self.code_label.setText("")
        self.leave_care_mode()
        self.set_large(False)
        self.fit()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.live.stop_soon()
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
