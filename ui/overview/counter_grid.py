"""Counter grid: one coloured tile per counter (open / serving / paused / closed).

Tiles are rebuilt only when the counters' data changes; ``tick(now)`` refreshes the
running durations (service time, pause time) without touching the database. Every
column has the same width and a tile's texts wrap inside it, so a long pause reason or
an outage mark never makes the cards reflow.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from ui.overview.timefmt import duration, since
from ui.widgets import ElidedLabel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hall_app.services.overview_model import CounterTile as TileData

STATE_LABELS = {"open": "空闲待叫号", "serving": "办理中", "paused": "暂停服务", "closed": "未开启"}
TICKET_LABELS = {"called": "已呼叫", "serving": "办理中"}


class CounterTile(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CounterTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # One line each, shortened with 「…」 (whole text in the tooltip) rather than
        # wrapped: every tile keeps its height, and two rows fit a 1366×768 screen.
        self.number = ElidedLabel()
        self.number.setObjectName("TileNumber")
        self.staff = ElidedLabel()
        self.staff.setObjectName("TileStaff")
        self.staff.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.state = ElidedLabel()
        self.state.setObjectName("TileState")
        self.ticket = ElidedLabel()
        self.ticket.setObjectName("TileTicket")
        self.timer = ElidedLabel()
        self.timer.setObjectName("TileTimer")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        head = QHBoxLayout()
        head.addWidget(self.number, 2)
        head.addWidget(self.staff, 1)
        layout.addLayout(head)
        for w in (self.state, self.ticket, self.timer):
            layout.addWidget(w)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(120)
        self.data: TileData | None = None

    def set_data(self, tile: TileData) -> None:
        self.data = tile
        self.setProperty("state", tile.state)
        self.setProperty("outage", tile.in_outage)
        self.style().unpolish(self)
        self.style().polish(self)
        self.number.setText(f"{tile.number}号窗口" + (" VIP" if tile.is_vip else ""))
        label = STATE_LABELS.get(tile.state, tile.state)
        if tile.state == "paused":
            label += f"({tile.pause_reason or '未说明'})"
        self.state.setText(label)  # an outage shows as the dashed red frame (and tooltip)
        if tile.in_outage:
            label += " · 故障告示中"
        self.staff.setText(tile.staff_name or "—")
        self.staff.set_tooltip(f"营业员:{tile.staff_name}" if tile.staff_name else "无人值守")
        if tile.ticket_code:
            self.ticket.setText(f"{tile.ticket_code} {TICKET_LABELS.get(tile.ticket_state or '', '')}"
                                f" · {tile.ticket_service}")
        else:
            self.ticket.setText("")
        self.setToolTip(f"{tile.name}:{label}")

    def tick(self, now: datetime) -> None:
        t = self.data
        if t is None:
            return
        if t.ticket_code:
            verb = "办理" if t.ticket_state == "serving" else "呼叫"
            self.timer.setText(f"已{verb} {duration(since(now, t.ticket_since))}")
        elif t.state == "paused":
            self.timer.setText(f"已暂停 {duration(since(now, t.state_since))}")
        elif t.state == "open":
            self.timer.setText(f"空闲 {duration(since(now, t.state_since))}")
        else:
            self.timer.setText("")


class CounterGrid(QWidget):
    def __init__(self, columns: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.grid = QGridLayout(self)
        self.grid.setSpacing(8)
        self.grid.setContentsMargins(0, 0, 0, 0)
        for column in range(columns):
            self.grid.setColumnStretch(column, 1)
        self.tiles: dict[int, CounterTile] = {}

    def set_counters(self, counters: Sequence[TileData], now: datetime) -> None:
        ids = [c.id for c in counters]
        if list(self.tiles) != ids:
            for tile in self.tiles.values():
                tile.setParent(None)
                tile.deleteLater()
            self.tiles = {}
            for i, c in enumerate(counters):
                tile = CounterTile(self)
                self.grid.addWidget(tile, i // self.columns, i % self.columns)
                self.tiles[c.id] = tile
        for c in counters:
            if self.tiles[c.id].data != c:
                self.tiles[c.id].set_data(c)
        self.tick(now)

    def tile_for_number(self, number: int) -> CounterTile | None:
        return next((t for t in self.tiles.values() if t.data and t.data.number == number), None)

    def tick(self, now: datetime) -> None:
        for tile in self.tiles.values():
            tile.tick(now)
