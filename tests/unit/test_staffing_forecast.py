"""Forecast from the same weekday: missing, outage and holiday days are left out; a new
hall falls back to its typical volumes; the lunch rota keeps every hour staffed."""

from __future__ import annotations

from datetime import date
from datetime import time as T
from zoneinfo import ZoneInfo

import pytest

from hall_app.domain.priority import RuleConfig
from hall_app.errors import ConfigError
from hall_app.hall_config import parse_hall_config, read_hall_document
from hall_app.resources import resource_path
from hall_app.staffing.forecast import candidate_days, forecast, slots_for
from hall_app.staffing.history import DayHistory, HallLayout, ServiceInfo
from hall_app.staffing.lunch import lunch_rota

DAY = date(2026, 12, 2)  # a Wednesday


def layout(typical: tuple[int | None, int | None] = (None, None)) -> HallLayout:
    services = (ServiceInfo(1, "PAY", "缴费", 10, 3, typical[0], False),
                ServiceInfo(2, "OPEN", "开户", 15, 12, typical[1], False))
    return HallLayout(1, "T", "测试厅", ZoneInfo("Asia/Shanghai"), {2: (T(9), T(12))},
                      services, (), RuleConfig())


def day(d: date, pay_9: int, open_10: int, outage: float = 0.0) -> DayHistory:
    h = DayHistory(d, {(1, 9): pay_9, (2, 10): open_10}, pay_9 + open_10, outage)
    return h


def test_abnormal_days_are_left_out_with_their_reason():
    weeks = candidate_days(DAY, 6)
    assert weeks == [date(2026, 11, 25), date(2026, 11, 18), date(2026, 11, 11),
                     date(2026, 11, 4), date(2026, 10, 28), date(2026, 10, 21)]
    history = {
        weeks[0]: day(weeks[0], 40, 10),
        weeks[1]: day(weeks[1], 44, 12),
        weeks[2]: DayHistory(weeks[2]),                  # closed: no record at all
        weeks[3]: day(weeks[3], 10, 2, outage=95),       # a long system outage
        weeks[4]: day(weeks[4], 130, 40),                # a holiday rush (> twice the median)
        weeks[5]: day(weeks[5], 36, 8),
    }
    fc = forecast(layout(), DAY, history)
    assert fc.source == "history"
    assert fc.used_days == [weeks[5], weeks[1], weeks[0]]
    reasons = dict(fc.skipped)
    assert "无客流记录" in reasons[weeks[2]]
    assert "系统故障 95 分钟" in reasons[weeks[3]]
    assert "客流异常" in reasons[weeks[4]]
    # Mean of the kept days: PAY at 9:00 (40 + 44 + 36) / 3, OPEN at 10:00 (10 + 12 + 8) / 3.
    assert fc.rates[1] == [pytest.approx(40.0), 0.0, 0.0]
    assert fc.rates[2] == [0.0, pytest.approx(10.0), 0.0]


def test_new_hall_uses_typical_volumes_over_the_opening_hours():
    fc = forecast(layout((300, 60)), DAY, {d: DayHistory(d) for d in candidate_days(DAY, 6)})
    assert fc.source == "typical"
    assert sum(fc.rates[1]) == pytest.approx(300)  # 3 one-hour slots: per hour = per slot
    assert sum(fc.rates[2]) == pytest.approx(60)
    assert fc.rates[1][1] > fc.rates[1][0]  # the 10:00 peak above 09:00


def test_half_hour_slot_is_a_rate_per_hour():
    slots = slots_for((T(8, 30), T(10)))
    assert [(s.label, s.minutes) for s in slots] == [("08:30-09:00", 30), ("09:00-10:00", 60)]


def test_typical_volume_in_the_hall_file_is_validated():
    data = read_hall_document(resource_path("demo", "demo_hall.toml"))
    cfg = parse_hall_config(data)
    assert {s.code: s.typical_per_day for s in cfg.services}["PAY"] == 165
    data["services"][0]["typical_per_day"] = -5
    with pytest.raises(ConfigError) as err:
        parse_hall_config(data, "hall.toml")
    assert "services[0].typical_per_day" in err.value.message and "人/天" in err.value.message
    data["services"][0]["typical_per_day"] = "很多"
    with pytest.raises(ConfigError):
        parse_hall_config(data, "hall.toml")


def test_lunch_rota_keeps_each_hours_counters():
    slots = slots_for((T(9), T(15)))
    need = [3, 4, 2, 2, 3, 4]  # 09 … 14; the day needs 4 clerks
    rota = lunch_rota(list(zip(slots, need, strict=True)), 45, (11, 14))
    assert rota.staff == 4 and rota.needs_relief == 0 and len(rota.breaks) == 4
    for minute in range(11 * 60, 14 * 60):
        eating = sum(1 for b in rota.breaks
                     if b.start.hour * 60 + b.start.minute <= minute
                     < b.end.hour * 60 + b.end.minute)
        assert rota.staff - eating >= need[minute // 60 - 9]
    # 11:00-13:00 has 2 spare each minute; 13:00-14:00 has 1.
    assert all(b.start >= T(11) and b.end <= T(14) for b in rota.breaks)


def test_lunch_rota_says_when_relief_is_needed():
    slots = slots_for((T(11), T(14)))
    rota = lunch_rota(list(zip(slots, [2, 2, 2], strict=True)), 45, (11, 14))
    assert rota.staff == 2 and rota.breaks == [] and rota.needs_relief == 2
