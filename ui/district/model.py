"""The halls-side-by-side table: a Qt model over `DistrictSnapshot.halls`, sortable.

Every cell has display text and a sort key (`SORT_ROLE`), so sorting by 最长等候 sorts
by minutes, not by text. A stale hall's figures are grey and italic, and its data cell
reads 「数据延迟 HH:MM」 on red: never shown as if live. Cells that breach a target are
red. The data-age text is recomputed every second (`tick`) without the database.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from hall_app.district.service import LOCAL, DistrictSnapshot, HallRow

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 2
NO_DATA = "—"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_STALE_BG = QBrush(QColor("#c62828"))
_STALE_FG = QBrush(QColor("white"))
_GREY = QBrush(QColor("#8a8a8a"))
_BREACH = QBrush(QColor("#c62828"))
_LIVE = QBrush(QColor("#2e7d32"))

Index = QModelIndex | QPersistentModelIndex


def age_text(row: HallRow, now: datetime) -> str:
    """「实时」, 「12秒前」, or for a stale hall 「数据延迟 10:32」 (never looks live)."""
    if row.stale:
        if row.data_time is None:
            return "数据延迟(从未收到)"
        local = row.data_time.astimezone(LOCAL_TZ)
        same_day = local.date() == now.astimezone(LOCAL_TZ).date()
        return f"数据延迟 {local:%H:%M}" if same_day else f"数据延迟 {local:%m-%d %H:%M}"
    if row.source == LOCAL:
        return "实时"
    age = row.data_age_seconds(now) or 0.0
    return f"{age:.0f}秒前" if age < 60 else f"{age / 60:.0f}分钟前"


def _pct(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:.1f}%"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[HallRow, datetime], str]
    key: Callable[[HallRow, datetime], Any]
    breach: Callable[[HallRow, DistrictSnapshot], bool] = lambda _r, _s: False
    numeric: bool = True


def _longest(r: HallRow, _now: datetime) -> str:
    if r.longest_wait_seconds is None:
        return NO_DATA
    return f"{r.longest_wait_seconds / 60:.0f}分"


COLUMNS: tuple[Column, ...] = (
    Column("营业厅", lambda r, _n: r.name, lambda r, _n: r.name, numeric=False),
    Column("数据", age_text,
           lambda r, n: math.inf if r.data_time is None else r.data_age_seconds(n),
           lambda r, _s: r.stale, numeric=False),
    Column("等候人数", lambda r, _n: str(r.waiting), lambda r, _n: r.waiting),
    Column("最长等候", _longest,
           lambda r, _n: -1.0 if r.longest_wait_seconds is None else r.longest_wait_seconds,
           lambda r, s: (r.longest_wait_seconds or 0) > s.long_wait_minutes * 60),
    Column("今日取号", lambda r, _n: str(r.arrived), lambda r, _n: r.arrived),
    Column("弃号", lambda r, _n: str(r.walkaways), lambda r, _n: r.walkaways),
    Column("弃号率", lambda r, _n: _pct(r.walkaway_rate),
           lambda r, _n: -1.0 if r.walkaway_rate is None else r.walkaway_rate,
           lambda r, s: any(a.kind == "walkaway" for a in r.alerts)),
    Column("服务达标率", lambda r, _n: _pct(r.service_level),
           lambda r, _n: -1.0 if r.service_level is None else r.service_level,
           lambda r, s: any(a.kind == "service_level" for a in r.alerts)),
    Column("投诉超时", lambda r, _n: str(r.complaints_overdue),
           lambda r, _n: r.complaints_overdue, lambda r, _s: r.complaints_overdue > 0),
    Column("故障", lambda r, _n: f"故障中({r.outages_active})" if r.outages_active else "无",
           lambda r, _n: r.outages_active, lambda r, _s: r.outages_active > 0),
    Column("满意度", lambda r, _n: NO_DATA if r.satisfaction is None else f"{r.satisfaction:.1f}%",
           lambda r, _n: -1.0 if r.satisfaction is None else r.satisfaction),
    Column("在岗窗口", lambda r, _n: str(r.counters_open), lambda r, _n: r.counters_open),
)
DATA_COLUMN = 1


class HallTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.snap: DistrictSnapshot | None = None
        self.rows: tuple[HallRow, ...] = ()
        self.now: datetime | None = None

    def set_snapshot(self, snap: DistrictSnapshot) -> None:
        self.beginResetModel()
        self.snap, self.rows, self.now = snap, snap.halls, snap.now
        self.endResetModel()

    def tick(self, now: datetime) -> None:
        """Move the clock the data ages are measured against (no reload)."""
        self.now = now
        if self.rows:
            self.dataChanged.emit(self.index(0, DATA_COLUMN),
                                  self.index(len(self.rows) - 1, DATA_COLUMN))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.snap is None or self.now is None:
            return None
        row, col = self.rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row, self.now)
        if role == SORT_ROLE:
            return col.key(row, self.now)
        if role == CODE_ROLE:
            return row.code
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter) if col.numeric else \
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        stale_data_cell = row.stale and index.column() == DATA_COLUMN
        if role == Qt.ItemDataRole.BackgroundRole and stale_data_cell:
            return _STALE_BG
        if role == Qt.ItemDataRole.ForegroundRole:
            if stale_data_cell:
                return _STALE_FG
            if index.column() == DATA_COLUMN and not row.stale:
                return _LIVE
            if row.stale and col.numeric:
                return _GREY
            if col.breach(row, self.snap):
                return _BREACH
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            if row.stale and col.numeric:
                font.setItalic(True)
            if stale_data_cell or col.breach(row, self.snap):
                font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.stale:
                return "该营业厅数据不是实时的:" + age_text(row, self.now)
            return f"站点 {row.site_no} · 营业厅代码 {row.code}"
        return None

    def row_at(self, source_row: int) -> HallRow:
        return self.rows[source_row]
