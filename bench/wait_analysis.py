"""Where the wait-estimate error comes from: the backtest's tickets with their predicted
distributions, broken down, and how far any point rule could go on these distributions.

    .venv/bin/python bench/wait_analysis.py [--seeds 3] [--shapes ordinary] [--workdir DIR]
                                            [--save FILE] [--load FILE]

Replays the evaluated day of bench/wait_estimates.py (same cached databases) and keeps,
per scored ticket, the predictor's simulated call times (its predictive distribution),
the point, the real wait and a few features. Prints:

- MAE, bias and under > 5 min by service, by hour of issue and by people ahead;
- point rules applied to the same distributions (median, the committed λ, ...);
- the self-consistency floor: the mean over tickets of E|X - median(X)| with X drawn from
  the ticket's own predictive distribution — the MAE the median would score if the real
  waits were exactly as random as the predictor says (the intrinsic randomness it sees);
- the PIT (where the real wait falls in the distribution), a calibration check.

`--oracle-arrivals`: the forward simulation is given the day's real future arrivals
(their services and issue times, which the predictor cannot know) instead of drawn ones
— how much of the error future customers explain. Analysis only: it peeks on purpose.
"""

from __future__ import annotations

import argparse
import math
import pickle
import statistics
import sys
import tempfile
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from wait_days import SHAPES  # noqa: E402
from wait_estimates import EVAL_DAY, _base, _services, _shaped  # noqa: E402

import hall_app.forecast.predictor as predictor_module  # noqa: E402
from hall_app.forecast.backtest import HISTORY_DAYS, replay_day  # noqa: E402
from hall_app.forecast.baselines import people_ahead  # noqa: E402
from hall_app.forecast.learn import HistoryPool, percentile  # noqa: E402
from hall_app.forecast.predictor import Predictor, PredictorConfig, point_estimate  # noqa: E402
from hall_app.forecast.records import load_days, load_setup  # noqa: E402
from hall_app.forecast.replay import known_at_issue, state_at  # noqa: E402

CAP = 300.0


class _Known:
    """An arrival profile that replays known arrival times (minutes from now), in order."""

    def __init__(self, times: list[float]) -> None:
        self.times, self.i = times, 0

    def time_at(self, _integrated: float) -> float:
        if self.i >= len(self.times):
            return math.inf
        self.i += 1
        return self.times[self.i - 1]


def _oracle_compiled(log):  # type: ignore[no-untyped-def]
    """A predictor `_Compiled` whose scenarios have the real future arrivals of `log`."""
    base = predictor_module._Compiled

    class Oracle(base):  # type: ignore[misc, valid-type]
        def scenario(self, rng):  # type: ignore[no-untyped-def]
            inp = base.scenario(self, rng)
            future = getattr(self, "_future", None)
            if future is None:
                now = self.state.now
                future = defaultdict(list)
                for t in log.tickets:
                    if t.hop == 0 and t.issued_at > now and t.service_id in self.index:
                        future[self.index[t.service_id]].append(
                            (t.issued_at - now).total_seconds() / 60.0)
                for times in future.values():
                    times.sort()
                self._future = future
            inp.arrivals = [_Known(future.get(i, [])) for i in range(inp.n_services)]
            inp.arrival_noise = 1.0
            return inp

    return Oracle


@dataclass
class Row:
    shape: str
    seed: int
    ticket_id: int
    service: str
    hour: int
    issued: float  # minutes after local midnight
    ahead: int
    real: float
    point: float
    low: int
    high: int
    samples: list[float]  # sorted, capped


def collect(workdir: Path, shapes: list[str], seeds: int, config: PredictorConfig,
            oracle: bool = False) -> list[Row]:
    rows: list[Row] = []
    for shape in [s for s in SHAPES if s.name in shapes]:
        for seed in range(1, seeds + 1):
            base = _base(workdir, seed, 5, False)
            path = _shaped(workdir, base, seed, shape, False)
            services = _services(path)
            try:
                with services.ctx.read() as s:
                    setup = load_setup(s, services.ctx.hall.id)
                    logs = load_days(s, setup, EVAL_DAY - timedelta(days=HISTORY_DAYS), EVAL_DAY)
            finally:
                services.close()
            log = next(lg for lg in logs if lg.day == EVAL_DAY)
            earlier = [lg for lg in logs if lg.day < EVAL_DAY]
            pool = HistoryPool.from_days(setup, earlier)
            predictor = Predictor(config)
            original = predictor_module._Compiled
            if oracle:
                predictor_module._Compiled = _oracle_compiled(log)  # type: ignore[misc]
            try:
                outcomes = replay_day(setup, pool, earlier, log, predictor)
            finally:
                predictor_module._Compiled = original  # type: ignore[misc]
            codes = {sv.id: sv.code for sv in setup.services}
            tickets = {t.id: t for t in log.tickets}
            for o in outcomes:
                if o.real is None or o.point is None:
                    continue
                t = tickets[o.ticket_id]
                state = state_at(setup, known_at_issue(log, t), t.issued_at)
                cap = CAP  # the predictor's horizon: at most CAP, never past closing
                if state.closes_at is not None:
                    cap = min(cap, max(0.0, (state.closes_at - t.issued_at).total_seconds() / 60))
                samples = sorted(min(v, cap) for v in predictor.last_samples[o.ticket_id])
                rows.append(Row(shape.name, seed, o.ticket_id, codes[o.service_id],
                                t.issued_at.astimezone(setup.tz).hour,
                                _tod(t.issued_at.astimezone(setup.tz)),
                                people_ahead(state, t.service_id, t.id, t.issued_at),
                                o.real, o.point, o.low or 0, o.high or 0, samples))
            print(f"collected {shape.name} seed {seed}: {len(rows)} rows so far", flush=True)
    return rows


