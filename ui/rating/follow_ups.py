"""The duty manager's 回访 list (opened from the overview): customers who tapped 不满意 and
asked 「需要值班长联系您吗?」 → 需要.

For the selected follow-up the manager either records the contact (a note: what was said
and agreed) or turns it into a complaint: the existing complaint form opens with the
ticket, counter, clerk, category and a description prefilled. A complaint registered for
the ticket settles the follow-up (the list then shows 「已转投诉 #N」). Reads and writes go
through `FollowUpService` on `run_op`; nothing waits on the database here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.ratings import reason_label
from hall_app.errors import HallError
from hall_app.services.ratings import ComplaintPrefill, FollowUpRow
from ui.ops import run_op

if TYPE_CHECKING:
    from hall_app.domain.roles import Actor
    from hall_app.services import HallServices

STATE_LABELS = {"open": "待回访", "done": "已回访", "complaint": "已转投诉"}
HEADERS = ("时间", "号票", "窗口", "营业员", "业务", "原因", "状态")


def state_text(row: FollowUpRow) -> str:
    if row.state == "complaint":
        return f"已转投诉 #{row.complaint_id}"
    if row.state == "done":
        return f"已回访({row.handled_by or '—'}):{row.note or ''}"
    return STATE_LABELS["open"]


class FollowUpDialog(QDialog):
    """`changed()` after a follow-up was closed or became a complaint."""

    changed = Signal()

    def __init__(self, services: HallServices, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.tz = services.ctx.hall.tz
        self.rows: list[FollowUpRow] = []
        self.complaint_form: QDialog | None = None
        self.setWindowTitle("顾客回访")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.note = QLineEdit()
        self.note.setPlaceholderText("回访结果,如:已当面致歉并说明原因,顾客表示理解")
        self.note.setMaxLength(500)
        self.contacted_button = QPushButton("记录已联系")
        self.contacted_button.clicked.connect(self.record_contact)
        self.complaint_button = QPushButton("转为投诉")
        self.complaint_button.clicked.connect(self.to_complaint)
        self.status = QLabel("")
        self.status.setObjectName("FollowUpStatus")
        self.status.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.note, 1)
        actions.addWidget(self.contacted_button)
        actions.addWidget(self.complaint_button)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        actions.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("顾客在评价器上选择「不满意」并希望值班长联系:"))
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self.resize(980, 460)
        self._update_buttons()
        self.reload()

    # --- data -------------------------------------------------------------------
    def reload(self) -> None:
        follow_ups, actor = self.services.follow_ups, self.actor
        run_op(lambda: follow_ups.follow_ups(actor), on_success=self.set_rows,
               on_failure=self._failed, parent=self, description="follow-ups")

    def set_rows(self, rows: list[FollowUpRow]) -> None:
        selected = self.selected()
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            clerk = f"{row.clerk_name}({row.clerk_no})" if row.clerk_name else "—"
            cells = (row.opened_at.astimezone(self.tz).strftime("%H:%M"), row.ticket_code,
                     f"{row.counter_number}号", clerk, row.service_name,
                     reason_label(row.reason) or "未选择", state_text(row))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.id)  # an object: keys may be 64-bit
                self.table.setItem(r, c, item)
            if selected is not None and row.id == selected.id:
                self.table.selectRow(r)
        if not self.rows:
            self.status.setText("当前没有待回访的顾客。")
        self._update_buttons()

    def selected(self) -> FollowUpRow | None:
        index = self.table.currentRow()
        items = self.table.selectedItems()
        if not items or index < 0 or index >= len(self.rows):
            return None
        return self.rows[index]

    def _update_buttons(self) -> None:
        row = self.selected()
        is_open = row is not None and row.is_open
        self.contacted_button.setEnabled(is_open)
        self.complaint_button.setEnabled(is_open)

    def _failed(self, error: HallError) -> None:
        self.status.setText(error.message)

    # --- actions -----------------------------------------------------------------
    def record_contact(self) -> None:
        row = self.selected()
        if row is None:
            return
        follow_ups, actor, note, fid = self.services.follow_ups, self.actor, self.note.text(), row.id

        def done(_updated: FollowUpRow) -> None:
            self.note.clear()
            self.status.setText(f"{row.ticket_code}号的回访已记录。")
            self.changed.emit()
            self.reload()

        run_op(lambda: follow_ups.complete(actor, fid, note), on_success=done,
               on_failure=self._failed, parent=self,
               disable=[self.contacted_button, self.complaint_button])

    def to_complaint(self) -> None:
        row = self.selected()
        if row is None:
            return
        follow_ups, actor, fid = self.services.follow_ups, self.actor, row.id
        run_op(lambda: follow_ups.complaint_prefill(actor, fid), on_success=self.open_form,
               on_failure=self._failed, parent=self,
               disable=[self.contacted_button, self.complaint_button])

    def open_form(self, prefill: ComplaintPrefill) -> QDialog | None:
        """The existing complaint form, prefilled from the follow-up."""
        try:
            from ui.complaints.form import open_complaint_form
        except ImportError:
            self.status.setText("此版本未包含投诉登记功能。")
            return None
        form: Any = open_complaint_form(
            self, self.services, self.actor, ticket_id=prefill.ticket_id,
            ticket_code=prefill.ticket_code, counter_id=prefill.counter_id,
            clerk_id=prefill.clerk_id, clerk_label=prefill.clerk_label,
            category=prefill.category, description=prefill.description)
        registered = getattr(form, "registered", None)
        if registered is not None:
            registered.connect(self._complaint_registered)
        self.complaint_form = form
        return form

    def _complaint_registered(self, detail: Any) -> None:
        self.status.setText(f"已登记投诉 #{detail.id},回访随之转为投诉。")
        self.changed.emit()
        self.reload()
