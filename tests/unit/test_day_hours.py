"""A day's hours as instants (hall_app.domain.hours): no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from hall_app.domain.hours import close_due_at, day_hours, issue_refusal

TZ = ZoneInfo("Asia/Shanghai")
WED = date(2026, 11, 25)


@dataclass
class Row:
    weekday: int
    opens: time | None
    closes: time | None


WEEK = [Row(d, time(8, 30), time(18)) for d in range(5)] + [Row(5, None, None)]


def local(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), TZ)


def test_weekday_hours_grace_and_refusals():
    hours = day_hours(WED, TZ, WEEK)
    assert hours is not None and hours.label() == "08:30–18:00"
    assert close_due_at(WED, TZ, hours, 30) == local(WED, 18, 30)
    assert issue_refusal(local(WED, 8, 29), TZ, hours).startswith("对不起,现在还未到营业时间")
    assert issue_refusal(local(WED, 8, 30), TZ, hours) is None
    assert "营业时间已过" in issue_refusal(local(WED, 18), TZ, hours)


def test_a_closed_weekday_and_a_hall_without_hours():
    saturday = date(2026, 11, 28)
    assert day_hours(saturday, TZ, WEEK) is None
    assert issue_refusal(local(saturday, 10), TZ, None) == "对不起,今天不是营业日,暂停取号。"
    assert close_due_at(saturday, TZ, None, 30) == local(date(2026, 11, 29), 0, 30)
    around_the_clock = day_hours(saturday, TZ, [])
    assert around_the_clock is not None and around_the_clock.label() == "00:00–24:00"


def test_an_administrators_change_of_one_day():
    hours = day_hours(WED, TZ, WEEK, closes_at=local(WED, 19, 30))
    assert hours is not None and hours.label() == "08:30–19:30"
    saturday = date(2026, 11, 28)
    opened = day_hours(saturday, TZ, WEEK, closes_at=local(saturday, 12))
    assert opened is not None and opened.label() == "00:00–12:00"
