"""`hall-app admin`: the hall administration window (营业厅 / 业务类型 / 窗口 / 员工 /
叫号规则 / 阈值 / 修改记录).

Admins edit; a duty manager may open it read-only (every tab visible, the rule preview
works, every save button is disabled — the core refuses their edits anyway). Data comes
from `AdminService.snapshot` through a LiveFeed, so another workstation's change shows
up on the next refresh. Every save runs off the GUI thread; a `ValidationError` is shown
beside its field; waiting customers affected by a deactivation trigger a question.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.roles import ROLE_LABELS, Actor, Permission
from hall_app.errors import HallError, ValidationError
from hall_app.services.admin import AdminService, AdminSnapshot, NeedsDecision
from ui import notify
from ui.admin.audit_tab import AuditTab
from ui.admin.base import AdminTab
from ui.admin.counters_tab import CountersTab
from ui.admin.form import FieldForm
from ui.admin.hall_tab import HallTab
from ui.admin.rule_tab import RuleTab
from ui.admin.services_tab import ServicesTab
from ui.admin.staff_tab import StaffTab
from ui.admin.thresholds_tab import ThresholdsTab
from ui.live import LiveFeed
from ui.ops import OpHandle, run_op
from ui.session import Relogin
from ui.widgets import ConnectionBanner
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from hall_app.config import Settings
    from hall_app.services import HallServices

Decision = tuple[str, int | None]


class AdminWindow(QMainWindow):
    def __init__(self, services: HallServices, actor: Actor, *, live: bool = True) -> None:
        super().__init__()
        self.services = services
        self.actor = actor
        self.admin = AdminService(services.ctx)
        self.can_edit = actor.can(Permission.ADMIN_CONFIG)
        self.last_handle: OpHandle | None = None
        self.setWindowTitle(f"营业厅管理 - {actor.name}({ROLE_LABELS[actor.role]})"
                            + ("" if self.can_edit else " [只读]"))
        central = QWidget()
        lay = QVBoxLayout(central)
        self.banner = ConnectionBanner()
        lay.addWidget(self.banner)
        if not self.can_edit:
            lay.addWidget(QLabel("值班长可查看配置和预览叫号规则,修改请联系管理员。"))
        self.tabs = QTabWidget()
        self.hall_tab = HallTab(self)
        self.services_tab = ServicesTab(self)
        self.counters_tab = CountersTab(self)
        self.staff_tab = StaffTab(self)
        self.rule_tab = RuleTab(self)
        self.thresholds_tab = ThresholdsTab(self)
        self.audit_tab = AuditTab(self, services.ctx.hall.tz)
        self.all_tabs: list[AdminTab] = [self.hall_tab, self.services_tab, self.counters_tab,
                                         self.staff_tab, self.rule_tab, self.thresholds_tab,
                                         self.audit_tab]
        for tab in self.all_tabs:
            # Each tab scrolls up and down inside the window: the hall tab (hours, promise,
            # today's extension) is taller than a 1366×768 screen.
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(tab)
            self.tabs.addTab(scroll, tab.title)
            tab.set_editable(self.can_edit)
        lay.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        notify.attach_default_presenter(self)
        self.relogin = Relogin(self, self._relogin_dialog, self._logged_in_again)
        self.live: LiveFeed | None = None
        if live:
            self.live = LiveFeed(services.change_feed, self.load, name="admin", parent=self)
            self.live.snapshot.connect(self.apply_snapshot)
            self.banner.bind(self.live)
            self.live.start()

    # -- data -------------------------------------------------------------------------------
    def load(self) -> AdminSnapshot:
        return self.admin.snapshot(self.actor)

    def apply_snapshot(self, snap: AdminSnapshot) -> None:
        for tab in self.all_tabs:
            tab.apply(snap)

    def reload(self) -> None:
        """Load a snapshot now (after a save, or when there is no live feed)."""
        if self.live is not None:
            self.live.request_refresh()
        else:
            self.last_handle = run_op(self.load, on_success=self.apply_snapshot, parent=self)

    # -- saving -------------------------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], form: FieldForm, ok_text: str, *,
               after: Callable[[Any], None] | None = None,
               transfer_choices: list[tuple[int, str]] | None = None,
               decision: Decision | None = None) -> None:
        """Run `fn(waiting=, transfer_to=)` off the GUI thread; errors beside their fields."""
        form.clear_errors()
        kwargs = {"waiting": decision[0], "transfer_to": decision[1]} if decision else {}

        def ok(result: Any) -> None:
            notify.info(ok_text)
            if after is not None:
                after(result)
            self.reload()

        def failed(err: HallError) -> None:
            if isinstance(err, NeedsDecision) and decision is None:
                choice = self.ask_decision(err, transfer_choices or [])
                if choice is not None:
                    self.submit(fn, form, ok_text, after=after,
                                transfer_choices=transfer_choices, decision=choice)
                    return
                form.show_error("waiting", "已取消:等候的顾客未受影响。")
                return
            field = err.field if isinstance(err, ValidationError) else None
            if not form.show_error(field, err.message):
                notify.error(err.message)

        self.last_handle = run_op(lambda: fn(**kwargs), on_success=ok, on_failure=failed,
                                  parent=self)

    def ask_decision(self, err: NeedsDecision,
                     transfer_choices: list[tuple[int, str]]) -> Decision | None:
        """Ask what to do with waiting customers. None = cancel the change."""
        if err.options == ("transfer",):
            answer = QMessageBox.question(self, "等候中的顾客", err.message + "\n是否继续?")
            return ("transfer", None) if answer == QMessageBox.StandardButton.Yes else None
        labels = ["停止取号,已取号的顾客照常办完"] + [
            f"转到「{name}」继续等候(保留原排队顺序)" for _, name in transfer_choices]
        label, ok = QInputDialog.getItem(self, "等候中的顾客", err.message, labels, 0, False)
        if not ok:
            return None
        index = labels.index(label)
        if index == 0:
            return ("finish", None)
        return ("transfer", transfer_choices[index - 1][0])

    # -- 登录已失效,请重新登录 -----------------------------------------------------------
    def session_expired(self, message: str) -> None:
        """The core refused this window's session (ui/session.py): ask for a login."""
        self.relogin.trigger(message)

    def _relogin_dialog(self, message: str) -> QDialog:
        from ui.admin.login import LoginDialog

        dialog = LoginDialog(self.services, self.actor.staff_no)
        dialog.message.setText(message)
        return dialog

    def _logged_in_again(self, dialog: QDialog) -> None:
        actor = getattr(dialog, "actor", None)
        if actor is None:
            return
        self.actor = actor
        self.can_edit = actor.can(Permission.ADMIN_CONFIG)
        for tab in self.all_tabs:
            tab.set_editable(self.can_edit)
        self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.live is not None:
            self.live.stop_soon()
        super().closeEvent(event)


def main(args: argparse.Namespace, settings: Settings) -> int:
    from ui.admin.login import LoginDialog
    from ui.app_runtime import GeometryKeeper, create_app
    from ui.startup import open_services

    app = create_app("admin")
    services = open_services(settings, "营业厅管理", role="admin")
    if services is None:
        return 1
    try:
        login = LoginDialog(services, getattr(args, "staff", None) or "")
        if login.exec() != LoginDialog.DialogCode.Accepted or login.actor is None:
            return 0
        window = AdminWindow(services, login.actor)
        GeometryKeeper(window, "admin")
        fit_to_screen(window, 1100, 700)
        window.show()
        return int(app.exec())
    except HallError:
        raise
    finally:
        services.close()
