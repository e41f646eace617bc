"""叫号规则 tab: strict / ratio / aging, with a preview of the next 10 calls at a counter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout

from hall_app.domain.priority import RULE_LABELS, PriorityRule, RuleConfig
from hall_app.errors import HallError
from hall_app.services.admin import AdminSnapshot
from ui.admin.base import AdminHost, AdminTab, fill_table, make_table, spin
from ui.admin.form import FieldForm
from ui.ops import OpHandle, run_op

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hall_app.services.admin import PreviewLine

HELP = {
    "strict": "VIP 号票总是先叫,其余按取号先后。",
    "ratio": "每叫 N 位普通顾客,穿插叫 1 位 VIP;只有一类在等时照常叫。",
    "aging": "VIP 先叫;普通顾客等候满 M 分钟后与 VIP 同等优先。",
}


class RuleTab(AdminTab):
    title = "叫号规则"

    def __init__(self, host: AdminHost) -> None:
        super().__init__(host)
        lay = QVBoxLayout(self)
        self.form = FieldForm()
        self.rule = self.form.add("priority_rule", "规则", QComboBox())
        for value, label in RULE_LABELS.items():
            self.rule.addItem(label, value)
        self.ratio = self.form.add("priority_ratio", "普通 : VIP", spin(3, suffix=" : 1"))
        self.aging = self.form.add("priority_aging_minutes", "等候升级", spin(30, suffix=" 分钟"))
        self.counter = self.form.add("counter", "预览窗口", QComboBox())
        lay.addLayout(self.form)
        self.help = QLabel("")
        lay.addWidget(self.help)
        self.table = make_table(("顺序", "号票", "业务", "类别", "已等候"))
        lay.addWidget(QLabel("按编辑中的规则,该窗口接下来会依次叫到(尚未保存):"))
        lay.addWidget(self.table, 1)
        self.save_button = QPushButton("保存叫号规则")
        self.save_button.clicked.connect(self.save)
        lay.addWidget(self.save_button)
        self.edit_buttons = [self.save_button]
        self.preview_handle: OpHandle | None = None
        self.preview_codes: list[str] = []
        for signal in (self.rule.currentIndexChanged, self.ratio.valueChanged,
                       self.aging.valueChanged, self.counter.currentIndexChanged):
            signal.connect(self.update_preview)

    def config(self) -> RuleConfig:
        return RuleConfig(PriorityRule(self.rule.currentData()), self.ratio.value(),
                          self.aging.value())

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:
        widgets = (self.rule, self.ratio, self.aging, self.counter)
        for w in widgets:
            w.blockSignals(True)
        current = self.counter.currentData()
        self.counter.clear()
        for c in snap.counters:
            if c.active:
                self.counter.addItem(c.name, c.id)
        index = self.counter.findData(current)
        self.counter.setCurrentIndex(max(0, index))
        if first:
            self.rule.setCurrentIndex(self.rule.findData(str(snap.rule.rule)))
            self.ratio.setValue(snap.rule.ratio)
            self.aging.setValue(snap.rule.aging_minutes)
        for w in widgets:
            w.blockSignals(False)
        self.update_preview()

    def update_preview(self) -> None:
        self.help.setText(HELP[self.rule.currentData()])
        self.ratio.setEnabled(self.rule.currentData() == "ratio")
        self.aging.setEnabled(self.rule.currentData() == "aging")
        counter_id = self.counter.currentData()
        if counter_id is None:
            return
        self.form.clear_errors()
        config = self.config()
        self.preview_handle = run_op(
            lambda: self.admin.preview(self.actor, counter_id, config),
            on_success=self._show_preview, on_failure=self._preview_failed, parent=self)

    def _show_preview(self, lines: Sequence[PreviewLine]) -> None:
        self.preview_codes = [line.code for line in lines]
        fill_table(self.table, [(line.position, line.code, line.service_name,
                                 "VIP" if line.priority == "vip" else "普通",
                                 f"{line.waited_minutes} 分钟") for line in lines], -1)

    def _preview_failed(self, err: HallError) -> None:
        self.preview_codes = []
        self.table.setRowCount(0)
        if not self.form.show_error(getattr(err, "field", None), err.message):
            self.form.show_error("counter", err.message)

    def save(self) -> None:
        config = self.config()
        self.host.submit(lambda **_: self.admin.set_priority_rule(self.actor, config),
                           self.form, "叫号规则已保存,各窗口下次叫号即按新规则。")
