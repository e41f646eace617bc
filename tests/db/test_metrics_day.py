"""Daily metrics on the hand-built day of tests/db/metrics_fixture.py, on SQLite and
PostgreSQL. Every expected figure is worked out by hand from the timetable there."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hall_app.metrics import Period, ReportService
from hall_app.metrics.figures import BY_KEY
from hall_app.metrics.sections import build_report

_spec = importlib.util.spec_from_file_location(
    "metrics_fixture", Path(__file__).with_name("metrics_fixture.py"))
assert _spec and _spec.loader
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

MIN = 60
DAY = fx.DAY


@pytest.fixture(scope="module", params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def built(request, tmp_path_factory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The day played once per database for this module (the tests only read it)."""
    import conftest

    name = None
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("metrics_day") / "hall.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite+pysqlite:///{path}"
    else:
        name = conftest._create_pg_database(template=request.getfixturevalue("_pg_template"))
        url = conftest._pg_url_for(name)
    hall = conftest.make_hall(url)
    fx.build_day(hall)
    yield hall
    hall.close()
    if name:
        conftest._drop_pg_database(name)


@pytest.fixture(scope="module")
def day_metrics(built):  # type: ignore[no-untyped-def]
    return ReportService(built.ctx).daily(DAY)


def test_headline_customers_and_walkaways(day_metrics):
    m = day_metrics
    h, o = m.headline, m.headline.outcomes
    assert m.status == "ok" and m.hall_name == "示范营业厅(人民路店)"
    # 15 PAY + 5 DEV + 11 BB + 5 VIP + 4 SIM tickets; the two continuations are not arrivals.
    assert h.arrived == 40
    # PAY 10 + DEV 4 (F001, A008, F002, F004) + BB 9 (incl. F005) + VIP 5 + SIM 3
    assert o.served == 31
    assert (o.no_show, o.walked_away, o.abandoned, o.cancelled, o.open) == (2, 3, 3, 1, 0)
    assert o.walkaways == 8
    # Each part with its own rate, and the total.
    assert (h.rate_of(o.no_show), h.rate_of(o.walked_away), h.rate_of(o.abandoned)) == (
        Decimal("5.0"), Decimal("7.5"), Decimal("7.5"))
    assert h.walkaway_rate_value == Decimal("20.0") and h.walkaway_target_met is False
    assert (h.recalls, h.recalled_tickets, h.transfers) == (5, 3, 2)


def test_total_wait_counts_every_queue(day_metrics):
    h = day_metrics.headline
    # 33 called customers. A008 waited 7 min in PAY and 10 more in DEV (17, not 7);
    # F005 1 min in DEV before its transfer and 15 in BB (16). Sum 339 minutes.
    assert h.wait.count == 33 and h.wait.total == 339 * MIN
    assert h.wait.exact_mean == Decimal(339 * MIN) / 33
    # sorted: 17th value 7, 30th (ceil 0.9·33) value 24, longest D007 39.
    assert (h.wait.median, h.wait.p90, h.wait.max) == (7 * MIN, 24 * MIN, 39 * MIN)
    # Each queue's own wait: 34 called rows (A008 twice: 7 and 10; F005 in BB 15): 338 min.
    assert (h.queue_wait.count, h.queue_wait.total) == (34, 338 * MIN)
    assert h.queue_wait.median == 7 * MIN and h.queue_wait.p90 == 24 * MIN
    # 32 service episodes (A008's 4 minutes at counter 1 included): 264 minutes.
    assert (h.service.count, h.service.total) == (32, 264 * MIN)
    assert (h.service.median, h.service.p90, h.service.max) == (8 * MIN, 12 * MIN, 25 * MIN)
    # 8.25 min: decimal rounding half up prints 8.3 (binary-float :.1f gives 8.2).
    assert BY_KEY["service_mean"].text(h) == "8.3分"


