"""The duty manager's hall inspection checklist (巡检), opened from the overview.

    dialog = InspectionDialog(inspection_service, actor, parent)   # non-modal, call .show()

Left: the day's set times with their status (未到时间 / 待巡检 / 巡检中 / 已完成 / 未巡检).
Right: the chosen round, item by item under 客户 / 设施 / 员工, each with what to look at
(and, from seed 002's case, what went wrong there). 正常 is saved at once; 有问题 needs a
note (saved with Enter); a problem item can open a facility incident. 完成巡检 needs every
item checked. Every call runs through `ui.ops.run_op`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.keys import local_number
from hall_app.domain.roles import Actor
from hall_app.errors import HallError
from hall_app.inspection.rules import SLOT_LABELS
from hall_app.services.inspection import DayInspections, ItemInfo, RoundInfo
from ui.ops import run_op

ERROR_STYLE = "color: #b00020; font-weight: bold;"
OK_STYLE = "color: #1b5e20; font-weight: bold;"
SLOT_COLOURS = {"due": "#b00020", "missed": "#8a5300", "open": "#1565c0", "done": "#1b5e20",
                "upcoming": "#5f6368"}


class ItemRow(QWidget):
    """One checklist item: label, what to look at, 正常 / 有问题, note, incident button."""

    record_requested = Signal(str, str, str)  # key, result, note
    incident_requested = Signal(str)

    def __init__(self, item: ItemInfo, tz: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = item.key
        self.tz = tz
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        title = QLabel(item.label)
        title.setStyleSheet("font-weight: bold;")
        title.setMinimumWidth(110)
        hint = QLabel(item.look + (f"\n案例:{item.case}" if item.case else ""))
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        self.ok = QRadioButton("正常")
        self.problem = QRadioButton("有问题")
        self.group = QButtonGroup(self)
        self.group.addButton(self.ok)
        self.group.addButton(self.problem)
        self.note = QLineEdit()
        self.note.setPlaceholderText("说明(有问题时必填,回车保存)")
        self.incident = QPushButton("登记设施故障")
        self.state = QLabel("")
        self.ok.clicked.connect(lambda: self.record_requested.emit(self.key, "ok",
                                                                   self.note.text()))
        self.problem.clicked.connect(self._problem_clicked)
        self.note.returnPressed.connect(self._note_entered)
        self.incident.clicked.connect(lambda: self.incident_requested.emit(self.key))
        grid.addWidget(title, 0, 0)
        grid.addWidget(hint, 0, 1, 1, 4)
        grid.addWidget(self.ok, 1, 0)
        grid.addWidget(self.problem, 1, 1)
        grid.addWidget(self.note, 1, 2)
        grid.addWidget(self.incident, 1, 3)
        grid.addWidget(self.state, 1, 4)
        grid.setColumnStretch(2, 1)
        self.show_item(item, editable=True)

    def _problem_clicked(self) -> None:
        if self.note.text().strip():
            self.record_requested.emit(self.key, "problem", self.note.text())
        else:
            self.state.setText("请写明问题,回车保存")
            self.state.setStyleSheet(ERROR_STYLE)
            self.note.setFocus()

    def _note_entered(self) -> None:
        result = "problem" if self.problem.isChecked() else "ok" if self.ok.isChecked() else ""
        if result:
            self.record_requested.emit(self.key, result, self.note.text())

    def show_item(self, item: ItemInfo, *, editable: bool) -> None:
        self.ok.setChecked(item.result == "ok")
        self.problem.setChecked(item.result == "problem")
        if item.result is None:
            self.group.setExclusive(False)
            self.ok.setChecked(False)
            self.problem.setChecked(False)
            self.group.setExclusive(True)
        if item.note is not None and not self.note.hasFocus():
            self.note.setText(item.note)
        for w in (self.ok, self.problem, self.note):
            w.setEnabled(editable)
        self.incident.setVisible(item.result == "problem")
        self.incident.setEnabled(editable and item.incident_id is None)
        if item.incident_id is not None:
            self.incident.setText(f"已登记故障 #{local_number(item.incident_id)}")
        who = (f"{item.checked_at.astimezone(self.tz):%H:%M} {item.checked_by or ''}"
               if item.checked_at else "")
        self.state.setText({"ok": "正常", "problem": "有问题"}.get(item.result or "", "未检查")
                           + (f" · {who}" if who else ""))
        self.state.setStyleSheet(ERROR_STYLE if item.result == "problem" else
                                 OK_STYLE if item.result == "ok" else "")


class InspectionDialog(QDialog):
    """The day's inspection rounds. `changed(round)` after every saved change."""

    changed = Signal(object)

    def __init__(self, service: Any, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.actor = actor
        self.tz = getattr(getattr(getattr(service, "ctx", None), "hall", None), "tz", None)
        self.day: DayInspections | None = None
        self.current: RoundInfo | None = None
        self.rows: dict[str, ItemRow] = {}
        self._shown_round: int | None = None
        self.setWindowTitle("营业厅巡检")
        self.setModal(False)
        self._build()
        self.resize(1180, 860)
        self.refresh()

    def _build(self) -> None:
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(QLabel("今日巡检时间"))
        self.slots = QListWidget()
        self.slots.setMaximumWidth(200)
        self.slots.currentItemChanged.connect(lambda *_: self._slot_chosen())
        left.addWidget(self.slots, 1)
        root.addLayout(left)
        right = QVBoxLayout()
        self.header = QLabel("请选择巡检时间")
        self.header.setStyleSheet("font-size: 14pt; font-weight: bold;")
        right.addWidget(self.header)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("开始本轮巡检")
        self.start_button.clicked.connect(self.start)
        self.finish_button = QPushButton("完成巡检")
        self.finish_button.clicked.connect(self.finish)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.finish_button)
        buttons.addStretch(1)
        right.addLayout(buttons)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        right.addWidget(scroll, 1)
        self.message = QLabel("")
        self.message.setObjectName("inspection_message")
        self.message.setWordWrap(True)
        right.addWidget(self.message)
        root.addLayout(right, 1)

    # -- data -----------------------------------------------------------------------
    def refresh(self) -> None:
        run_op_(self, self.service.day, self._show_day)

    def _show_day(self, day: DayInspections) -> None:
        self.day = day
        chosen = self.chosen_slot()
        self.slots.blockSignals(True)
        self.slots.clear()
        for slot in day.slots:
            item = QListWidgetItem(f"{slot.slot}  {SLOT_LABELS.get(slot.status, slot.status)}")
            item.setData(Qt.ItemDataRole.UserRole, slot.slot)
            item.setForeground(_colour(slot.status))
            self.slots.addItem(item)
        self.slots.blockSignals(False)
        wanted = chosen or next((s.slot for s in day.slots if s.status in ("open", "due")),
                                day.slots[0].slot if day.slots else None)
        if wanted is not None:
            self.select_slot(wanted)

    def chosen_slot(self) -> str | None:
        item = self.slots.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select_slot(self, slot: str) -> None:
        for i in range(self.slots.count()):
            item = self.slots.item(i)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == slot:
                self.slots.setCurrentRow(i)
                self._slot_chosen()
                return

    def _slot_chosen(self) -> None:
        if self.day is None:
            return
        slot = next((s for s in self.day.slots if s.slot == self.chosen_slot()), None)
        if slot is None:
            return
        self.current = slot.round
        status = SLOT_LABELS.get(slot.status, slot.status)
        if slot.round is None:
            self.header.setText(f"{slot.slot} 巡检 · {status}")
        else:
            r = slot.round
            self.header.setText(f"{r.slot} 巡检 · {status} · {r.started_by} "
                                f"{r.started_at.astimezone(self.tz):%H:%M} 开始" +
                                (f",{r.finished_at.astimezone(self.tz):%H:%M} 完成"
                                 if r.finished_at else ""))
        self.start_button.setVisible(slot.round is None)
        self.finish_button.setVisible(slot.round is not None and slot.round.state == "open")
        shown = {row.key for row in self.rows.values()}
        if (slot.round is not None and self._shown_round == slot.round.id
                and shown == {i.key for i in slot.round.items}):
            for item in slot.round.items:  # same round: update in place, keep typed notes
                self.rows[item.key].show_item(item, editable=slot.round.state == "open")
            return
        self._shown_round = slot.round.id if slot.round is not None else None
        self._show_round(slot.round)

    def _show_round(self, r: RoundInfo | None) -> None:
        while self.body_layout.count():
            old = self.body_layout.takeAt(0)
            widget = old.widget() if old is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = {}
        if r is None:
            hint = QLabel("本轮尚未开始。按「开始本轮巡检」后逐项检查:客户、设施、员工。")
            hint.setWordWrap(True)
            self.body_layout.addWidget(hint)
            self.body_layout.addStretch(1)
            return
        checklist = self.service.checklist
        for area in checklist.areas:
            box = QGroupBox(f"{area.title}:{area.look}")
            lay = QVBoxLayout(box)
            for item in r.items:
                if item.area != area.key:
                    continue
                row = ItemRow(item, self.tz)
                row.show_item(item, editable=r.state == "open")
                row.record_requested.connect(self.record)
                row.incident_requested.connect(self.open_incident)
                self.rows[item.key] = row
                lay.addWidget(row)
            self.body_layout.addWidget(box)
        self.body_layout.addStretch(1)

    def _round_changed(self, r: RoundInfo, message: str) -> None:
        self.current = r
        if self.day is not None:
            for item in r.items:
                row = self.rows.get(item.key)
                if row is not None:
                    row.show_item(item, editable=r.state == "open")
        self._say(message)
        self.changed.emit(r)
        self.refresh()

    # -- actions --------------------------------------------------------------------
    def start(self) -> None:
        slot = self.chosen_slot()
        if slot is None:
            return
        run_op_(self, lambda: self.service.start_round(self.actor, slot),
                lambda r: self._round_changed(r, f"{slot} 巡检已开始。"), [self.start_button])

    def record(self, key: str, result: str, note: str) -> None:
        if self.current is None:
            return
        rid = self.current.id
        run_op_(self, lambda: self.service.record(self.actor, rid, key, result, note),
                lambda r: self._round_changed(r, "已保存。"))

    def open_incident(self, key: str) -> None:
        if self.current is None:
            return
        rid = self.current.id
        run_op_(self, lambda: self.service.open_incident(self.actor, rid, key),
                lambda r: self._round_changed(r, "设施故障已登记,总览将显示该故障直到解除。"))

    def finish(self) -> None:
        if self.current is None:
            return
        rid = self.current.id
        run_op_(self, lambda: self.service.finish(self.actor, rid),
                lambda r: self._round_changed(r, "本轮巡检已完成,将打印在营业日报中。"),
                [self.finish_button])

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)

    def failed(self, err: HallError) -> None:
        self._say(err.message, error=True)


def _colour(status: str) -> QBrush:
    return QBrush(QColor(SLOT_COLOURS.get(status, "#333333")))


def run_op_(dialog: InspectionDialog, fn: Any, done: Any, disable: list[Any] | None = None) -> None:
    """Run `fn` off the GUI thread; failures are said in the dialog in Chinese."""
    run_op(fn, on_success=done, on_failure=dialog.failed, parent=dialog, disable=disable or [])
