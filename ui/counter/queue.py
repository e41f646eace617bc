"""Queue panel: waiting tickets for this counter's services, in the order F1 calls them.

The order is the core's call order (``hall_app.domain.priority.call_order``, as the admin's
preview), so the first row is the customer F1 calls next: marked 「下一位」 and bold. Each
row's tooltip says why it has its place and the hall's rule. Rows past their service's
long-wait threshold are coloured; above the table, the number of people waiting per
service. Waits tick locally from the snapshot (no database); the remaining-wait
estimate (「预计还需」, last column) comes from the predictor, refreshed separately.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
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
NEXT_BACKGROUND = QColor("#e3f2fd")
NEXT_MARK = "下一位"


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Ascending indices as (first, last) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


class QueueModel(QAbstractTableModel):
    """Read-only table of ``QueueEntry`` rows; ``tick()`` refreshes the wait column."""

    HEADERS = ("顺序", "票号", "业务", "已等候", "说明", "预计还需")
    WAIT_COLUMN = 3
    NOTES_COLUMN = 4
    ESTIMATE_COLUMN = 5

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[QueueEntry, ...] = ()
        self._clock = LiveClock()
        self.rule_text = ""
        self._estimates: dict[int, WaitEstimate] = {}

    def set_entries(self, entries: Iterable[QueueEntry], clock: LiveClock,
                    rule_text: str = "") -> None:
        """Show a new queue as row changes: tickets that left are removed, new ones
        inserted where they belong, the rest updated in place (the view keeps its
        scroll position; nothing is reset). Only when the remaining tickets changed
        order (a rule change, a transfer) is the whole table laid out again."""
        new = tuple(entries)
        self._clock = clock
        self.rule_text = rule_text
        new_ids = [e.ticket_id for e in new]
        kept = set(new_ids)
        old_ids = [e.ticket_id for e in self._rows]
        survivors = [tid for tid in old_ids if tid in kept]
        if survivors != [tid for tid in new_ids if tid in set(old_ids)]:
            self.layoutAboutToBeChanged.emit()
            self._rows = new
            self.layoutChanged.emit()
            self._all_changed()
            return
        rows = list(self._rows)
        for start, end in reversed(_runs([i for i, tid in enumerate(old_ids) if tid not in kept])):
            self.beginRemoveRows(_ROOT, start, end)
            del rows[start:end + 1]
            self._rows = tuple(rows)
            self.endRemoveRows()
        known = set(survivors)
        for start, end in _runs([i for i, tid in enumerate(new_ids) if tid not in known]):
            self.beginInsertRows(_ROOT, start, end)
            rows[start:start] = new[start:end + 1]
            self._rows = tuple(rows)
            self.endInsertRows()
        self._rows = new
        self._all_changed()

    def _all_changed(self) -> None:
        """Every cell may show something new (positions, the 「下一位」 mark, states)."""
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.HEADERS) - 1))

    def set_estimates(self, estimates: dict[int, WaitEstimate]) -> None:
        """Remaining-wait estimates by ticket id (from the core's predictor)."""
        self._estimates = estimates
        if self._rows:
            col = self.ESTIMATE_COLUMN
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col),
                                  [Qt.ItemDataRole.DisplayRole])

    def estimate_text(self, row: int) -> str:
        return remaining_text(self._estimates.get(self._rows[row].ticket_id))

    def notes(self, row: int, *, short: bool = False) -> list[str]:
        """爱心 / VIP, 转入 (transferred to this counter), 久等 (past the long wait)."""
        e = self._rows[row]
        notes = []
        if e.care:
            notes.append("爱心" if short else "爱心通道")
        elif e.priority == "vip":
            notes.append("VIP")
        if e.target_counter_id is not None:
            notes.append("转入" if short else "转入本窗口")
        if self.is_late(row):
            notes.append("久等" if short else f"等候超过{e.long_wait_minutes}分钟")
        return notes

    def tooltip(self, row: int) -> str:
        e = self._rows[row]
        head = "F1 将叫这一位" if row == 0 else f"第{row + 1}位"
        lines = [f"{head}:{e.reason}" if e.reason else head,
                 f"{e.code} {e.service_name}"]  # the whole of cells cut to 「…」
        if self._estimates.get(e.ticket_id) is not None:
            lines.append(f"预计还需 {self.estimate_text(row)}")
        full = self.notes(row)
        if full:
            lines.append("、".join(full))
        return "\n".join([*lines, self.rule_text])

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
                return NEXT_MARK if row == 0 else str(row + 1)
            if col == 1:
                return e.code
            if col == 2:
                return e.service_name
            if col == 3:
                return format_duration(self.waited_seconds(row))
            if col == self.ESTIMATE_COLUMN:
                return self.estimate_text(row)
            return " ".join(self.notes(row, short=True))
        if role == Qt.ItemDataRole.ToolTipRole:
            est = self._estimates.get(e.ticket_id)
            if col == self.ESTIMATE_COLUMN and est is not None and est.assumptions:
                return "\n".join(a.zh for a in est.assumptions)
            return self.tooltip(row)
        if role == Qt.ItemDataRole.FontRole and row == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.is_late(row):
                return QBrush(LATE_BACKGROUND)
            if self.waited_seconds(row) > e.long_wait_minutes * 60 * 0.8:
                return QBrush(NEAR_BACKGROUND)
            if row == 0:
                return QBrush(NEXT_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and self.is_late(row):
            return QBrush(LATE_FOREGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 1, 3, 5):
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
        # Every column as wide as its text (a service name cut to 「缴费…」 tells the clerk
        # nothing); the notes column, often empty, takes what is left.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(QueueModel.NOTES_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(8)  # the notes give way first (their tooltip is whole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.table, 1)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        # The table takes whatever height is left: asking "how high for this width"
        # would make the table's preferred height a minimum and squeeze the panel above.
        return False

    def apply(self, view: CounterView, clock: LiveClock) -> None:
        self.model.set_entries(view.queue, clock, view.rule_text)
        total = len(view.queue)
        late = sum(1 for e in view.queue if e.over_threshold)
        extra = f",{late}人已久等" if late else ""
        self.title.setText(f"等候队列(共{total}人{extra})")
        self.title.setToolTip("按 F1 的叫号顺序排列。" + view.rule_text)
        names = {s.id: s.name for s in view.services}
        parts = [f"{names.get(sid, sid)}:{view.waiting_by_service.get(sid, 0)}人"
                 for sid in names]
        self.counts_label.setText("各业务等候  " + "  ".join(parts) if parts else "")

    def set_estimates(self, estimates: dict[int, WaitEstimate]) -> None:
        self.model.set_estimates(estimates)

    def tick(self) -> None:
        self.model.tick()
