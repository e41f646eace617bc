"""The hall display (叫号屏): the latest calls in type readable across the hall, spoken once.

The newest call fills the top in huge type (「A012 → 3号窗口」), the previous calls are
listed below, and the outage notice runs across the top while one is active. Data comes
from `hall_app.services.calls.display_board` through a LiveFeed; only labels whose text
changed are redrawn. Each call or recall event is announced exactly once (by event id),
and only when this hall speaks calls at the display. While the database is unreachable a
red banner says so and the calls are greyed out, so nobody trusts a stale screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from hall_app.announce import call_announcement
from hall_app.changes import FLOOR_TOPICS
from hall_app.services import HallServices
from hall_app.services.calls import CallInfo, DisplayBoard, display_board
from ui.live import LiveFeed
from ui.widgets import BigLabel, ConnectionBanner, OutageBanner, VoiceStatus
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:  # the speech module loads only when a window speaks
    from ui.voice import Speaker

log = logging.getLogger(__name__)

DEFAULT_ROWS = 6
WAITING_TEXT = "请留意叫号"

_STYLE = """
QWidget#DisplayWindow { background-color: #0b1e3a; }
QWidget#DisplayWindow QLabel { color: #ffffff; background: transparent; }
QLabel#DisplayTitle { color: #ffd54f; }
QFrame#DisplayNewest { background-color: #c62828; border-radius: {radius}px; }
QFrame#DisplayNewest[stale="true"] { background-color: #555555; }
QLabel.head { color: #90caf9; font-size: {head}pt; }
QLabel.row { font-size: {row}pt; font-weight: bold; }
QWidget#DisplayWindow QLabel.row[stale="true"] { color: #777777; }
"""
#: Type sizes (pt) on a full-HD screen; smaller screens scale them down (`fit_scale`).
SIZES = {"title": 34, "newest": 120, "counter": 60, "head": 26, "row": 40, "banner": 30,
         "radius": 18}
DESIGN_WIDTH, DESIGN_HEIGHT = 1100, 1080
MIN_SCALE = 0.3


def fit_scale(width: int, height: int) -> float:
    """How much of the full-HD type fits a window of this size (0.3 … 1)."""
    return max(MIN_SCALE, min(1.0, width / DESIGN_WIDTH, height / DESIGN_HEIGHT))


def latest_per_ticket(calls: tuple[CallInfo, ...]) -> list[CallInfo]:
    """Newest first, one entry per ticket code (a recall or re-call replaces the older one)."""
    seen: set[str] = set()
    out: list[CallInfo] = []
    for call in calls:
        if call.code not in seen:
            seen.add(call.code)
            out.append(call)
    return out


class DisplayWindow(QWidget):
    """`announcer`: anything with say(text); `speak`: whether this display announces calls."""

    def __init__(
        self,
        services: HallServices,
        *,
        announcer: Speaker | None = None,
        speak: bool = False,
        rows: int = DEFAULT_ROWS,
        feed_factory: Callable[[], Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DisplayWindow")
        self.setWindowTitle("叫号屏")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # also when embedded
        self.role_sheet = ""
        self.scale = 0.0
        self.services = services
        self.announcer = announcer
        self.speak = speak and announcer is not None
        self.rows = rows
        self.board: DisplayBoard | None = None
        self.shown: list[CallInfo] = []
        self.announced: list[int] = []  # event ids, in the order they were spoken
        self._last_event_id: int | None = None  # None until the first snapshot
        self.stale = False

        self.connection_banner = ConnectionBanner()
        self.outage_banner = OutageBanner()
        self.title = BigLabel("", 34)
        self.title.setObjectName("DisplayTitle")

        self.newest = QFrame()
        self.newest.setObjectName("DisplayNewest")
        self.newest_code = BigLabel(WAITING_TEXT, 120)
        self.newest_counter = BigLabel("", 60)
        newest_box = QVBoxLayout(self.newest)
        newest_box.addWidget(self.newest_code)
        newest_box.addWidget(self.newest_counter)

        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setHorizontalSpacing(40)
        for column, text in enumerate(("号码", "窗口")):
            head = QLabel(text)
            head.setProperty("class", "head")
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(head, 0, column)
        self.row_labels: list[tuple[QLabel, QLabel]] = []
        for index in range(rows):
            pair = (QLabel(""), QLabel(""))
            for column, label in enumerate(pair):
                label.setProperty("class", "row")
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(label, index + 1, column)
            self.row_labels.append(pair)

        layout = self.root_layout = QVBoxLayout(self)
        # The window keeps the size it is given; `fit` sizes the type to it.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(32, 0, 32, 24)
        layout.addWidget(self.connection_banner)
        layout.addWidget(self.outage_banner)
        layout.addWidget(self.title)
        layout.addWidget(self.newest)
        layout.addWidget(grid_widget)
        layout.addStretch(1)
        self.voice_status = VoiceStatus()
        if self.speak:
            self.voice_status.bind(announcer)
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(self.voice_status)
        layout.addLayout(footer)
        self.apply_scale(MIN_SCALE)  # grows to the window's size when it is shown

        self.live = LiveFeed(feed_factory or services.change_feed,
                             lambda: display_board(services.ctx, max(30, rows * 4)),
                             # the day service (and the mapped models) after the first paint
                             name="display", before_load=lambda: services.days.tick(),
                             topics=FLOOR_TOPICS, parent=self)
        self.live.snapshot.connect(self.apply_board)
        self.live.connection_lost.connect(lambda _msg: self.set_stale(True))
        self.live.connection_restored.connect(lambda: self.set_stale(False))
        self.connection_banner.bind(self.live)
        self.live.start()

    # --- type size ----------------------------------------------------------------
    def set_role_sheet(self, sheet: str) -> None:
        """The role's style sheet, kept under the window's own rules (the demo)."""
        self.role_sheet = sheet
        self.apply_scale(self.scale, force=True)

    def apply_scale(self, scale: float, *, force: bool = False) -> None:
        """Size every big text for `scale` × the full-HD sizes."""
        if not force and abs(scale - self.scale) < 0.02:
            return
        self.scale = scale
        size = {key: max(8, round(value * scale)) for key, value in SIZES.items()}
        style = _STYLE.replace("{radius}", str(size["radius"])).replace(
            "{head}", str(size["head"])).replace("{row}", str(size["row"]))
        self.setStyleSheet(self.role_sheet + "\n" + style)
        self.title.set_point_size(size["title"])
        self.newest_code.set_point_size(size["newest"])
        self.newest_counter.set_point_size(size["counter"])
        self.outage_banner.set_point_size(size["banner"])

    def fit(self) -> None:
        """The largest type (at most full-HD size) whose layout fits the window."""
        width, height = max(1, self.width()), max(1, self.height())
        scale = fit_scale(width, height)
        for _ in range(12):
            self.apply_scale(scale)
            for nested in self.findChildren(QLayout):  # their caches hold the old sizes
                nested.invalidate()
            self.root_layout.invalidate()
            need = self.root_layout.totalMinimumSize()
            if (need.width() <= width and need.height() <= height) or scale <= MIN_SCALE:
                break
            scale = max(MIN_SCALE, scale * 0.92)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit()

    # --- drawing ----------------------------------------------------------------
    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)

    def apply_board(self, board: DisplayBoard) -> None:
        previous = self.board
        self.board = board
        if previous is None or previous.hall_name != board.hall_name:
            self.title.setText(f"{board.hall_name} 叫号")
        if previous is None or previous.outage != board.outage:
            if board.outage is None:
                self.outage_banner.set_notice(None)
            else:
                self.outage_banner.set_notice(
                    board.outage.text, "critical" if board.outage.hall_wide else "warning")
            self.fit()  # the notice takes room
        shown = latest_per_ticket(board.calls)[: self.rows + 1]
        if shown != self.shown:
            self.shown = shown
            if shown:
                self._set(self.newest_code, shown[0].code)
                self._set(self.newest_counter, f"请到 {shown[0].counter_number} 号窗口")
            else:
                self._set(self.newest_code, WAITING_TEXT)
                self._set(self.newest_counter, "")
            for index, (code_label, counter_label) in enumerate(self.row_labels):
                call = shown[index + 1] if index + 1 < len(shown) else None
                self._set(code_label, call.code if call else "")
                self._set(counter_label, f"{call.counter_number}号窗口" if call else "")
        self._announce_new(board)

    def _announce_new(self, board: DisplayBoard) -> None:
        if self._last_event_id is None:  # first picture: earlier calls were already spoken
            self._last_event_id = board.last_event_id
            return
        fresh = sorted((c for c in board.calls if c.event_id > self._last_event_id),
                       key=lambda c: c.event_id)
        for call in fresh:
            self._last_event_id = call.event_id
            if self.speak and self.announcer is not None:
                self.announcer.say(call_announcement(call.code, call.counter_number))
                self.announced.append(call.event_id)

    def set_stale(self, stale: bool) -> None:
        """Grey the calls out while the database is unreachable (the banner says why)."""
        self.stale = stale
        self.fit()  # the banner takes room
        widgets: list[QWidget] = [self.newest]
        for pair in self.row_labels:
            widgets.extend(pair)
        for widget in widgets:
            widget.setProperty("stale", stale)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.live.stop_soon()
        super().closeEvent(event)


def speaks_calls(settings: Any) -> bool:
    """Does the display announce calls? (Only one station speaks, so nothing is said twice.)"""
    return bool(settings.voice.enabled and settings.voice.station == "display")


def main(args: Any, settings: Any) -> int:
    """`hall-app display [--windowed]`."""
    from ui.app_runtime import GeometryKeeper, create_app
    from ui.startup import open_services
    from ui.voice import Announcer

    app = create_app("display")
    services = open_services(settings, "叫号屏", role="display")
    if services is None:
        return 1
    speak = speaks_calls(settings)
    announcer = Announcer(volume=settings.voice.volume) if speak else None
    window = DisplayWindow(services, announcer=announcer, speak=speak)
    if getattr(args, "windowed", False):
        GeometryKeeper(window, "display")
        fit_to_screen(window, 1280, 800)
        window.show()
    else:
        window.showFullScreen()
    try:
        return int(app.exec())
    finally:
        window.live.stop()
        services.close()