def test_service_levels_where_served_without_outages_and_per_queue(day_metrics):
    h = day_metrics.headline
    # Customers served, total wait within the target of the service that served them:
    # PAY 7/10, DEV 3/4 (A008's 17 ≤ 20), BB 5/9 (F005's 16 > 15), VIP 3/5, SIM 3/3 = 21/31.
    assert (h.served_with_wait, h.within_target) == (31, 21)
    assert h.service_level_value == Decimal("67.7") and h.service_level_met is False
    # With the hall-wide outage 10:20–10:50 taken out: D005 (33 − 21 = 12) and D007
    # (39 − 30 = 9) come within BB's 15; D003 (23 − 7 = 16) does not.
    assert h.within_target_excl_outage == 23
    # Per queue, rows whose service began: PAY 8/11, DEV 3/4, BB 6/9, VIP 3/5, SIM 3/3.
    assert (h.queue_started, h.queue_within_target) == (32, 23)
    rows = {r.code: r for r in day_metrics.services}
    pay, dev, bb = rows["PAY"], rows["DEV"], rows["BB"]
    assert (pay.served_with_wait, pay.within_target, pay.queue_started,
            pay.queue_within_target) == (10, 7, 11, 8)
    # DEV served A008, who waited mostly in PAY: counted in DEV, with its own queue's 10 min.
    assert (dev.served_with_wait, dev.within_target, dev.queue_started,
            dev.queue_within_target) == (4, 3, 4, 3)
    assert (bb.within_target, bb.within_target_excl_outage, bb.queue_within_target) == (5, 7, 6)
    assert bb.service_level_excl_outage_value == Decimal("77.8")


def test_service_table(day_metrics):
    rows = {r.code: r for r in day_metrics.services}
    pay, dev, bb, vip, sim = rows["PAY"], rows["DEV"], rows["BB"], rows["VIP"], rows["SIM"]
    assert (pay.arrived, pay.outcomes.served, pay.outcomes.no_show, pay.outcomes.walked_away,
            pay.outcomes.abandoned, pay.transfers_out) == (15, 10, 1, 1, 2, 1)
    # PAY's own queue: 1,1,2,3,5,6,6,7,8,11,16,16 (A008's 7 included): median (6+6)/2, P90 16.
    assert (pay.queue_wait.count, pay.queue_wait.total) == (12, 82 * MIN)
    assert pay.queue_wait.median == 6 * MIN and pay.queue_wait.p90 == 16 * MIN
    # Customers whose last call was in PAY: 11, total waits 75 minutes.
    assert (pay.wait.count, pay.wait.total) == (11, 75 * MIN)
    assert (dev.arrived, dev.outcomes.served, dev.outcomes.walked_away, dev.transfers_out) == (
        5, 4, 1, 1)
    # DEV's queue: F001 10, A008 10, F002 24, F004 1; total waits of its customers 17 for A008.
    assert dev.queue_wait.total == 45 * MIN and dev.wait.total == 52 * MIN
    assert (bb.arrived, bb.outcomes.served, bb.outcomes.no_show, bb.outcomes.abandoned) == (
        11, 9, 1, 1)
    assert bb.queue_wait.median == 14 * MIN  # (13 + 15) / 2 of ten rows
    assert vip.service_level_value == Decimal("60.0") and vip.queue_wait.max == 7 * MIN
    assert (sim.arrived, sim.outcomes.served, sim.outcomes.cancelled) == (4, 3, 1)
    assert sim.service.total == 40 * MIN


