"""Benchmark: how accurate the wait estimates are, on simulated days of several shapes.

    .venv/bin/python bench/wait_estimates.py [--seeds 3] [--history 5] [--shapes a,b]
                                             [--workdir DIR] [--fresh]

For each seed: the demo hall (SQLite) gets `--history` ordinary simulated days, then, in
a copy per shape, the evaluated day (2026-11-25) in that shape (bench/wait_days.py).
The day is replayed with `hall_app.forecast.backtest` — for every ticket, what the
predictor, the naive people-ahead estimate and the recent-waits estimate would have said
at issue from what was known then — and scored against the real waits. Databases are
kept in `--workdir` (default: the temp directory) and reused unless `--fresh`.

Goals per shape: MAE ≤ 0.7 × the naive estimate's on the same tickets; on the ordinary
day MAE ≤ 3.35 min; under-predicted by > 5 min for ≤ 10 % of tickets; the 80 % interval
covers 75-85 % of real waits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from wait_days import SHAPES, Shape, run_shaped_day  # noqa: E402

from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from hall_app.clock import ManualClock  # noqa: E402
from hall_app.config import Settings  # noqa: E402
from hall_app.demo.seed import ensure_demo_hall  # noqa: E402
from hall_app.demo.simulate import simulate_day  # noqa: E402
from hall_app.forecast.accuracy import Accuracy, format_table  # noqa: E402
from hall_app.forecast.backtest import BacktestResult, backtest  # noqa: E402
from hall_app.forecast.predictor import PredictorConfig  # noqa: E402
from hall_app.forecast.records import load_setup  # noqa: E402
from hall_app.services import HallServices  # noqa: E402
from hall_app.services.context import ServiceContext  # noqa: E402

EVAL_DAY = date(2026, 11, 25)
# Bump when the simulated days change, so cached databases are rebuilt.
SIM_VERSION = 3


def _services(path: Path) -> HallServices:
    url = f"sqlite+pysqlite:///{path}"
    database = Database(url)
    upgrade(database)
    ensure_demo_hall(database)
    clock = ManualClock(datetime(2026, 11, 1, 8, 0).astimezone())
    return HallServices(ServiceContext(database, Settings(database_url=url, demo=True), clock, "DEMO"))


def _base(workdir: Path, seed: int, history: int, fresh: bool) -> Path:
    path = workdir / f"v{SIM_VERSION}_base_s{seed}_h{history}.db"
    if path.exists() and not fresh:
        return path
    tmp = path.with_suffix(".tmp")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), path):
        stale.unlink(missing_ok=True)
    services = _services(tmp)
    for i in range(history, 0, -1):
        simulate_day(services, EVAL_DAY - timedelta(days=i), seed=seed * 1000 + i)
    services.close()
    tmp.rename(path)
    return path


def _shaped(workdir: Path, base: Path, seed: int, shape: Shape, fresh: bool) -> Path:
    path = workdir / f"{base.stem}_{shape.name}.db"
    if path.exists() and not fresh:
        return path
    tmp = path.with_suffix(".tmp")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copy(base, tmp)
    services = _services(tmp)
    run_shaped_day(services, EVAL_DAY, seed * 1000 + 77, shape)
    services.close()
    tmp.rename(path)
    return path


def _replay(path: Path, config: PredictorConfig) -> BacktestResult:
    services = _services(path)
    try:
        with services.ctx.read() as s:
            setup = load_setup(s, services.ctx.hall.id)
            return backtest(s, setup, EVAL_DAY, EVAL_DAY, config)
    finally:
        services.close()


def _goals(shape: Shape, pred: Accuracy, naive: Accuracy) -> list[str]:
    out = []
    if pred.mae is not None and naive.mae:
        ratio = pred.mae / naive.mae
        out.append(f"MAE/naive {ratio:.2f} {'✔' if ratio <= 0.7 else '✘'} (≤ 0.70)")
    if shape.ordinary and pred.mae is not None:
        out.append(f"MAE {pred.mae:.2f} {'✔' if pred.mae <= 3.35 else '✘'} (≤ 3.35)")
    if pred.under5_share is not None:
        out.append(f"under>5 {pred.under5_share * 100:.1f}% "
                   f"{'✔' if pred.under5_share <= 0.10 else '✘'} (≤ 10%)")
    if pred.coverage is not None:
        ok = 0.75 <= pred.coverage <= 0.85
        out.append(f"coverage {pred.coverage * 100:.1f}% {'✔' if ok else '✘'} (75-85%)")
    return out


def _kiosk_cost(workdir: Path, rounds: int) -> None:
    """The issue path with and without the estimate, interleaved, on a busy morning."""
    import statistics

    from sqlalchemy import select

    from db.models import Counter, ServiceType

    base = _base(workdir, 1, 5, False)
    path = workdir / "kiosk_cost.db"
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copy(base, path)
    services = _services(path)
    clock = services.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(datetime.fromisoformat("2026-11-25T10:00:00+08:00"))
    with services.ctx.read() as s:
        codes = [r.id for r in s.scalars(select(ServiceType).order_by(ServiceType.id))]
        counters = {r.number: r.id for r in s.scalars(select(Counter))}
    for n in range(1, 9):
        services.counters.sign_in(services.auth.login(f"100{n}", "1234"), counters[n])
    forecast = services.forecast
    real = forecast.estimate_in
    services.tickets.issue(codes[0])  # learns the earlier days once
    with_ms, without_ms, queue_ms = [], [], []
    for i in range(rounds):
        for use in (True, False):
            clock.advance(seconds=20)
            forecast.estimate_in = real if use else (lambda s, ids=None, explain=False: {})  # type: ignore[method-assign]
            t0 = time.perf_counter()
            services.tickets.issue(codes[i % 7])
            (with_ms if use else without_ms).append((time.perf_counter() - t0) * 1000)
        forecast.estimate_in = real  # type: ignore[method-assign]
        if i % 5 == 4:
            t0 = time.perf_counter()
            ests = forecast.waiting_estimates()
            queue_ms.append((time.perf_counter() - t0) * 1000)
    waiting = len(ests)
    services.close()
    w, wo = statistics.median(with_ms), statistics.median(without_ms)
    print(f"\n== kiosk issue path ({rounds} tickets each way, interleaved; up to "
          f"{waiting} waiting, 8 counters)")
    print(f"   issue with estimate: median {w:.1f} ms, p90 "
          f"{sorted(with_ms)[int(0.9 * len(with_ms))]:.1f} ms")
    print(f"   issue without (bare): median {wo:.1f} ms; estimate costs {w - wo:.1f} ms "
          f"per ticket (ratio {w / wo:.1f})")
    print(f"   every waiting ticket at once (overview / counter queue): median "
          f"{statistics.median(queue_ms):.1f} ms")


def _overrides(pairs: list[str]) -> dict[str, Any]:
    known = {f.name for f in fields(PredictorConfig)}
    default = PredictorConfig()
    out: dict[str, Any] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in known or not value:
            raise SystemExit(f"--set {pair}: not FIELD=VALUE of PredictorConfig ({', '.join(sorted(known))})")
        out[name] = type(getattr(default, name))(float(value))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--history", type=int, default=5)
    ap.add_argument("--shapes", default=",".join(s.name for s in SHAPES))
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "hall-wait-bench"))
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--replications", type=int, default=PredictorConfig().replications)
    ap.add_argument("--kiosk", type=int, default=40, metavar="N",
                    help="tickets each way for the issue-path cost (0: skip)")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="a PredictorConfig field for this run (tuning: e.g. under_penalty=30)")
    args = ap.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    wanted = [s for s in SHAPES if s.name in args.shapes.split(",")]
    config = replace(PredictorConfig(replications=args.replications), **_overrides(args.set))
    print(f"wait-estimate bench: {len(wanted)} shapes × {args.seeds} seeds, "
          f"{args.history} history days, {config.replications} replications, "
          f"evaluated day {EVAL_DAY}" + (f", with {', '.join(args.set)}" if args.set else ""))
    all_ok = True
    for shape in wanted:
        merged = BacktestResult()
        per_seed = []
        started = time.perf_counter()
        for seed in range(1, args.seeds + 1):
            base = _base(workdir, seed, args.history, args.fresh)
            path = _shaped(workdir, base, seed, shape, args.fresh)
            result = _replay(path, config)
            merged.outcomes.extend(result.outcomes)
            p, n = result.predictor, result.naive
            per_seed.append(f"seed {seed}: MAE {p.mae:.2f} vs naive {n.mae:.2f}"
                            if p.mae is not None and n.mae is not None else f"seed {seed}: —")
        elapsed = time.perf_counter() - started
        pred, naive, recent = merged.predictor, merged.naive, merged.recent
        print(f"\n== {shape.name}: {shape.title} ({elapsed:.0f} s)")
        print(format_table([("predictor", pred), ("naive", naive), ("recent waits", recent)],
                           english=True))
        print(f"   {'; '.join(per_seed)}; no-counter {merged.no_counter}, "
              f"never called {merged.uncalled}")
        goals = _goals(shape, pred, naive)
        all_ok = all_ok and all("✔" in g for g in goals)
        print("   goals: " + "; ".join(goals))
    print("\nall goals met" if all_ok else "\nsome goals NOT met")
    if args.kiosk:
        _kiosk_cost(workdir, args.kiosk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
