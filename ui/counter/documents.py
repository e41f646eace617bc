"""证件唱收唱交 dialog: which documents, handed back or kept, new ones given; the phrase.

Keyboard first: the dialog opens with the first document's name selected (type to
replace 「身份证」), Tab moves to 归还/留存/交给客户, Alt+A adds a row, Enter records. The
phrase to say is shown live (from ``hall_app.scripts.document_exchange``); a bad entry is
explained in Chinese under it and nothing is recorded. ``exchange()`` is the checked
result the window records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hall_app.errors import ValidationError
from hall_app.scripts import DISPOSITIONS, document_exchange

if TYPE_CHECKING:
    from hall_app.scripts import DocumentExchange, ScriptBook

DISPOSITION_CHOICES = (("returned", "归还客户"), ("kept", "留存"), ("handed", "交给客户(新)"))
FIRST_DOCUMENT = "身份证"


class DocumentRow:
    """One line of the dialog: the document's name and what happens to it."""

    def __init__(self, suggestions: tuple[str, ...], name: str, disposition: str) -> None:
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name.addItems(list(suggestions))
        self.name.setCurrentText(name)
        self.name.setObjectName("DocumentName")
        self.name.setMinimumWidth(180)
        self.disposition = QComboBox()
        self.disposition.setObjectName("DocumentDisposition")
        for key, label in DISPOSITION_CHOICES:
            self.disposition.addItem(label, key)
        self.disposition.setCurrentIndex(
            [k for k, _ in DISPOSITION_CHOICES].index(disposition))
        self.remove = QPushButton("删除")
        self.remove.setAutoDefault(False)

    def value(self) -> tuple[str, str]:
        return self.name.currentText(), str(self.disposition.currentData())


class DocumentsDialog(QDialog):
    """The clerk lists the documents of this exchange; Enter records it."""

    def __init__(self, book: ScriptBook, ticket_code: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert set(DISPOSITIONS) == {k for k, _ in DISPOSITION_CHOICES}
        self.book = book
        self.setWindowTitle("证件唱收唱交")
        self.rows: list[DocumentRow] = []
        self.checked: DocumentExchange | None = None
        about = f"当前顾客 {ticket_code} 号。" if ticket_code else "当前没有顾客。"
        intro = QLabel(f"{about}逐件填写收到的证件(归还或留存)和交给客户的单据:")
        intro.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.addWidget(QLabel("证件/单据"), 0, 0)
        self.grid.addWidget(QLabel("处理"), 0, 1)
        self.add_button = QPushButton("添加一件(&A)")
        self.add_button.setObjectName("AddDocument")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: self.add_row("", "returned", focus=True))
        say = QLabel("请说:")
        say.setProperty("role", "hint")
        self.phrase_label = QLabel()
        self.phrase_label.setObjectName("DocumentPhrase")
        self.phrase_label.setWordWrap(True)
        self.phrase_label.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1565c0;")
        self.error_label = QLabel()
        self.error_label.setObjectName("DocumentError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("记录")
        ok.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.grid)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(say)
        layout.addWidget(self.phrase_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.add_row(FIRST_DOCUMENT, "returned")
        self.resize(560, 320)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Focus where the clerk types: the first document's name, selected."""
        super().showEvent(event)
        first = self.rows[0].name if self.rows else None
        if first is not None:
            first.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
            line = first.lineEdit()
            if line is not None:
                line.selectAll()

    def add_row(self, name: str, disposition: str, *, focus: bool = False) -> DocumentRow:
        row = DocumentRow(self.book.document_suggestions, name, disposition)
        index = len(self.rows) + 1
        self.grid.addWidget(row.name, index, 0)
        self.grid.addWidget(row.disposition, index, 1)
        self.grid.addWidget(row.remove, index, 2)
        row.name.editTextChanged.connect(lambda _: self.refresh())
        row.disposition.currentIndexChanged.connect(lambda _: self.refresh())
        row.remove.clicked.connect(lambda: self.remove_row(row))
        self.rows.append(row)
        self.refresh()
        if focus:
            row.name.setFocus()
        return row

    def remove_row(self, row: DocumentRow) -> None:
        self.rows.remove(row)
        for widget in (row.name, row.disposition, row.remove):
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self.refresh()

    def exchange(self) -> DocumentExchange:
        """The checked exchange; ValidationError (Chinese) when an entry is wrong."""
        received = [v for v in (r.value() for r in self.rows) if v[1] != "handed"]
        handed = [name for name, d in (r.value() for r in self.rows) if d == "handed"]
        return document_exchange(self.book, received, handed)

    def refresh(self) -> None:
        try:
            self.checked = self.exchange()
        except ValidationError as exc:
            self.checked = None
            self.phrase_label.setText("")
            self.error_label.setText(exc.message)
            return
        self.phrase_label.setText(f"「{self.checked.phrase}」")
        self.error_label.setText("")

    def _check(self) -> None:
        self.refresh()
        if self.checked is not None:
            self.accept()
