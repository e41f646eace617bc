"""Small dialogs of the counter window: transfer, pause with a reason, escalate.

Each is opened with ``open()`` (window-modal, never blocks the event loop); the window
reads the choice on ``accepted``. Validation messages are shown inside the dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hall_app.services.counters import PAUSE_REASONS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hall_app.services.queries import CounterInfo, ServiceInfo

ESCALATE_REASONS = (
    "业务问题无法解答,请值班长协助",
    "顾客解释后仍不满意,请值班长接待",
    "需要审批(退费/补偿)",
    "系统或设备故障",
)


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    box.rejected.connect(dialog.reject)
    return box


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    return label


class TransferDialog(QDialog):
    """Choose another service and/or a counter that serves it."""

    def __init__(self, ticket_code: str, services: Iterable[ServiceInfo],
                 counters: Iterable[CounterInfo], *, current_service_id: int,
                 this_counter_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"转移 {ticket_code} 号")
        self._counters = [c for c in counters if c.active and c.id != this_counter_id]
        self.service_combo = QComboBox()
        for s in services:
            if s.active:
                self.service_combo.addItem(f"{s.prefix} {s.name}", s.id)
        self.service_combo.setCurrentIndex(max(0, self.service_combo.findData(current_service_id)))
        self.counter_combo = QComboBox()
        self.service_combo.currentIndexChanged.connect(self._fill_counters)
        self._fill_counters()
        self.error_label = _error_label()
        form = QFormLayout()
        form.addRow("转到业务", self.service_combo)
        form.addRow("转到窗口", self.counter_combo)
        hint = QLabel("顾客保留原来的排队时间,不需重新取号。")
        hint.setProperty("role", "hint")
        box = _buttons(self, "转移")
        box.accepted.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(box)
        self.current_service_id = current_service_id

    def _fill_counters(self) -> None:
        service_id = self.service_combo.currentData()
        self.counter_combo.clear()
        self.counter_combo.addItem("任意窗口(按业务排队)", None)
        for c in self._counters:
            if service_id in c.service_ids:
                self.counter_combo.addItem(f"{c.number}号窗口", c.id)

    def choice(self) -> tuple[int | None, int | None]:
        """(to_service_id or None if unchanged, to_counter_id or None)."""
        service_id = self.service_combo.currentData()
        counter_id = self.counter_combo.currentData()
        return (None if service_id == self.current_service_id else service_id), counter_id

    def _check(self) -> None:
        service_id, counter_id = self.choice()
        if service_id is None and counter_id is None:
            self.error_label.setText("请选择其他业务或指定窗口。")
            return
        self.accept()


class PauseDialog(QDialog):
    """Pause the counter with a reason: 离席 / 暂停服务 first, others, or typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("暂停服务")
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("请选择暂停原因:"))
        for i, reason in enumerate(PAUSE_REASONS):
            radio = QRadioButton(reason)
            self.group.addButton(radio, i)
            layout.addWidget(radio)
        self.group.button(0).setChecked(True)
        self.other_edit = QLineEdit()
        self.other_edit.setPlaceholderText("其他原因(可选填写)")
        self.other_edit.setMaxLength(100)
        layout.addWidget(self.other_edit)
        self.error_label = _error_label()
        layout.addWidget(self.error_label)
        box = _buttons(self, "暂停")
        box.accepted.connect(self._check)
        layout.addWidget(box)

    def reason(self) -> str:
        typed = self.other_edit.text().strip()
        chosen = PAUSE_REASONS[self.group.checkedId()] if self.group.checkedId() >= 0 else ""
        if typed:
            return typed if chosen in ("", "其他") else f"{chosen}:{typed}"
        return chosen

    def _check(self) -> None:
        if self.reason() in ("", "其他"):
            self.error_label.setText("请填写暂停原因。")
            return
        self.accept()


class EscalateDialog(QDialog):
    """A short reason for the duty manager; it appears on the overview."""

    def __init__(self, ticket_code: str | None, parent: QWidget | None = None, *,
                 reason: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("呼叫值班长")
        layout = QVBoxLayout(self)
        about = f"当前顾客 {ticket_code} 号。" if ticket_code else ""
        layout.addWidget(QLabel(f"{about}请简要说明需要协助的原因:"))
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(200)
        for text in ESCALATE_REASONS:
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, t=text: self.reason_edit.setText(t))
            layout.addWidget(button)
        layout.addWidget(self.reason_edit)
        self.error_label = _error_label()
        layout.addWidget(self.error_label)
        box = _buttons(self, "发送")
        box.accepted.connect(self._check)
        layout.addWidget(box)
        if reason:
            # Offered by the script panel (「我不太清楚」/「客户仍不满意」): Enter sends it,
            # typing replaces it.
            self.reason_edit.setText(reason)
            self.reason_edit.selectAll()
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _check(self) -> None:
        if not self.reason():
            self.error_label.setText("请简要说明需要值班长协助的原因。")
            return
        self.accept()
