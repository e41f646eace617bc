"""`hall-app district`: the area manager's window (区域总览), every hall side by side.

Top: the connection banner, the title with the number of halls and how many are
delayed, the clock. Middle: the sortable table of halls (`ui.district.model`); a stale
hall reads 「数据延迟 HH:MM」 and its figures are grey. Right: the alerts (a hall that
breaches a target, an outage, delayed data), most severe first. Double-click a hall (or
select it and press 「查看营业厅」/Enter) for its read-only overview.

Data comes from `DistrictService.snapshot()`, loaded by a LiveFeed worker every few
seconds (a district database hears no change notices); a one-second timer keeps the
data ages moving without the database. Nothing here writes to any hall.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hall_app.district.service import CRITICAL, HIGH, DistrictService, DistrictSnapshot
from ui import notify
from ui.app_runtime import GeometryKeeper
from ui.district.drill import HallDrillDialog
from ui.district.model import CODE_ROLE, SORT_ROLE, HallTableModel
from ui.live import LiveFeed
from ui.widgets import ConnectionBanner
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from hall_app.config import Settings

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SEVERITY_TEXT = {CRITICAL: "紧急", HIGH: "高", 1: "中"}
SEVERITY_PROPERTY = {CRITICAL: "critical", HIGH: "high", 1: "medium"}
#: The alerts column's least width beside the table.
ALERTS_BESIDE_MIN = 300


class DistrictWindow(QMainWindow):
    def __init__(self, service: DistrictService, *, start: bool = True,
                 refresh_seconds: float = 10.0) -> None:
        super().__init__()
        self.service = service
        self.snap: DistrictSnapshot | None = None
        self.setWindowTitle("区域总览")
        self._build()
        notify.attach_default_presenter(self)
        self.live = LiveFeed(service.change_feed, service.snapshot,
                             safety_interval=refresh_seconds, name="district", parent=self)
        self.live.snapshot.connect(self.apply_snapshot)
        self.live.load_failed.connect(notify.error)
        self.banner.bind(self.live)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.tick)
        GeometryKeeper(self, "district")
        if start:
            self.live.start()
            self.ticker.start()

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("DistrictRoot")
        root = QVBoxLayout(central)
        root.setContentsMargins(10, 6, 10, 6)
        self.banner = ConnectionBanner()
        root.addWidget(self.banner)
        head = QHBoxLayout()
        self.title = QLabel("区域总览")
        self.title.setObjectName("DistrictTitle")
        self.summary = QLabel("正在读取各营业厅数据…")
        self.summary.setObjectName("DistrictSummary")
        self.clock_label = QLabel()
        self.clock_label.setObjectName("DistrictClock")
        self.open_button = QPushButton("查看营业厅")
        self.open_button.setToolTip("查看所选营业厅的总览(只读);也可双击该行")
        self.open_button.clicked.connect(self.open_selected)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(lambda: self.live.request_refresh())
        head.addWidget(self.title)
        head.addSpacing(16)
        head.addWidget(self.summary)
        head.addStretch(1)
        head.addWidget(self.open_button)
        head.addWidget(self.refresh_button)
        head.addSpacing(16)
        head.addWidget(self.clock_label)
        root.addLayout(head)

        self.model = HallTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("HallTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        # Every column as wide as its widest text: a delay must never be cut off.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setSectionsClickable(True)
        self.table.doubleClicked.connect(self.open_index)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.activated.connect(self.open_selected)

        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        alerts_title = QLabel("告警")
        alerts_title.setObjectName("SectionTitle")
        right_box.addWidget(alerts_title)
        self.alerts = QListWidget()
        self.alerts.setObjectName("DistrictAlerts")
        self.alerts.setWordWrap(True)
        self.alerts.itemDoubleClicked.connect(self._open_alert)
        right_box.addWidget(self.alerts, 1)
        self.targets = QLabel("")
        self.targets.setObjectName("DistrictTargets")
        self.targets.setWordWrap(True)
        right_box.addWidget(self.targets)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([1300, 420])
        split.setChildrenCollapsible(False)
        self.split = split
        root.addWidget(split, 1)
        self.setCentralWidget(central)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.place_alerts()

    def place_alerts(self) -> None:
        """Alerts beside the table when the table's columns leave room for them, else
        below it: the halls' figures never scroll sideways on a 1366-pixel screen."""
        table = self.table.horizontalHeader().length() + 2 * self.table.frameWidth() + 4
        beside = self.width() - 16 >= table + ALERTS_BESIDE_MIN
        wanted = Qt.Orientation.Horizontal if beside else Qt.Orientation.Vertical
        if self.split.orientation() != wanted:
            self.split.setOrientation(wanted)
            total = self.split.width() if beside else self.split.height()
            first = table if beside else total * 2 // 3
            self.split.setSizes([first, max(1, total - first)])

    # -- data --------------------------------------------------------------------------
    def apply_snapshot(self, snap: DistrictSnapshot) -> None:
        selected = self.selected_code()
        self.snap = snap
        self.model.set_snapshot(snap)
        self.place_alerts()  # the columns may have grown
        self.proxy.sort(self.table.horizontalHeader().sortIndicatorSection(),
                        self.table.horizontalHeader().sortIndicatorOrder())
        if selected:
            self.select_code(selected)
        delayed = len(snap.stale_halls)
        self.summary.setText(f"营业厅 {len(snap.halls)} 个"
                             + (f" · {delayed} 个数据延迟" if delayed else " · 数据均为最新"))
        self.summary.setProperty("delayed", "true" if delayed else "false")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        self.alerts.clear()
        for a in snap.alerts:
            item = QListWidgetItem(f"[{SEVERITY_TEXT.get(a.severity, '')}] {a.hall_name}:{a.text}")
            item.setData(Qt.ItemDataRole.UserRole, a.hall_code)
            item.setData(Qt.ItemDataRole.UserRole + 1, SEVERITY_PROPERTY.get(a.severity))
            if a.severity >= HIGH:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.alerts.addItem(item)
        if not snap.alerts:
            self.alerts.addItem("各营业厅均达标,没有告警。")
        self.targets.setText(
            f"告警条件:服务达标率低于 {snap.service_level_target_pct}%;弃号率高于 "
            f"{snap.walkaway_target_pct}%;等候超过 {snap.long_wait_minutes} 分钟;投诉超时;"
            f"系统故障;数据超过 {snap.stale_after_minutes} 分钟未更新(数据延迟)。")
        self.tick()

    def tick(self, now: datetime | None = None) -> None:
        now = now or self.service.clock.now()
        self.clock_label.setText(now.astimezone(LOCAL_TZ).strftime("%H:%M:%S"))
        if self.snap is not None:
            self.model.tick(now)

    # -- selection and drill-down --------------------------------------------------------
    def selected_code(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return str(rows[0].data(CODE_ROLE)) if rows else None

    def select_code(self, code: str) -> None:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(CODE_ROLE) == code:
                self.table.selectRow(r)
                return

    def open_index(self, index: QModelIndex) -> HallDrillDialog | None:
        code = index.data(CODE_ROLE)
        return self.open_hall(str(code)) if code else None

    def open_selected(self) -> HallDrillDialog | None:
        code = self.selected_code()
        if code is None:
            notify.info("请先在表格中选择一个营业厅。")
            return None
        return self.open_hall(code)

    def _open_alert(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if code:
            self.open_hall(str(code))

    def open_hall(self, code: str) -> HallDrillDialog:
        dialog = HallDrillDialog(self.service, code, self)
        dialog.show()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.ticker.stop()
        self.live.stop_soon()
        super().closeEvent(event)


def main(args: argparse.Namespace, settings: Settings) -> int:
    from ui.app_runtime import create_app

    app = create_app("district")
    service = DistrictService.open(settings)
    try:
        window = DistrictWindow(service)
        fit_to_screen(window, 1600, 900)
        window.show()
        return int(app.exec())
    finally:
        service.close()
