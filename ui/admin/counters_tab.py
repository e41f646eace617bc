"""窗口 tab: counters, the services each serves (checked, in order), VIP flag, active."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hall_app.services.admin import AdminSnapshot, CounterEdit
from ui.admin.base import ListEditTab, fill_table, spin
from ui.admin.form import FieldForm

COLUMNS = ("窗口号", "名称", "办理业务(按优先顺序)", "VIP", "状态")


class ServiceOrderList(QWidget):
    """Checkable services; checked ones are served, top first. Up / down reorder."""

    def __init__(self) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        lay.addWidget(self.list, 1)
        col = QVBoxLayout()
        self.up, self.down = QPushButton("上移"), QPushButton("下移")
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        col.addWidget(self.up)
        col.addWidget(self.down)
        col.addStretch(1)
        lay.addLayout(col)

    def set_services(self, services: list[tuple[int, str]], chosen: tuple[int, ...]) -> None:
        self.list.clear()
        by_id = dict(services)
        order = [sid for sid in chosen if sid in by_id] + [
            sid for sid, _ in services if sid not in chosen]
        for sid in order:
            item = QListWidgetItem(by_id[sid])
            item.setData(Qt.ItemDataRole.UserRole, sid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if sid in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)

    def chosen(self) -> tuple[int, ...]:
        return tuple(self.list.item(i).data(Qt.ItemDataRole.UserRole)
                     for i in range(self.list.count())
                     if self.list.item(i).checkState() == Qt.CheckState.Checked)

    def set_checked(self, service_id: int, checked: bool) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == service_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)


class CountersTab(ListEditTab):
    title = "窗口"

    columns = COLUMNS
    new_label = "新增窗口"

    def build_form(self, form: FieldForm) -> None:
        self.number = form.add("number", "窗口号", spin(1, 0, 9999))
        self.name = form.add("name", "名称", QLineEdit())
        self.services = form.add("services", "办理业务", ServiceOrderList())
        self.vip = form.add("is_vip", "VIP 窗口", QCheckBox("VIP 专席"))
        self.active = form.add("active", "启用", QCheckBox("可签到叫号"))
        form.errors["waiting"] = form.errors["active"]

    def _service_names(self) -> list[tuple[int, str]]:
        assert self.snap is not None
        return [(s.id, f"{s.name}({s.prefix})" + ("" if s.active else " [停用]"))
                for s in self.snap.services]

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:
        names = {s.id: s.name for s in snap.services}
        ids = [c.id for c in snap.counters]
        row = ids.index(self.editing_id) if self.editing_id in ids else -1
        self.table.blockSignals(True)
        fill_table(self.table, [(c.number, c.name, "、".join(names[i] for i in c.service_ids),
                                 "是" if c.is_vip else "", "启用" if c.active else "停用")
                                for c in snap.counters], row)
        self.table.blockSignals(False)
        if first:
            self.new()

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.snap is None:
            return
        c = self.snap.counters[rows[0].row()]
        self.editing_id = c.id
        self.form.clear_errors()
        self.number.setValue(c.number)
        self.name.setText(c.name)
        self.services.set_services(self._service_names(), c.service_ids)
        self.vip.setChecked(c.is_vip)
        self.active.setChecked(c.active)

    def new(self) -> None:
        self.editing_id = None
        self.table.clearSelection()
        self.form.clear_errors()
        numbers = [c.number for c in self.snap.counters] if self.snap else []
        self.number.setValue(max(numbers, default=0) + 1)
        self.name.setText(f"{self.number.value()}号窗口")
        self.services.set_services(self._service_names() if self.snap else [], ())
        self.vip.setChecked(False)
        self.active.setChecked(True)

    def save(self) -> None:
        edit = CounterEdit(self.editing_id, self.number.value(), self.name.text(),
                           self.services.chosen(), self.vip.isChecked(), self.active.isChecked())

        def run(waiting: str | None = None, transfer_to: int | None = None) -> int:
            return self.admin.save_counter(self.actor, edit, waiting=waiting)

        self.host.submit(run, self.form, "窗口已保存。", after=self._saved)

    def _saved(self, counter_id: int) -> None:
        self.editing_id = counter_id
