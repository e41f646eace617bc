"""The clerk's counter window (窗口): current customer, queue, actions, scripts, cash helper.

    window = CounterWindow(services, actor, counter_id)        # tests build it directly
    hall-app counter [--staff 1001] [--counter 3]              # main(): login, then window

Data arrives from ``ui.live.LiveFeed`` (a worker thread); every action runs through
``ui.ops.run_op`` and returns a fresh snapshot, so the GUI thread never waits on the
database or the speech engine. Timers tick locally from the snapshot's ``now``.
Keys (keypad friendly): F1 call next, F2 recall, F3 no-show, F4 start/finish,
F5 transfer, F6 pause/resume, F7 escalate, F8 complaint (if the form is installed).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hall_app.announce import call_announcement
from hall_app.errors import DatabaseUnavailable, HallError
from hall_app.scripts import default_book, format_yuan, load_scripts
from hall_app.services.counter_after_call import after_call
from ui import notify, optional
from ui.app_runtime import GeometryKeeper
from ui.counter.actions import ActionBar
from ui.counter.cash import CashHelper
from ui.counter.current import CurrentCustomerPanel
from ui.counter.dialogs import EscalateDialog, PauseDialog, TransferDialog
from ui.counter.documents import DocumentsDialog
from ui.counter.queue import QueuePanel
from ui.counter.script import ScriptPanel
from ui.counter.situation import LiveClock, outage_text, script_thresholds
from ui.live import LiveFeed, warm_after_first_snapshot
from ui.ops import OpHandle, run_op
from ui.rating.own_figures import OwnRatingLabel
from ui.session import Relogin
from ui.voice import Announcer
from ui.widgets import ConnectionBanner, OutageBanner, VoiceStatus
from ui.widgets.estimates import EstimateKeeper

if TYPE_CHECKING:
    from hall_app.config import Settings
    from hall_app.domain.roles import Actor
    from hall_app.scripts import CashResult, DocumentExchange, ScriptBook
    from hall_app.services import HallServices
    from hall_app.services.queries import CounterInfo, CounterView, CurrentTicket, ServiceInfo
    from hall_app.services.tickets import TicketInfo

log = logging.getLogger(__name__)

OFFLINE_REFUSAL = "数据库连接中断,操作未执行。连接恢复后请重试。"
BUSY_REFUSAL = "正在处理上一个操作,请稍候。"
NO_CUSTOMER = "当前没有顾客。"


COMPLAINT_FORM = "ui.complaints.form"


def voice_wanted(settings: Settings) -> bool:
    voice = settings.voice
    return bool(voice.enabled and voice.station == "counter")


class CounterWindow(QMainWindow):
    """One clerk at one counter. ``view`` is the latest ``CounterView`` snapshot."""

    def __init__(self, services: HallServices, actor: Actor, counter_id: int, *,
                 announcer: Announcer | None = None, scripts: ScriptBook | None = None,
                 live_options: dict[str, Any] | None = None,
                 sign_out_on_close: bool = False, start: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.counter_id = counter_id
        self.view: CounterView | None = None
        self._applied_view: CounterView | None = None
        self.connected = True
        self.busy = False
        self.active_dialog: QWidget | None = None
        self.sign_out_on_close = sign_out_on_close
        self._epoch = [0]  # bumped when an action's own snapshot is applied
        self._clock = LiveClock()
        self._all_services: list[ServiceInfo] = []
        self._all_counters: list[CounterInfo] = []
        settings = services.ctx.settings
        self.book = scripts or (load_scripts(settings.scripts_path) if settings.scripts_path
                                else default_book())
        self.announcer: Announcer | None = None
        if voice_wanted(settings):
            self.announcer = announcer or Announcer(volume=settings.voice.volume, parent=self)
        # The complaint form is imported on the first 登记投诉, not with the window.
        self._has_complaint_form = optional.available(COMPLAINT_FORM)

        self.setWindowTitle("营业员窗口")
        self.connection_banner = ConnectionBanner()
        self.outage_banner = OutageBanner()
        self.current_panel = CurrentCustomerPanel()
        self.own_rating = OwnRatingLabel()
        self.queue_panel = QueuePanel()
        services = self.services  # the forecast service is built in the worker, on first use
        self.estimates = EstimateKeeper(lambda: services.forecast.waiting_estimates(),
                                        parent=self)
        self.estimates.updated.connect(self.queue_panel.set_estimates)
        self.script_panel = ScriptPanel(self.book, script_thresholds(services.ctx.thresholds()))
        self.script_panel.set_clock(self._clock)
        self.script_panel.helper_requested.connect(self.open_helper)
        self.script_panel.escalate_requested.connect(lambda reason: self.escalate(reason))
        self.cash_helper = CashHelper(self.book)
        self.cash_helper.record_requested.connect(self.record_cash)
        self.actions_bar = ActionBar(self, with_complaint=self._has_complaint_form)
        handlers = {
            "call_next": self.call_next, "recall": self.recall, "no_show": self.no_show,
            "start_finish": self.start_or_finish, "transfer": self.transfer,
            "pause": self.pause_or_resume, "escalate": self.escalate,
            "complaint": self.register_complaint,
        }
        for name, button in self.actions_bar.buttons.items():
            button.clicked.connect(handlers[name])
            self.actions_bar.shortcuts[name].activated.connect(handlers[name])

        central = QWidget()
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.connection_banner)
        root.addWidget(self.outage_banner)
        # Three columns whose widths never follow what they say: who is at the counter and
        # who is next | the scripts | the cash helper (room for its errors and phrases).
        body = QHBoxLayout()
        body.setContentsMargins(8, 8, 8, 0)
        left = QVBoxLayout()
        left.addWidget(self.current_panel, 0)
        left.addWidget(self.queue_panel, 1)
        for panel, width in ((self.current_panel, 360), (self.queue_panel, 360),
                             (self.script_panel, 640), (self.cash_helper, 330)):
            policy = panel.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            panel.setSizePolicy(policy)
            panel.setMinimumWidth(width)
        body.addLayout(left, 4)
        body.addWidget(self.script_panel, 7)
        body.addWidget(self.cash_helper, 4)
        root.addLayout(body, 1)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 0, 8, 8)
        bar.addWidget(self.actions_bar)
        root.addLayout(bar)
        self.setCentralWidget(central)
        notify.attach_default_presenter(self)
        self.voice_status = VoiceStatus()
        if self.announcer is not None:
            self.voice_status.bind(self.announcer)
        # The clerk's own figures in the status bar: one line, never pushing the panels.
        self.statusBar().addPermanentWidget(self.own_rating, 1)
        self.statusBar().addPermanentWidget(self.voice_status)
        self.resize(1366, 768)
        GeometryKeeper(self, "counter")

        epoch = self._epoch
        counter_view = services.queries.counter_view
        self.live = LiveFeed(lambda: services.change_feed(),
                             lambda: (epoch[0], counter_view(counter_id)),
                             name="counter", before_load=services.days.tick, parent=self,
                             **(live_options or {}))
        self.connection_banner.bind(self.live)
        self.live.snapshot.connect(self._on_snapshot)
        warm_after_first_snapshot(self.live, lambda: services.warm("tickets", "desk", "forecast"))
        self.live.connection_lost.connect(self._on_connection_lost)
        self.live.connection_restored.connect(self._on_connection_restored)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self._update_actions()
        self.relogin = Relogin(self, self._relogin_dialog, self._logged_in_again)
        if start:
            self.start()

    # --- 登录已失效,请重新登录 ---------------------------------------------------------
    def session_expired(self, message: str) -> None:
        """The core refused this window's session (ui/session.py): ask for a login."""
        self.busy = False
        self._update_actions()
        self.relogin.trigger(message)

    def _relogin_dialog(self, message: str) -> QDialog:
        from ui.counter.login import LoginDialog

        number = self.view.counter.number if self.view is not None else None
        dialog = LoginDialog(self.services, staff=self.actor.staff_no, counter_number=number)
        dialog.error_label.setText(message)
        return dialog

    def _logged_in_again(self, dialog: QDialog) -> None:
        actor, counter = getattr(dialog, "actor", None), getattr(dialog, "counter", None)
        if actor is None or counter is None:
            return
        if counter.id == self.counter_id:
            self.actor = actor
            if self.view is not None:
                self.apply_view(self.view)
            self.live.request_refresh()
            return
        # Signed in at another counter: that counter's window replaces this one.
        window = CounterWindow(self.services, actor, counter.id,
                               sign_out_on_close=self.sign_out_on_close)
        window.show()
        self.sign_out_on_close = False  # this window's session is gone
        self.replacement = window
        self.close()

    # --- life cycle -------------------------------------------------------------
    def start(self) -> None:
        self.live.start()
        self.ticker.start()
        self._load_reference_lists()

    def _load_reference_lists(self) -> None:
        queries = self.services.queries
        run_op(lambda: (queries.services(), queries.counters()),
               on_success=self._set_reference_lists,
               on_failure=lambda e: log.info("reference lists not loaded: %s", e.message),
               parent=self, description="counter reference lists")

    def _set_reference_lists(self, lists: tuple[list[ServiceInfo], list[CounterInfo]]) -> None:
        self._all_services, self._all_counters = list(lists[0]), list(lists[1])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.ticker.stop()
        self.live.stop_soon()
        if self.sign_out_on_close and not self.relogin.active and (
                self.view is None or self.view.current is None):
            actor, cid, counters = self.actor, self.counter_id, self.services.counters
            run_op(lambda: counters.sign_out(actor, cid), description="sign out")
        super().closeEvent(event)

    # --- snapshots --------------------------------------------------------------
    def _on_snapshot(self, data: tuple[int, CounterView]) -> None:
        epoch, view = data
        if epoch < self._epoch[0]:  # read before our own action committed: stale
            self.live.request_refresh()
            return
        self.apply_view(view)

    def shows_latest_view(self) -> bool:
        """Whether every panel shows `self.view` (after F1 the called number is painted
        first and the rest follows on the next turn of the event loop)."""
        return self._applied_view is self.view

    def apply_view(self, view: CounterView) -> None:
        self.view = view
        self._applied_view = view
        self._clock.reset(view.now)
        counter = view.counter
        who = f" · {self.actor.name}" if getattr(self.actor, "name", None) else ""
        self.setWindowTitle(f"{counter.number}号窗口{who} — 营业员窗口")
        self.current_panel.apply(view, self._clock)
        self.queue_panel.apply(view, self._clock)
        self.estimates.offer(e.ticket_id for e in view.queue)
        self.script_panel.apply(view)
        self.outage_banner.set_notice(outage_text(view), "critical")
        self.cash_helper.set_business(view.current.service_name if view.current else "")
        # His own figures only: those of the clerk holding the counter, if that is him.
        mine = view.counter.staff_id is not None and view.counter.staff_id == self.actor.staff_id
        self.own_rating.apply(view.my_rating if mine else None)
        self._update_actions()

    def _tick(self) -> None:
        self.current_panel.refresh_timers()
        self.queue_panel.tick()
        self.script_panel.tick()

    def _on_connection_lost(self, message: str) -> None:
        self.connected = False
        self.script_panel.set_connected(False)
        self._update_actions()

    def _on_connection_restored(self) -> None:
        self.connected = True
        self.script_panel.set_connected(True)
        self._update_actions()
        notify.info("数据库连接已恢复。")

    def _update_actions(self) -> None:
        self.actions_bar.update_state(self.view, connected=self.connected, busy=self.busy)
        self.cash_helper.record_button.setEnabled(
            self.connected and not self.busy and self.cash_helper.result is not None)

    # --- running actions --------------------------------------------------------
    def _can_act(self) -> bool:
        if not self.connected:
            notify.error(OFFLINE_REFUSAL)
            return False
        if self.busy:
            notify.warning(BUSY_REFUSAL)
            return False
        return True

    def run_action(self, label: str, fn: Callable[[], Any],
                   on_done: Callable[[Any], None] | None = None,
                   paint: Callable[[CounterView, Any], CounterView] | None = None,
                   ) -> OpHandle | None:
        """Run `fn` off the GUI thread, then take a fresh snapshot; report in Chinese.

        With `paint`, the window shows `paint(view, result)` as soon as `fn` returns
        (F1: the called ticket, from the call's own result) and the snapshot read that
        follows on the window's ordered lane only confirms it.
        """
        if not self._can_act():
            return None
        self.busy = True
        self._update_actions()
        queries, cid = self.services.queries, self.counter_id
        if paint is not None:
            return self._run_painted(label, fn, on_done, paint)

        def work() -> tuple[Any, CounterView | None]:
            result = fn()
            try:
                view = queries.counter_view(cid)
            except Exception:  # the action itself succeeded; the live feed catches up
                log.warning("snapshot after %s failed", label, exc_info=True)
                view = None
            return result, view

        def done(outcome: tuple[Any, CounterView | None]) -> None:
            result, view = outcome
            self.busy = False
            self._epoch[0] += 1
            if view is not None:
                self.apply_view(view)
            else:
                self.live.request_refresh()
            self._update_actions()
            if on_done is not None:
                on_done(result)

        return run_op(work, on_success=done, on_failure=self._action_failed(label), parent=self,
                      description=label)

    def _run_painted(self, label: str, fn: Callable[[], Any],
                     on_done: Callable[[Any], None] | None,
                     paint: Callable[[CounterView, Any], CounterView]) -> OpHandle:
        queries, cid = self.services.queries, self.counter_id

        def confirmed(view: CounterView) -> None:
            self.apply_view(view)

        def not_confirmed(error: HallError) -> None:  # the action itself succeeded
            log.info("snapshot after %s failed: %s", label, error.message)
            self.live.request_refresh()

        def done(result: Any) -> None:
            self.busy = False
            self._epoch[0] += 1
            # Queued first, so that nothing the painting starts (estimates) comes before it.
            run_op(lambda: queries.counter_view(cid), on_success=confirmed,
                   on_failure=not_confirmed, parent=self, description=f"{label}: snapshot")
            if self.view is not None:
                painted = paint(self.view, result)
                # The called number first, painted now; the rest of the window (the
                # queue, the script, wrapped labels to lay out again) on the next turn
                # of the event loop.
                self.view = painted
                self.current_panel.code_label.setText(result.code)
                self.current_panel.code_label.repaint()
                self._update_actions()
                QTimer.singleShot(0, self, lambda: self.apply_view(painted)
                                  if self.view is painted else None)
            else:
                self._update_actions()
            if on_done is not None:
                on_done(result)

        return run_op(fn, on_success=done, on_failure=self._action_failed(label), parent=self,
                      description=label)

    def _action_failed(self, label: str) -> Callable[[HallError], None]:
        def failed(error: HallError) -> None:
            self.busy = False
            self._update_actions()
            if isinstance(error, DatabaseUnavailable):
                notify.error(f"{error.message}({label}未执行,请稍后重试)")
            else:
                notify.error(error.message)
            self.live.request_refresh()

        return failed

    def _current(self) -> CurrentTicket | None:
        cur = self.view.current if self.view is not None else None
        if cur is None:
            notify.warning(NO_CUSTOMER)
        return cur

    def _announce(self, ticket_code: str) -> None:
        if self.announcer is not None and self.view is not None:
            self.announcer.say(call_announcement(ticket_code, self.view.counter.number))

    # --- the actions ------------------------------------------------------------
    def call_next(self) -> OpHandle | None:
        actor, cid, services = self.actor, self.counter_id, self.services

        def called(ticket: TicketInfo) -> None:
            notify.info(f"已叫号 {ticket.code}")
            self._announce(ticket.code)

        return self.run_action("叫号", lambda: services.tickets.call_next(actor, cid), called,
                               paint=after_call)

    def recall(self) -> OpHandle | None:
        cur = self._current() if self._can_act() else None
        if cur is None:
            return None
        if cur.state != "called":
            notify.warning(f"{cur.code}号已在办理中,无需重呼。")
            return None
        actor, cid, services = self.actor, self.counter_id, self.services

        def recalled(ticket: TicketInfo) -> None:
            notify.info(f"已重呼 {ticket.code}(第{ticket.recall_count}次)")
            self._announce(ticket.code)

        return self.run_action("重呼", lambda: services.tickets.recall(actor, cur.ticket_id, cid), recalled)

    def no_show(self) -> QMessageBox | None:
        cur = self._current() if self._can_act() else None
        view = self.view
        if cur is None or view is None:  # a current customer implies a view
            return None
        limit = view.recalls_before_no_show
        if cur.state != "called" or cur.recall_count < limit:
            notify.warning(f"{cur.code}号需重呼{limit}次后才能过号(已重呼{cur.recall_count}次)。"
                           if cur.state == "called" else f"{cur.code}号已在办理中,不能过号。")
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "确认过号",
                          f"确定将 {cur.code} 号记为过号吗?顾客需要重新取号。",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText("过号")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        actor, cid, services = self.actor, self.counter_id, self.services

        def answered(button: int) -> None:
            self.active_dialog = None
            if button == QMessageBox.StandardButton.Yes:
                self.run_action("过号", lambda: services.tickets.no_show(actor, cur.ticket_id, cid),
                                lambda t: notify.info(f"{t.code}号已记为过号"))

        box.finished.connect(answered)
        self.active_dialog = box
        box.open()
        return box

    def start_or_finish(self) -> OpHandle | None:
        cur = self._current() if self._can_act() else None
        if cur is None:
            return None
        actor, cid, services = self.actor, self.counter_id, self.services
        if cur.state == "serving":
            def finished(ticket: TicketInfo) -> None:
                notify.info(f"{ticket.code}号办理完成")
                self.cash_helper.clear()

            return self.run_action("办理完成", lambda: services.tickets.finish(actor, cur.ticket_id, cid),
                                   finished)
        return self.run_action("开始办理", lambda: services.tickets.start(actor, cur.ticket_id, cid),
                               lambda t: notify.info(f"{t.code}号开始办理"))

    def transfer(self) -> TransferDialog | None:
        cur = self._current() if self._can_act() else None
        if cur is None:
            return None
        if not self._all_services:
            self._load_reference_lists()
            notify.warning("正在读取业务和窗口列表,请稍后再按转移。")
            return None
        dialog = TransferDialog(cur.code, self._all_services, self._all_counters,
                                current_service_id=cur.service_id,
                                this_counter_id=self.counter_id, parent=self)
        actor, cid, services = self.actor, self.counter_id, self.services

        def accepted() -> None:
            to_service, to_counter = dialog.choice()
            self.run_action("转移", lambda: services.tickets.transfer(
                actor, cur.ticket_id, to_service_id=to_service, to_counter_id=to_counter,
                counter_id=cid), lambda t: notify.info(f"{t.code}号已转至{t.service_name}"))

        dialog.accepted.connect(accepted)
        dialog.rejected.connect(lambda: notify.info("已取消转移。"))
        dialog.finished.connect(lambda _: setattr(self, "active_dialog", None))
        self.active_dialog = dialog
        dialog.open()
        return dialog

    def pause_or_resume(self) -> OpHandle | PauseDialog | None:
        if not self._can_act() or self.view is None:
            return None
        actor, cid, counters = self.actor, self.counter_id, self.services.counters
        if self.view.counter.state == "paused":
            return self.run_action("恢复服务", lambda: counters.resume(actor, cid),
                                   lambda _: notify.info("已恢复服务"))
        if self.view.current is not None:
            notify.warning(f"请先处理完当前顾客{self.view.current.code}号再暂停。")
            return None
        dialog = PauseDialog(self)

        def accepted() -> None:
            reason = dialog.reason()
            self.run_action("暂停服务", lambda: counters.pause(actor, cid, reason),
                            lambda _: notify.info(f"已暂停服务:{reason}"))

        dialog.accepted.connect(accepted)
        dialog.rejected.connect(lambda: notify.info("已取消,窗口继续服务。"))
        dialog.finished.connect(lambda _: setattr(self, "active_dialog", None))
        self.active_dialog = dialog
        dialog.open()
        return dialog

    def escalate(self, reason: str | None = None) -> EscalateDialog | None:
        """F7. *reason* prefills the dialog; without one, a reason the script panel is
        offering (after 「我不太清楚」 or 「客户仍不满意」) is used."""
        if not self._can_act():
            return None
        cur = self.view.current if self.view is not None else None
        prefill = reason if isinstance(reason, str) else self.script_panel.offer_reason
        dialog = EscalateDialog(cur.code if cur else None, self, reason=prefill)
        actor, cid, services = self.actor, self.counter_id, self.services

        def accepted() -> None:
            reason = dialog.reason()
            self.script_panel.dismiss_offer()
            self.run_action("呼叫值班长", lambda: services.desk.escalate(
                actor, cid, reason, cur.ticket_id if cur else None),
                lambda _: notify.info("已通知值班长,请稍候。"))

        dialog.accepted.connect(accepted)
        dialog.rejected.connect(lambda: notify.info("已取消,未通知值班长。"))
        dialog.finished.connect(lambda _: setattr(self, "active_dialog", None))
        self.active_dialog = dialog
        dialog.open()
        return dialog

    def register_complaint(self) -> QDialog | None:
        open_form = optional.feature(COMPLAINT_FORM, "open_complaint_form") \
            if self._has_complaint_form else None
        if open_form is None:
            return None
        cur = self.view.current if self.view is not None else None
        try:
            dialog = open_form(
                self, self.services, self.actor, ticket_id=cur.ticket_id if cur else None,
                ticket_code=cur.code if cur else None, counter_id=self.counter_id)
        except HallError as exc:
            notify.error(exc.message)
            return None
        if dialog is not None and not dialog.isVisible():
            dialog.open()
        self.active_dialog = dialog
        return dialog

    def open_helper(self, helper: str) -> DocumentsDialog | None:
        """A palette phrase built by a helper: the cash form takes focus, or the
        document dialog opens."""
        if helper == "documents":
            return self.open_documents()
        self.cash_helper.due_edit.setFocus()
        self.cash_helper.due_edit.selectAll()
        return None

    def open_documents(self) -> DocumentsDialog | None:
        if not self._can_act():
            return None
        cur = self.view.current if self.view is not None else None
        dialog = DocumentsDialog(self.book, cur.code if cur else None, self)
        dialog.accepted.connect(lambda: self._record_documents(dialog.checked, cur))
        dialog.finished.connect(lambda _: setattr(self, "active_dialog", None))
        self.active_dialog = dialog
        dialog.open()
        return dialog

    def _record_documents(self, exchange: DocumentExchange | None,
                          cur: CurrentTicket | None) -> OpHandle | None:
        if exchange is None:
            return None
        actor, cid, services = self.actor, self.counter_id, self.services
        items = exchange.items

        def recorded(_: object) -> None:
            self.script_panel.mark_said("document_exchange")
            notify.info(f"已记录证件交接:「{exchange.phrase}」")

        return self.run_action("记录证件交接", lambda: services.desk.record_documents(
            actor, items, counter_id=cid, ticket_id=cur.ticket_id if cur else None), recorded)

    def record_cash(self, result: CashResult,
                    items: dict[str, int] | None = None) -> OpHandle | None:
        cur = self.view.current if self.view is not None else None
        actor, cid, services = self.actor, self.counter_id, self.services
        ticket_id = cur.ticket_id if cur else None

        def recorded(_: object) -> None:
            notify.info(f"已记录收款:收{format_yuan(result.received)}元,"
                        f"找{format_yuan(result.change)}元")

        return self.run_action("记录收款", lambda: services.desk.record_cash(
            actor, due_fen=result.due_fen, received_fen=result.received_fen,
            ticket_id=ticket_id, counter_id=cid, items=items), recorded)


