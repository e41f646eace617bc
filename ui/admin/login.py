"""Admin window login: 工号 + PIN, the forced PIN change, and the role check.

Admins edit; duty managers may open the window read-only (Permission.VIEW_CONFIG);
clerks are refused. The login itself runs off the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from hall_app.domain.roles import Actor, Permission
from hall_app.errors import HallError, PermissionDenied, ValidationError
from ui.admin.form import FieldForm
from ui.ops import OpHandle, run_op

if TYPE_CHECKING:
    from hall_app.services import HallServices


def _pin_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    return edit


class ChangePinDialog(QDialog):
    """Shown right after login when the PIN was reset: the new PIN must be set now."""

    def __init__(self, services: HallServices, actor: Actor, old_pin: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("请修改密码")
        self.services, self.actor, self.old_pin = services, actor, old_pin
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("管理员已重置您的密码,请设置新密码后继续。"))
        self.form = FieldForm()
        self.new_pin = self.form.add("new_pin", "新密码", _pin_edit())
        self.again = self.form.add("again", "再次输入", _pin_edit())
        lay.addLayout(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.handle: OpHandle | None = None

    def submit(self) -> None:
        self.form.clear_errors()
        new, again = self.new_pin.text(), self.again.text()
        if new != again:
            self.form.show_error("again", "两次输入的新密码不一致。")
            return
        self.handle = run_op(lambda: self.services.auth.change_pin(self.actor, self.old_pin, new),
                             on_success=lambda _: self.accept(), on_failure=self._failed,
                             parent=self)

    def _failed(self, err: HallError) -> None:
        field = err.field if isinstance(err, ValidationError) else None
        if not self.form.show_error(field, err.message):
            self.form.show_error("new_pin", err.message)


class LoginDialog(QDialog):
    """`actor` is set once a staff member allowed to view the configuration logged in."""

    def __init__(self, services: HallServices, staff_no: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("营业厅管理 - 登录")
        self.setMinimumWidth(360)
        self.services = services
        self.actor: Actor | None = None
        self.handle: OpHandle | None = None
        lay = QVBoxLayout(self)
        self.form = FieldForm()
        self.staff_no = self.form.add("staff_no", "工号", QLineEdit(staff_no))
        self.pin = self.form.add("pin", "密码", _pin_edit())
        lay.addLayout(self.form)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #c62828;")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.pin.returnPressed.connect(self.submit)
        # While the PIN is typed: the login's imports, so Enter waits for the check only.
        run_op(services.prepare_login, on_failure=lambda _e: None, background=True)

    def submit(self) -> None:
        self.form.clear_errors()
        self.message.clear()
        staff_no, pin = self.staff_no.text(), self.pin.text()

        def login() -> tuple[Actor, bool]:
            actor = self.services.auth.login(staff_no, pin)
            if not actor.can(Permission.VIEW_CONFIG):
                raise PermissionDenied("只有管理员或值班长可以打开营业厅管理。")
            return actor, self.services.auth.must_change_pin(actor)

        self.handle = run_op(login, on_success=self._logged_in, on_failure=self._failed,
                             parent=self)

    def _logged_in(self, result: tuple[Actor, bool]) -> None:
        actor, must_change = result
        if not must_change:
            self._finish(actor)
            return
        dialog = ChangePinDialog(self.services, actor, self.pin.text(), self)
        self.change_dialog = dialog
        dialog.accepted.connect(lambda: self._finish(actor))
        dialog.rejected.connect(lambda: self.message.setText("必须先修改密码才能继续。"))
        dialog.open()

    def _finish(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()

    def _failed(self, err: HallError) -> None:
        field = err.field if isinstance(err, ValidationError) else None
        if not self.form.show_error(field, err.message):
            self.message.setText(err.message)
