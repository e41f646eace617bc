"""唱收唱交 cash helper: amount due (or fee items) and amount received → change and phrase.

All arithmetic and wording come from ``hall_app.scripts`` (cash_exchange, fee_breakdown);
each input error is shown in Chinese beside its field. ``record_requested`` carries the
checked result; the window records it against the current ticket.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from hall_app.errors import ValidationError
from hall_app.scripts import (
    CashResult,
    FeeBreakdown,
    ScriptBook,
    cash_exchange,
    fee_breakdown,
    format_yuan,
    parse_amount,
)

_ITEM_SPLIT = re.compile(r"[,,;;、\n]+")
_ITEM = re.compile(r"^\s*(.+?)\s*[::=＝ ]\s*(\S+)\s*$")


def parse_items(text: str) -> list[tuple[str, str]]:
    """「业务费 100,话费 50」 → [("业务费", "100"), ("话费", "50")]; ValidationError(field="items")."""
    items = []
    for piece in _ITEM_SPLIT.split(text.strip()):
        if not piece.strip():
            continue
        match = _ITEM.match(piece)
        if match is None:
            raise ValidationError(f"费用明细「{piece.strip()}」格式不对,请写成「业务费 100」。",
                                  field="items")
        items.append((match.group(1), match.group(2)))
    return items


def _error_label() -> QLabel:
    label = QLabel()
    label.setProperty("role", "fieldError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


class CashHelper(QFrame):
    """The cash form. ``result`` is the last valid ``CashResult`` (None while input is bad)."""

    record_requested = Signal(object, object)  # CashResult, dict of fee items in fen or None

    def __init__(self, book: ScriptBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CashHelper")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.book = book
        self.business = ""
        self.result: CashResult | None = None
        self.fee: FeeBreakdown | None = None
        title = QLabel("唱收唱交")
        title.setProperty("role", "panelTitle")
        self.due_edit = QLineEdit()
        self.due_edit.setObjectName("CashDue")
        self.due_edit.setPlaceholderText("例如 71.50")
        self.items_edit = QLineEdit()
        self.items_edit.setObjectName("CashItems")
        self.items_edit.setPlaceholderText("可选:业务费 100,话费 50")
        self.received_edit = QLineEdit()
        self.received_edit.setObjectName("CashReceived")
        self.received_edit.setPlaceholderText("例如 100")
        self.errors = {"amount_due": _error_label(), "items": _error_label(),
                       "received": _error_label()}
        self.change_label = QLabel("找零 —")
        self.change_label.setObjectName("CashChange")
        self.phrase_label = QLabel()
        self.phrase_label.setObjectName("CashPhrase")
        self.phrase_label.setWordWrap(True)
        self.phrase_label.setMinimumHeight(64)
        self.fee_label = QLabel()
        self.fee_label.setObjectName("FeePhrase")
        self.fee_label.setWordWrap(True)
        self.record_button = QPushButton("记录收款")
        self.record_button.setObjectName("CashRecord")
        self.record_button.setEnabled(False)
        self.record_button.clicked.connect(self._record)
        self.clear_button = QPushButton("清空")
        self.clear_button.clicked.connect(self.clear)

        grid = QGridLayout(self)
        grid.addWidget(title, 0, 0, 1, 3)
        row = 1
        for label, edit, key in (("应收金额(元)", self.due_edit, "amount_due"),
                                 ("费用明细", self.items_edit, "items"),
                                 ("实收金额(元)", self.received_edit, "received")):
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(edit, row, 1, 1, 2)
            grid.addWidget(self.errors[key], row + 1, 1, 1, 2)  # the error sits under its field
            edit.textChanged.connect(self.recompute)
            row += 2
        grid.setColumnStretch(1, 1)
        grid.addWidget(self.change_label, row, 0, 1, 3)
        grid.addWidget(self.phrase_label, row + 1, 0, 1, 3)
        grid.addWidget(self.fee_label, row + 2, 0, 1, 3)
        grid.setRowStretch(row + 3, 1)  # the buttons stay at the bottom, whatever is shown
        grid.addWidget(self.clear_button, row + 4, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.record_button, row + 4, 2)

    def set_business(self, name: str) -> None:
        self.business = name
        self.recompute()

    def error_text(self, field: str) -> str:
        return self.errors[field].text()

    def _show_error(self, error: ValidationError) -> None:
        field = {"total": "amount_due"}.get(error.field or "", error.field or "received")
        label = self.errors.get(field, self.errors["received"])
        label.setText(error.message)
        label.show()

    def clear(self) -> None:
        for edit in (self.due_edit, self.items_edit, self.received_edit):
            edit.clear()
        self.recompute()

    def recompute(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.result = self.fee = None
        self.change_label.setText("找零 —")
        self.phrase_label.clear()
        self.fee_label.clear()
        self.record_button.setEnabled(False)
        due_text, items_text = self.due_edit.text(), self.items_edit.text()
        received_text = self.received_edit.text()
        if not (due_text.strip() or items_text.strip() or received_text.strip()):
            return
        try:
            due = self._due(due_text, items_text)
        except ValidationError as exc:
            self._show_error(exc)
            return
        if not received_text.strip():  # still typing: check only what is there
            if due is None and due_text.strip():
                try:
                    parse_amount(due_text, field="amount_due", positive=True)
                except ValidationError as exc:
                    self._show_error(exc)
            return
        try:
            self.result = cash_exchange(due if due is not None else due_text, received_text,
                                        book=self.book)
        except ValidationError as exc:
            self._show_error(exc)
            return
        r = self.result
        self.change_label.setText(f"找零 {format_yuan(r.change)} 元")
        self.phrase_label.setText(f"「{r.phrase}」")
        self.record_button.setEnabled(True)

    def _due(self, due_text: str, items_text: str) -> str | None:
        """The amount due as text for cash_exchange, checking fee items when given."""
        if not items_text.strip():
            return None
        items = parse_items(items_text)
        if due_text.strip():
            total = parse_amount(due_text, field="amount_due")
        else:
            total = sum((parse_amount(a, field="items", label=f"{n}金额") for n, a in items),
                        start=parse_amount("0", field="items"))
        fee = self.fee = fee_breakdown(self.book, self.business or "本次", total, items)
        self.fee_label.setText(f"「{fee.phrase}」")
        return format_yuan(fee.total)

    def _record(self) -> None:
        if self.result is not None:
            items = dict(self.fee.items_fen) if self.fee is not None else None
            self.record_requested.emit(self.result, items)
