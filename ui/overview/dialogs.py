"""Dialogs of the overview: declare an outage, record a facility incident, mark a walkaway.

Each dialog only collects input; the window performs the action through the core
(``run_op``), which validates it and checks the permission.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hall_app.services.incidents import FACILITY_CATEGORIES
from ui.overview.timefmt import minutes, since

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hall_app.services.overview_model import CounterTile as TileData
    from hall_app.services.overview_model import WaitingTicket


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020; font-weight: bold;")
    return label


class OutageDialog(QDialog):
    """Notice text (prefilled from the scripts, editable) and hall-wide or chosen counters."""

    def __init__(self, notice: str, counters: Sequence[TileData],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("发布故障告示")
        self.setMinimumWidth(520)
        self.notice = QPlainTextEdit(notice)
        self.notice.setFixedHeight(90)
        self.hall_wide = QRadioButton("全厅")
        self.some = QRadioButton("仅所选窗口")
        self.hall_wide.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.hall_wide)
        group.addButton(self.some)
        self.checks: dict[int, QCheckBox] = {}
        grid = QGridLayout()
        for i, c in enumerate(counters):
            box = QCheckBox(f"{c.number}号")
            box.setEnabled(False)
            self.checks[c.id] = box
            grid.addWidget(box, i // 5, i % 5)
        checks = self.checks

        def enable_checks(on: bool) -> None:
            for check in checks.values():
                check.setEnabled(on)

        self.some.toggled.connect(enable_checks)
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("告示内容(窗口、取号机和叫号屏都会显示):"))
        layout.addWidget(self.notice)
        layout.addWidget(self.hall_wide)
        layout.addWidget(self.some)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "发布"))

    def counter_ids(self) -> list[int]:
        if self.hall_wide.isChecked():
            return []
        return [cid for cid, box in self.checks.items() if box.isChecked()]

    def notice_text(self) -> str:
        return self.notice.toPlainText().strip()

    def accept(self) -> None:
        if self.some.isChecked() and not self.counter_ids():
            self.error.setText("请至少选择一个窗口,或选择全厅。")
            return
        if not self.notice_text():
            self.error.setText("请填写告示内容。")
            return
        super().accept()


def _qdt(when: datetime, tz: ZoneInfo) -> QDateTime:
    local = when.astimezone(tz)
    return QDateTime.fromString(local.strftime("%Y-%m-%d %H:%M"), "yyyy-MM-dd HH:mm")


def _py(qdt: QDateTime, tz: ZoneInfo) -> datetime:
    return datetime.strptime(qdt.toString("yyyy-MM-dd HH:mm"), "%Y-%m-%d %H:%M").replace(tzinfo=tz)


class FacilityDialog(QDialog):
    """Category, start, optional end and a note for a facility incident."""

    def __init__(self, now: datetime, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.setWindowTitle("登记设施故障")
        self.setMinimumWidth(460)
        self.category = QComboBox()
        self.category.addItems(list(FACILITY_CATEGORIES))
        self.start = QDateTimeEdit(_qdt(now, tz))
        self.start.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.ended = QCheckBox("已修复")
        self.end = QDateTimeEdit(_qdt(now, tz))
        self.end.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.end.setEnabled(False)
        self.ended.toggled.connect(self.end.setEnabled)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("情况说明,如:空调停机,已报修")
        self.note.setFixedHeight(70)
        self.error = _error_label()
        form = QFormLayout()
        form.addRow("故障设施", self.category)
        form.addRow("开始时间", self.start)
        form.addRow(self.ended, self.end)
        form.addRow("说明", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "登记"))

    def values(self) -> dict:
        return {
            "category": self.category.currentText(),
            "notice": self.note.toPlainText().strip(),
            "started_at": _py(self.start.dateTime(), self.tz),
            "ended_at": _py(self.end.dateTime(), self.tz) if self.ended.isChecked() else None,
        }

    def accept(self) -> None:
        v = self.values()
        if v["ended_at"] is not None and v["ended_at"] < v["started_at"]:
            self.error.setText("结束时间不能早于开始时间。")
            return
        super().accept()


class WalkawayDialog(QDialog):
    """Choose the waiting ticket whose customer was seen leaving."""

    def __init__(self, waiting: Sequence[WaitingTicket], now: datetime,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("标记顾客离开")
        self.setMinimumSize(420, 420)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for w in waiting:
            item = QListWidgetItem(f"{w.code}  {w.service_name}  已等候{minutes(since(now, w.issued_at))}")
            item.setData(256, w.id)
            self.list.addItem(item)
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("选择已离开大厅的顾客号票:" if waiting else "当前没有等候的顾客。"))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "标记离开"))
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())

    def select_code(self, code: str) -> bool:
        for i in range(self.list.count()):
            if self.list.item(i).text().startswith(code + " "):
                self.list.setCurrentRow(i)
                return True
        return False

    def ticket_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(256)) if item is not None else None

    def accept(self) -> None:
        if self.ticket_id() is None:
            self.error.setText("请先选择一张号票。")
            return
        super().accept()
