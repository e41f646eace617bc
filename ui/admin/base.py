"""What every admin tab shares: access to the window's AdminService, the table helpers,
and the table-plus-form layout of the services, counters and staff tabs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hall_app.domain.roles import Actor
from hall_app.services.admin import AdminService, AdminSnapshot
from ui.admin.form import FieldForm


class AdminHost(Protocol):
    """What a tab needs from the admin window (ui/admin/window.py AdminWindow)."""

    admin: AdminService
    actor: Actor

    def submit(self, fn: Callable[..., Any], form: FieldForm, ok_text: str, *,
               after: Callable[[Any], None] | None = None,
               transfer_choices: list[tuple[int, str]] | None = None,
               decision: tuple[str, int | None] | None = None) -> None: ...


def fill_table(table: QTableWidget, rows: list[tuple[object, ...]], selected_row: int) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(str(value)))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    if 0 <= selected_row < len(rows):
        table.selectRow(selected_row)


def make_table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def spin(value: int = 0, lo: int = 0, hi: int = 100_000, suffix: str = "") -> QSpinBox:
    """A spin box wider than the valid range: the core's check gives the Chinese message."""
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    if suffix:
        box.setSuffix(suffix)
    return box


class AdminTab(QWidget):
    title = ""

    def __init__(self, host: AdminHost) -> None:
        super().__init__()
        # Not `self.window`: that would hide QWidget.window() (the top-level widget).
        self.host = host
        self.snap: AdminSnapshot | None = None
        self.edit_buttons: list[QPushButton] = []

    @property
    def admin(self) -> AdminService:
        return self.host.admin

    @property
    def actor(self) -> Actor:
        return self.host.actor

    def apply(self, snap: AdminSnapshot) -> None:
        """New data from the database (refresh): update lists, keep what is being edited."""
        first = self.snap is None
        self.snap = snap
        self.refresh(snap, first)

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:  # pragma: no cover
        raise NotImplementedError

    def set_editable(self, editable: bool) -> None:
        for button in self.edit_buttons:
            button.setEnabled(editable)


class ListEditTab(AdminTab):
    """Rows in a table on the left; the selected (or new) row's form and buttons on the right.

    Subclasses set `columns` and `new_label`, fill the form in `build_form`, may add
    buttons in `extra_buttons`, and provide `new`, `save` and `_selected`.
    """

    columns: tuple[str, ...] = ()
    new_label = "新增"

    def __init__(self, host: AdminHost) -> None:
        super().__init__(host)
        self.editing_id: int | None = None
        lay = QHBoxLayout(self)
        self.table = make_table(self.columns)
        self.table.itemSelectionChanged.connect(self._selected)
        lay.addWidget(self.table, 3)
        right = QVBoxLayout()
        self.form = FieldForm()
        self.build_form(self.form)
        right.addLayout(self.form)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(self.new_label)
        self.save_button = QPushButton("保存")
        self.new_button.clicked.connect(self.new)
        self.save_button.clicked.connect(self.save)
        self.edit_buttons = [self.new_button, self.save_button, *self.extra_buttons()]
        for button in self.edit_buttons:
            buttons.addWidget(button)
        right.addLayout(buttons)
        right.addStretch(1)
        lay.addLayout(right, 2)

    def build_form(self, form: FieldForm) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def extra_buttons(self) -> list[QPushButton]:
        return []

    def new(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def save(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _selected(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
