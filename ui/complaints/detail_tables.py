"""The three record tables of a complaint's detail: history (处理记录), contact log (联系
记录: phone, fax, visit) and the actions handed to departments (交办事项)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from hall_app.services.complaints import ContactEntry, HandOffEntry, HistoryEntry


def local_text(when: datetime | None, tz: ZoneInfo | None, fmt: str = "%m-%d %H:%M") -> str:
    """A UTC timestamp as hall-local text ('' for None)."""
    if when is None:
        return ""
    return when.astimezone(tz).strftime(fmt) if tz else when.strftime(fmt)


class RecordTable(QTableWidget):
    """A read-only table whose last column stretches (the free text)."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.horizontalHeader().setSectionResizeMode(len(headers) - 1,
                                                     QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(140)

    def fill(self, rows: Sequence[Sequence[str]], keys: Sequence[object] | None = None,
             done: Sequence[bool] | None = None) -> None:
        self.setRowCount(len(rows))
        grey = QBrush(QColor("#5f6368"))
        for i, cells in enumerate(rows):
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if keys is not None:
                    item.setData(Qt.ItemDataRole.UserRole, keys[i])
                if done is not None and done[i]:
                    item.setForeground(grey)
                self.setItem(i, j, item)
        for column in range(self.columnCount() - 1):  # the last one stretches and wraps
            self.resizeColumnToContents(column)
        self.resizeRowsToContents()


def history_rows(history: Sequence[HistoryEntry], tz: ZoneInfo | None) -> list[list[str]]:
    return [[local_text(h.at, tz), h.staff_name, h.action_label, h.note or ""] for h in history]


def contact_rows(contacts: Sequence[ContactEntry], tz: ZoneInfo | None) -> list[list[str]]:
    return [[local_text(c.at, tz), c.staff_name, c.method_label, c.purpose_label, c.note]
            for c in contacts]


def hand_off_rows(items: Sequence[HandOffEntry], tz: ZoneInfo | None) -> list[list[str]]:
    out = []
    for h in items:
        state = (f"已落实({local_text(h.done_at, tz)} {h.done_by or ''}):{h.done_note or ''}"
                 if h.done else "待落实")
        out.append([local_text(h.handed_at, tz), h.department, h.task,
                    local_text(h.due_at, tz) or "—", state])
    return out
