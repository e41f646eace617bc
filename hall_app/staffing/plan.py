"""The staffing plan: for each opening hour, the fewest open counters that keep the
service-level target, validated by simulation.

Per hour ("stationary independent period-by-period", the usual method for staffing a
day hour by hour):
  1. Counters are put in a greedy order of usefulness for the hour's forecast: first so
     that every service with customers has a counter, then by the load left uncovered on
     the services the counter prefers (a counter serves its first service first). The
     plan for n counters is the first n of that order, so "one counter fewer" is the
     first n − 1.
  2. A first guess from Erlang A on the hall's pooled demand; then simulation decides
     (`hall_app.staffing.simulate`): n passes when at least `confidence` of the
     replications have `target` of the hour's customers called within their service's
     target wait. Every service with customers has an open counter (step 1), so no
     service is dropped to make the hall-wide figure; each service's own level is
     reported beside it (a lone VIP counter may miss a 5-minute target whatever else
     opens).
  3. Validation, with fresh random numbers: n must pass and n − 1 must miss.
At least one counter stays open in every opening hour.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np

from hall_app.staffing.behaviour import Behaviour
from hall_app.staffing.erlang import required_counters
from hall_app.staffing.forecast import Forecast, Slot
from hall_app.staffing.history import HallLayout
from hall_app.staffing.lunch import LunchRota, lunch_rota
from hall_app.staffing.simulate import Group, ServiceModel, SimResult, simulate

WARMUP = 20.0  # minutes simulated before the hour, so it does not start empty


@dataclass(frozen=True)
class Check:
    """One configuration's simulated outcome."""

    counters: int
    met_share: float  # share of replications meeting the target
    worst_service: float  # lowest pooled service level
    mean_wait_minutes: float
    walkaway_share: float
    passed: bool


@dataclass
class HourAdvice:
    slot: Slot
    arrivals_per_hour: float
    load: float  # offered load in Erlangs
    erlang_guess: int
    counters: tuple[int, ...]  # counter numbers to open, most useful first
    services: dict[int, tuple[str, ...]]  # counter number -> service names it serves
    short: bool = False  # even every counter misses the target
    search: Check | None = None
    validation: Check | None = None
    fewer: Check | None = None  # validation of one counter fewer (None: impossible)
    fewer_reason: str = ""
    uncovered: tuple[str, ...] = ()  # services with customers but no counter at all

    @property
    def n(self) -> int:
        return len(self.counters)

    @property
    def meets(self) -> bool:
        return self.validation is not None and self.validation.passed

    @property
    def minimal(self) -> bool:
        return self.fewer is None or not self.fewer.passed


@dataclass
class StaffingPlan:
    layout: HallLayout
    forecast: Forecast
    behaviour: dict[int, Behaviour]
    hours: list[HourAdvice]
    lunch: LunchRota
    target: float
    confidence: float
    reps: int
    seconds: float = 0.0
    search_rounds: int = 0
    notes: list[str] = field(default_factory=list)

    def advice_at(self, slot_index: int) -> HourAdvice | None:
        return self.hours[slot_index] if 0 <= slot_index < len(self.hours) else None


def _models(layout: HallLayout, fc: Forecast, behaviour: dict[int, Behaviour],
            i: int) -> tuple[ServiceModel, ...]:
    out = []
    for sv in layout.services:
        b = behaviour[sv.id]
        out.append(ServiceModel(fc.rates[sv.id][i], b.mean_service_minutes,
                                float(sv.target_wait_minutes), b.service_cv,
                                b.patience_minutes, sv.is_vip))
    return tuple(out)


def rank_matrix(layout: HallLayout) -> np.ndarray:
    index = {sv.id: j for j, sv in enumerate(layout.services)}
    ranks = np.full((len(layout.counters), len(layout.services)), np.inf)
    for c, counter in enumerate(layout.counters):
        for rank, sid in enumerate(counter.services):
            ranks[c, index[sid]] = rank
    return ranks


