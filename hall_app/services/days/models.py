"""Plain results of the day lifecycle (frozen: safe to hand from a worker to a window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hall_app.domain.hours import DayHours

SYSTEM_LABEL = "系统自动"


@dataclass(frozen=True)
class DayCloseResult:
    """What closing one day settled (also what the business_day row records)."""

    day: date
    closed_at: datetime
    settled_at: datetime  # the instant leftovers were settled at: min(now, due)
    abandoned_waiting: int
    abandoned_called: int
    finished_at_close: int
    counters_closed: int
    sessions_ended: int
    issued: int
    served: int
    by_system: bool
    closed_by: str  # the staff member's name, or SYSTEM_LABEL
    workstation: str | None

    @property
    def abandoned(self) -> int:
        """Customers the close turned into 闭厅未办 (waiting + called but not arrived)."""
        return self.abandoned_waiting + self.abandoned_called

    @property
    def still_serving(self) -> int:
        """Kept for callers of the old close_day: those being served (finished at close)."""
        return self.finished_at_close


@dataclass(frozen=True)
class DayStatus:
    """One business day as the overview and `hall-app day status` show it (times local)."""

    day: date
    state: str  # open | closed | none (nothing has opened the day yet)
    hours: DayHours | None
    hours_changed: bool  # an administrator changed this day's hours
    due_at: datetime  # when it closes by itself
    closed_at: datetime | None = None
    closed_by: str | None = None
    by_system: bool = False
    workstation: str | None = None
    issued: int = 0
    served: int = 0
    abandoned: int = 0
    abandoned_called: int = 0
    finished_at_close: int = 0
    waiting: int = 0  # still open tickets (only while the day is open)
    in_service: int = 0

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    def summary(self) -> str:
        """One Chinese line: 「营业日已闭厅(18:30 系统自动),闭厅未办 4 人」."""
        if self.closed and self.closed_at is not None:
            who = self.closed_by or SYSTEM_LABEL
            return (f"营业日已闭厅({self.closed_at:%H:%M} {who}),"
                    f"闭厅未办 {self.abandoned} 人")
        if self.hours is None:
            return "今日不营业"
        return f"营业中(营业时间 {self.hours.label()},{self.due_at:%H:%M} 自动闭厅)"
