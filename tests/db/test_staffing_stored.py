"""Stored staffing plans, on SQLite and PostgreSQL: a plan is simulated once for the same
inputs and read back identical; any changed input gives a fresh plan; two workstations
computing the same plan at once leave one row and the same answer.

The demo hall without traffic plans from its configured typical volumes (no history), so
a plan here takes a fraction of a second at the small replication count used.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from conftest import make_hall
from race_support import race
from sqlalchemy import func, select

import hall_app.staffing.service as staffing_service
from db.models import StaffingPlanRecord
from hall_app.domain.priority import PriorityRule, RuleConfig
from hall_app.staffing import table as plan_table
from hall_app.staffing.service import StaffingService

DAY = date(2026, 11, 26)  # the day after the fixture's clock: a Thursday, open 08:30-18:00
REPS = 40


def _printed(plan):  # type: ignore[no-untyped-def]
    """What the CLI, the CSV and the report print of a plan."""
    return (plan_table.rows(plan), plan_table.basis_lines(plan), plan_table.lunch_lines(plan),
            plan.notes)


def _rows(hall) -> int:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        return s.scalar(select(func.count()).select_from(StaffingPlanRecord))


def _no_simulation(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    real = staffing_service.make_plan

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(staffing_service, "make_plan", counting)
    return calls


def test_a_plan_is_simulated_once_and_read_back_the_same(hall, monkeypatch):
    calls = _no_simulation(monkeypatch)
    first = StaffingService(hall.ctx).plan(DAY, reps=REPS)
    assert len(first.hours) == 10 and calls == [1]
    # Another workstation (its own service, no memory of the plan) reads the stored one.
    again = StaffingService(hall.ctx).plan(DAY, reps=REPS)
    assert calls == [1], "the same inputs were simulated twice"
    assert _printed(again) == _printed(first)
    assert [h.counters for h in again.hours] == [h.counters for h in first.hours]
    assert again.forecast.rates == first.forecast.rates
    assert _rows(hall) == 1
    # The report's verdict per hour is the same from the stored plan.
    assert [plan_table.verdict(h) for h in again.hours] == \
        [plan_table.verdict(h) for h in first.hours]


def test_a_changed_input_gives_a_fresh_plan(hall, admin, monkeypatch):
    calls = _no_simulation(monkeypatch)
    before = StaffingService(hall.ctx).plan(DAY, reps=REPS)
    # The administrator changes the priority rule: the stored plan no longer fits.
    hall.admin.set_priority_rule(admin, RuleConfig(PriorityRule.RATIO, ratio=2))
    ratio = StaffingService(hall.ctx).plan(DAY, reps=REPS)
    assert calls == [1, 1] and ratio.layout.rule.rule == PriorityRule.RATIO
    # The hall's settings file raises the service-level target.
    settings = hall.ctx.settings
    monkeypatch.setattr(hall.ctx, "settings", replace(settings, thresholds=replace(
        settings.thresholds, service_level_target_pct=95)))
    after = StaffingService(hall.ctx).plan(DAY, reps=REPS)
    assert calls == [1, 1, 1]
    assert after.target == pytest.approx(0.95) and before.target == pytest.approx(0.80)
    assert "95%" in plan_table.basis_lines(after)[-1]
    # Another day is another plan; so is another replication count.
    StaffingService(hall.ctx).plan(DAY + timedelta(days=1), reps=REPS)
    StaffingService(hall.ctx).plan(DAY, reps=REPS + 10)
    assert len(calls) == 5 and _rows(hall) == 5


def test_an_unreadable_stored_plan_is_computed_again(hall, monkeypatch):
    calls = _no_simulation(monkeypatch)
    first = StaffingService(hall.ctx).plan(DAY, reps=REPS)
    with hall.ctx.write() as s:
        s.execute(StaffingPlanRecord.__table__.update().values(body="{broken"))
    again = StaffingService(hall.ctx).plan(DAY, reps=REPS)
    assert calls == [1, 1] and _printed(again) == _printed(first)


@pytest.fixture
def second_hall(db_url):  # type: ignore[no-untyped-def]
    services = make_hall(db_url)
    yield services
    services.close()


def test_two_workstations_storing_the_same_plan_leave_one_row(hall, second_hall):
    """The first has read "no plan stored" and simulated; before it writes, the second
    computes and stores the same plan. The first's insert then finds the row and changes
    nothing; both have the same plan."""
    outcome = race(hall, "staffing.store",
                   lambda: StaffingService(hall.ctx).plan(DAY, reps=REPS),
                   lambda: StaffingService(second_hall.ctx).plan(DAY, reps=REPS),
                   second_hall=second_hall)
    assert outcome.first.ok and outcome.second.ok, outcome.describe()
    assert _printed(outcome.first.value) == _printed(outcome.second.value)
    assert _rows(hall) == 1


def test_the_day_close_makes_tomorrows_plan_for_a_hall_that_uses_staffing(hall, manager,
                                                                          monkeypatch):
    calls = _no_simulation(monkeypatch)
    today = DAY - timedelta(days=1)
    StaffingService(hall.ctx).plan(today)  # what the overview's strip does each morning
    hall.days.close(manager, today)
    assert calls == [1, 1], "the close did not plan the next day"
    with hall.ctx.read() as s:
        days = sorted(s.scalars(select(StaffingPlanRecord.day)).all())
    assert days == [today, DAY]
    # The daily summary printed after the close reads both plans: nothing simulated.
    StaffingService(hall.ctx).plan(today)
    StaffingService(hall.ctx).plan(DAY)
    assert calls == [1, 1]


def test_a_hall_that_never_planned_pays_nothing_at_close(hall, manager, monkeypatch):
    calls = _no_simulation(monkeypatch)
    hall.days.close(manager, DAY - timedelta(days=1))
    assert calls == [] and _rows(hall) == 0
