"""Staffing advice on the demo hall's simulated weeks, on SQLite and PostgreSQL.

Three Wednesdays are played through the real services (hall_app.demo.simulate, a
lighter day than the default so the demo's eight counters can keep the target); the
plan for the next Wednesday must forecast from exactly those days, learn service times
from them, and pass its own validation in every hour: the recommendation meets the
target in at least 90 % of the replications and one counter fewer does not.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from db.models import Ticket
from hall_app.demo.simulate import SimParams, simulate_day
from hall_app.staffing.service import StaffingService
from hall_app.staffing.table import plan_text

WEDNESDAYS = [date(2026, 11, 11), date(2026, 11, 18), date(2026, 11, 25)]
PLAN_DAY = date(2026, 12, 2)


@pytest.fixture
def history_hall(hall):  # type: ignore[no-untyped-def]
    for k, d in enumerate(WEDNESDAYS):
        simulate_day(hall, d, seed=10 + k, params=SimParams(arrivals_per_hour=30))
    return hall


@pytest.mark.slow
def test_plan_from_simulated_weeks_validates_and_compares_with_actual(history_hall):
    hall = history_hall
    with hall.ctx.read() as s:
        per_day = {d: s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.business_day == d, Ticket.hop == 0)) for d in WEDNESDAYS}
    plan = StaffingService(hall.ctx).plan(PLAN_DAY, reps=200)
    fc = plan.forecast
    assert fc.source == "history" and fc.used_days == WEDNESDAYS
    # The six-week window also held three Wednesdays without any record.
    assert len(fc.skipped) == 3 and all("无客流记录" in why for _, why in fc.skipped)
    # The forecast day holds the mean of the three days' customers.
    expected = sum(per_day.values()) / 3
    total = sum(sum(r * s.minutes / 60 for r, s in zip(rates, fc.slots, strict=True))
                for rates in fc.rates.values())
    assert total == pytest.approx(expected)
    pay = next(sv for sv in plan.layout.services if sv.code == "PAY")
    assert plan.behaviour[pay.id].from_history
    assert 3.0 <= plan.behaviour[pay.id].mean_service_minutes <= 4.5  # typical 3, at least 1
    assert len(plan.hours) == 10  # 08:30-18:00
    for h in plan.hours:
        assert not h.short, h.slot.label
        assert h.validation is not None and h.validation.met_share >= 0.9, h.slot.label
        assert h.fewer is None or h.fewer.met_share < 0.9, h.slot.label
        assert set(h.counters) <= {c.number for c in plan.layout.counters}
    text = plan_text(plan)
    assert "达标且最少" in text and "2026-11-25" in text

    # Recommended vs actual for a played day.
    service = StaffingService(hall.ctx)
    plan = service.plan(WEDNESDAYS[-1], reps=100)
    actual = service.actual(plan)
    assert [a.slot for a in actual] == [h.slot for h in plan.hours]
    with hall.ctx.read() as s:
        issued = s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.business_day == WEDNESDAYS[-1], Ticket.hop == 0))
    assert sum(a.customers for a in actual) == issued
    # The simulator signs all eight counters in; two go to lunch at 12:00 for 45 minutes.
    assert actual[1].open_counters == pytest.approx(8.0, abs=0.05)
    noon = next(a for a in actual if a.slot.hour == 12)
    assert noon.open_counters == pytest.approx(8 - 2 * 45 / 60, abs=0.1)
