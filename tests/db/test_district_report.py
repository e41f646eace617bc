"""The district report from rollups: ranks, the bottom three, the comparison and the trend.

Five halls with hand-chosen rollups for the week of Mon 2026-11-23 (and the week before)
are ranked per figure; the real played day of tests/db/test_metrics_day.py, rolled up,
gives the report the same figures as that day's daily report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from db.engine import Database
from db.models import DayRollup, Hall
from hall_app.clock import ManualClock
from hall_app.config import Settings
from hall_app.demo.seed import ensure_demo_hall
from hall_app.district.report import Period, bottom_count
from hall_app.district.service import DistrictService
from hall_app.metrics import ReportService
from hall_app.metrics.rollups import write_day_rollups, write_month_rollup
from tests.db.test_metrics_day import DAY, REPORT_AT, TZ, build_day

MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
# code -> (served_with_wait, within_target) per day; every hall has 100 arrivals a day.
HALLS = {"H1": (90, 81), "H2": (90, 72), "H3": (90, 63), "H4": (90, 85), "H5": (90, 45)}
NAMES = {"H1": "东城营业厅", "H2": "西城营业厅", "H3": "南城营业厅", "H4": "北城营业厅",
         "H5": "中心营业厅"}


def add_rollup(s, hall_id: int, day: date, sww: int, within: int, *, walk: int = 5,
               complaints: int = 0, overdue: int = 0, outage_s: int = 0) -> None:  # type: ignore[no-untyped-def]
    s.execute(insert(DayRollup).values(
        hall_id=hall_id, business_day=day, arrived=100, served=sww, no_show=walk,
        walked_away=0, abandoned=0, cancelled=0, open_tickets=0, recalls=0,
        recalled_tickets=0, transfers=0, wait_count=sww, wait_sum_s=sww * 600,
        service_count=sww, service_sum_s=sww * 480, served_with_wait=sww,
        within_target=within, complaints=complaints, complaints_overdue=overdue,
        complaints_replied_same_day=0, outages=1 if outage_s else 0, outage_seconds=outage_s,
        facility_incidents=0, cash_exchanges=0, cash_received_fen=0,
        wait_lt5=0, wait_lt10=0, wait_lt15=0, wait_lt20=0, wait_lt30=sww - 9,
        wait_lt45=9, wait_lt60=0, wait_ge60=0, service_level_target_pct=80,
        walkaway_target_pct=5, written_at=NOW))


@pytest.fixture
def district(db_url):  # type: ignore[no-untyped-def]
    database = Database(db_url)
    for code in HALLS:
        ensure_demo_hall(database, code=code, name=NAMES[code])
    with database.write() as s:
        ids = dict(s.execute(select(Hall.code, Hall.id)).tuples().all())
        for code, (sww, within) in HALLS.items():
            for i in range(7):
                add_rollup(s, ids[code], MONDAY + timedelta(days=i), sww, within,
                           walk=10 if code == "H2" else 5, complaints=1 if code == "H3" else 0,
                           outage_s=1800 if (code == "H4" and i == 2) else 0)
                # The week before: every hall at 70 of 90 within target.
                add_rollup(s, ids[code], MONDAY - timedelta(days=7 - i), 90, 70)
        write_month_rollup(s, None, MONDAY, NOW)  # rows inserted directly: sum the month
    service = DistrictService(database, Settings(database_url=db_url), ManualClock(NOW))
    yield service
    service.close()


def test_halls_are_ranked_per_figure_with_the_bottom_three_marked(district):
    report = district.report(Period.week_of(date(2026, 11, 25)))
    assert (report.period.start, report.period.end) == (MONDAY, MONDAY + timedelta(days=6))
    sl = report.ranking("service_level")
    # DEMO (in every test database) has no rollups: listed last, without a rank.
    assert [r.code for r in sl.rows] == ["H4", "H1", "H2", "H3", "H5", "DEMO"]
    assert [r.rank for r in sl.rows] == [1, 2, 3, 4, 5, None]
    assert sl.rows[0].value == pytest.approx(100 * 85 / 90)
    # Five halls with data: the bottom "three" are at most half of them, i.e. two.
    assert [r.code for r in sl.bottom] == ["H3", "H5"] and bottom_count(5) == 2
    assert sl.district == pytest.approx(100 * (81 + 72 + 63 + 85 + 45) / 450)
    # Against the week before (70 of 90 everywhere): H4 better, H5 worse.
    h4, h5 = sl.for_hall("H4"), sl.for_hall("H5")
    assert h4.change == pytest.approx(100 * 15 / 90) and sl.improved(h4) is True
    assert sl.improved(h5) is False
    walk = report.ranking("walkaway_rate")
    assert walk.rows[4].code == "H2" and walk.rows[4].value == pytest.approx(10.0)
    # Equal values share a rank: four halls at 5 %; only H2 is "bottom" (the other
    # candidate is tied with a hall above it), and when all are equal nobody is.
    assert [r.rank for r in walk.rows] == [1, 1, 1, 1, 5, None]
    assert [r.code for r in walk.bottom] == ["H2"]
    assert report.ranking("mean_wait").bottom == ()
    assert report.ranking("complaints_per_thousand").for_hall("H3").value == pytest.approx(10.0)
    assert report.ranking("outage_minutes").rows[4].code == "H4"
    assert report.ranking("long_wait_share").rows[0].value == pytest.approx(100 * 9 / 90)


def test_the_trend_has_one_point_per_day_and_a_day_compares_with_last_week(district):
    week = district.report(Period.week_of(MONDAY))
    assert [p.day for p in week.trend] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert all(p.arrived == 500 for p in week.trend)
    day = district.report(Period.day(date(2026, 11, 25)))
    assert day.previous.start == date(2026, 11, 18) and day.trend == ()
    assert day.district.arrived == 500 and day.district_previous.arrived == 500
    assert day.ranking("service_level").district_previous == pytest.approx(100 * 70 / 90)


def test_a_period_without_rollups_says_so(district):
    report = district.report(Period.month_of(date(2027, 3, 5)))
    assert not report.has_data and report.period.days == 31
    assert all(r.value is None and r.rank is None for r in report.ranking("service_level").rows)
    assert report.ranking("service_level").bottom == ()


def test_a_rolled_up_day_reports_what_its_daily_report_says(hall):
    build_day(hall)
    with hall.ctx.write() as s:
        write_day_rollups(s, hall.ctx.hall.id, DAY, now=REPORT_AT)
    daily = ReportService(hall.ctx).daily(DAY).headline
    service = DistrictService(hall.ctx.db, hall.ctx.settings, ManualClock(REPORT_AT))
    report = service.report(Period.day(DAY))
    d = report.district
    assert (d.arrived, d.served, d.walkaways) == (daily.arrived, daily.outcomes.served,
                                                  daily.outcomes.walkaways)
    assert report.ranking("service_level").district == pytest.approx(daily.service_level)
    assert report.ranking("walkaway_rate").district == pytest.approx(daily.walkaway_rate)
    assert d.mean_wait_minutes == pytest.approx(daily.wait.mean / 60)
    assert report.ranking("outage_minutes").district == pytest.approx(daily.outage_minutes)


def test_a_long_period_reads_whole_months_and_edge_days_alike(db_url):
    """2026-09-20 … 2026-12-10: months Oct and Nov from month_rollup, the rest from days."""
    database = Database(db_url)
    ensure_demo_hall(database, code="H1", name=NAMES["H1"])
    first, last = date(2026, 9, 1), date(2026, 12, 31)
    with database.write() as s:
        hid = s.scalar(select(Hall.id).where(Hall.code == "H1"))
        day, n = first, 0
        while day <= last:
            n += 1
            add_rollup(s, hid, day, 90, 40 + n % 50, walk=n % 7, complaints=n % 3,
                       outage_s=60 * (n % 5))
            day += timedelta(days=1)
        for month in (9, 10, 11, 12):
            write_month_rollup(s, hid, date(2026, month, 1), NOW)
    service = DistrictService(database, Settings(database_url=db_url), ManualClock(NOW))
    period = Period.between(date(2026, 9, 20), date(2026, 12, 10))
    report = service.report(period)
    with database.read() as s:  # the same sums straight from the day rows
        rows = s.scalars(select(DayRollup).where(DayRollup.hall_id == hid,
                                                 DayRollup.business_day >= period.start,
                                                 DayRollup.business_day <= period.end)).all()
    h1 = next(h for h in report.halls if h.code == "H1")
    assert h1.days == len(rows) == 82
    assert h1.arrived == sum(r.arrived for r in rows)
    assert h1.within_target == sum(r.within_target for r in rows)
    assert h1.walkaways == sum(r.no_show + r.walked_away + r.abandoned for r in rows)
    assert h1.complaints == sum(r.complaints for r in rows)
    assert h1.outage_seconds == sum(r.outage_seconds for r in rows)
    # Longer than two months: one trend point per month, partial months included.
    assert report.monthly_trend
    assert [p.day for p in report.trend] == [date(2026, m, 1) for m in (9, 10, 11, 12)]
    assert sum(p.arrived for p in report.trend) == h1.arrived
    service.close()
