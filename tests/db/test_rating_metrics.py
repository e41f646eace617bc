"""Satisfaction figures against hand-computed values, on SQLite and PostgreSQL.

The day, built through the real services (clock starts 10:00 Shanghai):

    counter 1, clerk 1001   10:0x  A001 缴费 非常满意     A/E: PAY / PLAN
                            10:0x  E001 套餐 满意
                            11:0x  A002 缴费 不满意 (等候时间长, wants contact → 回访)
                            11:0x  A003 缴费 未评价 (the pad timed out)
    counter 2, clerk 1002   11:0x  C001 补卡 基本满意
                            11:0x  A004 缴费 满意
                            11:0x  A005 缴费 (no rating at all: the next service started)

By hand: served 7, rated 5 (非常满意 1, 满意 2, 基本满意 1, 不满意 1):
satisfaction (1+2)/5 = 60 %, participation 5/7 = 71.43 %.
1001: served 4, rated 3, satisfied 2 → 66.67 %, 75 %.   1002: 3, 2, 1 → 50 %, 66.67 %.
缴费: served 5, rated 3, satisfied 2 → 66.67 %, 60 %.  套餐: 1, 1, 1.  补卡: 1, 1, 0 → 0 %.
10:00–11:00: served 2, rated 2, satisfied 2.           11:00–12:00: served 5, rated 3, satisfied 1.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import DEMO_NOW, SHANGHAI
from rating_support import bind_pad, counter_id, pad_for, serve

from hall_app.metrics import ReportService
from hall_app.metrics.satisfaction import clerk_day_figures


@pytest.fixture
def day(hall, clerk, manager, clock):
    other = hall.auth.login("1002", "1234")
    c1, c2 = counter_id(hall, 1), counter_id(hall, 2)
    hall.counters.sign_in(clerk, c1)
    hall.counters.sign_in(other, c2)
    pad1 = pad_for(hall, bind_pad(hall, manager, c1))
    pad2 = pad_for(hall, bind_pad(hall, manager, c2))

    pad1.rate(serve(hall, clerk, c1, "PAY").id, "very_satisfied")
    pad1.rate(serve(hall, clerk, c1, "PLAN").id, "satisfied")
    clock.set(datetime(2026, 11, 25, 11, 0, tzinfo=SHANGHAI))
    unhappy = pad1.rate(serve(hall, clerk, c1, "PAY").id, "dissatisfied")
    pad1.explain(unhappy.rating_id, "long_wait", True)
    timed_out = serve(hall, clerk, c1, "PAY")
    clock.advance(seconds=31)
    pad1.time_out(timed_out.id)
    pad2.rate(serve(hall, other, c2, "SIM").id, "basic")
    pad2.rate(serve(hall, other, c2, "PAY").id, "satisfied")
    serve(hall, other, c2, "PAY")  # finished, never rated
    clock.set(datetime(2026, 11, 25, 12, 30, tzinfo=SHANGHAI))
    return clerk, other


def figures(f):
    return (f.served, f.rated, f.satisfied_count, f.very_satisfied, f.satisfied, f.basic,
            f.dissatisfied, f.unrated)


def rates(f):
    return (round(f.satisfaction_rate, 2), round(f.participation_rate, 2))


def test_the_daily_summary_matches_the_hand_computed_figures(hall, day):
    sat = ReportService(hall.ctx).daily(DEMO_NOW.date()).satisfaction
    assert sat is not None
    assert figures(sat.total) == (7, 5, 3, 1, 2, 1, 1, 2)
    assert rates(sat.total) == (60.0, 71.43)
    assert sat.target_pct == 90 and sat.target_met is False

    clerks = {r.label: r.figures for r in sat.by_clerk}
    assert list(clerks) == ["1001 " + day[0].name, "1002 " + day[1].name]
    assert figures(clerks["1001 " + day[0].name]) == (4, 3, 2, 1, 1, 0, 1, 1)
    assert rates(clerks["1001 " + day[0].name]) == (66.67, 75.0)
    assert figures(clerks["1002 " + day[1].name]) == (3, 2, 1, 0, 1, 1, 0, 1)
    assert rates(clerks["1002 " + day[1].name]) == (50.0, 66.67)

    assert [(r.label, r.figures.served, r.figures.rated) for r in sat.by_counter] == \
        [("1号窗口", 4, 3), ("2号窗口", 3, 2)]

    services = {r.label: r.figures for r in sat.by_service}
    assert set(services) == {"缴费充值", "套餐变更", "补卡换卡"}
    assert figures(services["缴费充值"]) == (5, 3, 2, 1, 1, 0, 1, 2)
    assert rates(services["缴费充值"]) == (66.67, 60.0)
    assert figures(services["套餐变更"])[:3] == (1, 1, 1)
    assert figures(services["补卡换卡"])[:3] == (1, 1, 0)
    assert services["补卡换卡"].satisfaction_rate == 0.0

    assert [(r.hour, figures(r.figures)[:3]) for r in sat.by_hour] == \
        [(10, (2, 2, 2)), (11, (5, 3, 1))]
    assert sat.reasons == (("long_wait", 1),)
    assert sat.follow_ups == 1


def test_a_clerk_sees_only_his_own_figures(hall, day):
    clerk, other = day
    tz = hall.ctx.hall.tz
    with hall.ctx.read() as s:
        mine = clerk_day_figures(s, hall.ctx.hall.id, tz, DEMO_NOW.date(), hall.ctx.now(),
                                 clerk.staff_id)
        theirs = clerk_day_figures(s, hall.ctx.hall.id, tz, DEMO_NOW.date(), hall.ctx.now(),
                                   other.staff_id)
    assert figures(mine) == (4, 3, 2, 1, 1, 0, 1, 1)
    assert figures(theirs) == (3, 2, 1, 0, 1, 1, 0, 1)


def test_a_day_without_ratings_has_no_rates(hall):
    sat = ReportService(hall.ctx).daily(DEMO_NOW.date()).satisfaction
    assert sat is not None
    assert (sat.total.served, sat.total.rated) == (0, 0)
    assert sat.total.satisfaction_rate is None and sat.total.participation_rate is None
    assert sat.target_met is None
