"""A lunch rota that keeps every hour's recommended number of counters open.

The day needs as many clerks as its busiest hour's counters (D). Each clerk takes one
break of `minutes` starting on a quarter hour inside the lunch window; clerks are placed
one at a time where the most clerks are spare (D − recommended − already at lunch), the
earliest such start on a tie, and only where at least one is spare for the whole break.
So at every minute the clerks at work are at least the hour's recommendation, which the
simulation validated. Clerks are taken to be interchangeable: while a counter's clerk
eats, a spare clerk takes the counter if the hour needs it. A clerk who fits nowhere is
counted as needing relief (one more clerk, or a break outside the window).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from hall_app.staffing.forecast import Slot

STEP = 15


@dataclass(frozen=True)
class LunchBreak:
    clerk: int  # 1 … staff
    counter: int | None  # the counter this clerk opens at the busiest hour
    start: time
    end: time


@dataclass
class LunchRota:
    staff: int
    minutes: int
    breaks: list[LunchBreak] = field(default_factory=list)
    needs_relief: int = 0


def _m(t: time) -> int:
    return t.hour * 60 + t.minute


def _t(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def lunch_rota(hours: list[tuple[Slot, int]], minutes: int, window: tuple[int, int],
               counters: list[tuple[int, ...]] | None = None) -> LunchRota:
    staff = max([n for _, n in hours] + [0])
    rota = LunchRota(staff, minutes)
    if not hours or minutes <= 0 or staff == 0:
        return rota
    need: dict[int, int] = {}
    for slot, n in hours:
        for m in range(_m(slot.start), _m(slot.start) + int(slot.minutes)):
            need[m] = n
    lo = max(window[0] * 60, min(need))
    hi = min(window[1] * 60, max(need) + 1)
    starts = [s for s in range(lo - lo % STEP + (STEP if lo % STEP else 0), hi - minutes + 1,
                               STEP)]
    at_lunch: dict[int, int] = {}
    peak = next((c for (_, n), c in zip(hours, counters or [], strict=False) if n == staff), ())
    for clerk in range(1, staff + 1):
        best, best_spare = None, 0
        for s in starts:
            spare = min(staff - need.get(m, 0) - at_lunch.get(m, 0) for m in range(s, s + minutes))
            if spare > best_spare:
                best, best_spare = s, spare
        if best is None:
            rota.needs_relief += 1
            continue
        for m in range(best, best + minutes):
            at_lunch[m] = at_lunch.get(m, 0) + 1
        counter = peak[clerk - 1] if clerk - 1 < len(peak) else None
        rota.breaks.append(LunchBreak(clerk, counter, _t(best), _t(best + minutes)))
    rota.breaks.sort(key=lambda b: (b.start, b.clerk))
    return rota