def test_counters_staffed_time_and_pauses_by_type(day_metrics):
    counters = {r.number: r for r in day_metrics.counters}
    assert sorted(counters) == [1, 2, 4, 6, 8]
    c1 = counters[1]
    assert (c1.served, c1.no_show, c1.recalls, c1.transfers) == (10, 1, 2, 1)
    assert c1.serving_seconds == 59 * MIN  # 10 finished + A008's 4 minutes
    assert c1.open_seconds == (7 * 60 + 35) * MIN  # 08:55–16:30
    # Meal and training are not staffed time: 455 − 45 = 410 minutes.
    assert {(p.reason, p.count, p.seconds, p.in_staffed_time) for p in c1.pauses} == {
        ("用餐", 1, 15 * MIN, False), ("培训", 1, 30 * MIN, False)}
    assert c1.staffed_seconds == 410 * MIN
    assert c1.utilisation_value == Decimal("14.4")  # 59 / 410 (13.0 % of signed-in time)
    c2 = counters[2]
    # 离席 stays in staffed time (idle): 40 of 65 minutes.
    assert [(p.reason, p.in_staffed_time) for p in c2.pauses] == [("离席", True)]
    assert c2.staffed_seconds == 65 * MIN and c2.utilisation_value == Decimal("61.5")
    c4 = counters[4]
    # 调整情绪 granted by the duty manager (a pause of kind "recovery", 4 minutes until the
    # sign-out) is not idle: 77 of 106 minutes.
    assert [(p.reason, p.seconds, p.in_staffed_time, p.kind) for p in c4.pauses] == [
        ("调整情绪", 4 * MIN, False, "recovery")]
    assert c4.recovery_seconds == 4 * MIN and c4.away_seconds == 4 * MIN
    assert c4.staffed_seconds == 106 * MIN and c4.utilisation_value == Decimal("72.6")
    # The counter's waits are the own queue waits of the rows it called (F005: 15).
    assert c4.wait.total == 174 * MIN and c4.wait.count == 10
    h = day_metrics.headline
    # Hall: 15,840 s serving of 815 − 49 = 766 staffed minutes.
    assert (h.signed_in_seconds, h.staffed_seconds) == (815 * MIN, 766 * MIN)
    assert h.utilisation_value == Decimal("34.5")
    clerks = {r.staff_no: r for r in day_metrics.clerks}
    assert sorted(clerks) == ["1001", "1002", "1004", "1006", "1008"]
    k = clerks["1008"]
    assert (k.served, k.signed_in_seconds, k.serving_seconds) == (5, 65 * MIN, 38 * MIN)
    assert k.service.median == 10 * MIN and k.wait.exact_mean == 5 * MIN
    assert clerks["1004"].staffed_seconds == 106 * MIN
    assert clerks["1002"].service.max == 25 * MIN


def test_hours_are_half_open_with_walkaways_and_waits(day_metrics):
    hours = {h.hour: h for h in day_metrics.hours}
    assert min(hours) == 8 and max(hours) == 18  # opening hours, plus the close at 18:00
    assert [(h, hours[h].arrived) for h in (9, 10, 11, 13, 16)] == [
        (9, 19), (10, 9), (11, 5), (13, 4), (16, 3)]
    # D007 finished at 11:00 and D008 was issued at 11:00: both belong to 11:00–12:00.
    assert [(h, hours[h].served) for h in (9, 10, 11, 13, 16)] == [
        (9, 12), (10, 10), (11, 5), (13, 3), (16, 1)]
    assert (hours[10].no_show, hours[10].walked_away, hours[18].abandoned) == (1, 2, 3)
    assert (hours[9].walkaways, hours[10].walkaways, hours[18].walkaways) == (2, 3, 3)
    # Mean total wait of the customers who took a ticket in the hour: 10:00 → 141 / 7 min.
    assert (hours[10].wait_total, hours[10].wait_count) == (141 * MIN, 7)
    assert (hours[11].wait_total, hours[11].wait_count) == (35 * MIN, 4)  # 8.75 → 8.8
    assert hours[12].arrived == hours[12].served == 0 and hours[12].mean_wait is None
    assert hours[13].label == "13:00–14:00"


def test_incidents_clipped_dated_and_counted_per_counter(day_metrics):
    m = day_metrics
    printer, outage, counter, aircon, short = m.incidents
    # Begun the day before at 17:30: only this day's 9 hours count, with its real start.
    assert (printer.category, printer.seconds, printer.started_at.date()) == (
        "打印机", 9 * 60 * MIN, fx.PREVIOUS_DAY)
    # Waiting at some moment in 10:20–10:50: F003 F004 D003 D004 D005 D006 D007.
    assert (outage.seconds, outage.counter_numbers, outage.waiting_customers) == (
        30 * MIN, (), 7)
    # Counter 1's outage concerns PAY and PLAN, where nobody waited (hall-wide: 3).
    assert (counter.counter_numbers, counter.waiting_customers) == ((1,), 0)
    # D011 (issued 11:35, abandoned at 18:00) was the only one waiting in 14:00–15:30.
    assert (aircon.seconds, aircon.waiting_customers) == (90 * MIN, 1)
    # 30 seconds, not "0 minutes"; A014 and D011 were waiting.
    assert (short.seconds, short.waiting_customers) == (30, 2)
    h = m.headline
    assert (h.outages, h.outage_seconds, h.facility_incidents) == (3, 2730, 2)


