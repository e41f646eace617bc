"""Login for the counter window: staff number + PIN + counter, then a PIN change if due.

Every database call goes through ``run_op``; the dialog shows the core's Chinese
message beside the form (wrong PIN, the lockout delay after repeated failures, …).
The chosen counter is remembered per workstation (``ui_settings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.roles import Role
from hall_app.errors import CounterOccupied, HallError
from ui.app_runtime import ui_settings
from ui.ops import run_op

if TYPE_CHECKING:
    from hall_app.domain.roles import Actor
    from hall_app.services import HallServices
    from hall_app.services.queries import CounterInfo

LAST_COUNTER_KEY = "counter/last_counter"


def remembered_counter() -> int | None:
    value = ui_settings().value(LAST_COUNTER_KEY)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def remember_counter(number: int) -> None:
    settings = ui_settings()
    settings.setValue(LAST_COUNTER_KEY, int(number))
    settings.sync()


def _pin_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    edit.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}"))
    return edit


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("FormError")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020; font-weight: bold;")
    return label


class LoginDialog(QDialog):
    """Ask for staff number, PIN and counter; on success ``actor`` and ``counter`` are set.

    ``signed_in`` is emitted (and the dialog accepted) after the clerk is signed in at the
    counter. A required PIN change is asked on a second page before signing in.
    """

    signed_in = Signal(object, object)  # Actor, CounterInfo

    def __init__(self, services: HallServices, *, staff: str = "",
                 counter_number: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor: Actor | None = None
        self.counter: CounterInfo | None = None
        self._old_pin = ""
        self._counters: list = []
        self._wanted_counter = counter_number or remembered_counter()
        self.setWindowTitle("营业员登录")
        self.setMinimumWidth(420)

        self.pages = QStackedWidget()
        # --- page 0: login ----------------------------------------------------
        login_page = QWidget()
        form = QFormLayout(login_page)
        self.staff_edit = QLineEdit(staff)
        self.staff_edit.setPlaceholderText("例如 1001")
        self.pin_edit = _pin_edit()
        self.pin_edit.setPlaceholderText("4到8位数字")
        self.counter_combo = QComboBox()
        self.counter_combo.setPlaceholderText("正在读取窗口…")
        form.addRow("工号", self.staff_edit)
        form.addRow("密码", self.pin_edit)
        form.addRow("窗口", self.counter_combo)
        self.error_label = _error_label()
        form.addRow(self.error_label)
        # --- page 1: PIN change -----------------------------------------------
        change_page = QWidget()
        cform = QFormLayout(change_page)
        hint = QLabel("首次登录或密码已重置,请先设置新密码。")
        hint.setWordWrap(True)
        cform.addRow(hint)
        self.new_pin_edit = _pin_edit()
        self.repeat_pin_edit = _pin_edit()
        cform.addRow("新密码", self.new_pin_edit)
        cform.addRow("再输一次", self.repeat_pin_edit)
        self.change_error_label = _error_label()
        cform.addRow(self.change_error_label)
        self.pages.addWidget(login_page)
        self.pages.addWidget(change_page)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("登录")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.buttons)
        (self.pin_edit if staff else self.staff_edit).setFocus(Qt.FocusReason.OtherFocusReason)
        self._load_counters()

    # --- counters ---------------------------------------------------------------
    def _load_counters(self) -> None:
        run_op(self.services.queries.counters, on_success=self._set_counters,
               on_failure=lambda e: self.error_label.setText(e.message), parent=self,
               description="load counters")

    def _set_counters(self, counters: list[CounterInfo]) -> None:
        self._counters = list(counters)
        self.counter_combo.clear()
        for c in self._counters:
            default = f"{c.number}号窗口"
            extra = f"({c.name})" if c.name and c.name != default else ""
            self.counter_combo.addItem(default + extra, c.number)
        index = self.counter_combo.findData(self._wanted_counter) if self._wanted_counter else -1
        self.counter_combo.setCurrentIndex(max(index, 0) if self._counters else -1)

    def selected_counter(self) -> CounterInfo | None:
        number = self.counter_combo.currentData()
        return next((c for c in self._counters if c.number == number), None)

    # --- submit -----------------------------------------------------------------
    def submit(self) -> None:
        if self.pages.currentIndex() == 1:
            self._submit_new_pin()
            return
        counter = self.selected_counter()
        if counter is None:
            self.error_label.setText("请选择窗口。")
            return
        staff, pin = self.staff_edit.text().strip(), self.pin_edit.text()
        self.error_label.setText("正在登录…")
        auth = self.services.auth

        def work() -> tuple[Actor, bool]:
            actor = auth.login(staff, pin)
            return actor, auth.must_change_pin(actor)

        self._old_pin = pin
        run_op(work, on_success=self._logged_in, on_failure=self._login_failed, parent=self,
               disable=[self.ok_button], description="login")

    def _login_failed(self, error: HallError) -> None:
        self.error_label.setText(error.message)
        self.pin_edit.clear()
        self.pin_edit.setFocus()

    def _logged_in(self, result: tuple[Actor, bool]) -> None:
        actor, must_change = result
        self.actor = actor
        if must_change:
            self.error_label.clear()
            self.pages.setCurrentIndex(1)
            self.ok_button.setText("确定")
            self.new_pin_edit.setFocus()
            return
        self._sign_in()

    def _submit_new_pin(self) -> None:
        new, again = self.new_pin_edit.text(), self.repeat_pin_edit.text()
        if new != again:
            self.change_error_label.setText("两次输入的新密码不一致。")
            return
        actor, old = self.actor, self._old_pin
        if actor is None:  # the PIN page is shown only after a successful login
            return
        self.change_error_label.setText("正在保存…")
        run_op(lambda: self.services.auth.change_pin(actor, old, new),
               on_success=lambda _: self._sign_in(),
               on_failure=lambda e: self.change_error_label.setText(e.message), parent=self,
               disable=[self.ok_button], description="change pin")

    def _sign_in(self) -> None:
        counter, actor = self.selected_counter(), self.actor
        label = self.change_error_label if self.pages.currentIndex() == 1 else self.error_label
        if counter is None or actor is None:  # both were checked before the login started
            label.setText("请选择窗口。")
            return
        label.setText("正在登录窗口…")

        def failed(error: HallError) -> None:
            label.setText(error.message)
            if isinstance(error, CounterOccupied) and actor.role in (Role.DUTY_MANAGER,
                                                                     Role.ADMIN):
                self._offer_take_over(actor, counter, error)

        run_op(lambda: self.services.counters.sign_in(actor, counter.id),
               on_success=lambda _: self._done(counter), on_failure=failed, parent=self,
               disable=[self.ok_button], description="sign in")

    def _offer_take_over(self, actor: Actor, counter: CounterInfo,
                         error: CounterOccupied) -> QMessageBox:
        """A duty manager at an occupied counter: take it over? (The holder must then
        log in again; the takeover is audited.)"""
        box = QMessageBox(QMessageBox.Icon.Question, "接管窗口",
                          f"{counter.number}号窗口已由{error.holder}签到使用。\n"
                          "是否由您接管该窗口?对方需要重新登录。",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)
        box.button(QMessageBox.StandardButton.Yes).setText("接管")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        self.take_over_box = box

        def answered() -> None:
            if box.clickedButton() is not box.button(QMessageBox.StandardButton.Yes):
                return
            self.error_label.setText("正在接管窗口…")
            run_op(lambda: self.services.counters.take_over(actor, counter.id),
                   on_success=lambda _: self._done(counter),
                   on_failure=lambda e: self.error_label.setText(e.message), parent=self,
                   disable=[self.ok_button], description="take over")

        box.finished.connect(lambda _: answered())
        box.open()
        return box

    def _done(self, counter: CounterInfo) -> None:
        self.counter = counter
        self._old_pin = ""
        remember_counter(counter.number)
        self.signed_in.emit(self.actor, counter)
        self.accept()
