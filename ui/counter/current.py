"""Current-customer panel: big ticket code, service, frozen wait, live service timer, state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.counter.situation import (
    COUNTER_STATE_LABELS,
    TICKET_STATE_LABELS,
    LiveClock,
    format_duration,
    idle_text,
)
from ui.widgets import BigLabel

if TYPE_CHECKING:
    from hall_app.services.queries import CounterView


class CurrentCustomerPanel(QFrame):
    """Shows the ticket at this counter. ``refresh_timers()`` is called every second."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CurrentPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.code_label = BigLabel("—", 56)
        self.code_label.setObjectName("TicketCode")
        self.code_label.setStyleSheet(self.code_label.styleSheet() + " color: #0b3d91;")
        self.service_label = QLabel()
        self.service_label.setObjectName("CurrentService")
        self.wait_label = QLabel()
        self.wait_label.setObjectName("WaitLabel")
        self.timer_label = QLabel()
        self.timer_label.setObjectName("ServiceTimer")
        self.state_label = QLabel()
        self.state_label.setObjectName("TicketState")
        self.counter_label = QLabel()
        self.counter_label.setObjectName("CounterState")
        # Wrapped, never widening the panel: its column keeps its width whatever it says.
        for label in (self.service_label, self.wait_label, self.timer_label, self.state_label,
                      self.counter_label):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.counter_label.setAlignment(Qt.AlignmentFlag.AlignRight
                                        | Qt.AlignmentFlag.AlignVCenter)
        # Rows in a box layout: it sizes the wrapped rows by their height for the width.
        column = QVBoxLayout(self)
        head = QHBoxLayout()
        title = QLabel("当前顾客")
        title.setProperty("role", "panelTitle")
        head.addWidget(title, 0)
        head.addWidget(self.counter_label, 1)
        column.addLayout(head)
        for label in (self.code_label, self.service_label, self.state_label, self.wait_label,
                      self.timer_label):
            column.addWidget(label)
        self._view: CounterView | None = None
        self._clock = LiveClock()

    def apply(self, view: CounterView, clock: LiveClock) -> None:
        self._view, self._clock = view, clock
        counter = view.counter
        state = COUNTER_STATE_LABELS.get(counter.state, counter.state)
        if counter.state == "paused" and counter.pause_reason:
            state += f"({counter.pause_reason})"
        who = f" · {counter.staff_name}" if counter.staff_name else ""
        self.counter_label.setText(f"{counter.number}号窗口 · {state}{who}")
        self.counter_label.setProperty("state", counter.state)
        self._repolish(self.counter_label)
        cur = view.current
        if cur is None:
            self.code_label.setText("—")
            self.service_label.setText(idle_text(view))
            self.state_label.setText("")
            self.wait_label.setText("")
            self.wait_label.setProperty("late", False)
            self._repolish(self.wait_label)
            self.timer_label.setText("")
            return
        self.code_label.setText(cur.code)
        vip = " · VIP" if cur.priority == "vip" else ""
        self.service_label.setText(f"{cur.service_name}{vip}")
        recalls = f"(已重呼{cur.recall_count}次)" if cur.recall_count else ""
        self.state_label.setText(f"状态:{TICKET_STATE_LABELS.get(cur.state, cur.state)}{recalls}")
        minutes = cur.wait_seconds // 60
        late = cur.waited_too_long
        over = f",超过{cur.long_wait_minutes}分钟久等标准" if late else ""
        self.wait_label.setText(f"已等候 {minutes} 分钟{over}")
        self.wait_label.setProperty("late", late)
        self._repolish(self.wait_label)
        self.refresh_timers()

    def refresh_timers(self) -> None:
        view = self._view
        if view is None or view.current is None:
            return
        cur = view.current
        now = self._clock.now() or view.now
        if cur.state == "serving" and cur.started_at is not None:
            self.timer_label.setText(f"办理用时 {format_duration((now - cur.started_at).total_seconds())}")
        elif cur.called_at is not None:
            self.timer_label.setText(f"呼叫后 {format_duration((now - cur.called_at).total_seconds())}")
        else:
            self.timer_label.setText("")

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