def test_complaints_registered_through_the_service_print_chinese_names(day_metrics):
    c = day_metrics.complaints
    assert c.total == 3
    assert c.by_category == (("等候时间过长", 2), ("服务态度差", 1))
    assert [r.category for r in c.rows] == ["waiting", "attitude", "waiting"]
    assert [r.category_name for r in c.rows] == ["等候时间过长", "服务态度差", "等候时间过长"]
    assert dict(c.by_state) == {"replied": 2, "registered": 1}
    # One definition with the complaint service: replied by the deadline (18:00 close).
    # 10:30 replied 15:00 on time; 11:00 never replied (overdue); 14:00 replied the next
    # morning (overdue, not same-day).
    assert (c.overdue, c.replied_same_day, c.escalated) == (2, 1, 0)
    assert [(r.replied_same_day, r.overdue) for r in c.rows] == [
        (True, False), (False, True), (False, True)]
    assert [r.state_label for r in c.rows] == ["已答复客户", "已登记", "已答复客户"]
    assert [r.phone_masked for r in c.rows] == ["138****5678", "139****1111", "137****2222"]
    assert c.rows[0].counter_number == 4 and c.rows[0].customer_name == "张**"
    # Closed during the day, whenever received: the 11-24 complaint, signed off.
    assert c.closed_by_kind == (("signed_off", 1),) and c.closed_unsatisfied == 1
    (signed,) = c.signed_off
    assert (signed.category_name, signed.reason) == ("收费过高", fx.SIGN_OFF_REASON)
    (notice,) = c.notices
    assert (notice.title, notice.lessons, notice.issued_at.strftime("%H:%M")) == (
        "等候投诉的教训", fx.NOTICE_LESSONS, "17:00")
    assert notice.issued_by == "周丽(值班长)"


def test_the_complaint_section_names_categories_and_lists_the_loop(day_metrics):
    section = next(s for s in build_report(None, day_metrics).sections
                   if s.key == "complaints")
    tables = {t.key: t for t in section.tables}
    assert set(tables) == {"complaint_categories", "complaints", "complaint_closed",
                           "complaint_signed_off", "complaint_notices"}
    cells = {c for t in tables.values() for row in t.rows for c in row}
    assert {"等候时间过长", "服务态度差", "收费过高", "未满意结案"} <= cells
    assert not cells & {"waiting", "attitude", "fees", "signed_off", "replied"}
    assert tables["complaint_signed_off"].rows[0][2] == fx.SIGN_OFF_REASON
    assert tables["complaint_notices"].rows[0][:3] == ("17:00", "周丽(值班长)", "等候投诉的教训")


def test_escalations_cash_and_longest_waits(day_metrics):
    m = day_metrics
    first, second = m.escalations
    assert (first.counter_number, first.ticket_code, first.response_seconds,
            first.customer_outcome) == (4, "D005", 7 * MIN, "已完成")
    assert first.resolver_name and first.resolved_at is not None
    assert (second.ticket_code, second.resolved_at, second.response_seconds) == (
        "C004", None, None)
    assert (m.headline.escalations, m.headline.escalations_open) == (2, 1)
    h = m.headline
    # Due 80, handed over 150, change 70: the till holds 80.
    assert (h.cash_exchanges, h.cash_due_fen, h.cash_received_fen, h.cash_change_fen) == (
        2, 8000, 15000, 7000)
    assert [(r.counter_number, r.count, r.due_fen) for r in m.cash] == [(1, 2, 8000)]
    top = m.longest_waits
    assert len(top) == 10
    assert [(r.code, r.wait_seconds) for r in top[:6]] == [
        ("D007", 39 * MIN), ("D005", 33 * MIN), ("D004", 31 * MIN), ("F002", 24 * MIN),
        ("D003", 23 * MIN), ("A008", 17 * MIN)]
    assert top[5].services == ("缴费充值", "终端售后") and top[5].counter_number == 6
    assert top[2].outcome == "过号"
    # Ties on 16 minutes in issue order: A011 09:50, A012 09:55, F005 11:15.
    assert [r.code for r in top[6:9]] == ["A011", "A012", "F005"]


def test_wait_distribution(day_metrics):
    assert [b.count for b in day_metrics.wait_buckets] == [11, 9, 4, 4, 2, 3, 0, 0]


