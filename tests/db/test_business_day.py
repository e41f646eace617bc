"""The business day closes by itself: at closing time + grace, exactly once, catching up
days nobody closed; issuing respects the hours and a closed day (SQLite and PostgreSQL).

The demo hall is open 08:30–18:00 on weekdays; the grace period is 30 minutes, so a
weekday closes itself at 18:30. DEMO_NOW is Wednesday 2026-11-25 10:00.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from conftest import SHANGHAI, make_hall
from sqlalchemy import func, select

from db.models import BusinessDay, Counter, CounterSession, Ticket, TicketEvent
from hall_app.clock import ManualClock
from hall_app.errors import DayClosed, IllegalTransition
from hall_app.metrics import ReportService

DAY = datetime(2026, 11, 25).date()


def at(hh: int, mm: int = 0, day=DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), SHANGHAI)


def cid(hall, number: int) -> int:
    return hall.queries.counter_for_number(number).id


def sid(hall, code: str) -> int:
    return next(s.id for s in hall.queries.services() if s.code == code)


def day_row(hall, day=DAY) -> BusinessDay | None:
    with hall.ctx.read() as s:
        return s.scalars(select(BusinessDay).where(BusinessDay.day == day)).first()


def states(hall, day=DAY) -> dict[str, str]:
    with hall.ctx.read() as s:
        return {t.code: t.state for t in s.scalars(
            select(Ticket).where(Ticket.business_day == day, Ticket.state != "transferred"))}


def event_kinds(hall, code: str) -> list[str]:
    with hall.ctx.read() as s:
        return list(s.scalars(select(TicketEvent.kind).join(Ticket).where(Ticket.code == code)
                              .order_by(TicketEvent.id)))


def a_busy_afternoon(hall):
    """Five customers: one served, one being served, one called (not come), two waiting."""
    pay = sid(hall, "PAY")
    c1, c2, c3 = cid(hall, 1), cid(hall, 2), cid(hall, 3)
    clerks = [hall.auth.login(f"100{n}", "1234") for n in (1, 2, 3)]
    for clerk, counter in zip(clerks, (c1, c2, c3), strict=True):
        hall.counters.sign_in(clerk, counter)
    issued = [hall.tickets.issue(pay).code for _ in range(5)]
    done = hall.tickets.call_next(clerks[0], c1)
    hall.tickets.start(clerks[0], done.id, c1)
    hall.tickets.finish(clerks[0], done.id, c1)
    serving = hall.tickets.call_next(clerks[0], c1)
    hall.tickets.start(clerks[0], serving.id, c1)
    called = hall.tickets.call_next(clerks[1], c2)
    return issued, done.code, serving.code, called.code


def test_the_day_closes_itself_at_closing_time_plus_grace(hall, clock):
    issued, done, serving, called = a_busy_afternoon(hall)
    waiting = [c for c in issued if c not in (done, serving, called)]
    clock.set(at(18, 29))
    assert hall.days.tick() == []
    assert states(hall)[waiting[0]] == "waiting"
    clock.set(at(18, 30))
    (result,) = hall.days.tick()
    assert (result.day, result.abandoned_waiting, result.abandoned_called,
            result.finished_at_close) == (DAY, len(waiting), 1, 1)
    assert states(hall) == {done: "done", serving: "done", called: "abandoned",
                            **{c: "abandoned" for c in waiting}}
    assert event_kinds(hall, serving)[-1] == "finish"
    assert event_kinds(hall, called) == ["issue", "call", "abandon"]
    with hall.ctx.read() as s:
        assert {c.state for c in s.scalars(select(Counter))} == {"closed"}
        assert s.scalar(select(func.count(CounterSession.id))
                        .where(CounterSession.ended_at.is_(None))) == 0
    row = day_row(hall)
    assert row.state == "closed" and row.closed_by_system and row.closed_by is None
    assert row.workstation and (row.abandoned_waiting, row.abandoned_called) == (2, 1)
    assert (row.issued, row.served) == (5, 2)
    status = hall.days.status(DAY)
    assert status.closed and "系统自动" in status.summary() and "闭厅未办 3 人" in status.summary()
    # Nothing moves any more: a second tick, a second workstation, a manager.
    clock.advance(minutes=30)
    assert hall.days.tick() == []
    with pytest.raises(IllegalTransition, match="已经闭厅"):
        hall.days.close(hall.auth.login("2001", "2468"), DAY)
    report = ReportService(hall.ctx).daily(DAY)
    assert report.headline.outcomes.abandoned == 3 and report.day_closed
    # The close wrote the day's rollups (what the district reads) with the same figures.
    from db.models import DayRollup
    with hall.ctx.read() as s:
        rollup = s.scalars(select(DayRollup).where(DayRollup.business_day == DAY)).one()
    assert (rollup.arrived, rollup.served, rollup.abandoned) == (5, 2, 3)


def test_tickets_only_in_opening_hours_and_an_administrator_extends_today(hall, clock, admin):
    pay = sid(hall, "PAY")
    clock.set(at(8, 0))
    with pytest.raises(DayClosed, match="还未到营业时间.*08:30–18:00"):
        hall.tickets.issue(pay)
    clock.set(at(18, 5))
    with pytest.raises(DayClosed, match="营业时间已过"):
        hall.tickets.issue(pay)
    status = hall.days.extend_hours(admin, at(19, 0))
    assert status.hours.label() == "08:30–19:00" and status.hours_changed
    assert hall.tickets.issue(pay).code == "A001"
    clock.set(at(19, 29))
    assert hall.days.tick() == []  # the extended day closes at 19:00 + 30 min
    clock.set(at(19, 30))
    assert [r.abandoned for r in hall.days.tick()] == [1]


def test_a_workstation_whose_clock_lags_cannot_issue_into_a_closed_day(hall, clock, admin,
                                                                        db_url):
    hall.days.extend_hours(admin, at(21, 0))
    lagging = make_hall(db_url, ManualClock(at(20, 30)))  # 40 minutes behind
    try:
        clock.set(at(21, 10))
        pay = sid(hall, "PAY")
        lagging.tickets.issue(pay)  # its clock says 20:30: within the extended hours
        clock.set(at(21, 30))
        assert [r.abandoned for r in hall.days.tick()] == [1]
        lagging.ctx.clock.set(at(20, 50))
        with pytest.raises(DayClosed, match="今日营业已结束"):
            lagging.tickets.issue(pay)
    finally:
        lagging.close()
    with hall.ctx.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == 1


def test_the_first_start_after_a_closed_weekend_catches_up_in_order(db_url):
    friday = DAY + timedelta(days=2)       # 2026-11-27
    saturday = DAY + timedelta(days=3)     # open 09:00–17:00
    monday = DAY + timedelta(days=5)
    clock = ManualClock(at(10, 0, friday))
    hall = make_hall(db_url, clock)
    pay = sid(hall, "PAY")
    for _ in range(2):
        hall.tickets.issue(pay)
    clock.set(at(16, 0, saturday))
    hall.tickets.issue(pay)
    hall.close()  # nobody runs over the weekend
    clock = ManualClock(at(8, 15, monday))
    hall = make_hall(db_url, clock)
    try:
        results = hall.days.tick()
        assert [(r.day, r.abandoned) for r in results] == [(friday, 2), (saturday, 1)]
        # Settled at each day's own closing + grace, not at Monday morning.
        assert [r.settled_at for r in results] == [at(18, 30, friday), at(17, 30, saturday)]
        with hall.ctx.read() as s:
            ended = sorted(s.scalars(select(Ticket.ended_at)))
        assert ended == [at(18, 30, friday)] * 2 + [at(17, 30, saturday)]
        assert day_row(hall, monday) is None  # nothing has opened Monday yet
        assert hall.days.tick() == []
    finally:
        hall.close()


def test_an_early_close_by_the_duty_manager_is_recorded_with_their_name(hall, clock, manager):
    hall.tickets.issue(sid(hall, "PAY"))
    result = hall.days.close(manager)
    assert (result.abandoned, result.by_system, result.closed_by) == (1, False, manager.name)
    row = day_row(hall)
    assert row.closed_by == manager.staff_id and not row.closed_by_system
    with pytest.raises(DayClosed, match="今日营业已结束"):
        hall.tickets.issue(sid(hall, "PAY"))
    clock.set(at(18, 30))
    assert hall.days.tick() == []


def test_after_close_steps_run_in_order_once(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path))
    from hall_app.services.days import DayService

    calls: list[tuple[str, tuple]] = []
    clock = ManualClock(at(17, 0))
    hall = make_hall(db_url, clock)
    try:
        hall.tickets.issue(sid(hall, "PAY"))
        days = DayService(hall.ctx, steps=[
            ("rollups", lambda ctx, closed: calls.append(("rollups", tuple(r.day for r in closed)))),
            ("boom", lambda ctx, closed: 1 / 0),
            ("purge", lambda ctx, closed: calls.append(("purge", tuple(r.day for r in closed)))),
        ])
        clock.set(at(18, 31))
        assert len(days.tick()) == 1
        assert days.tick() == []
    finally:
        hall.close()
    # A failing step is logged; the next one still runs, and each runs once.
    assert calls == [("rollups", (DAY,)), ("purge", (DAY,))]
