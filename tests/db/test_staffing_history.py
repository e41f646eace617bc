"""What the staffing advice learns from a day (hall_app.staffing.history:
load_behaviour_days, summed by add_days), against a day played through the services
with figures worked out by hand; both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hall_app.staffing.history import add_days, load_behaviour_days, load_layout


def test_service_times_walkaways_and_waiting_exposure(hall, clerk, manager, clock):
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    counter = hall.queries.counter_for_number(1).id
    start = clock.now()
    a, b, c = (hall.tickets.issue(pay) for _ in range(3))
    hall.counters.sign_in(clerk, counter)

    def at(minutes: int) -> None:
        clock.set(start + timedelta(minutes=minutes))

    at(2)
    assert hall.tickets.call_next(clerk, counter).id == a.id  # waited 2 min
    at(3)
    hall.tickets.start(clerk, a.id)
    at(8)
    hall.tickets.finish(clerk, a.id)  # served for 5 min
    at(10)
    hall.tickets.walk_away(manager, b.id)  # left after 10 min
    at(12)
    assert hall.tickets.call_next(clerk, counter).id == c.id  # waited 12 min, still served
    day = hall.ctx.business_day()
    with hall.ctx.read() as s:
        per_day = load_behaviour_days(s, load_layout(s, hall.ctx.hall.id), day, day)
    stats = add_days(per_day, day, day)[pay]
    assert stats.served == 1
    assert stats.service_sum == pytest.approx(5.0)
    assert stats.service_sq == pytest.approx(25.0)
    assert stats.walkaways == 1
    # Time customers spent waiting: 2 + 12 (called) + 10 (until leaving) minutes.
    assert stats.exposure_minutes == pytest.approx(24.0, abs=0.01)
