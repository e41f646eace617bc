"""What the predictor learns from earlier days and today: arrival rates per hour the hall was
open, the VIP share, today's service speed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_app.domain.priority import RuleConfig
from hall_app.forecast.learn import HistoryPool, learn
from hall_app.forecast.model import ServiceDef
from hall_app.forecast.records import DayLog, HallSetup, TicketRecord

TZ = ZoneInfo("Asia/Shanghai")
PAY = 1
WEEKDAY, WEEKEND = (time(8, 30), time(18, 0)), (time(9, 0), time(17, 0))
SETUP = HallSetup(1, TZ, (ServiceDef(PAY, "PAY", "缴费充值", 3.0),), {10: (PAY,)}, {10: 1},
                  {d: WEEKDAY if d < 5 else WEEKEND for d in range(7)}, RuleConfig())


def day_log(day: date, issue_times: list[time]) -> DayLog:
    tickets = []
    for i, at in enumerate(issue_times):
        t = datetime.combine(day, at, tzinfo=TZ)
        tickets.append(TicketRecord(i + 1, PAY, False, 0, None, t, t, None, None, None,
                                    "waiting", None, None, None))
    return DayLog(day, tickets)


def test_an_hour_open_on_some_days_only_is_not_diluted():
    # Monday 23rd (08:30-18:00): 3 customers 08:30-09:00, 6 in 17:00-18:00; Saturday 21st
    # (09:00-17:00) closes before 17:00. Per open minute: 3 / 30 and 6 / 60, not spread
    # over both days' clock hours (3 / 120 and 6 / 120), which under-counted the
    # customers who come at the ends of a weekday.
    monday = day_log(date(2026, 11, 23), [time(8, 35), time(8, 45), time(8, 55),
                                          *(time(17, m) for m in range(0, 60, 10)),
                                          time(10, 0)])
    saturday = day_log(date(2026, 11, 21), [time(10, 0), time(10, 30)])
    pool = HistoryPool.from_days(SETUP, [saturday, monday])
    learned = learn(SETUP, pool, None, datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
                    - timedelta(hours=1))
    rates = learned.arrival_rate[PAY]
    assert rates[8] == pytest.approx(3 / 30)
    assert rates[17] == pytest.approx(6 / 60)
    assert rates[10] == pytest.approx(3 / 120)  # open on both days: per clock minute


def test_todays_vip_share_is_learned_within_a_few_tickets():
    # History: no VIP tickets. Today so far: 12 tickets, 3 of them VIP (25 %). The share
    # the simulation gives future customers follows today's within a few tickets (it is
    # shrunk towards history's with 5 tickets' weight: 3 / 17), not 20 (3 / 32), which
    # left a day with many VIP tickets estimated as an ordinary one until the afternoon.
    history = day_log(date(2026, 11, 24), [time(9, m) for m in range(0, 60, 3)])
    today = date(2026, 11, 25)
    tickets = []
    for i in range(12):
        t = datetime.combine(today, time(9, 0), tzinfo=TZ) + timedelta(minutes=5 * i)
        tickets.append(TicketRecord(i + 1, PAY, i % 4 == 0, 0, None, t, t, None, None, None,
                                    "waiting", None, None, None))
    pool = HistoryPool.from_days(SETUP, [history])
    learned = learn(SETUP, pool, DayLog(today, tickets),
                    datetime.combine(today, time(10, 0), tzinfo=TZ))
    assert learned.vip_share[PAY] == pytest.approx(3 / 17)


def served(tid: int, day: date, called: time, minutes: float | None) -> TicketRecord:
    """A ticket of counter 10 called at `called`, released `minutes` later (None: still
    at the counter)."""
    at = datetime.combine(day, called, tzinfo=TZ)
    end = at + timedelta(minutes=minutes) if minutes is not None else None
    return TicketRecord(tid, PAY, False, 0, None, at, at, at, at, end,
                        "done" if end is not None else "serving", 10, None, None)


def test_a_customer_still_at_the_counter_counts_in_todays_service_speed():
    # History: 40 customers of 3 minutes. Today: 2 released after 3 minutes, and the
    # customer at the counter now has been there for 30. Counting only released
    # customers, today looked as fast as ever (factor 1.0) until this one left; now the
    # one still there counts with what a customer there that long is expected to take
    # (at least the 30 minutes so far), so today is already slower.
    history = date(2026, 11, 24)
    hist = [served(i + 1, history, time(9, 0), 3.0) for i in range(40)]
    today = date(2026, 11, 25)
    tickets = [served(101, today, time(9, 0), 3.0), served(102, today, time(9, 4), 3.0),
               served(103, today, time(9, 10), None)]
    pool = HistoryPool.from_days(SETUP, [DayLog(history, hist)])
    cut = datetime.combine(today, time(9, 40), tzinfo=TZ)
    learned = learn(SETUP, pool, DayLog(today, tickets), cut)
    # (3 + 3 + at least 30 + 6 x 3) / (2 + 1 + 6) / 3
    assert learned.today_factor[PAY] >= (3 + 3 + 30 + 6 * 3) / 9 / 3
    # Released customers alone leave the factor where history is.
    learned = learn(SETUP, pool, DayLog(today, tickets[:2]), cut)
    assert learned.today_factor[PAY] == pytest.approx(1.0)
