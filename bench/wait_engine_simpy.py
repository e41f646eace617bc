"""Benchmark: the predictor's hand-written event loop against the same replication in SimPy.

    .venv/bin/pip install simpy          # not a dependency of the app
    .venv/bin/python bench/wait_engine_simpy.py [--reps 300]

One replication of a busy hall from its current state: 8 counters (each serving 2-3 of
8 services in rank order, strict VIP-first rule), 30 customers waiting, Poisson arrivals
at 60 an hour for two hours, exponential occupancies; stop when the last customer now
waiting is called. Both versions draw from the same distributions and call in the same
order; the run alternates them and prints replications per second and the ratio, and
the mean call time of the target in each (they must agree within noise).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hall_app.domain.priority import RuleConfig  # noqa: E402
from hall_app.forecast.engine import simulate  # noqa: E402
from hall_app.forecast.learn import fixed_learned  # noqa: E402
from hall_app.forecast.model import CounterNow, HallState, ServiceDef, WaitingNow  # noqa: E402
from hall_app.forecast.predictor import PredictorConfig, _Compiled  # noqa: E402

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
MEANS = [3.5, 13.0, 7.0, 11.0, 7.0, 13.0, 9.0, 9.0]
RANKS = [(0, 4), (0, 2), (1, 2, 4), (1, 3), (3, 4, 0), (5, 6), (6, 0, 2), (7, 1, 4)]


def hall_state() -> HallState:
    services = tuple(ServiceDef(i + 1, f"S{i}", f"业务{i}", m) for i, m in enumerate(MEANS))
    counters = tuple(CounterNow(100 + i, i + 1, tuple(s + 1 for s in r), "open")
                     for i, r in enumerate(RANKS))
    rng = random.Random(3)
    waiting = tuple(WaitingNow(i + 1, rng.choice([1, 1, 1, 2, 3, 4, 5, 6, 7, 8]),
                               rng.random() < 0.05, NOW - timedelta(minutes=30 - i))
                    for i in range(30))
    return HallState(NOW, ZoneInfo("Asia/Shanghai"), RuleConfig(), services, counters,
                     waiting, closes_at=NOW + timedelta(hours=8))


def learned_for(state: HallState):  # type: ignore[no-untyped-def]
    learned = fixed_learned(NOW, {s.id: s.typical_service_minutes for s in state.services},
                            gap=0.5, reaction=0.3)
    rng = random.Random(1)
    occupancy = {s.id: sorted(rng.expovariate(1 / s.typical_service_minutes)
                              for _ in range(400)) for s in state.services}
    rates = {s.id: dict.fromkeys(range(24), 1.0 / len(state.services)) for s in state.services}
    from dataclasses import replace

    return replace(learned, occupancy=occupancy, arrival_rate=rates)


def simpy_replication(compiled: _Compiled, target: int, rng: random.Random) -> float:
    import simpy

    inp = compiled.scenario(rng)
    env = simpy.Environment()
    # queues[service][k]: VIP (0) and normal (1) tickets as (issued, id) lists.
    queues: list[list[list[tuple[float, int, int]]]] = [
        [[], []] for _ in range(inp.n_services)]
    for t in inp.waiting:
        queues[t.service][0 if t.vip else 1].append((t.issued, t.id, t.service))
    work = simpy.Store(env)  # a token per ticket that arrived: wakes an idle counter
    for _ in inp.waiting:
        work.put(1)
    result: dict[str, float] = {}
    done = env.event()

    def pick(services: tuple[int, ...]) -> tuple[float, int, int] | None:
        for k in (0, 1):
            for svc in services:
                if queues[svc][k]:
                    return queues[svc][k].pop(0)
        return None

    def arrivals(svc: int):  # type: ignore[no-untyped-def]
        integrated = 0.0
        while True:
            integrated += rng.expovariate(1.0)
            at = inp.arrivals[svc].time_at(integrated)
            if at == float("inf"):
                return
            yield env.timeout(at - env.now)
            vip = rng.random() < inp.vip_share[svc]
            queues[svc][0 if vip else 1].append((env.now, -1, svc))
            work.put(1)

    def counter(c):  # type: ignore[no-untyped-def]
        yield env.timeout(c.free_at)
        while True:
            ticket = pick(c.services)
            if ticket is None:
                yield work.get()
                yield env.timeout(inp.reaction.draw(rng))
                continue
            if ticket[1] == target and not done.triggered:
                result["call"] = env.now
                done.succeed()
                return
            yield env.timeout(inp.occupancy[ticket[2]].draw(rng) + inp.gap.draw(rng))

    for svc in range(inp.n_services):
        env.process(arrivals(svc))
    for c in inp.counters:
        env.process(counter(c))
    env.run(until=simpy.AnyOf(env, [done, env.timeout(inp.horizon)]))
    return result.get("call", float("inf"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=300)
    args = ap.parse_args()
    try:
        import simpy  # noqa: F401
    except ImportError:
        print("simpy is not installed: .venv/bin/pip install simpy")
        return 1
    state = hall_state()
    learned = learned_for(state)
    cfg = PredictorConfig(arrival_sigma=0.0, service_sigma=0.0)
    compiled = _Compiled(state, learned, cfg)
    target = state.waiting[-1].id
    ours, theirs, ours_calls, theirs_calls = [], [], [], []
    rng = random.Random(7)
    for _ in range(5):
        t0 = time.perf_counter()
        calls = simulate(compiled.scenario, {target: 0}, args.reps // 5, rng)[0]
        ours.append(time.perf_counter() - t0)
        ours_calls.extend(calls)
        t0 = time.perf_counter()
        theirs_calls.extend(simpy_replication(compiled, target, rng)
                            for _ in range(args.reps // 5))
        theirs.append(time.perf_counter() - t0)
    n = args.reps // 5 * 5
    print(f"{n} replications each, alternating in 5 rounds")
    print(f"hand-written engine: {n / sum(ours):.0f} replications/s, "
          f"mean call of the last waiting customer {statistics.mean(ours_calls):.1f} min")
    print(f"SimPy 4 processes:   {n / sum(theirs):.0f} replications/s, "
          f"mean call {statistics.mean(theirs_calls):.1f} min")
    print(f"ratio (SimPy time / ours): {sum(theirs) / sum(ours):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
