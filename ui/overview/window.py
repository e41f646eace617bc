"""The duty manager's overview window (值班长总览), built for a big screen.

Top: connection banner, hall and clock, the action bar and the active outage /
facility notices (always visible). Middle: today's figures. Left: the counter grid
and the charts; right: the alert list (most severe first) and the per-service queues.

Data comes from ``OverviewService.snapshot()`` run by a ``LiveFeed`` worker after every
change notice (PostgreSQL push, SQLite polling); only the sections whose data changed
are redrawn, and a one-second timer keeps the running durations current without the
database. Every action goes through ``run_op`` to the core, which checks permissions.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hall_app.errors import HallError
from hall_app.services.overview import OverviewService
from hall_app.services.overview_model import OverviewSnapshot, WaitingTicket
from ui import notify, optional
from ui.app_runtime import GeometryKeeper
from ui.live import LiveFeed, after_first_snapshot, warm_after_first_snapshot
from ui.ops import OpHandle, run_op
from ui.overview.alerts_panel import AlertsPanel
from ui.overview.charts import HourlyChart, WaitChart
from ui.overview.counter_grid import CounterGrid
from ui.overview.dialogs import FacilityDialog, OutageDialog, WalkawayDialog
from ui.overview.outage_bar import OutageBar
from ui.overview.queues_panel import FiguresPanel, QueueTable
from ui.overview.staffing_strip import StaffingStrip
from ui.overview.waiting_panel import WaitingTable
from ui.session import Relogin
from ui.widgets import ConnectionBanner
from ui.widgets.estimates import EstimateKeeper
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hall_app.config import Settings
    from hall_app.domain.roles import Actor
    from hall_app.services import HallServices
    from hall_app.services.days import DayStatus

log = logging.getLogger(__name__)

#: The alerts and queues column keeps room for an alert's text at any window size.
RIGHT_COLUMN_MIN = 380

# The modules behind four buttons: looked up when the window is built, imported on the
# first click (ui/optional.py).
COMPLAINT_LIST = "ui.complaints.listing"
COMPLAINT_ANALYSIS = "ui.complaints.analysis"
INSPECTION = "ui.overview.inspection"
REPORT_PREVIEW = "ui.report.printing"
# Snapshot section -> the method that redraws it.
SECTIONS = ("counters", "queues", "figures", "alerts", "incidents", "hourly", "wait_buckets",
            "satisfaction", "day_status")


class OverviewWindow(QMainWindow):
    def __init__(self, services: HallServices, actor: Actor, *, start: bool = True,
                 safety_interval: float = 10.0) -> None:
        super().__init__()
        self.services = services
        self.actor = actor
        self.overview = OverviewService(services.ctx)
        self._staffing_mono = 0.0
        self._inspection_mono = 0.0
        self.tz = services.ctx.hall.tz
        self.snap: OverviewSnapshot | None = None
        self._snap_mono = 0.0
        self.redraws = dict.fromkeys(SECTIONS, 0)
        self._outage_notice = ""
        self._split_set = False
        self.confirm_box: QMessageBox | None = None
        self.setWindowTitle(f"值班长总览 — {services.ctx.hall.name}")
        self._build()
        notify.attach_default_presenter(self)
        self.live = LiveFeed(lambda: services.change_feed(), self.overview.snapshot,
                             safety_interval=safety_interval, name="overview",
                             before_load=services.days.tick, parent=self)
        self.live.snapshot.connect(self.apply_snapshot)
        after_first_snapshot(self.live, self.refresh_staffing)
        after_first_snapshot(self.live, self.refresh_inspection_button)
        warm_after_first_snapshot(self.live, lambda: services.warm("tickets", "incidents",
                                                                   "forecast", "inspection"))
        self.live.load_failed.connect(notify.error)
        self.banner.bind(self.live)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.tick)
        GeometryKeeper(self, "overview")
        run_op(self.overview.default_outage_notice, on_success=self._set_notice,
               on_failure=lambda _e: None, parent=self)
        if start:
            self.live.start()
            self.ticker.start()

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("OverviewRoot")
        root = QVBoxLayout(central)
        root.setContentsMargins(10, 6, 10, 6)
        self.banner = ConnectionBanner()
        root.addWidget(self.banner)

        head = QHBoxLayout()
        self.title = QLabel(f"{self.services.ctx.hall.name} · 值班长总览")
        self.title.setObjectName("OverviewTitle")
        self.clock_label = QLabel()
        self.clock_label.setObjectName("OverviewClock")
        who = QLabel(f"值班长:{self.actor.name}")
        self.day_label = QLabel("")
        self.day_label.setObjectName("OverviewDay")
        head.addWidget(self.title)
        head.addSpacing(24)
        head.addWidget(self.day_label)
        head.addStretch(1)
        head.addWidget(who)
        head.addSpacing(16)
        head.addWidget(self.clock_label)
        root.addLayout(head)

        actions = QHBoxLayout()
        self.outage_button = QPushButton("发布故障告示")
        self.outage_button.setObjectName("OutageButton")
        self.outage_button.setShortcut("Ctrl+G")
        self.outage_button.clicked.connect(self.declare_outage)
        self.facility_button = QPushButton("登记设施故障")
        self.facility_button.setShortcut("Ctrl+F")
        self.facility_button.clicked.connect(self.record_facility)
        self.walkaway_button = QPushButton("标记顾客离开")
        self.walkaway_button.setShortcut("Ctrl+L")
        self.walkaway_button.clicked.connect(self.mark_walkaway)
        for b in (self.outage_button, self.facility_button, self.walkaway_button):
            actions.addWidget(b)
        self.complaints_button: QPushButton | None = None
        if optional.available(COMPLAINT_LIST):
            self.complaints_button = QPushButton("投诉列表")
            self.complaints_button.clicked.connect(self.open_complaints)
            actions.addWidget(self.complaints_button)
        self.analysis_button: QPushButton | None = None
        if optional.available(COMPLAINT_ANALYSIS):
            self.analysis_button = QPushButton("投诉分析与通报")
            self.analysis_button.clicked.connect(self.open_analysis)
            actions.addWidget(self.analysis_button)
        self.inspection_button: QPushButton | None = None
        if optional.available(INSPECTION):
            self.inspection_button = QPushButton("营业厅巡检")
            self.inspection_button.setShortcut("Ctrl+I")
            self.inspection_button.clicked.connect(self.open_inspection)
            actions.addWidget(self.inspection_button)
        self.follow_up_button = QPushButton("顾客回访")
        self.follow_up_button.clicked.connect(self.open_follow_ups)
        actions.addWidget(self.follow_up_button)
        self.print_button: QPushButton | None = None
        if optional.available(REPORT_PREVIEW):
            self.print_button = QPushButton("打印营业日报")
            self.print_button.setShortcut("Ctrl+P")
            self.print_button.clicked.connect(self.print_summary)
            actions.addWidget(self.print_button)
        actions.addStretch(1)
        refresh = QPushButton("刷新")
        refresh.setShortcut("F5")
        refresh.clicked.connect(lambda: self.live.request_refresh())
        actions.addWidget(refresh)
        root.addLayout(actions)

        self.outage_bar = OutageBar(self.tz)
        self.outage_bar.clear_requested.connect(self.clear_incident)
        root.addWidget(self.outage_bar)
        self.staffing_strip = StaffingStrip()
        root.addWidget(self.staffing_strip)
        self.figures = FiguresPanel()
        root.addWidget(self.figures)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("窗口状态")
        caption.setObjectName("SectionTitle")
        left_layout.addWidget(caption)
        self.grid = CounterGrid(columns=5)
        left_layout.addWidget(self.grid)
        charts = QHBoxLayout()
        self.hourly_chart = HourlyChart()
        self.wait_chart = WaitChart()
        charts.addWidget(self.hourly_chart, 1)
        charts.addWidget(self.wait_chart, 1)  # room for 「15-20」 under each bar
        left_layout.addLayout(charts, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.alerts = AlertsPanel(self.tz)
        self.alerts.ack_requested.connect(self.acknowledge)
        right_layout.addWidget(self.alerts, 3)
        queue_caption = QLabel("各业务排队")
        queue_caption.setObjectName("SectionTitle")
        right_layout.addWidget(queue_caption)
        self.queue_table = QueueTable()
        right_layout.addWidget(self.queue_table, 2)
        waiting_caption = QLabel("等候顾客与预计还需等候")
        waiting_caption.setObjectName("SectionTitle")
        right_layout.addWidget(waiting_caption)
        self.waiting_table = WaitingTable()
        right_layout.addWidget(self.waiting_table, 2)
        # Shown when the queue is longer than the list (the list names the longest waits).
        self.waiting_more = QLabel("")
        self.waiting_more.setObjectName("WaitingMore")
        self.waiting_more.setWordWrap(True)
        self.waiting_more.hide()
        right_layout.addWidget(self.waiting_more)
        services = self.services  # the forecast service is built in the worker, on first use
        self.estimates = EstimateKeeper(lambda: services.forecast.waiting_estimates(),
                                        parent=self)
        self.estimates.updated.connect(self.waiting_table.set_estimates)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        right.setMinimumWidth(RIGHT_COLUMN_MIN)
        self.split = split
        root.addWidget(split, 1)
        self.setCentralWidget(central)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._split_set:  # 3 : 2 at first; the duty manager may move it after
            self._split_set = True
            width = max(self.split.width(), 3 * RIGHT_COLUMN_MIN)
            self.split.setSizes([width * 3 // 5, width * 2 // 5])

    # -- data --------------------------------------------------------------------------
    def now(self) -> datetime:
        """The hall's time: the last snapshot's clock plus the time elapsed since."""
        if self.snap is None:
            return self.services.ctx.clock.now()
        return self.snap.now + timedelta(seconds=time.monotonic() - self._snap_mono)

    def refresh_staffing(self) -> None:
        """Open now vs recommended (the plan is cached per day in the core)."""
        self._staffing_mono = time.monotonic()
        # The planner is built by this first call, in the worker (not before the first
        # snapshot: it needs numpy and the simulation).
        services = self.services
        run_op(lambda: services.staffing.strip(), on_success=self.staffing_strip.set_entries,
               on_failure=lambda _e: None, parent=self, background=True)

    def refresh_inspection_button(self) -> None:
        """Say on the button which round is due (巡检 at set times of the day)."""
        self._inspection_mono = time.monotonic()
        button = self.inspection_button
        if button is None:
            return

        def show(day: Any) -> None:
            due = [s for s in day.slots if s.status in ("due", "open")]
            missed = [s for s in day.slots if s.status == "missed"]
            label = "营业厅巡检"
            if due:
                label += f"({due[0].slot} {'巡检中' if due[0].status == 'open' else '待巡检'})"
            elif missed:
                label += f"({len(missed)}次未巡检)"
            button.setText(label)
            button.setProperty("due", bool(due or missed))  # styled red (overview.qss)
            button.style().unpolish(button)
            button.style().polish(button)
        services = self.services
        run_op(lambda: services.inspection.day(), on_success=show, on_failure=lambda _e: None,
               parent=self)

    def apply_snapshot(self, snap: OverviewSnapshot) -> None:
        old, self.snap, self._snap_mono = self.snap, snap, time.monotonic()
        # The first time, the planner and the inspection button are read once the first
        # snapshot is painted (after_first_snapshot in __init__).
        if old is not None and (old.counters != snap.counters
                                or self._snap_mono - self._staffing_mono > 60):
            self.refresh_staffing()
        if old is not None and self._snap_mono - self._inspection_mono > 60:
            self.refresh_inspection_button()
        for section in SECTIONS:
            value = getattr(snap, section)
            if old is not None and getattr(old, section) == value:
                continue
            self.redraws[section] += 1
            if section == "counters":
                self.grid.set_counters(value, snap.now)
            elif section == "queues":
                self.queue_table.set_queues(value, snap.now)
            elif section == "figures":
                self.figures.set_figures(value)
            elif section == "alerts":
                self.alerts.set_alerts(value)
            elif section == "incidents":
                self.outage_bar.set_incidents(value)
            elif section == "hourly":
                self.hourly_chart.set_hourly(value)
            elif section == "wait_buckets":
                self.wait_chart.set_buckets(value)
            elif section == "satisfaction":
                self.figures.set_satisfaction(value)
                self._set_follow_up_count(value.open_follow_ups if value is not None else 0)
            elif section == "day_status":
                self.show_day(value)
        if old is None or old.waiting != snap.waiting:
            self.waiting_table.set_waiting(snap.waiting, snap.now)
        total = snap.figures.waiting
        if total > len(snap.waiting):
            self.waiting_more.setText(f"共{total}位顾客等候,此处列出等候最久的{len(snap.waiting)}位。")
        self.waiting_more.setVisible(total > len(snap.waiting))
        self.estimates.offer(w.id for w in snap.waiting)
        self.tick()

    def show_day(self, status: DayStatus | None) -> None:
        """「营业中(… 18:30 自动闭厅)」 or, once closed, 「营业日已闭厅(18:30 系统自动),
        闭厅未办 N 人」 in red, so the duty manager sees the day was settled."""
        self.day_label.setText(status.summary() if status is not None else "")
        closed = status is not None and status.closed
        self.day_label.setProperty("closed", closed)
        self.day_label.setToolTip(
            f"取号 {status.issued} 人,办结 {status.served} 人,闭厅未办 {status.abandoned} 人"
            f"(其中已叫号未到 {status.abandoned_called} 人),"
            f"闭厅时仍在办理按闭厅时间结束 {status.finished_at_close} 人"
            if closed and status is not None else "")
        self.day_label.style().unpolish(self.day_label)
        self.day_label.style().polish(self.day_label)

    def tick(self) -> None:
        now = self.now()
        self.clock_label.setText(now.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S"))
        if self.snap is not None:
            self.grid.tick(now)
            self.queue_table.tick(now)
            self.waiting_table.tick(now)

    def _set_notice(self, text: str) -> None:
        self._outage_notice = text

    def _done(self, message: str) -> Callable[[object], None]:
        def after(_result: object) -> None:
            notify.info(message)
            self.live.request_refresh()
        return after

    # -- actions -----------------------------------------------------------------------
    def acknowledge(self, key: str) -> None:
        self.alerts.set_pending(key)
        run_op(lambda: self.overview.acknowledge(self.actor, key),
               on_success=self._done("告警已确认。"), on_failure=self._failed, parent=self)

    def _failed(self, error: HallError) -> None:
        notify.error(error.message)
        self.live.request_refresh()

    def outage_dialog(self) -> OutageDialog:
        counters = self.snap.counters if self.snap else ()
        return OutageDialog(self._outage_notice or self.overview.default_outage_notice(),
                            counters, self)

    def declare_outage(self) -> None:
        dialog = self.outage_dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.submit_outage(dialog.notice_text(), dialog.counter_ids())

    def submit_outage(self, notice: str, counter_ids: list[int]) -> OpHandle:
        return run_op(lambda: self.services.incidents.declare_outage(self.actor, notice, counter_ids),
                      on_success=self._done("故障告示已发布,各窗口、取号机和叫号屏将同步显示。"),
                      parent=self, disable=[self.outage_button])

    def clear_incident(self, incident_id: int) -> OpHandle | QMessageBox:
        """Clear a notice; a hall-wide outage only after the duty manager confirms (every
        counter, the kiosk and the display stop showing it)."""
        incidents = self.snap.incidents if self.snap is not None else ()
        incident = next((i for i in incidents if i.id == incident_id), None)
        if incident is None or incident.kind != "outage" or not incident.hall_wide:
            return self._clear(incident_id)
        box = QMessageBox(QMessageBox.Icon.Question, "解除全厅故障告示",
                          "确定解除全厅故障告示吗?\n解除后各窗口、取号机和叫号屏将不再显示告示。",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText("解除告示")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.No)  # Enter does not clear it

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self._clear(incident_id)
            else:
                notify.info("告示未解除。")

        box.finished.connect(answered)
        box.open()
        self.confirm_box = box
        return box

    def _clear(self, incident_id: int) -> OpHandle:
        return run_op(lambda: self.services.incidents.clear(self.actor, incident_id),
                      on_success=self._done("已解除。"), on_failure=self._failed, parent=self)

    def record_facility(self) -> None:
        dialog = FacilityDialog(self.now(), self.tz, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.submit_facility(**dialog.values())

    def submit_facility(self, **values: Any) -> OpHandle:
        return run_op(lambda: self.services.incidents.record_facility(self.actor, **values),
                      on_success=self._done("设施故障已登记。"), parent=self,
                      disable=[self.facility_button])

    def walkaway_dialog(self, waiting: Sequence[WaitingTicket] | None = None) -> WalkawayDialog:
        if waiting is None:
            waiting = self.snap.waiting if self.snap else ()
        return WalkawayDialog(waiting, self.now(), self)

    def mark_walkaway(self) -> None:
        snap = self.snap
        if snap is not None and snap.figures.waiting > len(snap.waiting):
            # The list names only the longest waits: offer every waiting customer.
            run_op(self.overview.waiting_tickets, on_success=self._choose_walkaway,
                   on_failure=self._failed, parent=self, disable=[self.walkaway_button])
        else:
            self._choose_walkaway(None)

    def _choose_walkaway(self, waiting: Sequence[WaitingTicket] | None) -> None:
        dialog = self.walkaway_dialog(waiting)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        ticket_id = dialog.ticket_id()
        if ticket_id is not None:
            self.submit_walkaway(ticket_id)

    def submit_walkaway(self, ticket_id: int) -> OpHandle:
        return run_op(lambda: self.services.tickets.walk_away(self.actor, ticket_id, "值班长标记"),
                      on_success=lambda t: self._done(f"{t.code}号已标记为离开。")(t),
                      on_failure=self._failed, parent=self, disable=[self.walkaway_button])

    def open_complaints(self) -> None:
        widget_cls = optional.feature(COMPLAINT_LIST, "ComplaintListWidget")
        if widget_cls is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle("投诉列表")
        fit_to_screen(dialog, 1100, 700)
        layout = QVBoxLayout(dialog)
        layout.addWidget(widget_cls(self.services, self.actor))
        dialog.show()

    def open_analysis(self) -> QDialog | None:
        widget_cls = optional.feature(COMPLAINT_ANALYSIS, "ComplaintAnalysisWidget")
        if widget_cls is None:
            return None
        from hall_app.services.complaints import ComplaintService

        dialog = QDialog(self)
        dialog.setWindowTitle("投诉分析与通报")
        fit_to_screen(dialog, 1400, 900)
        layout = QVBoxLayout(dialog)
        widget = widget_cls(ComplaintService(self.services.ctx), self.actor)
        scroll = QScrollArea()  # taller than a 1366×768 screen: it scrolls, never cut
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(widget)
        layout.addWidget(scroll)
        widget.refresh()
        dialog.show()
        return dialog

    def open_inspection(self) -> QDialog | None:
        dialog_cls = optional.feature(INSPECTION, "InspectionDialog")
        if dialog_cls is None:
            return None
        dialog = dialog_cls(self.services.inspection, self.actor, self)
        dialog.changed.connect(lambda _r: self.refresh_inspection_button())
        dialog.show()
        return dialog

    def _set_follow_up_count(self, count: int) -> None:
        self.follow_up_button.setText(f"顾客回访({count})" if count else "顾客回访")

    def open_follow_ups(self) -> QDialog:
        """The 回访 list: record a contact, or turn one into a complaint (ticket prefilled)."""
        from ui.rating.follow_ups import FollowUpDialog

        dialog = FollowUpDialog(self.services, self.actor, self)
        dialog.changed.connect(self.live.request_refresh)
        dialog.show()
        self.follow_up_dialog = dialog
        return dialog

    def print_summary(self) -> None:
        show = optional.feature(REPORT_PREVIEW, "show_print_preview")
        if show is not None:
            day = self.snap.business_day if self.snap else self.services.ctx.business_day()
            show(self, self.services, day)

    # -- 登录已失效,请重新登录 -----------------------------------------------------------
    def session_expired(self, message: str) -> None:
        """The core refused this window's session (ui/session.py): ask for a login."""
        if not hasattr(self, "relogin"):
            self.relogin = Relogin(self, self._relogin_dialog, self._logged_in_again)
        self.relogin.trigger(message)

    def _relogin_dialog(self, message: str) -> QDialog:
        from ui.overview.login import OverviewLoginDialog

        dialog = OverviewLoginDialog(self.services, staff=self.actor.staff_no)
        dialog.error.setText(message)
        return dialog

    def _logged_in_again(self, dialog: QDialog) -> None:
        actor = getattr(dialog, "actor", None)
        if actor is not None:
            self.actor = actor
            self.live.request_refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ticker.stop()
        self.live.stop_soon()
        super().closeEvent(event)


def main(args: argparse.Namespace, settings: Settings) -> int:
    from ui.app_runtime import create_app
    from ui.overview.login import OverviewLoginDialog
    from ui.startup import open_services

    app = create_app("overview")
    services = open_services(settings, "值班长总览", role="overview")
    if services is None:
        return 1
    try:
        login = OverviewLoginDialog(services, staff=getattr(args, "staff", None) or "")
        if login.exec() != QDialog.DialogCode.Accepted or login.actor is None:
            return 0
        window = OverviewWindow(services, login.actor)
        window.show()
        return int(app.exec())
    finally:
        services.close()
