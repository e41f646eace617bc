"""What runs after a day is closed, in order: the daily rollups the district reads
(issue 20), the privacy purge (complaints past their retention lose the customer's
personal data, issue 14), the seal over the day's history (issue 14), the backup (so it
holds the purged, sealed state), then the next day's staffing plan (issue 19) for a hall
that uses the staffing advice, so the daily summary and the morning briefing read it
instead of simulating.

A step is `step(ctx, closed)` where `closed` lists the days this close run closed, oldest
first (a workstation catching up after a weekend closes several at once: the rollups
want each day, a backup once is enough). Steps run after the close has committed, on the
workstation that closed, in list order; a step that fails is logged and the next one
still runs (the day stays closed — the close is the fact, the steps are housekeeping).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from hall_app.services.days.models import DayCloseResult

if TYPE_CHECKING:
    from hall_app.services.context import ServiceContext

log = logging.getLogger(__name__)

AfterCloseStep = Callable[["ServiceContext", Sequence[DayCloseResult]], object]


def per_day(fn: Callable[[Session, int, date], object]) -> AfterCloseStep:
    """Adapt `fn(session, hall_id, day)` (e.g. write_day_rollups) into a step: one write
    unit of work per closed day, oldest first."""
    def step(ctx: ServiceContext, closed: Sequence[DayCloseResult]) -> None:
        for result in closed:
            with ctx.write() as s:
                fn(s, ctx.hall.id, result.day)
    step.__name__ = getattr(fn, "__name__", "per_day_step")
    return step


def backup_step(ctx: ServiceContext, closed: Sequence[DayCloseResult]) -> object:
    """One backup after the close run (SQLite: online backup API; PostgreSQL: pg_dump)."""
    from hall_app.backup import backup_after_close

    return backup_after_close(ctx.db, ctx.settings, ctx.now())


def rollups_step(ctx: ServiceContext, closed: Sequence[DayCloseResult]) -> object:
    """Each closed day's rollups (hall_app.metrics.rollups), one unit of work per day, so the
    district's figures over a year read rollups and the backup holds them."""
    from hall_app.metrics.rollups import write_day_rollups

    written = []
    for result in closed:
        with ctx.write() as s:
            written.append(write_day_rollups(s, ctx.hall.id, result.day, now=ctx.now(),
                                             thresholds=ctx.settings.thresholds))
    return written


def privacy_step(ctx: ServiceContext, closed: Sequence[DayCloseResult]) -> object:
    """Complaints received before the retention (settings: security.
    complaint_retention_months, default 24) are anonymised; the system does it, so the
    audit row names no staff member."""
    from hall_app.security.privacy import purge_complaints

    with ctx.write() as s:
        ctx.lock_audit_chain(s)  # an audit writer takes the chain lock first
        return purge_complaints(s, ctx.hall.id, ctx.now(),
                                ctx.settings.security.complaint_retention_months)


def seal_step(ctx: ServiceContext, closed: Sequence[DayCloseResult]) -> object:
    """Seal the history written since the last seal (`hall-app audit verify` checks it)."""
    from hall_app.security.history import seal_history

    with ctx.write() as s:
        return seal_history(s, ctx.hall.id, ctx.now())


def staffing_step(ctx: ServiceContext, closed: Sequence[DayCloseResult]) -> object:
    """The day after the last closed one: its staffing plan, simulated now and stored
    (hall_app.staffing.stored), if the hall has ever had a plan made (the overview's
    strip makes one each morning; a hall that never looks at staffing pays nothing)."""
    from datetime import timedelta

    from db.staffing_plans import hall_has_plans
    from hall_app.staffing.service import StaffingService

    with ctx.read() as s:
        if not hall_has_plans(s, ctx.hall.id):
            return None
    day = closed[-1].day + timedelta(days=1)
    return StaffingService(ctx).plan(day).forecast.day


#: (name, step), run in this order after every close run.
AFTER_CLOSE_STEPS: list[tuple[str, AfterCloseStep]] = [
    ("rollups", rollups_step), ("privacy", privacy_step), ("seal", seal_step),
    ("backup", backup_step), ("staffing", staffing_step)]


def run_after_close(ctx: ServiceContext, closed: Sequence[DayCloseResult],
                    steps: Sequence[tuple[str, AfterCloseStep]] | None = None
                    ) -> dict[str, object]:
    """Run every step in order; returns {name: result, or the exception it raised}."""
    outcomes: dict[str, object] = {}
    if not closed:
        return outcomes
    for name, step in (AFTER_CLOSE_STEPS if steps is None else steps):
        try:
            outcomes[name] = step(ctx, closed)
        except Exception as exc:  # noqa: BLE001 - one failing step must not stop the next
            log.error("after-close step %s failed for %s", name,
                      ", ".join(r.day.isoformat() for r in closed), exc_info=True)
            outcomes[name] = exc
    return outcomes
