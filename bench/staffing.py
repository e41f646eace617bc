"""Staffing plan for a hall of 8 services × 10 opening hours, validation included.

    .venv/bin/python bench/staffing.py            # --runs 5 --reps 200

No database: the hall (8 services, 16 counters with the demo hall's service mix, open
08:00-18:00) and its behaviour are built in memory, and the forecast comes from typical
volumes (1.5 × the demo hall's, 827 customers a day), so the figure is the planner alone: Erlang guesses,
batched search simulations, validation of every hour (n and n − 1 with fresh random
numbers) and the lunch rota. Limit: 2 s per plan. Prints each run and the best.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from datetime import time as T
from zoneinfo import ZoneInfo

from hall_app.domain.priority import RuleConfig
from hall_app.staffing.behaviour import Behaviour
from hall_app.staffing.forecast import forecast
from hall_app.staffing.history import CounterInfo, HallLayout, ServiceInfo
from hall_app.staffing.plan import make_plan

CODES = ("PAY", "OPEN", "SIM", "BB", "PLAN", "DEV", "ASK", "VIP")
TARGET = (10, 15, 15, 15, 15, 20, 10, 5)
MINUTES = (3, 12, 6, 10, 6, 12, 8, 8)
PER_DAY = (248, 99, 116, 83, 116, 66, 57, 42)  # 1.5 × the demo hall: 827 a day
COUNTERS = (("PAY", "PLAN"), ("PAY", "SIM"), ("OPEN", "SIM", "PLAN"), ("OPEN", "BB"),
            ("BB", "PLAN", "PAY"), ("DEV", "ASK"), ("ASK", "PAY", "SIM"),
            ("VIP", "OPEN", "PLAN")) * 2


def bench_hall() -> HallLayout:
    services = tuple(ServiceInfo(i + 1, c, c, TARGET[i], MINUTES[i], PER_DAY[i], c == "VIP")
                     for i, c in enumerate(CODES))
    counters = tuple(CounterInfo(100 + k, k + 1, f"{k + 1}号窗口",
                                 tuple(CODES.index(s) + 1 for s in served))
                     for k, served in enumerate(COUNTERS))
    return HallLayout(1, "BENCH", "bench", ZoneInfo("Asia/Shanghai"),
                      {d: (T(8, 0), T(18, 0)) for d in range(7)}, services, counters,
                      RuleConfig())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args()
    layout = bench_hall()
    fc = forecast(layout, date(2026, 12, 2), {})
    behaviour = {s.id: Behaviour(s.typical_service_minutes, 1.0, 30.0, False)
                 for s in layout.services}
    times = []
    for run in range(args.runs):
        t = time.perf_counter()
        plan = make_plan(layout, fc, behaviour, reps=args.reps, search_reps=args.reps // 2,
                         seed=run + 1)
        times.append(time.perf_counter() - t)
        ok = sum(h.meets and h.minimal for h in plan.hours)
        print(f"run {run + 1}: {times[-1]:.3f} s, {len(plan.hours)} hours × "
              f"{len(layout.services)} services, counters "
              f"{[h.n for h in plan.hours]}, validated and minimal {ok}/{len(plan.hours)}, "
              f"search rounds {plan.search_rounds}")
    best = min(times)
    print(f"best {best:.3f} s, median {sorted(times)[len(times) // 2]:.3f} s "
          f"(limit 2 s: {'met' if best <= 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
