"""Sync latency: from a call committed in one process to another process's window model seeing it.

A writer process (a counter) issues a ticket, then calls it at counter 1 and notes the
commit time; a reader process (the hall display's model) waits on the core's ChangeFeed
and reloads `display_board` on each notice, noting when the new call first appears.
Latency = seen - committed (same machine, same wall clock). Prints p50/p99/max.

    .venv/bin/python bench/sync_latency.py --db sqlite --n 60
    HALL_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:54329/hall_test \
        .venv/bin/python bench/sync_latency.py --db pg --n 200

PostgreSQL: a fresh database is created on HALL_TEST_PG_URL's server and dropped after.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _services(url: str):  # type: ignore[no-untyped-def]
    from db.engine import Database
    from hall_app.config import Settings
    from hall_app.services import HallServices
    from hall_app.services.context import ServiceContext

    return HallServices(ServiceContext(Database(url), Settings(database_url=url, demo=True), None, "DEMO"))


def reader(url: str, interval: float, ready, stop, out) -> None:  # type: ignore[no-untyped-def]
    from hall_app.services.calls import display_board

    services = _services(url)
    feed = services.change_feed(interval)
    seen = display_board(services.ctx).last_event_id
    feed.wait_for_change(0)  # establish the baseline
    ready.set()
    while not stop.is_set():
        if feed.wait_for_change(0.5):
            board = display_board(services.ctx, 10)
            now = time.time()
            for call in board.calls:
                if call.event_id > seen:
                    out.put((call.code, now))
            seen = max(seen, board.last_event_id)
    feed.close()
    services.close()


def writer(url: str, n: int, out) -> None:  # type: ignore[no-untyped-def]
    services = _services(url)
    clerk = services.auth.login("1001", "1234")
    c1 = services.queries.counter_for_number(1).id
    services.counters.sign_in(clerk, c1)
    pay = next(s.id for s in services.queries.services() if s.code == "PAY")
    rng = random.Random(1)
    for _ in range(n):
        services.tickets.issue(pay)
        time.sleep(rng.uniform(0.05, 0.25))
        called = services.tickets.call_next(clerk, c1)
        out.put((called.code, time.time()))  # after commit
        time.sleep(rng.uniform(0.05, 0.25))
        services.tickets.start(clerk, called.id, c1)
        services.tickets.finish(clerk, called.id, c1)
    services.close()


def prepare(kind: str) -> tuple[str, callable]:  # type: ignore[valid-type]
    from db.engine import Database
    from db.migrate import upgrade
    from hall_app.demo.seed import ensure_demo_hall

    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="hall-bench-")
        url = f"sqlite+pysqlite:///{folder}/bench.db"
        cleanup = lambda: None  # noqa: E731
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        base = os.environ.get("HALL_TEST_PG_URL")
        if not base:
            raise SystemExit("set HALL_TEST_PG_URL for --db pg")
        name = f"hall_bench_{uuid.uuid4().hex[:8]}"
        admin = make_url(base).set(drivername="postgresql", database="postgres") \
            .render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(base).set(database=name).render_as_string(hide_password=False)

        def cleanup() -> None:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    database = Database(url)
    upgrade(database)
    ensure_demo_hall(database)
    # Open around the clock: the bench measures notices, whatever the time of day.
    from datetime import time as clock_time

    from sqlalchemy import update

    from db.models import OpeningHours

    with database.write() as s:
        s.execute(update(OpeningHours).values(opens=clock_time(0, 0),
                                              closes=clock_time(23, 59, 59)))
    database.dispose()
    return url, cleanup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--n", type=int, default=60, help="calls to time")
    parser.add_argument("--interval", type=float, default=1.0,
                        help="SQLite polling interval in seconds (the settings' default is 1.0)")
    args = parser.parse_args()
    url, cleanup = prepare(args.db)
    ctx = mp.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    seen_q, sent_q = ctx.Queue(), ctx.Queue()
    try:
        r = ctx.Process(target=reader, args=(url, args.interval, ready, stop, seen_q))
        r.start()
        if not ready.wait(60):
            raise SystemExit("reader did not start")
        w = ctx.Process(target=writer, args=(url, args.n, sent_q))
        w.start()
        sent: dict[str, float] = {}
        seen: dict[str, float] = {}
        deadline = time.time() + args.n * 2 + 30
        while (len(sent) < args.n or len(seen) < args.n) and time.time() < deadline:
            while not sent_q.empty():
                code, t = sent_q.get()
                sent[code] = t
            while not seen_q.empty():
                code, t = seen_q.get()
                seen.setdefault(code, t)
            time.sleep(0.01)
        w.join(30)
        stop.set()
        r.join(10)
    finally:
        cleanup()
    lat = sorted((seen[c] - sent[c]) * 1000 for c in sent if c in seen)
    if not lat:
        print("no calls observed")
        return 1
    p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
    mode = "push (LISTEN/NOTIFY)" if args.db == "pg" else f"poll every {args.interval:g} s"
    print(f"{args.db} [{mode}]: n={len(lat)}/{args.n} p50={statistics.median(lat):.0f} ms "
          f"p99={p99:.0f} ms max={lat[-1]:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
