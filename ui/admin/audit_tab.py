"""修改记录 tab: the audit log, newest first (who, when, what, old → new)."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtWidgets import QVBoxLayout

from hall_app.services.admin import AdminSnapshot
from ui.admin.base import AdminHost, AdminTab, fill_table, make_table

ENTITY_LABELS = {"hall": "营业厅", "opening_hours": "营业时间", "service": "业务类型",
                 "counter": "窗口", "staff": "员工", "priority": "叫号规则", "thresholds": "阈值"}


class AuditTab(AdminTab):
    title = "修改记录"

    def __init__(self, host: AdminHost, tz: tzinfo) -> None:
        super().__init__(host)
        self.tz = tz
        lay = QVBoxLayout(self)
        self.table = make_table(("时间", "操作人", "对象", "项目", "原值", "新值"))
        lay.addWidget(self.table)

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:
        fill_table(self.table, [
            (a.at.astimezone(self.tz).strftime("%m-%d %H:%M"), a.staff_name,
             f"{ENTITY_LABELS.get(a.entity, a.entity)} #{a.entity_id or ''}", a.field,
             a.old_value or "", a.new_value or "") for a in snap.audit], -1)