def counter_order(ranks: np.ndarray, models: tuple[ServiceModel, ...]) -> tuple[list[int], int]:
    """Counters (row indices) in greedy order, and how many cover every demanded service."""
    load = np.array([m.arrivals_per_hour / 60 * m.mean_service_minutes for m in models])
    demanded = load > 0
    left = load.copy()
    remaining = list(range(ranks.shape[0]))
    order: list[int] = []
    covered = np.zeros(len(models), dtype=bool)
    servable = np.isfinite(ranks).any(axis=0) & demanded
    cover = 0
    while remaining:
        need_cover = bool((servable & ~covered).any())

        def score(c: int, need_cover: bool = need_cover,
                  missing: np.ndarray = servable & ~covered) -> tuple[float, float, int]:
            serves = np.isfinite(ranks[c])
            new = float((serves & missing).sum()) if need_cover else 0.0
            useful = sum(left[s] / (1 + ranks[c, s]) for s in np.flatnonzero(serves))
            return (new, useful, -c)

        best = max(remaining, key=score)
        remaining.remove(best)
        order.append(best)
        covered |= np.isfinite(ranks[best])
        capacity = 1.0
        for s in np.argsort(ranks[best], kind="stable"):
            if not np.isfinite(ranks[best, s]) or capacity <= 0:
                break
            take = min(capacity, left[s])
            left[s] -= take
            capacity -= take
        if need_cover and not (servable & ~covered).any():
            cover = len(order)
    return order, max(cover, 1)


def _check(n: int, r: SimResult, target: float, confidence: float,
           demanded: np.ndarray) -> Check:
    levels = r.service_level[demanded]
    levels = levels[~np.isnan(levels)]
    worst = float(levels.min()) if levels.size else 1.0
    met = r.met_share(target)
    return Check(n, met, worst, r.mean_wait_minutes, r.walkaway_share,
                 met >= confidence - 1e-12)


def _erlang_guess(models: tuple[ServiceModel, ...], target: float) -> int:
    lam = sum(m.arrivals_per_hour for m in models)
    if lam <= 0:
        return 1
    mean = sum(m.arrivals_per_hour * m.mean_service_minutes for m in models) / lam
    theta = sum(m.arrivals_per_hour / m.patience_minutes for m in models
                if m.patience_minutes) / lam
    wait = sum(m.arrivals_per_hour * m.target_wait_minutes for m in models) / lam
    return required_counters(lam / 60, 1 / mean, theta, wait, target)


