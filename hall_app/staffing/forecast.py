"""Arrivals per service and hour for a date, from the same weekday in the last N weeks.

Days are left out, with the reason kept for the plan's notes, when:
  * there is no record at all (the hall was closed, a holiday, the system not in use);
  * a hall-wide outage covered at least OUTAGE_DAY_MINUTES of the opening hours (customers
    were turned away, so the count says little about demand);
  * the day's total is below half or above twice the median of the other candidate days
    (a holiday, a promotion, an unrecorded closure) — checked when at least three
    candidate days remain.
The forecast is the mean count per service and hour over the days kept. With fewer than
MIN_DAYS days kept, a hall falls back to its configured typical day (`typical_per_day`
per service) spread over the opening hours by TYPICAL_PROFILE.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hall_app.staffing.history import DayHistory, HallLayout

OUTAGE_DAY_MINUTES = 60
MIN_DAYS = 2
# Relative arrivals by clock hour in a typical business hall: a morning peak around
# 10:00, a lunch dip, an afternoon peak around 15:00 (hours not listed: 0.5).
TYPICAL_PROFILE = {8: 0.6, 9: 1.0, 10: 1.35, 11: 1.15, 12: 0.8, 13: 0.9, 14: 1.1,
                   15: 1.25, 16: 1.0, 17: 0.75, 18: 0.6, 19: 0.5}


@dataclass(frozen=True)
class Slot:
    """One planning hour: the part of clock hour `hour` inside the opening hours."""

    hour: int
    start: time
    end: time

    @property
    def minutes(self) -> float:
        return ((self.end.hour * 60 + self.end.minute) - (self.start.hour * 60
                                                           + self.start.minute)
                if self.end != time(0) else 24 * 60 - (self.start.hour * 60 + self.start.minute))

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass
class Forecast:
    day: date
    slots: list[Slot]
    rates: dict[int, list[float]]  # service id -> arrivals per hour, per slot
    source: str  # history | typical | none
    used_days: list[date] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)

    def total_per_hour(self, i: int) -> float:
        return sum(r[i] for r in self.rates.values())


def slots_for(hours: tuple[time, time] | None) -> list[Slot]:
    if hours is None:
        return []
    opens, closes = hours
    slots = []
    t = opens
    while t < closes:
        nxt = time(t.hour + 1) if t.hour < 23 else time(0)
        end = closes if (nxt == time(0) or nxt > closes) else nxt
        slots.append(Slot(t.hour, t, end))
        if end == closes or end == time(0):
            break
        t = end
    return slots


def candidate_days(day: date, weeks: int) -> list[date]:
    return [day - timedelta(weeks=k) for k in range(1, weeks + 1)]


def choose_days(history: dict[date, DayHistory]) -> tuple[list[date], list[tuple[date, str]]]:
    """The days fit to forecast from, and the others with the reason (Chinese)."""
    kept: list[DayHistory] = []
    skipped: list[tuple[date, str]] = []
    for d in sorted(history, reverse=True):
        h = history[d]
        if h.total == 0:
            skipped.append((d, "无客流记录(休息或未使用系统)"))
        elif h.outage_minutes >= OUTAGE_DAY_MINUTES:
            skipped.append((d, f"全厅系统故障 {h.outage_minutes:.0f} 分钟"))
        else:
            kept.append(h)
    if len(kept) >= 3:
        usable = []
        for h in kept:
            others = [o.total for o in kept if o is not h]
            median = statistics.median(others)
            if h.total < median / 2 or h.total > median * 2:
                skipped.append((h.day, f"客流异常({h.total} 人,其他日中位数 {median:.0f} 人)"))
            else:
                usable.append(h)
        kept = usable
    return sorted(h.day for h in kept), sorted(skipped)


def _typical(layout: HallLayout, slots: list[Slot]) -> dict[int, list[float]]:
    weights = [TYPICAL_PROFILE.get(s.hour, 0.5) * s.minutes / 60 for s in slots]
    total = sum(weights) or 1.0
    rates = {}
    for sv in layout.services:
        per_day = sv.typical_per_day or 0
        rates[sv.id] = [per_day * w / total * 60 / s.minutes for w, s in zip(weights, slots,
                                                                            strict=True)]
    return rates


def forecast(layout: HallLayout, day: date, history: dict[date, DayHistory]) -> Forecast:
    slots = slots_for(layout.hours_on(day))
    used, skipped = choose_days(history)
    if len(used) >= MIN_DAYS or (used and not any(s.typical_per_day for s in layout.services)):
        rates = {}
        for sv in layout.services:
            rates[sv.id] = [
                sum(history[d].arrivals.get((sv.id, s.hour), 0) for d in used) / len(used)
                * 60 / s.minutes for s in slots]
        return Forecast(day, slots, rates, "history", used, skipped)
    if any(s.typical_per_day for s in layout.services):
        return Forecast(day, slots, _typical(layout, slots), "typical", [], skipped)
    return Forecast(day, slots, {sv.id: [0.0] * len(slots) for sv in layout.services}, "none",
                    [], skipped)


def local_slot_index(slots: list[Slot], when: datetime) -> int | None:
    t = when.time()
    for i, s in enumerate(slots):
        if s.start <= t < s.end or (s.end == time(0) and t >= s.start):
            return i
    return None
