"""A form whose rows carry a red error label beside the field (ValidationError.field)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QWidget

FieldWidget = TypeVar("FieldWidget", bound=QWidget)


class FieldForm(QFormLayout):
    """`add(field, label, widget)`; `show_error(field, message)` puts the text beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

    def add(self, field: str, label: str, widget: FieldWidget) -> FieldWidget:
        """Add a row and return `widget` itself (typed as given, so callers keep its API)."""
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(widget, 1)
        err = QLabel("")
        err.setObjectName(f"error_{field}")
        err.setStyleSheet("color: #c62828;")
        err.setWordWrap(True)
        err.setVisible(False)
        box.addWidget(err, 1)
        self.addRow(label, row)
        self.widgets[field] = widget
        self.errors[field] = err
        return widget

    def show_error(self, field: str | None, message: str) -> bool:
        """Show `message` beside `field`; False if this form has no such field."""
        label = self.errors.get(field or "")
        if label is None:
            return False
        label.setText(message)
        label.setVisible(True)
        return True

    def error_text(self, field: str) -> str:
        label = self.errors.get(field)
        return label.text() if label is not None and not label.isHidden() else ""

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.setVisible(False)
