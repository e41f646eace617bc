"""Queue panel: waiting tickets for this counter's services with live waits and estimates.

Rows past their service's long-wait threshold are coloured; above the table, the number
of people waiting per service. Waits tick locally from the snapshot (no database); the
remaining-wait estimate (「预计还需」) comes from the predictor, refreshed separately.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hall_app.forecast.model import remaining_text
from ui.counter.situation import LiveClock, format_duration

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hall_app.forecast.model import WaitEstimate
    from hall_app.services.queries import CounterView, QueueEntry

_ROOT = QModelIndex()
Index = QModelIndex | QPersistentModelIndex  # what Qt may pass to a model's methods
LATE_BACKGROUND = QColor("#ffcdd2")
LATE_FOREGROUND = QColor("#8e0000")
NEAR_BACKGROUND = QColor("#fff3c4")


class QueueModel(QAbstractTableModel):
    """Read-only table of ``QueueEntry`` rows; ``tick()`` refreshes the wait column."""

    HEADERS = ("票号", "业务", "已等候", "说明", "预计还需")
    WAIT_COLUMN = 2
    ESTIMATE_COLUMN = 4

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[QueueEntry, ...] = ()
        self._clock = LiveClock()
        self._estimates: dict[int, WaitEstimate] = {}

    def set_entries(self, entries: Iterable[QueueEntry], clock: LiveClock) -> None:
        self.beginResetModel()
        self._rows = tuple(entries)
        self._clock = clock
        self.endResetModel()

    def set_estimates(self, estimates: dict[int, WaitEstimate]) -> None:
        """Remaining-wait estimates by ticket id (from the core's predictor)."""
        self._estimates = estimates
        if self._rows:
            col = self.ESTIMATE_COLUMN
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col),
                                  [Qt.ItemDataRole.DisplayRole])

    def estimate_text(self, row: int) -> str:
        return remaining_text(self._estimates.get(self._rows[row].ticket_id))

    def entry(self, row: int) -> QueueEntry:
        return self._rows[row]

    def waited_seconds(self, row: int) -> float:
        return self._rows[row].waited_seconds + self._clock.elapsed()

    def is_late(self, row: int) -> bool:
        return self.waited_seconds(row) > self._rows[row].long_wait_minutes * 60

    def tick(self) -> None:
        if self._rows:
            top = self.index(0, 0)
            bottom = self.index(len(self._rows) - 1, len(self.HEADERS) - 1)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole,
                                                Qt.ItemDataRole.BackgroundRole,
                                                Qt.ItemDataRole.ForegroundRole])

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        e = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return e.code
            if col == 1:
                return e.service_name
            if col == 2:
                return format_duration(self.waited_seconds(row))
            if col == self.ESTIMATE_COLUMN:
                return self.estimate_text(row)
            notes = []
            if e.priority == "vip":
                notes.append("VIP")
            if e.target_counter_id is not None:
                notes.append("转入本窗口")
            if self.is_late(row):
                notes.append(f"超过{e.long_wait_minutes}分钟")
            return " ".join(notes)
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.is_late(row):
                return QBrush(LATE_BACKGROUND)
            if self.waited_seconds(row) > e.long_wait_minutes * 60 * 0.8:
                return QBrush(NEAR_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and self.is_late(row):
            return QBrush(LATE_FOREGROUND)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.ESTIMATE_COLUMN:
            est = self._estimates.get(e.ticket_id)
            if est is not None and est.assumptions:
                return "\n".join(a.zh for a in est.assumptions)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 2, 4):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class QueuePanel(QFrame):
    """Title with the total, per-service counts, and the queue table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QueuePanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("等候队列")
        self.title.setProperty("role", "panelTitle")
        self.counts_label = QLabel()
        self.counts_label.setObjectName("ServiceCounts")
        self.counts_label.setWordWrap(True)
        self.model = QueueModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.table, 1)

    def apply(self, view: CounterView, clock: LiveClock) -> None:
        self.model.set_entries(view.queue, clock)
        total = len(view.queue)
        late = sum(1 for e in view.queue if e.over_threshold)
        extra = f",{late}人已久等" if late else ""
        self.title.setText(f"等候队列(共{total}人{extra})")
        names = {s.id: s.name for s in view.services}
        parts = [f"{names.get(sid, sid)}:{view.waiting_by_service.get(sid, 0)}人"
                 for sid in names]
        self.counts_label.setText("各业务等候  " + "  ".join(parts) if parts else "")

    def set_estimates(self, estimates: dict[int, WaitEstimate]) -> None:
        self.model.set_estimates(estimates)

    def tick(self) -> None:
        self.model.tick()
