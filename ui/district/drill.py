"""Read-only drill-down into one hall: its duty-manager overview figures, as of its data.

Shows the hall's data age first (a stale hall says 数据延迟 and since when), then the
figures panel and queue table the duty manager sees (the overview's own widgets), the
counters, and the hall's open alerts. Nothing here can change the hall: no buttons but
「关闭」 and 「刷新」.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hall_app.district.service import DistrictService, HallRow
from hall_app.services.overview_model import SEVERITY_LABELS, OverviewSnapshot
from ui import notify
from ui.district.model import age_text
from ui.ops import OpHandle, run_op
from ui.overview.counter_grid import STATE_LABELS
from ui.overview.queues_panel import FiguresPanel, QueueTable
from ui.widgets.sizing import fit_to_screen

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class CounterTable(QTableWidget):
    HEADERS = ("窗口", "状态", "营业员", "当前号", "业务")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        for col in range(len(self.HEADERS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(self.HEADERS) - 1, QHeaderView.ResizeMode.Stretch)

    def set_counters(self, overview: OverviewSnapshot) -> None:
        self.setRowCount(len(overview.counters))
        for r, c in enumerate(overview.counters):
            state = STATE_LABELS.get(c.state, c.state) + ("(故障)" if c.in_outage else "")
            if c.state == "paused" and c.pause_reason:
                state += f":{c.pause_reason}"
            for col, text in enumerate((c.name or f"{c.number}号", state, c.staff_name or "—",
                                        c.ticket_code or "—", c.ticket_service or "")):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter if col in (0, 3)
                                      else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, col, item)


class HallDrillDialog(QDialog):
    def __init__(self, service: DistrictService, code: str, parent: QWidget | None = None,
                 *, load: bool = True) -> None:
        super().__init__(parent)
        self.service = service
        self.code = code
        self.row: HallRow | None = None
        self.overview: OverviewSnapshot | None = None
        self.setWindowTitle("营业厅详情(只读)")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel("正在读取…")
        self.title.setObjectName("DrillTitle")
        self.age = QLabel("")
        self.age.setObjectName("DrillAge")
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.age)
        layout.addLayout(head)
        self.figures = FiguresPanel()
        layout.addWidget(self.figures)
        middle = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("各业务排队"))
        self.queues = QueueTable()
        left.addWidget(self.queues)
        right = QVBoxLayout()
        right.addWidget(QLabel("窗口"))
        self.counters = CounterTable()
        right.addWidget(self.counters)
        middle.addLayout(left, 1)
        middle.addLayout(right, 1)
        layout.addLayout(middle, 1)
        layout.addWidget(QLabel("告警(只读,由营业厅值班长处理)"))
        self.alerts = QListWidget()
        self.alerts.setObjectName("DrillAlerts")
        self.alerts.setMaximumHeight(160)
        layout.addWidget(self.alerts)
        buttons = QDialogButtonBox()
        self.refresh_button = buttons.addButton("刷新", QDialogButtonBox.ButtonRole.ActionRole)
        self.refresh_button.clicked.connect(self.reload)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        fit_to_screen(self, 1100, 720)
        if load:
            self.reload()

    def reload(self) -> OpHandle:
        return run_op(lambda: self.service.drill_down(self.code), on_success=self.show_hall,
                      on_failure=lambda e: notify.error(e.message), parent=self,
                      disable=[self.refresh_button])

    def show_hall(self, result: tuple[HallRow, OverviewSnapshot]) -> None:
        row, overview = result
        self.row, self.overview = row, overview
        self.title.setText(f"{row.name}({row.code})· {overview.business_day:%m月%d日}")
        now = overview.now
        self.age.setText(age_text(row, now) if row.stale else f"数据:{age_text(row, now)}")
        self.age.setProperty("stale", "true" if row.stale else "false")
        self.age.setStyleSheet("QLabel#DrillAge { color: white; background: #c62828; "
                               "padding: 2px 8px; font-weight: bold; }" if row.stale
                               else "QLabel#DrillAge { color: #2e7d32; }")
        self.figures.set_figures(overview.figures)
        as_of = row.data_time if row.stale and row.data_time else now
        self.queues.set_queues(overview.queues, as_of)
        self.counters.set_counters(overview)
        self.alerts.clear()
        for a in overview.open_alerts:
            since = a.since.astimezone(LOCAL_TZ).strftime("%H:%M")
            detail = f"  {a.detail}" if a.detail else ""
            self.alerts.addItem(f"[{SEVERITY_LABELS.get(a.severity, '')}] {since} "
                                f"{a.title}{detail}")
        if not overview.open_alerts:
            self.alerts.addItem("当前没有未处理的告警。")