def _tod(at) -> float:  # type: ignore[no-untyped-def]
    return at.hour * 60 + at.minute + at.second / 60.0


def _stats(pairs: list[tuple[float, float]]) -> str:
    """(point, real) pairs -> 'n MAE bias under5'."""
    n = len(pairs)
    if not n:
        return "n 0"
    mae = sum(abs(p - r) for p, r in pairs) / n
    bias = sum(p - r for p, r in pairs) / n
    under = sum(1 for p, r in pairs if r - p > 5) / n
    return f"n {n:4d}  MAE {mae:5.2f}  bias {bias:+5.2f}  under>5 {under * 100:4.1f}%"


def expected_abs(samples: list[float], p: float) -> float:
    n = len(samples)
    return sum(abs(v - p) for v in samples) / n if n else 0.0


def expected_under(samples: list[float], p: float) -> float:
    n = len(samples)
    return (n - bisect_right(samples, p + 5)) / n if n else 0.0


def report(rows: list[Row]) -> None:
    by_shape: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_shape[r.shape].append(r)
    rules: dict[str, Callable[[Row], float]] = {
        "as given": lambda r: r.point,
        "median": lambda r: percentile(r.samples, 0.5),
        "mean": lambda r: statistics.fmean(r.samples),
        "λ 25": lambda r: point_estimate(r.samples, 0.5, 25.0),
        "q 0.6": lambda r: percentile(r.samples, 0.6),
    }
    for shape, rs in by_shape.items():
        print(f"\n=== {shape} ({len(rs)} tickets)")
        for name, rule in rules.items():
            print(f"  point = {name:9s} {_stats([(rule(r), r.real) for r in rs])}")
        floor = statistics.fmean(expected_abs(r.samples, percentile(r.samples, 0.5)) for r in rs)
        floor_pt = statistics.fmean(expected_abs(r.samples, r.point) for r in rs)
        under_pt = statistics.fmean(expected_under(r.samples, r.point) for r in rs)
        print(f"  self-consistency: E|X - median(X)| = {floor:.2f}; E|X - point| = {floor_pt:.2f}; "
              f"E share X > point + 5 = {under_pt * 100:.1f}%")
        sd = statistics.fmean(statistics.pstdev(r.samples) for r in rs)
        print(f"  mean predictive sd {sd:.2f}")
        # PIT in deciles
        pit = [0] * 10
        for r in rs:
            lo = bisect_left(r.samples, r.real) / len(r.samples)
            hi = bisect_right(r.samples, r.real) / len(r.samples)
            u = (lo + hi) / 2
            pit[min(9, int(u * 10))] += 1
        print("  PIT deciles (%): " + " ".join(f"{100 * c / len(rs):4.1f}" for c in pit))
        for label, key in (("service", lambda r: r.service), ("hour", lambda r: r.hour),
                           ("ahead", lambda r: min(r.ahead // 3 * 3, 15))):
            groups: dict[object, list[Row]] = defaultdict(list)
            for r in rs:
                groups[key(r)].append(r)
            print(f"  by {label}:")
            for k in sorted(groups, key=str):
                g = groups[k]
                fl = statistics.fmean(expected_abs(r.samples, percentile(r.samples, 0.5)) for r in g)
                print(f"    {k!s:6s} {_stats([(r.point, r.real) for r in g])}  "
                      f"median-rule MAE {statistics.fmean(abs(percentile(r.samples, 0.5) - r.real) for r in g):5.2f}"
                      f"  floor {fl:5.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--shapes", default="ordinary")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "hall-wait-bench"))
    ap.add_argument("--save")
    ap.add_argument("--load")
    ap.add_argument("--oracle-arrivals", action="store_true")
    args = ap.parse_args()
    if args.load:
        with open(args.load, "rb") as f:
            rows = pickle.load(f)
    else:
        rows = collect(Path(args.workdir), args.shapes.split(","), args.seeds, PredictorConfig(),
                       args.oracle_arrivals)
        if args.save:
            with open(args.save, "wb") as f:
                pickle.dump(rows, f)
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
