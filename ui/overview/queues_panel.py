"""Queue length and longest current wait per service, and today's running figures."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.overview.timefmt import minutes, since

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hall_app.services.overview_model import DayFigures, SatisfactionToday, ServiceQueue

_OVER = QBrush(QColor("#c62828"))


class QueueTable(QTableWidget):
    HEADERS = ("业务", "等候人数", "最长等候", "超时人数")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setObjectName("QueueTable")
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            self.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.queues: tuple[ServiceQueue, ...] = ()

    def set_queues(self, queues: Iterable[ServiceQueue], now: datetime) -> None:
        self.queues = tuple(queues)
        self.setRowCount(len(self.queues))
        for r, q in enumerate(self.queues):
            self.setItem(r, 0, QTableWidgetItem(f"{q.prefix} {q.name}"))
            for c, value in ((1, str(q.waiting)), (3, str(q.over_threshold))):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if c == 3 and q.over_threshold:
                    item.setForeground(_OVER)
                self.setItem(r, c, item)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        for r, q in enumerate(self.queues):
            waited = since(now, q.oldest_issued_at)
            item = QTableWidgetItem(minutes(waited) if q.oldest_issued_at else "—")
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if q.oldest_issued_at and waited > q.long_wait_minutes * 60:
                item.setForeground(_OVER)
            self.setItem(r, 2, item)


class FiguresPanel(QFrame):
    """Big numbers: arrived, served, walkaways, average wait, waiting now."""

    ITEMS = (("arrived", "今日取号"), ("served", "已办结"), ("walkaways", "离开/过号"),
             ("avg_wait", "平均等候"), ("waiting", "正在等候"), ("in_service", "正在办理"),
             ("satisfaction", "满意率"), ("participation", "参评率"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FiguresPanel")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        self.values: dict[str, QLabel] = {}
        for i, (key, label) in enumerate(self.ITEMS):
            box = QVBoxLayout()
            value = QLabel("—")
            value.setObjectName("FigureValue")
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel(label)
            caption.setObjectName("FigureCaption")
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(value)
            box.addWidget(caption)
            grid.addLayout(box, 0, i)
            self.values[key] = value

    def set_figures(self, f: DayFigures) -> None:
        self.values["arrived"].setText(str(f.arrived))
        self.values["served"].setText(str(f.served))
        self.values["walkaways"].setText(str(f.walkaways))
        self.values["avg_wait"].setText(
            "—" if f.avg_wait_seconds is None else f"{round(f.avg_wait_seconds / 60, 1)}分")
        self.values["waiting"].setText(str(f.waiting))
        self.values["in_service"].setText(str(f.in_service))
        rate = f"{f.walkaways * 100 / f.arrived:.1f}%" if f.arrived else "—"
        self.values["walkaways"].setToolTip(
            f"过号 {f.no_shows},顾客离开 {f.walked_away},离开率 {rate}")

    def set_satisfaction(self, sat: SatisfactionToday | None) -> None:
        """Today's rating-pad figures; the satisfaction rate turns red below the target."""
        f = sat.figures if sat is not None else None
        rate = f.satisfaction_rate if f is not None else None
        part = f.participation_rate if f is not None else None
        value = self.values["satisfaction"]
        value.setText("—" if rate is None else f"{rate:.1f}%")
        self.values["participation"].setText("—" if part is None else f"{part:.1f}%")
        miss = sat is not None and rate is not None and rate < sat.target_pct
        value.setProperty("miss", "true" if miss else "false")
        value.style().unpolish(value)
        value.style().polish(value)
        if sat is not None and f is not None:
            value.setToolTip(f"目标≥{sat.target_pct}%;参评{f.rated}人:非常满意{f.very_satisfied}、"
                             f"满意{f.satisfied}、基本满意{f.basic}、不满意{f.dissatisfied}")
            self.values["participation"].setToolTip(
                f"办结{f.served}人,参评{f.rated}人,未评价{f.unrated}人")
