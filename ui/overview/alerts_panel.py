"""Alert list, most severe first, each with an acknowledge button or who acknowledged it.

The panel only displays; ``ack_requested(key)`` asks the window to acknowledge through
the core (which checks the permission and records who did it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hall_app.services.overview_model import SEVERITY_LABELS
from ui.overview.timefmt import clock

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from hall_app.services.overview_model import Alert

SEVERITY_NAMES = {4: "critical", 3: "high", 2: "medium", 1: "low"}


class AlertRow(QFrame):
    def __init__(self, alert: Alert, tz: ZoneInfo, on_ack: Callable[[str], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alert = alert
        self.setObjectName("AlertRow")
        self.setProperty("severity", SEVERITY_NAMES.get(alert.severity, "low"))
        self.setProperty("acked", alert.acknowledged)
        badge = QLabel(f"{SEVERITY_LABELS.get(alert.severity, '')}·{alert.kind_label}")
        badge.setObjectName("AlertBadge")
        title = QLabel(alert.title)
        title.setObjectName("AlertTitle")
        title.setWordWrap(True)
        detail = QLabel(alert.detail)
        detail.setObjectName("AlertDetail")
        detail.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(0)
        head = QHBoxLayout()
        head.addWidget(badge)
        head.addWidget(QLabel(clock(alert.since, tz)))
        head.addStretch(1)
        text.addLayout(head)
        text.addWidget(title)
        text.addWidget(detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(text, 1)
        self.button: QPushButton | None = None
        self.ack_label: QLabel | None = None
        if alert.acknowledged:
            self.ack_label = QLabel(f"已确认\n{alert.acked_by} {clock(alert.acked_at, tz)}")
            self.ack_label.setObjectName("AlertAcked")
            layout.addWidget(self.ack_label)
        else:
            self.button = QPushButton("确认" if alert.kind != "escalation" else "确认并处理")
            self.button.setObjectName("AckButton")
            self.button.clicked.connect(lambda: on_ack(alert.key))
            layout.addWidget(self.button)


class AlertsPanel(QWidget):
    ack_requested = Signal(str)

    def __init__(self, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.header = QLabel("告警")
        self.header.setObjectName("SectionTitle")
        self.empty = QLabel("当前没有告警。")
        self.empty.setProperty("role", "hint")
        self.rows: dict[str, AlertRow] = {}
        inner = QWidget()
        self.list_layout = QVBoxLayout(inner)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(4)
        self.list_layout.addWidget(self.empty)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)

    def set_alerts(self, alerts: Iterable[Alert]) -> None:
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        self.rows = {}
        for i, alert in enumerate(alerts):
            row = AlertRow(alert, self.tz, self.ack_requested.emit)
            self.list_layout.insertWidget(1 + i, row)
            self.rows[alert.key] = row
        pending = sum(1 for a in alerts if not a.acknowledged)
        self.empty.setVisible(not alerts)
        self.header.setText(f"告警(待确认 {pending} 条)" if pending else "告警")

    def set_pending(self, key: str) -> None:
        """Disable a row's button while its acknowledgement is being stored."""
        row = self.rows.get(key)
        if row is not None and row.button is not None:
            row.button.setEnabled(False)