def make_plan(layout: HallLayout, fc: Forecast, behaviour: dict[int, Behaviour], *,
              target: float = 0.8, confidence: float = 0.9, reps: int = 200,
              search_reps: int = 100, seed: int = 1,
              lunch_minutes: int = 45, lunch_window: tuple[int, int] = (11, 14)
              ) -> StaffingPlan:
    began = _time.perf_counter()
    ranks = rank_matrix(layout)
    C = ranks.shape[0]
    rule = layout.rule
    hours: list[HourAdvice] = []
    states = []
    for i, slot in enumerate(fc.slots):
        models = _models(layout, fc, behaviour, i)
        demanded = np.array([m.arrivals_per_hour > 0 for m in models])
        servable = np.isfinite(ranks).any(axis=0) if C else np.zeros(len(models), bool)
        uncovered = tuple(sv.name for sv, d, ok in zip(layout.services, demanded, servable,
                                                       strict=True) if d and not ok)
        # A service nobody can serve is reported, not planned for.
        models_eval = tuple(m if ok else ServiceModel(0.0, m.mean_service_minutes,
                                                      m.target_wait_minutes)
                            for m, ok in zip(models, servable, strict=True))
        order, cover = counter_order(ranks, models_eval) if C else ([], 0)
        guess = _erlang_guess(models_eval, target)
        adv = HourAdvice(slot, sum(m.arrivals_per_hour for m in models),
                         sum(m.arrivals_per_hour / 60 * m.mean_service_minutes
                             for m in models), guess, (), {}, uncovered=uncovered)
        hours.append(adv)
        lo = min(max(cover, 1), C)
        states.append({"models": models_eval, "order": order, "lo": lo,
                       "demanded": demanded & servable, "checks": {},
                       "todo": sorted({min(max(n, lo), C) for n in (guess + 1, guess + 2)})})
    # Search: batched rounds until each hour knows its smallest passing n.
    rounds = 0
    for _round in range(2 * C + 2):
        groups, owners = [], []
        for i, st in enumerate(states):
            if st["todo"]:
                groups.append(Group(st["models"], [tuple(st["order"][:n]) for n in st["todo"]],
                                    fc.slots[i].minutes, search_reps, seed * 1000 + i,
                                    WARMUP))
                owners.append((i, st["todo"]))
                st["todo"] = []
        if not groups:
            break
        rounds += 1
        simulate(groups, ranks, rule)
        for g, (i, ns) in zip(groups, owners, strict=True):
            st = states[i]
            for n, r in zip(ns, g.results, strict=True):
                st["checks"][n] = _check(n, r, target, confidence, st["demanded"])
            passing = sorted(n for n, c in st["checks"].items() if c.passed)
            tried = st["checks"]
            if passing:
                best = passing[0]
                below = best - 1
                if below >= st["lo"] and below not in tried:
                    st["todo"] = [below]
            else:
                top = max(tried)
                st["todo"] = [n for n in range(top + 1, min(C, top + 2) + 1)]
    # Validation with fresh random numbers: n must pass and n - 1 must miss. Where the
    # fresh sample disagrees by a counter, its answer is taken (and checked the same way).
    names = {sv.id: sv.name for sv in layout.services}
    chosen: dict[int, int] = {}
    for i, st in enumerate(states):
        passing = sorted(n for n, c in st["checks"].items() if c.passed)
        chosen[i] = passing[0] if passing else C
        hours[i].short = not passing
        hours[i].search = st["checks"].get(chosen[i])
        st["valid"] = {}
    pending = {i for i in range(len(states)) if C}
    for _round in range(4):
        groups, owners = [], []
        for i in sorted(pending):
            st, n = states[i], chosen[i]
            want = [m for m in (n, n - 1) if m >= max(st["lo"], 1) and m not in st["valid"]]
            if want:
                groups.append(Group(st["models"], [tuple(st["order"][:m]) for m in want],
                                    fc.slots[i].minutes, reps, seed * 1000 + 500 + i, WARMUP))
                owners.append((i, want))
        if groups:
            simulate(groups, ranks, rule)
        for g, (i, want) in zip(groups, owners, strict=True):
            for m, r in zip(want, g.results, strict=True):
                states[i]["valid"][m] = _check(m, r, target, confidence, states[i]["demanded"])
        still = set()
        for i in pending:
            st, n = states[i], chosen[i]
            v, f = st["valid"].get(n), st["valid"].get(n - 1)
            if v is not None and not v.passed and n < C and _round < 3:
                chosen[i] = n + 1
                still.add(i)
            elif f is not None and f.passed and _round < 3:
                chosen[i] = n - 1
                still.add(i)
        pending = still
        if not pending:
            break
    for i, st in enumerate(states):
        adv, n = hours[i], chosen[i]
        if not C:
            continue
        adv.short = not st["valid"][n].passed and n == C
        adv.counters = tuple(layout.counters[c].number for c in st["order"][:n])
        adv.services = {layout.counters[c].number: tuple(names[s] for s in
                                                         layout.counters[c].services)
                        for c in st["order"][:n]}
        adv.validation = st["valid"][n]
        adv.fewer = st["valid"].get(n - 1)
        if adv.fewer is None:
            adv.fewer_reason = ("营业时间内至少开一个窗口" if n == 1
                                else "少开一个窗口就有业务无人办理")
    rota = lunch_rota([(h.slot, h.n) for h in hours], lunch_minutes, lunch_window,
                      [h.counters for h in hours])
    plan = StaffingPlan(layout, fc, behaviour, hours, rota, target, confidence, reps,
                        _time.perf_counter() - began, search_rounds=rounds)
    if not C:
        plan.notes.append("营业厅没有启用的窗口,无法给出建议。")
    for h in hours:
        if h.uncovered:
            plan.notes.append(f"{h.slot.label}:{'、'.join(h.uncovered)} 有预计客流,"
                              "但没有窗口能办理。")
    return plan
