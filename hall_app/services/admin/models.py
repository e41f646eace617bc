"""Hall administration data: the read models the admin window shows, the edit requests
it sends, the limits and labels it offers, and `NeedsDecision`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from hall_app.domain.priority import RuleConfig
from hall_app.errors import ValidationError

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
VOICE_STATIONS = {"display": "叫号屏", "counter": "营业员窗口", "none": "不播报"}
THRESHOLD_LIMITS: dict[str, tuple[int, int, str]] = {
    "recalls_before_no_show": (0, 10, "过号前重呼次数"),
    "refresh_interval_ms": (100, 60000, "刷新间隔(毫秒)"),
    "pause_alert_minutes": (1, 600, "暂停告警分钟数"),
}


class NeedsDecision(ValidationError):
    """Waiting customers are affected: ask the admin what to do (`waiting=`), then retry."""

    def __init__(self, message: str, *, count: int, options: tuple[str, ...]) -> None:
        super().__init__(message, field="waiting")
        self.count = count
        self.options = options


# -- read models -------------------------------------------------------------------------
@dataclass(frozen=True)
class DayHours:
    weekday: int
    opens: time | None
    closes: time | None


@dataclass(frozen=True)
class HallSettings:
    id: int
    code: str
    name: str
    timezone: str
    hotline: str
    closing_prompt_minutes: int
    hours: tuple[DayHours, ...]  # always 7, Monday first


@dataclass(frozen=True)
class ServiceRow:
    id: int
    code: str
    name: str
    prefix: str
    target_wait_minutes: int
    long_wait_minutes: int
    typical_service_minutes: int
    is_vip: bool
    active: bool
    waiting: int
    commitment: str | None = None  # the farewell's commitment time, e.g. "24小时"


@dataclass(frozen=True)
class CounterRow:
    id: int
    number: int
    name: str
    service_ids: tuple[int, ...]
    is_vip: bool
    active: bool
    state: str
    calls_since_priority: int


@dataclass(frozen=True)
class StaffRow:
    id: int
    staff_no: str
    name: str
    role: str
    active: bool
    must_change_pin: bool


@dataclass(frozen=True)
class ThresholdSettings:
    recalls_before_no_show: int
    refresh_interval_ms: int
    pause_alert_minutes: int
    voice_enabled: bool
    voice_station: str


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    staff_name: str
    entity: str
    entity_id: int | None
    field: str
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class AdminSnapshot:
    hall: HallSettings
    services: tuple[ServiceRow, ...]
    counters: tuple[CounterRow, ...]
    staff: tuple[StaffRow, ...]
    rule: RuleConfig
    thresholds: ThresholdSettings
    audit: tuple[AuditEntry, ...]
    can_edit: bool


@dataclass(frozen=True)
class PreviewLine:
    position: int
    code: str
    service_name: str
    priority: str
    waited_minutes: int


# -- edit requests -------------------------------------------------------------------------
@dataclass(frozen=True)
class HallEdit:
    name: str
    hotline: str
    timezone: str
    closing_prompt_minutes: int
    hours: tuple[DayHours, ...]


@dataclass(frozen=True)
class ServiceEdit:
    id: int | None
    code: str
    name: str
    prefix: str
    target_wait_minutes: int = 15
    long_wait_minutes: int = 20
    typical_service_minutes: int = 8
    is_vip: bool = False
    active: bool = True
    commitment: str | None = None  # as typed; checked by hall_app.commitment


@dataclass(frozen=True)
class CounterEdit:
    id: int | None
    number: int
    name: str
    service_ids: tuple[int, ...]
    is_vip: bool = False
    active: bool = True


@dataclass(frozen=True)
class StaffEdit:
    id: int | None
    staff_no: str
    name: str
    role: str
    active: bool = True