# --- entry point -----------------------------------------------------------------
def main(args: argparse.Namespace, settings: Settings) -> int:
    """``hall-app counter``: open the database off the GUI thread, log in, show the window."""
    from hall_app.services import HallServices
    from ui.app_runtime import create_app
    from ui.counter.login import LoginDialog

    app = create_app("counter")
    state: dict[str, Any] = {"code": 0}
    progress = QProgressDialog("正在连接数据库…", "", 0, 0)
    progress.setWindowTitle("营业员窗口")
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(0)

    def open_services() -> None:
        progress.show()
        run_op(lambda: _open(HallServices, settings), on_success=opened, on_failure=failed)

    def failed(error: HallError) -> None:
        progress.hide()
        box = QMessageBox(QMessageBox.Icon.Critical, "无法连接数据库",
                          f"{error.message}\n\n请检查网络或联系管理员。",
                          QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Close)
        box.button(QMessageBox.StandardButton.Retry).setText("重试")
        box.button(QMessageBox.StandardButton.Close).setText("退出")
        if box.exec() == QMessageBox.StandardButton.Retry:
            open_services()
        else:
            state["code"] = 1
            app.quit()

    def opened(services: HallServices) -> None:
        # Gone for good, not only hidden: QProgressDialog shows itself again from its own
        # timer, and a hidden top-level may stay mapped behind the counter window.
        progress.hide()
        progress.deleteLater()
        state["services"] = services
        login = LoginDialog(services, staff=getattr(args, "staff", None) or "",
                            counter_number=getattr(args, "counter", None))
        state["login"] = login

        def signed_in(actor: Actor, counter: CounterInfo) -> None:
            window = CounterWindow(services, actor, counter.id, sign_out_on_close=True)
            state["window"] = window
            window.show()

        login.signed_in.connect(signed_in)
        login.rejected.connect(app.quit)
        login.show()

    QTimer.singleShot(0, open_services)
    code = app.exec()
    services = state.get("services")
    if services is not None:
        from ui import ops

        ops.shutdown()
        services.close()
    return state["code"] or code


def _open(factory: type[HallServices], settings: Settings) -> HallServices:
    services = factory.open(settings)
    _ = services.ctx.hall  # fail here (worker thread) if the hall is missing
    services.set_role("counter")
    return services
