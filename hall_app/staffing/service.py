"""StaffingService: the staffing plan for a day, what actually happened, and the
overview's strip (open now vs recommended for this hour and the next).

One read unit gathers everything the plan needs; planning itself touches no database.
A plan is stored with the fingerprint of its inputs (`hall_app.staffing.stored`): asked
again with the same inputs — the daily summary at close, the overview's strip, the CLI —
it is read back instead of simulated (1–3 s). The overview also keeps its day's plan in
memory, so its refreshes do not even read the inputs again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from db.day_writes import closed_days
from db.models import Counter, CounterPause, CounterSession, Ticket
from db.staffing_plans import load_plan_body, store_plan
from hall_app.errors import HallError
from hall_app.services.context import ServiceContext
from hall_app.staffing.behaviour import estimate
from hall_app.staffing.forecast import Forecast, Slot, candidate_days, forecast, local_slot_index
from hall_app.staffing.history import (
    HallLayout,
    ServiceStats,
    add_days,
    load_behaviour_days,
    load_days,
    load_layout,
)
from hall_app.staffing.plan import StaffingPlan, make_plan
from hall_app.staffing.stored import fingerprint, from_json, to_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActualHour:
    slot: Slot
    recommended: int
    open_counters: float  # average counters open (signed in, not paused) in the hour
    customers: int
    within_target: float | None  # share called within their service's target
    mean_wait_minutes: float | None


@dataclass(frozen=True)
class StripEntry:
    label: str  # 本小时 / 下一小时
    slot: str  # 10:00-11:00
    open_now: int
    recommended: int

    @property
    def short(self) -> bool:
        return self.open_now < self.recommended


class StaffingService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._plans: dict[date, StaffingPlan] = {}
        self._lock = threading.Lock()
        # Per-day service statistics of closed days (they no longer change), so the
        # report's two plans (today's and tomorrow's windows overlap) read them once.
        self._day_stats: dict[date, dict[int, ServiceStats]] = {}

    def inputs(self, day: date) -> tuple[HallLayout, Forecast, dict]:  # type: ignore[type-arg]
        th = self.ctx.thresholds()
        weeks = th.staffing_history_weeks
        with self.ctx.read() as s:
            layout = load_layout(s, self.ctx.hall.id)
            days = candidate_days(day, weeks)
            history = load_days(s, layout, days)
            stats = self._behaviour(s, layout, day - timedelta(weeks=weeks),
                                    day - timedelta(days=1))
        fc = forecast(layout, day, history)
        behaviour = {sv.id: estimate(sv, stats.get(sv.id)) for sv in layout.services}
        return layout, fc, behaviour

    def _behaviour(self, s: Any, layout: HallLayout, first: date,
                   last: date) -> dict[int, ServiceStats]:
        with self._lock:
            known = dict(self._day_stats)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        missing = [d for d in days if d not in known]
        if missing:
            lo, hi = min(missing), max(missing)
            fresh = load_behaviour_days(s, layout, lo, hi)
            known.update(fresh)
            closed = closed_days(s, layout.hall_id, lo, hi)
            with self._lock:
                self._day_stats.update({d: v for d, v in fresh.items() if d in closed})
        return add_days(known, first, last)

    def plan(self, day: date, *, reps: int = 200, cached: bool = False) -> StaffingPlan:
        if cached:
            with self._lock:
                if day in self._plans:
                    return self._plans[day]
        th = self.ctx.thresholds()
        layout, fc, behaviour = self.inputs(day)
        params: dict[str, Any] = {
            "target": th.service_level_target_pct / 100,
            "confidence": th.staffing_confidence_pct / 100, "reps": reps,
            "search_reps": max(50, reps // 2), "lunch_minutes": th.lunch_minutes,
            "lunch_window": (th.lunch_window_start_hour, th.lunch_window_end_hour)}
        key = fingerprint(layout, fc, behaviour, params)
        plan = self._stored(day, key, layout)
        if plan is None:
            plan = make_plan(layout, fc, behaviour, **params)
            self._store(day, key, plan)
        with self._lock:
            self._plans[day] = plan
        return plan

    def _stored(self, day: date, key: str, layout: HallLayout) -> StaffingPlan | None:
        with self.ctx.read() as s:
            body = load_plan_body(s, self.ctx.hall.id, day, key)
        if body is None:
            return None
        try:
            return from_json(body, layout)
        except (ValueError, KeyError, TypeError):
            log.warning("stored staffing plan for %s unreadable; computing it again", day)
            return None

    def _store(self, day: date, key: str, plan: StaffingPlan) -> None:
        """Keep the plan; a failure to keep it never costs the caller the plan itself."""
        self.ctx.checkpoint("staffing.store")  # read found none; another may store it now
        try:
            with self.ctx.write() as s:
                store_plan(s, self.ctx.hall.id, day, key, to_json(plan), self.ctx.now())
        except HallError as exc:
            log.warning("staffing plan for %s not stored: %s", day, exc)

    def actual(self, plan: StaffingPlan) -> list[ActualHour]:
        """Per planned hour: counters actually open, customers and the waits they had."""
        layout, day = plan.layout, plan.forecast.day
        tz = layout.tz
        bounds = [(datetime.combine(day, h.slot.start, tzinfo=tz).astimezone(UTC),
                   datetime.combine(day, h.slot.start, tzinfo=tz).astimezone(UTC)
                   + timedelta(minutes=h.slot.minutes)) for h in plan.hours]
        if not bounds:
            return []
        hi = bounds[-1][1]
        # Sessions and pauses begun at most 24 h before the first hour (the close of day
        # ends them all), so the statement never reads the hall's history.
        lo = bounds[0][0] - timedelta(days=1)
        now = self.ctx.now()
        targets = {sv.id: sv.target_wait_minutes * 60 for sv in layout.services}
        with self.ctx.read() as s:
            sessions = s.execute(select(CounterSession.started_at, CounterSession.ended_at)
                                 .where(CounterSession.hall_id == layout.hall_id,
                                        CounterSession.started_at < hi,
                                        CounterSession.started_at >= lo)).all()
            pauses = s.execute(select(CounterPause.started_at, CounterPause.ended_at)
                               .where(CounterPause.hall_id == layout.hall_id,
                                      CounterPause.started_at < hi,
                                      CounterPause.started_at >= lo)).all()
            tickets = s.execute(select(Ticket.service_id, Ticket.issued_at, Ticket.wait_seconds)
                                .where(Ticket.hall_id == layout.hall_id,
                                       Ticket.business_day == day, Ticket.hop == 0)).all()
        out = []
        for h, (a, b) in zip(plan.hours, bounds, strict=True):
            def minutes(rows: Sequence[Any], a: datetime = a, b: datetime = b) -> float:
                total = 0.0
                for start, end in rows:
                    end = end or min(now, hi)
                    total += max(0.0, (min(end, b) - max(start, a)).total_seconds() / 60)
                return total
            length = (b - a).total_seconds() / 60
            open_avg = max(0.0, minutes(sessions) - minutes(pauses)) / length
            mine = [t for t in tickets if a <= t.issued_at < b]
            waits = [t.wait_seconds for t in mine if t.wait_seconds is not None]
            within = (sum(1 for t in mine if t.wait_seconds is not None
                          and t.wait_seconds <= targets.get(t.service_id, 0)) / len(mine)
                      if mine else None)
            out.append(ActualHour(h.slot, h.n, open_avg, len(mine), within,
                                  sum(waits) / len(waits) / 60 if waits else None))
        return out

    def strip(self, now: datetime | None = None) -> list[StripEntry]:
        """Open counters now vs the plan for the current and the next hour (cached plan)."""
        now = now or self.ctx.now()
        local = now.astimezone(self.ctx.hall.tz)
        plan = self.plan(local.date(), cached=True)
        with self.ctx.read() as s:
            open_now = len(s.scalars(select(Counter.id).where(
                Counter.hall_id == self.ctx.hall.id, Counter.state == "open")).all())
        i = local_slot_index(plan.forecast.slots, local)
        entries = []
        if i is not None:
            for label, j in (("本小时", i), ("下一小时", i + 1)):
                adv = plan.advice_at(j)
                if adv is not None:
                    entries.append(StripEntry(label, adv.slot.label, open_now, adv.n))
        return entries
