"""员工 tab: 工号, name, role, enable / disable, and the one-time PIN reset."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPushButton,
)

from hall_app.domain.roles import ROLE_LABELS
from hall_app.services.admin import AdminSnapshot, StaffEdit
from ui.admin.base import ListEditTab, fill_table
from ui.admin.form import FieldForm

COLUMNS = ("工号", "姓名", "角色", "状态", "密码")


def _pin() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText("4到8位数字")
    return edit


class StaffTab(ListEditTab):
    title = "员工"

    columns = COLUMNS
    new_label = "新增员工"

    def build_form(self, form: FieldForm) -> None:
        self.staff_no = form.add("staff_no", "工号", QLineEdit())
        self.name = form.add("name", "姓名", QLineEdit())
        self.role = form.add("role", "角色", QComboBox())
        for value, label in ROLE_LABELS.items():
            self.role.addItem(label, value)
        self.active = form.add("active", "在职", QCheckBox("允许登录"))
        self.pin = form.add("pin", "一次性密码", _pin())

    def extra_buttons(self) -> list[QPushButton]:
        self.reset_button = QPushButton("重置密码")
        self.reset_button.clicked.connect(self.reset_pin)
        return [self.reset_button]

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:
        ids = [m.id for m in snap.staff]
        row = ids.index(self.editing_id) if self.editing_id in ids else -1
        self.table.blockSignals(True)
        fill_table(self.table, [(m.staff_no, m.name, ROLE_LABELS.get(m.role, m.role),
                                 "在职" if m.active else "停用",
                                 "待修改" if m.must_change_pin else "")
                                for m in snap.staff], row)
        self.table.blockSignals(False)

    def select_staff_no(self, staff_no: str) -> None:
        assert self.snap is not None
        row = [m.staff_no for m in self.snap.staff].index(staff_no)
        self.table.selectRow(row)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.snap is None:
            return
        m = self.snap.staff[rows[0].row()]
        self.editing_id = m.id
        self.form.clear_errors()
        self.staff_no.setText(m.staff_no)
        self.name.setText(m.name)
        self.role.setCurrentIndex(self.role.findData(m.role))
        self.active.setChecked(m.active)
        self.pin.clear()

    def new(self) -> None:
        self.editing_id = None
        self.table.clearSelection()
        self.form.clear_errors()
        for w in (self.staff_no, self.name, self.pin):
            w.clear()
        self.role.setCurrentIndex(self.role.findData("clerk"))
        self.active.setChecked(True)

    def save(self) -> None:
        edit = StaffEdit(self.editing_id, self.staff_no.text(), self.name.text(),
                         self.role.currentData(), self.active.isChecked())
        pin = self.pin.text() if self.editing_id is None else None
        self.host.submit(lambda **_: self.admin.save_staff(self.actor, edit, pin=pin),
                           self.form, "员工信息已保存。", after=self._saved)

    def _saved(self, staff_id: int) -> None:
        self.editing_id = staff_id
        self.pin.clear()

    def reset_pin(self) -> None:
        self.form.clear_errors()
        if self.editing_id is None:
            self.form.show_error("pin", "请先在左侧选择员工。")
            return
        staff_id, pin = self.editing_id, self.pin.text()
        self.host.submit(lambda **_: self.admin.reset_pin(self.actor, staff_id, pin),
                           self.form, "密码已重置,该员工下次登录时须修改密码。",
                           after=lambda _: self.pin.clear())
