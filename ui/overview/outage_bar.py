"""Always-visible strip: the active outage / facility notices, each clearable, and the actions."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.overview.timefmt import clock

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from hall_app.services.overview_model import ActiveIncident


class IncidentRow(QFrame):
    def __init__(self, inc: ActiveIncident, tz: ZoneInfo, on_clear: Callable[[int], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.incident = inc
        self.setObjectName("IncidentRow")
        self.setProperty("kind", inc.kind)
        where = "全厅" if inc.hall_wide else "、".join(f"{n}号" for n in inc.counter_numbers) + "窗口"
        if inc.kind == "outage":
            text = f"故障告示({where},{clock(inc.started_at, tz)}起):{inc.notice}"
        else:
            text = (f"设施故障:{inc.category or ''}({clock(inc.started_at, tz)}起)"
                    + (f" {inc.notice}" if inc.notice else ""))
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.button = QPushButton("解除告示" if inc.kind == "outage" else "已修复")
        self.button.clicked.connect(lambda: on_clear(inc.id))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)


class OutageBar(QWidget):
    clear_requested = Signal(object)  # incident id: keys exceed 32 bits (site ranges)

    def __init__(self, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.rows: list[IncidentRow] = []
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(2)
        self.none = QLabel("无故障告示")
        self.none.setProperty("role", "hint")
        self.layout_.addWidget(self.none)

    def set_incidents(self, incidents: Iterable[ActiveIncident]) -> None:
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        for inc in incidents:
            row = IncidentRow(inc, self.tz, self.clear_requested.emit)
            self.layout_.addWidget(row)
            self.rows.append(row)
        self.none.setVisible(not incidents)
