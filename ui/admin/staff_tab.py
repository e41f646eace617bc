"""员工 tab: 工号, name, role, enable / disable, and the one-time PIN reset."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from hall_app.domain.roles import ROLE_LABELS
from hall_app.services.admin import AdminSnapshot, StaffEdit
from ui.admin.base import AdminTab
from ui.admin.form import FieldForm
from ui.admin.services_tab import fill_table, make_table

COLUMNS = ("工号", "姓名", "角色", "状态", "密码")


def _pin() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText("4到8位数字")
    return edit


class StaffTab(AdminTab):
    title = "员工"

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self.editing_id: int | None = None
        lay = QHBoxLayout(self)
        self.table = make_table(COLUMNS)
        self.table.itemSelectionChanged.connect(self._selected)
        lay.addWidget(self.table, 3)
        right = QVBoxLayout()
        self.form = FieldForm()
        self.staff_no = self.form.add("staff_no", "工号", QLineEdit())
        self.name = self.form.add("name", "姓名", QLineEdit())
        self.role = self.form.add("role", "角色", QComboBox())
        for value, label in ROLE_LABELS.items():
            self.role.addItem(label, value)
        self.active = self.form.add("active", "在职", QCheckBox("允许登录"))
        self.pin = self.form.add("pin", "一次性密码", _pin())
        right.addLayout(self.form)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("新增员工")
        self.save_button = QPushButton("保存")
        self.reset_button = QPushButton("重置密码")
        self.new_button.clicked.connect(self.new)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset_pin)
        for b in (self.new_button, self.save_button, self.reset_button):
            buttons.addWidget(b)
        right.addLayout(buttons)
        right.addStretch(1)
        lay.addLayout(right, 2)
        self.edit_buttons = [self.new_button, self.save_button, self.reset_button]

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
        self.window.submit(lambda **_: self.admin.save_staff(self.actor, edit, pin=pin),
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
        self.window.submit(lambda **_: self.admin.reset_pin(self.actor, staff_id, pin),
                           self.form, "密码已重置,该员工下次登录时须修改密码。",
                           after=lambda _: self.pin.clear())
