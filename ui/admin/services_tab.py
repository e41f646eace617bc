"""业务类型 tab: list of service types and the form to add or edit one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
)

from hall_app.services.admin import AdminSnapshot, ServiceEdit
from ui.admin.base import AdminHost, ListEditTab, fill_table, spin
from ui.admin.form import FieldForm

COLUMNS = ("代码", "名称", "字母", "目标等候", "长等候", "平均办理", "开通时限", "VIP", "状态",
           "等候")
COMMITMENT_HINT = "例如 24小时、3个工作日;当场办结的留空"


class ServicesTab(ListEditTab):
    title = "业务类型"

    columns = COLUMNS
    new_label = "新增业务"

    def __init__(self, host: AdminHost) -> None:
        super().__init__(host)
        self.new()

    def build_form(self, form: FieldForm) -> None:
        self.code = form.add("code", "业务代码", QLineEdit())
        self.name = form.add("name", "业务名称", QLineEdit())
        self.prefix = form.add("prefix", "号票字母", QLineEdit())
        self.prefix.setMaxLength(2)
        self.target = form.add("target_wait_minutes", "目标等候", spin(15, suffix=" 分钟"))
        self.long = form.add("long_wait_minutes", "长时等候阈值", spin(20, suffix=" 分钟"))
        self.typical = form.add("typical_service_minutes", "平均办理时长",
                                spin(8, suffix=" 分钟"))
        # The farewell's 「XX业务会在XX时间内开通」: filled in for the clerk, never improvised.
        self.commitment = form.add("commitment", "开通时限", QLineEdit())
        self.commitment.setObjectName("CommitmentEdit")
        self.commitment.setPlaceholderText(COMMITMENT_HINT)
        self.commitment.setMaxLength(16)
        self.vip = form.add("is_vip", "VIP 业务", QCheckBox("取号即为 VIP"))
        self.active = form.add("active", "启用", QCheckBox("可取号"))
        form.errors["waiting"] = form.errors["active"]

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:
        ids = [s.id for s in snap.services]
        row = ids.index(self.editing_id) if self.editing_id in ids else -1
        self.table.blockSignals(True)
        fill_table(self.table, [(s.code, s.name, s.prefix, s.target_wait_minutes,
                                 s.long_wait_minutes, s.typical_service_minutes,
                                 s.commitment or "", "是" if s.is_vip else "", "启用" if s.active else "停用",
                                 s.waiting) for s in snap.services], row)
        self.table.blockSignals(False)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.snap is None:
            return
        s = self.snap.services[rows[0].row()]
        self.editing_id = s.id
        self.form.clear_errors()
        self.code.setText(s.code)
        self.name.setText(s.name)
        self.prefix.setText(s.prefix)
        self.target.setValue(s.target_wait_minutes)
        self.long.setValue(s.long_wait_minutes)
        self.typical.setValue(s.typical_service_minutes)
        self.commitment.setText(s.commitment or "")
        self.vip.setChecked(s.is_vip)
        self.active.setChecked(s.active)

    def new(self) -> None:
        self.editing_id = None
        self.table.clearSelection()
        self.form.clear_errors()
        for w in (self.code, self.name, self.prefix, self.commitment):
            w.clear()
        self.target.setValue(15)
        self.long.setValue(20)
        self.typical.setValue(8)
        self.vip.setChecked(False)
        self.active.setChecked(True)

    def edit(self) -> ServiceEdit:
        return ServiceEdit(self.editing_id, self.code.text(), self.name.text(), self.prefix.text(),
                           self.target.value(), self.long.value(), self.typical.value(),
                           self.vip.isChecked(), self.active.isChecked(),
                           self.commitment.text())

    def save(self) -> None:
        edit = self.edit()

        def run(waiting: str | None = None, transfer_to: int | None = None) -> int:
            return self.admin.save_service(self.actor, edit, waiting=waiting,
                                           transfer_to=transfer_to)

        self.host.submit(run, self.form, "业务类型已保存。", after=self._saved,
                           transfer_choices=self._transfer_choices(edit.id))

    def _transfer_choices(self, exclude: int | None) -> list[tuple[int, str]]:
        if self.snap is None:
            return []
        return [(s.id, s.name) for s in self.snap.services if s.active and s.id != exclude]

    def _saved(self, service_id: int) -> None:
        self.editing_id = service_id
