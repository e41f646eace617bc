"""The complaint list (投诉台账) with filters, and the detail of the selected complaint.

    widget = ComplaintListWidget(services, actor)   # embedded by the overview window
    widget.refresh()                                # reloads (also every 30 s while shown)

Filters: status, category, overdue only, received date range, sort order. Overdue rows
are red. Phones are masked by the core unless the viewer's role may see them. Loading
runs off the GUI thread; a lost connection keeps the last list and says so.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.complaints import STATE_LABELS
from hall_app.domain.roles import Actor
from hall_app.errors import HallError
from hall_app.services.complaints import ComplaintFilter, ComplaintRow, ComplaintService
from ui.complaints.detail import ERROR_STYLE, ComplaintDetailWidget, failure_text, local_text
from ui.ops import run_op

COLUMNS = ("编号", "受理时间", "渠道", "客户", "电话", "类别", "严重程度", "状态", "处理人",
           "答复期限", "时限")
SORTS = (("received_desc", "最新受理在前"), ("received_asc", "最早受理在前"),
         ("due", "答复期限最近在前"), ("severity", "严重程度"), ("state", "状态"))
REFRESH_MS = 30_000


class ComplaintListWidget(QWidget):
    """List + detail. `service` may be given directly (tests); else built from services.ctx."""

    loaded = Signal(int)  # number of rows shown

    def __init__(self, services: Any, actor: Actor, parent: QWidget | None = None, *,
                 service: Any = None) -> None:
        super().__init__(parent)
        self.service = service or ComplaintService(services.ctx)
        self.actor = actor
        self.rows: list[ComplaintRow] = []
        self.tz = None
        self._seq = 0  # only the newest refresh may fill the table (results can overtake)
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # poll only while shown
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def _build(self) -> None:
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.state = QComboBox()
        self.state.addItem("全部状态", None)
        self.state.addItem("未结案", "open")
        for code, label in STATE_LABELS.items():
            self.state.addItem(label, code)
        self.category = QComboBox()
        self.category.addItem("全部类别", None)
        for cat in self.service.categories():
            self.category.addItem(cat.name, cat.code)
        self.overdue = QCheckBox("仅逾期")
        self.use_dates = QCheckBox("受理日期")
        today = QDate.currentDate()
        self.date_from = QDateEdit(today)
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            self.use_dates.toggled.connect(edit.setEnabled)
        self.sort = QComboBox()
        for code, label in SORTS:
            self.sort.addItem(label, code)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        for w in (QLabel("状态:"), self.state, QLabel("类别:"), self.category, self.overdue,
                  self.use_dates, self.date_from, QLabel("至"), self.date_to, QLabel("排序:"),
                  self.sort):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        root.addLayout(bar)
        for combo in (self.state, self.category, self.sort):
            combo.currentIndexChanged.connect(self.refresh)
        self.overdue.toggled.connect(self.refresh)
        self.use_dates.toggled.connect(self.refresh)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)

        self.status = QLabel("")
        self.status.setObjectName("list_status")
        root.addWidget(self.status)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._selected)
        split.addWidget(self.table)
        self.detail = ComplaintDetailWidget(self.service, self.actor, self)
        self.detail.changed.connect(lambda _d: self.refresh())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        split.addWidget(scroll)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        root.addWidget(split, 1)

    # -- loading --------------------------------------------------------------------
    def current_filter(self) -> ComplaintFilter:
        day_from = day_to = None
        if self.use_dates.isChecked():
            # PySide6's stubs type toPython() as object; for a QDate it is a datetime.date.
            day_from = cast(date, self.date_from.date().toPython())
            day_to = cast(date, self.date_to.date().toPython())
        return ComplaintFilter(state=self.state.currentData(), category=self.category.currentData(),
                               overdue=self.overdue.isChecked(), day_from=day_from,
                               day_to=day_to, sort=self.sort.currentData())

    def refresh(self) -> None:
        flt, svc, actor = self.current_filter(), self.service, self.actor
        need_choices = self.detail.handler.count() == 0
        self._seq += 1
        seq = self._seq

        def load() -> tuple[Any, list[ComplaintRow], Any]:
            rows = svc.query(actor, flt)
            tz = getattr(getattr(getattr(svc, "ctx", None), "hall", None), "tz", None)
            choices = svc.link_choices() if need_choices else None
            return tz, rows, choices
        run_op(load, on_success=lambda result: self._show(result) if seq == self._seq else None,
               on_failure=lambda err: self._failed(err) if seq == self._seq else None,
               parent=self)

    def _show(self, result: tuple[Any, list[ComplaintRow], Any]) -> None:
        tz, rows, choices = result
        self.tz = self.detail.tz = tz
        if choices is not None:
            self.detail.load_handlers(choices)
        selected = self.selected_id()
        self.rows = rows
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(rows))
        red = QBrush(QColor("#b00020"))
        for i, r in enumerate(rows):
            st = r.deadline
            limit = ("超最长时限" if st.hard_overdue else "答复逾期" if st.reply_overdue
                     else "即将到期" if st.due_soon else "")
            cells = (f"{r.id:05d}", local_text(r.received_at, tz, "%Y-%m-%d %H:%M"),
                     r.channel_label, r.customer_name, r.phone, r.category_name,
                     r.severity_label, r.state_label + ("·已升级" if r.escalated else ""),
                     r.handler_name or "", local_text(r.reply_due_at, tz), limit)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                if st.overdue:
                    item.setForeground(red)
                self.table.setItem(i, j, item)
        self.table.setSortingEnabled(True)
        overdue = sum(1 for r in rows if r.deadline.overdue)
        self.status.setText(f"共 {len(rows)} 条" + (f",其中逾期 {overdue} 条" if overdue else ""))
        self.status.setStyleSheet(ERROR_STYLE if overdue else "")
        if selected is not None:
            self.select(selected)
        self.loaded.emit(len(rows))

    def _failed(self, err: HallError) -> None:
        self.status.setText(f"列表未更新:{failure_text(err)}")
        self.status.setStyleSheet(ERROR_STYLE)

    # -- selection ------------------------------------------------------------------
    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def select(self, complaint_id: int) -> None:
        for i in range(self.table.rowCount()):
            item = self.table.item(i, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == complaint_id:
                self.table.selectRow(i)
                return

    def _selected(self) -> None:
        cid = self.selected_id()
        if cid is not None and (self.detail.detail is None or self.detail.detail.id != cid):
            self.detail.load(cid)

    def shown_ids(self) -> list[int]:
        items = (self.table.item(i, 0) for i in range(self.table.rowCount()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item is not None]
