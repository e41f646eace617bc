"""The daily summary's two planning sections, on a small day played through the services:
等候时间预测准确度 (what customers were told at the kiosk against their real waits, for
the previous business day and the day) and 窗口排班 (the counters the advice recommended
each hour against those open, and tomorrow's plan)."""

from __future__ import annotations

from datetime import timedelta

from conftest import DEMO_NOW
from rating_support import counter_id, service_id
from sqlalchemy import select

from db.models import Ticket
from hall_app.metrics import Period, ReportService
from hall_app.metrics.numbers import half_up
from hall_app.metrics.sections.estimates import estimates_section
from hall_app.metrics.sections.staffing import staffing_section


def _play(hall) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """From 10:00: counter 1 open until 11:30; four PAY customers, three served, one
    walks away. Returns (counter 1's id, issued)."""
    clerk, manager = hall.auth.login("1001", "1234"), hall.auth.login("2001", "2468")
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pay = service_id(hall, "PAY")
    issued = [hall.tickets.issue(pay) for _ in range(4)]
    for _ in range(3):
        hall.ctx.clock.advance(minutes=6)
        called = hall.tickets.call_next(clerk, c1)
        hall.tickets.start(clerk, called.id, c1)
        hall.ctx.clock.advance(minutes=4)
        hall.tickets.finish(clerk, called.id, c1)
    hall.tickets.walk_away(manager, issued[3].id)
    hall.ctx.clock.set(DEMO_NOW.replace(hour=11, minute=30))
    hall.counters.sign_out(clerk, c1)
    return c1, len(issued)


def _source(hall):  # type: ignore[no-untyped-def]
    from hall_app.metrics.sections.common import ReportSource

    hall.ctx.clock.set(DEMO_NOW + timedelta(hours=8))  # 18:00, the figures of the day
    return ReportSource(ReportService(hall.ctx).period(Period.day(DEMO_NOW.date())), hall.ctx)


def test_estimate_accuracy_compares_what_customers_were_told(hall):  # type: ignore[no-untyped-def]
    _play(hall)
    section = estimates_section(_source(hall))
    assert section is not None and section.title == "等候时间预测准确度"
    [table] = section.tables
    today = [r for r in table.rows if r[0].startswith("当日")]
    assert [r[1] for r in today] == ["本系统预测", "按前方人数"]
    # The figures are the stored estimates against the real waits of the called customers.
    with hall.ctx.read() as s:
        rows = s.execute(select(Ticket.est_wait_seconds, Ticket.est_naive_min,
                                Ticket.wait_seconds).where(Ticket.first_called_at.is_not(None),
                                                           Ticket.hop == 0)).all()
    assert len(rows) == 3 and all(r.est_wait_seconds is not None for r in rows)
    mae = sum(abs(r.est_wait_seconds - r.wait_seconds) for r in rows) / 60 / 3
    naive = sum(abs(r.est_naive_min * 60 - r.wait_seconds) for r in rows) / 60 / 3
    assert today[0][2] == "3" and today[0][3] == str(half_up(mae))
    assert today[1][2] == "3" and today[1][3] == str(half_up(naive))
    assert today[1][6] == "—"  # the people-ahead estimate has no interval
    notes = [b.text for b in section.blocks if not hasattr(b, "rows")]
    assert any("取号 4 位,计入 3 位" in n and "未叫号 1 位不计入" in n for n in notes)


def test_staffing_shows_recommended_against_open_and_tomorrows_plan(hall):  # type: ignore[no-untyped-def]
    _play(hall)
    section = staffing_section(_source(hall))
    assert section is not None and section.new_page
    today, tomorrow = section.tables[0], section.tables[1]
    hours = {r[0]: r for r in today.rows}
    ten = next(r for label, r in hours.items() if label.startswith("10:00"))
    eleven = next(r for label, r in hours.items() if label.startswith("11:00"))
    # Counter 1 was open all of 10:00-11:00 and half of 11:00-12:00; four customers at 10:00.
    assert ten[2] == "1.0" and eleven[2] == "0.5"
    assert ten[3] == "4" and sum(int(r[3]) for r in today.rows) == 4
    assert all(int(r[1]) >= 1 for r in today.rows)  # the advice keeps a counter open
    # Tomorrow: one row per opening hour, counters by number, and a verdict on each hour.
    next_day = DEMO_NOW.date() + timedelta(days=1)
    assert tomorrow.key == "staffing_plan" and f"{next_day:%m-%d}" in tomorrow.title
    assert tomorrow.rows
    for row in tomorrow.rows:
        numbers = [int(c.rstrip("号")) for c in row[3].split("、")]
        assert numbers == sorted(numbers) and len(numbers) == int(row[2])
    assert "typical_per_day" not in " ".join(
        getattr(b, "text", "") for b in section.blocks)
