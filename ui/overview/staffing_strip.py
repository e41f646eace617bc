"""Staffing strip on the overview: counters open now vs the plan, this hour and the next.

Red when fewer are open than recommended, green otherwise. Fed from
`StaffingService.strip()` through run_op (the plan is computed once a day off the GUI
thread and cached).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:
    from hall_app.staffing.service import StripEntry

SHORT_STYLE = "background:#fde2e1; color:#a61b1b; border:1px solid #e0a3a0; border-radius:4px;"
OK_STYLE = "background:#e3f4e5; color:#1d6b2f; border:1px solid #a9d8b1; border-radius:4px;"


class StaffingStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StaffingStrip")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self.caption = QLabel("排班建议:")
        self._layout.addWidget(self.caption)
        self.labels: list[QLabel] = []
        self._layout.addStretch(1)
        self.setVisible(False)

    def set_entries(self, entries: list[StripEntry]) -> None:
        for label in self.labels:
            label.deleteLater()
        self.labels = []
        for i, e in enumerate(entries):
            text = (f"{e.label} {e.slot}:已开 {e.open_now} 个窗口 / 建议 {e.recommended} 个"
                    + (f",缺 {e.recommended - e.open_now} 个" if e.short else ""))
            label = QLabel(text)
            label.setProperty("short", e.short)
            label.setStyleSheet("padding:3px 10px;" + (SHORT_STYLE if e.short else OK_STYLE))
            self._layout.insertWidget(1 + i, label)
            self.labels.append(label)
        self.setVisible(bool(entries))
