"""Duty-manager login for the overview: staff number + PIN; a clerk is refused.

The PIN check runs through ``run_op`` (off the GUI thread); the core's Chinese message
(wrong PIN, lockout delay) is shown beside the form. Being allowed in is decided by
the role's permissions (acknowledging alerts); every action is checked again in the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.roles import ROLE_LABELS, Permission
from hall_app.errors import HallError
from ui.ops import run_op

if TYPE_CHECKING:
    from hall_app.domain.roles import Actor
    from hall_app.services import HallServices


def refusal(actor: Actor) -> str | None:
    """Why this actor may not open the overview, or None."""
    if actor.can(Permission.ACK_ALERT):
        return None
    return f"{ROLE_LABELS.get(str(actor.role), '该工号')}无权使用值班长总览,请使用值班长工号登录。"


class OverviewLoginDialog(QDialog):
    """On success ``actor`` is set and the dialog is accepted."""

    def __init__(self, services: HallServices, *, staff: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor: Actor | None = None
        self.setWindowTitle("值班长登录")
        self.setMinimumWidth(400)
        self.staff_edit = QLineEdit(staff)
        self.staff_edit.setMaxLength(32)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(8)
        self.pin_edit.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}"))
        self.error = QLabel()
        self.error.setObjectName("FormError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        form = QFormLayout()
        form.addRow("工号", self.staff_edit)
        form.addRow("密码", self.pin_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        title = QLabel("值班长总览")
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.pin_edit if staff else self.staff_edit).setFocus()
        # While the PIN is typed: the login's imports, so Enter waits for the check only.
        run_op(services.prepare_login, on_failure=lambda _e: None, background=True)

    def try_login(self) -> None:
        staff, pin = self.staff_edit.text().strip(), self.pin_edit.text()
        self.error.clear()
        run_op(lambda: self.services.auth.login(staff, pin), on_success=self._logged_in,
               on_failure=self._failed, parent=self,
               disable=[self.buttons, self.staff_edit, self.pin_edit])

    def _logged_in(self, actor: Actor) -> None:
        why = refusal(actor)
        if why:
            self.error.setText(why)
            self.pin_edit.clear()
            return
        self.actor = actor
        self.accept()

    def _failed(self, error: HallError) -> None:
        self.error.setText(error.message)
        self.pin_edit.clear()
        self.pin_edit.setFocus()
