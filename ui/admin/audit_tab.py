"""修改记录 tab: the audit log, newest first (who, when, what, old → new), and the state of
the history's verification (hash chains and seals, `AdminService.verify_history`): green
when intact, red naming the first broken link — so a row edited behind the app's back is
not shown as fact without a warning."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from hall_app.domain.keys import local_number
from hall_app.errors import HallError
from hall_app.security.history import VerifyReport
from hall_app.services.admin import AdminSnapshot
from ui.admin.base import AdminHost, AdminTab, fill_table, make_table
from ui.ops import OpHandle, run_op

ENTITY_LABELS = {"hall": "营业厅", "opening_hours": "营业时间", "service": "业务类型",
                 "counter": "窗口", "staff": "员工", "priority": "叫号规则", "thresholds": "阈值",
                 "complaint": "投诉", "system": "系统"}
OK_STYLE = "color: #1b5e20; font-weight: bold;"
BROKEN_STYLE = "color: #ffffff; background: #b00020; font-weight: bold; padding: 6px;"


class AuditTab(AdminTab):
    title = "修改记录"

    def __init__(self, host: AdminHost, tz: tzinfo) -> None:
        super().__init__(host)
        self.tz = tz
        self.report: VerifyReport | None = None
        self.handle: OpHandle | None = None
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.verify_label = QLabel("历史记录核对:正在核对…")
        self.verify_label.setObjectName("HistoryVerification")
        self.verify_label.setWordWrap(True)
        self.verify_button = QPushButton("重新核对")
        self.verify_button.clicked.connect(self.verify)
        row.addWidget(self.verify_label, 1)
        row.addWidget(self.verify_button)
        lay.addLayout(row)
        self.table = make_table(("时间", "操作人", "对象", "项目", "原值", "新值"))
        lay.addWidget(self.table)
        self.verify()

    def verify(self) -> OpHandle:
        """Recompute the hall's hash chains off the GUI thread; show the outcome."""
        admin, actor = self.host.admin, self.host.actor
        self.verify_label.setText("历史记录核对:正在核对…")
        self.verify_label.setStyleSheet("")
        self.handle = run_op(lambda: admin.verify_history(actor), on_success=self.show_report,
                             on_failure=self._failed, parent=self,
                             disable=[self.verify_button], description="verify history")
        return self.handle

    def show_report(self, report: VerifyReport) -> None:
        self.report = report
        if report.ok:
            total = sum(report.rows.values())
            self.verify_label.setText(f"历史记录核对:完整,未发现篡改(已核对 {total} 条,"
                                      f"封存 {report.seals} 段)。")
            self.verify_label.setStyleSheet(OK_STYLE)
            return
        first = report.first
        self.verify_label.setText(
            f"历史记录核对未通过:发现 {len(report.breaks)} 处问题,以下记录可能已被篡改。"
            f"第一处:{first.line(self.tz, table_name=False) if first else ''}")
        self.verify_label.setStyleSheet(BROKEN_STYLE)

    def _failed(self, err: HallError) -> None:
        self.verify_label.setText(f"历史记录核对失败:{err.message}")
        self.verify_label.setStyleSheet(BROKEN_STYLE)

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:
        fill_table(self.table, [
            (a.at.astimezone(self.tz).strftime("%m-%d %H:%M"), a.staff_name,
             f"{ENTITY_LABELS.get(a.entity, a.entity)} #{local_number(a.entity_id) or ''}", a.field,
             a.old_value or "", a.new_value or "") for a in snap.audit], -1)
