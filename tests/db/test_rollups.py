"""Daily rollups hold the same figures as the daily report of their day, once per day.

The hand-built day of tests/db/test_metrics_day.py is rolled up and compared with its
report: the hall row, every service, counter and clerk. Writing again replaces the rows
(nothing doubles), a change to the day shows after the next write, and a day that has
not begun is refused.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from db.models import (
    DayRollup,
    DayRollupClerk,
    DayRollupCounter,
    DayRollupService,
    MonthRollup,
    Ticket,
)
from hall_app.errors import ValidationError
from hall_app.metrics import ReportService
from hall_app.metrics.rollups import write_day_rollups
from tests.db.metrics_fixture import DAY, REPORT_AT, build_day


@pytest.fixture
def day_hall(hall):  # type: ignore[no-untyped-def]
    build_day(hall)
    return hall


def write(hall, day=DAY, now=REPORT_AT):  # type: ignore[no-untyped-def]
    with hall.ctx.write() as s:
        return write_day_rollups(s, hall.ctx.hall.id, day, now=now)


def counts(hall) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (DayRollup, DayRollupService, DayRollupCounter, DayRollupClerk))


def test_the_hall_row_matches_the_daily_report(day_hall):
    write(day_hall)
    report = ReportService(day_hall.ctx).daily(DAY)
    h, o = report.headline, report.headline.outcomes
    with day_hall.ctx.read() as s:
        r = s.scalars(select(DayRollup).where(DayRollup.business_day == DAY)).one()
    assert (r.business_day, r.hall_id) == (DAY, day_hall.ctx.hall.id)
    assert (r.arrived, r.served, r.no_show, r.walked_away, r.abandoned, r.cancelled,
            r.open_tickets) == (h.arrived, o.served, o.no_show, o.walked_away, o.abandoned,
                                o.cancelled, o.open)
    assert (r.recalls, r.recalled_tickets, r.transfers) == (h.recalls, h.recalled_tickets,
                                                            h.transfers)
    assert r.wait_count == h.wait.count and r.wait_sum_s == round(h.wait.mean * h.wait.count)
    assert (r.wait_median_s, r.wait_p90_s, r.wait_max_s) == (h.wait.median, h.wait.p90,
                                                             h.wait.max)
    assert r.service_sum_s == round(h.service.mean * h.service.count)
    assert (r.served_with_wait, r.within_target) == (h.served_with_wait, h.within_target)
    assert (r.complaints, r.complaints_overdue, r.complaints_replied_same_day) == (
        report.complaints.total, report.complaints.overdue, report.complaints.replied_same_day)
    assert (r.outages, r.outage_seconds, r.facility_incidents) == (
        h.outages, round(h.outage_minutes * 60), h.facility_incidents)
    assert (r.cash_exchanges, r.cash_received_fen) == (h.cash_exchanges, h.cash_received_fen)
    buckets = [r.wait_lt5, r.wait_lt10, r.wait_lt15, r.wait_lt20, r.wait_lt30, r.wait_lt45,
               r.wait_lt60, r.wait_ge60]
    assert buckets == [b.count for b in report.wait_buckets]
    assert sum(buckets) == r.wait_count


def test_service_counter_and_clerk_rows_match_the_report(day_hall):
    written = write(day_hall)
    report = ReportService(day_hall.ctx).daily(DAY)
    with day_hall.ctx.read() as s:
        services = {r.service_id: r for r in s.scalars(
            select(DayRollupService).where(DayRollupService.business_day == DAY))}
        counters = {r.counter_id: r for r in s.scalars(
            select(DayRollupCounter).where(DayRollupCounter.business_day == DAY))}
        clerks = {r.staff_id: r for r in s.scalars(
            select(DayRollupClerk).where(DayRollupClerk.business_day == DAY))}
    busy = [sv for sv in report.services if sv.arrived or sv.outcomes.served]
    assert written.services == len(services) == len(busy)
    for sv in busy:
        r = services[sv.service_id]
        assert (r.arrived, r.served, r.walked_away, r.transfers, r.wait_count,
                r.served_with_wait, r.within_target) == (
            sv.arrived, sv.outcomes.served, sv.outcomes.walked_away, sv.transfers_out,
            sv.wait.count, sv.served_with_wait, sv.within_target)
        assert r.wait_median_s == sv.wait.median
    assert len(counters) == len(report.counters) == 5
    for c in report.counters:
        r = counters[c.counter_id]
        assert (r.served, r.no_show, r.recalls, r.transfers) == (c.served, c.no_show,
                                                                 c.recalls, c.transfers)
        # paused_s is the time taken out of staffed time (open_s − paused_s = staffed).
        assert (r.serving_s, r.open_s, r.paused_s) == (
            c.serving_seconds, c.open_seconds, c.away_seconds)
    assert len(clerks) == len(report.clerks) == 5
    for k in report.clerks:
        r = clerks[k.staff_id]
        assert (r.served, r.signed_in_s, r.serving_s, r.service_median_s) == (
            k.served, k.signed_in_seconds, k.serving_seconds, k.service.median)


def test_the_month_row_sums_the_days_of_its_month(day_hall):
    write(day_hall)
    write(day_hall, date(2026, 11, 20))
    write(day_hall)  # again: still one month row, the same sums
    with day_hall.ctx.read() as s:
        month = s.scalars(select(MonthRollup)).one()
        days = s.scalars(select(DayRollup)).all()
        on_day = s.scalars(select(DayRollup).where(DayRollup.business_day == DAY)).one()
    # The fixture's earlier days were rolled up by their own day closes.
    assert {DAY, date(2026, 11, 20)} <= {d.business_day for d in days}
    assert (month.month, month.days) == (date(2026, 11, 1), len(days))
    assert month.arrived == sum(d.arrived for d in days) and on_day.arrived == 40
    assert month.within_target == sum(d.within_target for d in days)
    assert month.long_waits == sum(d.wait_lt45 + d.wait_lt60 + d.wait_ge60 for d in days)


def test_writing_again_replaces_the_day(day_hall):
    write(day_hall)
    first = counts(day_hall)
    write(day_hall)
    assert counts(day_hall) == first
    # A late correction: one more customer marked as walked away on that day.
    with day_hall.ctx.write() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.business_day == DAY,
                                                Ticket.state == "abandoned")).first()
        assert ticket is not None
        ticket.state = "walked_away"
    write(day_hall, now=REPORT_AT + timedelta(hours=1))
    with day_hall.ctx.read() as s:
        r = s.scalars(select(DayRollup).where(DayRollup.business_day == DAY)).one()
    assert (r.walked_away, r.abandoned) == (4, 2)
    assert r.written_at == REPORT_AT + timedelta(hours=1)
    assert counts(day_hall) == first


def test_an_empty_day_has_a_row_of_zeros_and_a_future_day_is_refused(day_hall):
    quiet = date(2026, 11, 20)
    written = write(day_hall, quiet)
    assert (written.arrived, written.services, written.counters) == (0, 0, 0)
    with day_hall.ctx.read() as s:
        r = s.scalars(select(DayRollup).where(DayRollup.business_day == quiet)).one()
    assert (r.arrived, r.served, r.wait_count, r.wait_median_s) == (0, 0, 0, None)
    with pytest.raises(ValidationError, match="尚未开始"):
        write(day_hall, date(2026, 12, 1))
