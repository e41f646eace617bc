"""Every waiting customer with how long they have waited and the predictor's 「预计还需」."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from hall_app.forecast.model import remaining_text
from ui.overview.timefmt import minutes, since

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hall_app.forecast.model import WaitEstimate
    from hall_app.services.overview_model import WaitingTicket

_OVER = QBrush(QColor("#c62828"))


class WaitingTable(QTableWidget):
    HEADERS = ("票号", "业务", "已等候", "预计还需")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setObjectName("WaitingTable")
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (0, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.waiting: tuple[WaitingTicket, ...] = ()
        self.estimates: dict[int, WaitEstimate] = {}

    def set_waiting(self, waiting: Iterable[WaitingTicket], now: datetime) -> None:
        self.waiting = tuple(waiting)
        self.setRowCount(len(self.waiting))
        for r, w in enumerate(self.waiting):
            code = QTableWidgetItem(w.code + (" VIP" if w.priority == "vip" else ""))
            code.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(r, 0, code)
            self.setItem(r, 1, QTableWidgetItem(w.service_name))
        self._fill_estimates()
        self.tick(now)

    def set_estimates(self, estimates: dict[int, WaitEstimate]) -> None:
        self.estimates = estimates
        self._fill_estimates()

    def estimate_text(self, row: int) -> str:
        return remaining_text(self.estimates.get(self.waiting[row].id))

    def _fill_estimates(self) -> None:
        for r, w in enumerate(self.waiting):
            est = self.estimates.get(w.id)
            item = QTableWidgetItem(remaining_text(est))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if est is not None and est.no_counter:
                item.setForeground(_OVER)
            if est is not None and est.assumptions:
                item.setToolTip("\n".join(a.zh for a in est.assumptions))
            self.setItem(r, 3, item)

    def tick(self, now: datetime) -> None:
        for r, w in enumerate(self.waiting):
            waited = since(now, w.issued_at)
            item = QTableWidgetItem(minutes(waited))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if waited > w.long_wait_minutes * 60:
                item.setForeground(_OVER)
            self.setItem(r, 2, item)
