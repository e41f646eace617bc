"""The customer rating pad (评价器): a small touch screen at the counter, facing the customer.

    hall-app rating --counter 3 --bind      # once, on the pad's machine: a duty manager binds it
    hall-app rating --counter 3             # then: the pad (800×480 window; --fullscreen)

What it shows (data from `RatingService.board()` through a LiveFeed):
  * idle — the counter number, the clerk's name and 工号, the hall's service promise;
  * during service — the ticket number and the service;
  * after 办结 — 「请您对本次服务进行评价」 with 非常满意 / 满意 / 基本满意 / 不满意 and a
    countdown (the configured timeout); 不满意 asks the reason, then
    「需要值班长联系您吗?」; the countdown's end records 未评价;
  * 暂停评价 while the database cannot be reached (what the customer was doing is
    dropped; nothing half written is kept: every write is one transaction).
Each tap is one `run_op`; the pad never waits on the database on the GUI thread. The
pad keeps no customer's data once the interaction ends (labels are cleared), and the
board itself carries only this counter's current and just-finished ticket.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.ratings import (
    CUSTOMER_LEVELS,
    LEVEL_LABELS,
    REASON_LABELS,
    DissatisfiedReason,
    RatingLevel,
)
from hall_app.errors import DatabaseUnavailable, HallError, PermissionDenied
from hall_app.resources import resource_path
from hall_app.services.ratings import (
    PadBoard,
    PadCredential,
    PadTexts,
    PendingRating,
    RatingReceipt,
    RatingService,
    load_pad_texts,
)
from hall_app.services.ratings.pad_service import TOO_EARLY
from ui.live import LiveFeed
from ui.ops import run_op

if TYPE_CHECKING:
    from hall_app.services import HallServices
    from ui.voice import Speaker

log = logging.getLogger(__name__)

PAGES = ("idle", "closed", "calling", "serving", "ask", "reason", "contact", "thanks",
         "paused", "unbound")
#: Pages of one customer's interaction: a new snapshot does not interrupt them.
INTERACTION = ("reason", "contact", "thanks")
LARGE_FROM_WIDTH = 1000


def pad_stylesheet() -> str:
    path = resource_path("styles", "rating.qss")
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _label(name: str, text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(wrap)
    return label


def _button(text: str, cls: str, **props: str) -> QPushButton:
    button = QPushButton(text)
    button.setProperty("class", cls)
    for key, value in props.items():
        button.setProperty(key, value)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setAccessibleName(text)
    return button


class RatingPadWindow(QWidget):
    """One counter's pad. `credential` None: not bound yet (says how to bind)."""

    def __init__(self, services: HallServices, credential: PadCredential | None, *,
                 counter_number: int | None = None, announcer: Speaker | None = None,
                 texts: PadTexts | None = None, feed_factory: Callable[[], Any] | None = None,
                 live_options: dict[str, Any] | None = None, thanks_ms: int = 4000,
                 start: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RatingPad")
        self.setWindowTitle("服务评价器")
        self.setProperty("padSize", "small")
        self.setStyleSheet(pad_stylesheet())
        self.services = services
        self.credential = credential
        self.texts = texts or load_pad_texts()
        self.announcer = announcer
        self.counter_number = credential.counter_number if credential else counter_number
        self.pad = RatingService(services.ctx, credential, self.texts) if credential else None
        self.board: PadBoard | None = None
        self._snap_mono = 0.0
        self.page = ""
        self.paused = False
        self.busy = False  # a write is on its way
        self.answered: set[int] = set()  # tickets this pad recorded (rated or 未评价)
        self._timing_out: set[int] = set()
        self.asking: PendingRating | None = None
        self.rating_id: int | None = None  # the 不满意 waiting for its reason
        self.reason: str | None = None
        self._local_deadline: float | None = None  # reason / contact pages (monotonic)
        self.spoken: list[str] = []
        self.last_message = ""

        self._build()
        self._thanks_timer = QTimer(self)
        self._thanks_timer.setSingleShot(True)
        self._thanks_timer.setInterval(thanks_ms)
        self._thanks_timer.timeout.connect(self._end_interaction)
        self.ticker = QTimer(self)
        self.ticker.setInterval(250)
        self.ticker.timeout.connect(self._tick)
        self.live: LiveFeed | None = None
        if self.pad is not None:
            pad = self.pad
            self.live = LiveFeed(feed_factory or services.change_feed, pad.board, name="rating",
                                 parent=self, **(live_options or {}))
            self.live.snapshot.connect(self.apply_board)
            # A snapshot follows connection_restored; it lifts the pause (apply_board).
            self.live.connection_lost.connect(lambda _message: self.pause())
        self._header(None)
        self._show("unbound" if self.pad is None else "idle")
        if start:
            self.start()

    def start(self) -> None:
        if self.live is not None:
            self.live.start()
        self.ticker.start()

    # --- layout -----------------------------------------------------------------
    def _build(self) -> None:
        t = self.texts
        header = QFrame()
        header.setObjectName("PadHeader")
        head = QHBoxLayout(header)
        head.setContentsMargins(20, 8, 20, 8)
        self.counter_label = _label("PadCounter", wrap=False)
        self.clerk_label = _label("PadClerk", wrap=False)
        head.addWidget(self.counter_label)
        head.addStretch(1)
        head.addWidget(self.clerk_label)

        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}

        self.promise_label = _label("PadPromise")
        self.welcome_label = _label("PadLine", t.welcome)
        self._page("idle", self.promise_label, self.welcome_label)
        self.closed_label = _label("PadTitle", t.closed)
        self.closed_promise = _label("PadLine")
        self._page("closed", self.closed_label, self.closed_promise)
        self.calling_label = _label("PadTitle")
        self.calling_service = _label("PadService")
        self._page("calling", self.calling_label, self.calling_service)
        self.serving_title = _label("PadTitle", t.serving)
        self.serving_code = _label("PadCode", wrap=False)
        self.serving_service = _label("PadService")
        self._page("serving", self.serving_title, self.serving_code, self.serving_service)

        self.ask_title = _label("PadTitle", t.prompt)
        self.ask_ticket = _label("PadLine")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setSpacing(12)
        for level in CUSTOMER_LEVELS:
            button = _button(LEVEL_LABELS[level], "level", level=level.value)
            button.clicked.connect(lambda _=False, lv=level.value: self.tap_level(lv))
            row.addWidget(button)
            self.buttons[level.value] = button
        self.ask_countdown = _label("PadCountdown")
        self._page("ask", self.ask_title, self.ask_ticket, row, self.ask_countdown)

        self.reason_title = _label("PadTitle", t.reason_prompt)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.reason_buttons: dict[str, QPushButton] = {}
        for i, reason in enumerate(DissatisfiedReason):
            button = _button(REASON_LABELS[reason], "reason")
            button.clicked.connect(lambda _=False, r=reason.value: self.tap_reason(r))
            grid.addWidget(button, i // 3, i % 3)
            self.reason_buttons[reason.value] = button
        self.reason_countdown = _label("PadCountdown")
        self._page("reason", self.reason_title, grid, self.reason_countdown)

        self.contact_title = _label("PadTitle", t.contact_prompt)
        answers = QHBoxLayout()
        answers.setSpacing(24)
        self.contact_buttons = {
            "yes": _button(t.contact_yes, "contact", answer="yes"),
            "no": _button(t.contact_no, "contact", answer="no"),
        }
        for answer, button in self.contact_buttons.items():
            button.clicked.connect(lambda _=False, a=answer: self.tap_contact(a == "yes"))
            answers.addWidget(button)
        self.contact_countdown = _label("PadCountdown")
        self._page("contact", self.contact_title, answers, self.contact_countdown)

        self.thanks_label = _label("PadThanks")
        self.thanks_detail = _label("PadLine")
        self._page("thanks", self.thanks_label, self.thanks_detail)

        box = QFrame()
        box.setObjectName("PadPausedBox")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(24, 24, 24, 24)
        self.paused_label = _label("PadPaused", t.paused, wrap=False)
        self.paused_detail = _label("PadLine", t.paused_detail)
        inner.addWidget(self.paused_label)
        inner.addWidget(self.paused_detail)
        self._page("paused", box)

        self.unbound_label = _label("PadTitle", t.unbound)
        self.unbound_detail = _label("PadLine")
        self._page("unbound", self.unbound_label, self.unbound_detail)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)

    def _page(self, name: str, *items: QWidget | QHBoxLayout | QGridLayout) -> None:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(10)
        box.addStretch(1)
        for item in items:
            if isinstance(item, QWidget):
                box.addWidget(item)
            else:
                box.addLayout(item, 4)
        box.addStretch(1)
        self.stack.addWidget(page)
        self.pages[name] = page

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        size = "large" if event.size().width() >= LARGE_FROM_WIDTH else "small"
        if self.property("padSize") != size:
            self.setProperty("padSize", size)
            self.setStyleSheet(self.styleSheet())  # re-polish every child for the new size
        super().resizeEvent(event)

    # --- what is on screen --------------------------------------------------------
    def _show(self, page: str) -> None:
        self.page = page
        self.stack.setCurrentWidget(self.pages[page])

    def _header(self, board: PadBoard | None) -> None:
        number = board.counter_number if board is not None else self.counter_number
        self.counter_label.setText(f"{number}号窗口" if number is not None else "")
        holder = board.holder if board is not None else None
        self.clerk_label.setText(f"营业员 {holder.name}  工号 {holder.staff_no}" if holder else "")
        if board is not None:  # one commitment per line: 「首问负责 · 唱收唱交」
            self.promise_label.setText(board.promise.replace(" · ", "\n"))
            self.closed_promise.setText(board.promise.replace(" · ", "\n"))
        self.unbound_detail.setText(self.texts.unbound_detail.format(number=number or "N"))

    def visible_texts(self) -> list[str]:
        """Every text the customer can see now (tests check nothing stale is left)."""
        return [w.text() for w in self.findChildren(QLabel) + self.findChildren(QPushButton)
                if w.isVisibleTo(self) and w.text()]

    def now(self) -> datetime:
        """The hall's time: the last snapshot's clock plus the time elapsed since."""
        if self.board is None:
            return self.services.ctx.clock.now()
        return self.board.now + timedelta(seconds=time.monotonic() - self._snap_mono)

    # --- live data ------------------------------------------------------------------
    def apply_board(self, board: PadBoard) -> None:
        self.board, self._snap_mono = board, time.monotonic()
        if self.paused:  # a snapshot came through: the database answers again
            self.paused = False
            self.page = ""
        self._header(board)
        self._decide()

    def _decide(self) -> None:
        """Choose the page from the board, unless a customer interaction is running."""
        board = self.board
        if self.paused:
            self._show("paused")
            return
        if self.pad is None or (board is not None and not board.bound):
            self._show("unbound")
            return
        if board is None or self.busy or self.page in INTERACTION:
            return
        pending = board.pending
        if pending is not None and pending.ticket_id not in self.answered:
            if self.now() < pending.deadline:
                self._ask(pending)
                return
            self._time_out(pending)
        self.asking = None
        self._clear_customer_labels()
        current = board.current
        if current is not None and current.state == "serving":
            self.serving_code.setText(current.code)
            self.serving_service.setText(current.service_name)
            self._show("serving")
        elif current is not None:
            self.calling_label.setText(self.texts.calling.format(code=current.code))
            self.calling_service.setText(current.service_name)
            self._show("calling")
        else:
            self._show("idle" if board.counter_open else "closed")

    def _clear_customer_labels(self) -> None:
        for label in (self.ask_ticket, self.serving_code, self.serving_service,
                      self.calling_label, self.calling_service, self.thanks_detail):
            label.setText("")

    def _ask(self, pending: PendingRating) -> None:
        fresh = self.asking is None or self.asking.ticket_id != pending.ticket_id
        self.asking = pending
        if fresh:
            self._clear_customer_labels()
            self.ask_ticket.setText(f"{pending.code}号 · {pending.service_name}")
            for button in self.buttons.values():
                button.setEnabled(True)
            if self.announcer is not None:
                self.announcer.say(self.texts.prompt)
                self.spoken.append(self.texts.prompt)
        self._show("ask")
        self._tick()

    # --- countdowns -------------------------------------------------------------------
    def _seconds_left(self) -> int:
        if self.page == "ask" and self.asking is not None:
            left = (self.asking.deadline - self.now()).total_seconds()
        elif self._local_deadline is not None:
            left = self._local_deadline - time.monotonic()
        else:
            return 0
        return max(0, int(left + 0.999))

    def _tick(self) -> None:
        if self.page not in ("ask", "reason", "contact") or self.busy:
            return
        left = self._seconds_left()
        text = self.texts.countdown.format(seconds=left)
        label = {"ask": self.ask_countdown, "reason": self.reason_countdown,
                 "contact": self.contact_countdown}[self.page]
        label.setText(text)
        if left > 0:
            return
        if self.page == "ask" and self.asking is not None:
            self._time_out(self.asking)
            self._decide()
        elif self.page == "reason":  # the customer left without a reason: keep the 不满意
            self._end_interaction()
        elif self.page == "contact":  # a reason but no answer: store the reason
            self._send_explanation(None, quiet=True)

    def _start_local_countdown(self) -> None:
        timeout = self.board.timeout_seconds if self.board is not None else 30
        self._local_deadline = time.monotonic() + timeout

    # --- the customer's taps ------------------------------------------------------------
    def tap_level(self, level: str) -> None:
        pad, pending = self.pad, self.asking
        if pad is None or pending is None or self.busy or self.page != "ask":
            return
        self.busy = True
        ticket_id = pending.ticket_id
        run_op(lambda: pad.rate(ticket_id, level),
               on_success=lambda receipt: self._rated(receipt, level),
               on_failure=lambda err: self._write_failed(err, ticket_id),
               parent=self, disable=list(self.buttons.values()), description="pad rate")

    def _rated(self, receipt: RatingReceipt, level: str) -> None:
        self.busy = False
        self.answered.add(receipt.ticket_id)
        self.asking = None
        if level == RatingLevel.DISSATISFIED:
            self.rating_id = receipt.rating_id
            self._start_local_countdown()
            for button in self.reason_buttons.values():
                button.setEnabled(True)
            self._show("reason")
            self._tick()
        else:
            self._thank(self.texts.thanks)

    def tap_reason(self, reason: str) -> None:
        if self.page != "reason" or self.rating_id is None or self.busy:
            return
        self.reason = reason
        self._start_local_countdown()
        for button in self.contact_buttons.values():
            button.setEnabled(True)
        self._show("contact")
        self._tick()

    def tap_contact(self, wants_contact: bool) -> None:
        if self.page != "contact" or self.busy:
            return
        self._send_explanation(wants_contact)

    def _send_explanation(self, wants_contact: bool | None, *, quiet: bool = False) -> None:
        pad, rating_id, reason = self.pad, self.rating_id, self.reason
        if pad is None or rating_id is None or reason is None:
            self._end_interaction()
            return
        self.busy = True

        def done(_receipt: RatingReceipt) -> None:
            self.busy = False
            if quiet:
                self._end_interaction()
            else:
                self._thank(self.texts.thanks_dissatisfied,
                            self.texts.contact_promised if wants_contact else "")

        run_op(lambda: pad.explain(rating_id, reason, wants_contact), on_success=done,
               on_failure=lambda err: self._write_failed(err, None), parent=self,
               disable=list(self.contact_buttons.values()), description="pad explain")

    def _time_out(self, pending: PendingRating) -> None:
        """The countdown ended: leave the question at once, then record 未评价."""
        pad, ticket_id = self.pad, pending.ticket_id
        self.asking = None
        if pad is None or ticket_id in self._timing_out or ticket_id in self.answered:
            return
        self._timing_out.add(ticket_id)

        def recorded(_receipt: RatingReceipt) -> None:
            self._timing_out.discard(ticket_id)
            self.answered.add(ticket_id)

        def failed(error: HallError) -> None:
            self._timing_out.discard(ticket_id)
            if isinstance(error, DatabaseUnavailable):
                self.pause()
            elif error.message == TOO_EARLY:  # our clock ran ahead: try again shortly
                QTimer.singleShot(1000, self._decide)
            else:  # rated meanwhile, or no longer the counter's last ticket
                self.answered.add(ticket_id)

        run_op(lambda: pad.time_out(ticket_id), on_success=recorded, on_failure=failed,
               parent=self, description="pad timeout")

    def _write_failed(self, error: HallError, ticket_id: int | None) -> None:
        self.busy = False
        self.last_message = error.message
        if isinstance(error, DatabaseUnavailable):
            self.pause()
            return
        log.info("Pad write refused: %s", error.message)
        if ticket_id is not None:
            self.answered.add(ticket_id)  # already rated, too late, or not this counter's
        if isinstance(error, PermissionDenied) and self.live is not None:
            self.live.request_refresh()  # the board will say whether the pad is still bound
        self._thank(error.message)

    def _thank(self, text: str, detail: str = "") -> None:
        self._local_deadline = None
        self.thanks_label.setText(text)
        self.thanks_detail.setText(detail)
        self._show("thanks")
        self._thanks_timer.start()

    def _end_interaction(self) -> None:
        """Back to the counter's state; nothing of the customer stays on screen or in memory."""
        self._thanks_timer.stop()
        self.rating_id = self.reason = None
        self._local_deadline = None
        self.asking = None
        self.thanks_label.setText("")
        self.page = ""
        self._decide()

    # --- the database went away -----------------------------------------------------------
    def pause(self) -> None:
        """暂停评价: drop the interaction in progress; wait for the database to answer."""
        self.paused = True
        self.busy = False
        self._thanks_timer.stop()
        self.rating_id = self.reason = None
        self._local_deadline = None
        self.asking = None
        self._clear_customer_labels()
        self._show("paused")
        if self.live is not None:
            self.live.request_refresh()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.ticker.stop()
        if self.live is not None:
            self.live.stop_soon()
        super().closeEvent(event)


def main(args: Any, settings: Any) -> int:
    """`hall-app rating --counter N [--bind] [--fullscreen] [--voice]`."""
    number = getattr(args, "counter", None)
    if not number:
        raise HallError("请用 --counter 指定评价器所在的窗口号。")
    if getattr(args, "bind", False):
        from hall_app.services.ratings.bind_cli import bind_main

        return bind_main(args, settings)
    from hall_app.services import HallServices
    from hall_app.services.ratings import load_credential
    from ui.app_runtime import GeometryKeeper, create_app

    app = create_app("rating")
    services = HallServices.open(settings)
    credential = load_credential(services.ctx.hall.code, int(number))
    announcer = None
    if getattr(args, "voice", False) and settings.voice.enabled:
        from ui.voice import Announcer

        announcer = Announcer(volume=settings.voice.volume)
    window = RatingPadWindow(services, credential, counter_number=int(number),
                             announcer=announcer)
    if getattr(args, "fullscreen", False):
        window.showFullScreen()
    else:
        window.resize(800, 480)
        GeometryKeeper(window, "rating", f"counter{number}")
        window.show()
    try:
        return int(app.exec())
    finally:
        if window.live is not None:
            window.live.stop()
        services.close()
