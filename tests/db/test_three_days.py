"""A hall run over three simulated days with no manual step: every past day ends closed
exactly once, with the abandoned count it really had (SQLite and PostgreSQL).

Each day simulated customers arrive and are served (hall_app.demo.simulate) in the last
hours before closing, with the windows' refresh ticking the day closer every few
minutes. Day 1 closes itself at 18:30 while the workstation runs. On day 2 the
workstation stops at 17:00 (nobody is there at closing); on day 3 a workstation starts
in the morning and its first refresh closes day 2. Day 3 closes itself in the evening.
The expected abandoned count of each day is what was still waiting or called just
before it closed, read from the database at that moment.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from conftest import SHANGHAI, make_hall
from sqlalchemy import func, select

from db.models import BusinessDay, Ticket, TicketEvent
from hall_app.clock import ManualClock
from hall_app.demo.simulate import HallSimulator, SimParams

DAYS = [date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)]  # Tue, Wed, Thu
PARAMS = SimParams(arrivals_per_hour=90, walkaway_per_minute=0.01, daily_curve=False)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), SHANGHAI)


def leftovers(hall, day: date) -> int:
    with hall.ctx.read() as s:
        return int(s.scalar(select(func.count(Ticket.id)).where(
            Ticket.business_day == day, Ticket.state.in_(("waiting", "called")))) or 0)


def run_hours(hall, clock: ManualClock, sim: HallSimulator, day: date, start: tuple[int, int],
              stop: tuple[int, int], *, closed: list, expected: dict) -> None:
    """Minute by minute from `start` to `stop`; the refresh ticks every 5 minutes. Just
    before each tick that could close `day`, what is still left is what it should count."""
    t = local(day, *start)
    end = local(day, *stop)
    while t < end:
        clock.set(t)
        if t < local(day, 18):
            sim.arrivals()
        sim.serve()
        sim.walkaways()
        if t.minute % 5 == 0:
            if day not in {r.day for r in closed}:
                expected[day] = leftovers(hall, day)
            closed += hall.days.tick()
        t += timedelta(minutes=1)


def test_three_days_each_closed_exactly_once_without_a_manual_step(db_url):
    clock = ManualClock(local(DAYS[0], 16))
    hall = make_hall(db_url, clock)
    closed: list = []
    expected: dict[date, int] = {}
    try:
        # Day 1: the workstation runs through closing.
        sim = HallSimulator(hall, seed=11, params=PARAMS, counters=[1, 2])
        sim.open_counters()
        run_hours(hall, clock, sim, DAYS[0], (16, 0), (18, 29), closed=closed,
                  expected=expected)
        assert closed == []  # not before closing + grace
        run_hours(hall, clock, sim, DAYS[0], (18, 29), (19, 0), closed=closed,
                  expected=expected)
        assert [r.day for r in closed] == [DAYS[0]]
        # Day 2: the workstation stops at 17:00, customers still waiting.
        sim = HallSimulator(hall, seed=12, params=PARAMS, counters=[1])
        sim.open_counters()
        run_hours(hall, clock, sim, DAYS[1], (16, 0), (17, 0), closed=closed,
                  expected=expected)
        expected[DAYS[1]] = leftovers(hall, DAYS[1])  # nothing moves after 17:00
    finally:
        hall.close()
    # Day 3: a workstation starts in the morning; its first refresh catches up.
    clock = ManualClock(local(DAYS[2], 8, 20))
    hall = make_hall(db_url, clock)
    try:
        closed += hall.days.tick()
        assert [r.day for r in closed] == DAYS[:2]
        sim = HallSimulator(hall, seed=13, params=PARAMS, counters=[1, 2])
        sim.open_counters()
        run_hours(hall, clock, sim, DAYS[2], (16, 30), (18, 45), closed=closed,
                  expected=expected)
        with hall.ctx.read() as s:
            rows = {r.day: r for r in s.scalars(select(BusinessDay))}
            abandon_per_ticket = s.execute(
                select(TicketEvent.ticket_id, func.count()).where(TicketEvent.kind == "abandon")
                .group_by(TicketEvent.ticket_id)).all()
            abandoned = dict(s.execute(
                select(Ticket.business_day, func.count()).where(Ticket.state == "abandoned")
                .group_by(Ticket.business_day)).tuples().all())
            still_open = s.scalar(select(func.count(Ticket.id)).where(
                Ticket.state.in_(("waiting", "called", "serving"))))
    finally:
        hall.close()
    assert [r.day for r in closed] == DAYS  # each day closed once, in order
    assert sorted(rows) == DAYS and all(r.state == "closed" for r in rows.values())
    assert all(r.closed_by_system for r in rows.values())
    assert all(n == 1 for _, n in abandon_per_ticket)
    assert all(v > 0 for v in expected.values()), expected  # the days did leave customers
    assert {d: (r.abandoned_waiting or 0) + (r.abandoned_called or 0)
            for d, r in rows.items()} == expected
    assert {d: abandoned.get(d, 0) for d in DAYS} == expected
    assert {r.day: r.abandoned for r in closed} == expected
    assert still_open == 0