def test_comparisons_and_trend(day_metrics):
    m = day_metrics
    prev, week = m.comparisons
    assert (prev.label, prev.period.first, week.label, week.period.first) == (
        "上一营业日", fx.PREVIOUS_DAY, "上周同日", fx.LAST_WEEK)
    # 11-24: 3 arrived, 2 served (waits 5 and 9), 1 walked away; one complaint, replied.
    p = prev.headline
    assert (p.arrived, p.outcomes.served, p.outcomes.walkaways) == (3, 2, 1)
    assert (p.wait.median, p.wait.p90, p.complaints) == (7 * MIN, 9 * MIN, 1)
    assert week.headline.wait.exact_mean == 25 * MIN
    f = BY_KEY["wait_mean"]
    assert f.change(m.headline, p)[:2] == ("↑", "+3.3分")  # 10.3 against 7.0
    assert f.tone(f.change(m.headline, p)[2]) == "bad"
    rate = BY_KEY["walkaway_rate"]
    assert rate.change(m.headline, p)[:2] == ("↓", "−13.3个百分点")  # 20.0 against 33.3
    assert [d.day for d in m.trend][-2:] == [fx.PREVIOUS_DAY, DAY]
    assert [d.headline.arrived for d in m.trend] == [0, 0, 0, 0, 0, 3, 40]


def test_a_day_in_progress_gives_no_verdict(built):  # type: ignore[no-untyped-def]
    built.ctx.clock.set(datetime(2026, 11, 25, 11, 0, tzinfo=fx.TZ))
    try:
        m = ReportService(built.ctx).daily(DAY)
    finally:
        built.ctx.clock.set(fx.REPORT_AT)
    # The day closes at 18:00 (business_day): at 11:00 it is not closed yet.
    assert m.in_progress and not m.day_closed and not m.is_final
    assert m.as_of.strftime("%H:%M") == "11:00"
    report = build_report(None, m)
    assert report.status[0].text == m.not_closed_notice == (
        "注意:2026-11-25 营业日尚未闭厅,以下数字截至 11:00,仍在变化,不作达标判定。")
    key_figures = dict(report.sections[0].tables[0].rows)
    assert "达标" not in key_figures["服务达标率(全程等候)"].replace("服务达标", "")
    assert "未闭厅,不判定" in key_figures["弃号合计"]


def test_a_closed_day_is_final_and_judged(day_metrics):
    m = day_metrics
    assert m.day_closed and m.is_final and m.not_closed_notice is None
    assert m.day_closed_at is not None and m.day_closed_at.strftime("%H:%M") == "18:00"
    report = build_report(None, m)
    assert not [p for p in report.status if p.style == "status"]
    key_figures = dict(report.sections[0].tables[0].rows)
    assert key_figures["弃号合计"].endswith("(目标≤5%,未达标)")  # 20.0 %


def test_week_and_month_use_the_same_definitions(built):  # type: ignore[no-untyped-def]
    reports = ReportService(built.ctx)
    week = reports.period(Period.parse_week("2026-W48"))  # 11-23 … 11-29
    day, prev = reports.daily(DAY), reports.daily(fx.PREVIOUS_DAY)
    h = week.headline
    assert week.span.first == date(2026, 11, 23) and len(week.trend) == 7
    assert h.arrived == day.headline.arrived + prev.headline.arrived == 43
    assert h.wait.total == day.headline.wait.total + prev.headline.wait.total
    assert h.within_target == day.headline.within_target + prev.headline.within_target
    # The week's median is over the week's 35 customers, not a mean of daily medians.
    assert h.wait.count == 35 and h.wait.median == 7 * MIN
    (last,) = week.comparisons
    assert (last.label, last.period.first, last.headline.arrived) == (
        "上周", date(2026, 11, 16), 2)
    month = reports.period(Period.parse_month("2026-11"))
    assert month.headline.arrived == 45 and month.hours == ()


def test_empty_and_future_days(hall):  # type: ignore[no-untyped-def]
    empty = ReportService(hall.ctx).daily(date(2026, 11, 20))
    assert empty.status == "empty" and empty.headline.arrived == 0
    assert empty.headline.wait.mean is None and empty.headline.service_level is None
    assert all(s.arrived == 0 for s in empty.services)
    future = ReportService(hall.ctx).daily(date(2026, 12, 25))
    assert future.is_future and future.headline.arrived == 0 and future.services == ()
