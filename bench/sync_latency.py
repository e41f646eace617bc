"""Sync latency: from a call committed in one process to another process's window seeing it.

A writer process (a counter) issues a ticket, then calls it at counter 1 and notes the
commit time. Two reader processes watch at the same time, on the same calls:
- "window": the hall display's path, a `ui.live.LiveFeed` (paced, one snapshot at a
  time) on the core's ChangeFeed, loading `display_board`, in a Qt event loop; a call
  counts as seen when its snapshot reaches the GUI thread;
- "bare" (the limit): the database's own signal read as fast as it comes — SQLite's
  `PRAGMA data_version` polled every millisecond, PostgreSQL's LISTEN — followed by
  one bare SQL query for the newest calls.
Latency = seen - committed (same machine, same wall clock). Prints p50/p99/max of each
and the ratio.

    .venv/bin/python bench/sync_latency.py --db sqlite --n 60
    HALL_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:54329/hall_test \
        .venv/bin/python bench/sync_latency.py --db pg --n 200

PostgreSQL: a fresh database is created on HALL_TEST_PG_URL's server and dropped after.
"""

from __future__ import annotations

import argparse
import math
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


def window_reader(url: str, interval: float, ready, stop, out) -> None:  # type: ignore[no-untyped-def]
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QTimer

    from hall_app.services.calls import display_board
    from ui.live import LiveFeed

    app = QCoreApplication([])
    services = _services(url)
    seen = [display_board(services.ctx).last_event_id]
    live = LiveFeed(lambda: services.change_feed(interval),
                    lambda: display_board(services.ctx, 10), name="bench")

    def show(board) -> None:  # type: ignore[no-untyped-def]
        now = time.time()
        for call in board.calls:
            if call.event_id > seen[0]:
                out.put((call.code, now))
        seen[0] = max(seen[0], board.last_event_id)
        ready.set()  # the first snapshot: the feed's baseline is taken

    live.snapshot.connect(show)
    watch = QTimer()
    watch.timeout.connect(lambda: app.quit() if stop.is_set() else None)
    watch.start(50)
    live.start()
    app.exec()
    live.stop()
    services.close()


_BARE_CALLS = ("SELECT e.id, t.code FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id "
               "WHERE e.kind IN ('call', 'recall') AND e.id > %s ORDER BY e.id DESC LIMIT 10")


def bare_reader(url: str, ready, stop, out) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    seen = 0
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        conn = sqlite3.connect(parsed.database, isolation_level=None)
        sql = _BARE_CALLS.replace("%s", "?")
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        seen = conn.execute("SELECT coalesce(max(id), 0) FROM ticket_event").fetchone()[0]
        ready.set()
        while not stop.is_set():
            now_version = conn.execute("PRAGMA data_version").fetchone()[0]
            if now_version == version:
                time.sleep(0.001)
                continue
            version = now_version
            rows = conn.execute(sql, (seen,)).fetchall()
            now = time.time()
            for event_id, code in rows:
                out.put((code, now))
                seen = max(seen, event_id)
        conn.close()
        return
    import psycopg

    from db.notify import CHANNEL

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        seen = conn.execute("SELECT coalesce(max(id), 0) FROM ticket_event").fetchone()[0]
        ready.set()
        while not stop.is_set():
            heard = list(conn.notifies(timeout=0.2, stop_after=1))
            if not heard:
                continue
            rows = conn.execute(_BARE_CALLS, (seen,)).fetchall()
            now = time.time()
            for event_id, code in rows:
                out.put((code, now))
                seen = max(seen, event_id)


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


def _figures(sent: dict[str, float], seen: dict[str, float]) -> tuple[int, float, float, float]:
    lat = sorted((seen[c] - sent[c]) * 1000 for c in sent if c in seen)
    if not lat:
        return 0, math.nan, math.nan, math.nan
    p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
    return len(lat), statistics.median(lat), p99, lat[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--n", type=int, default=60, help="calls to time")
    parser.add_argument("--interval", type=float, default=1.0,
                        help="SQLite fallback polling interval in seconds (the settings' default)")
    args = parser.parse_args()
    url, cleanup = prepare(args.db)
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    ready_w, ready_b = ctx.Event(), ctx.Event()
    window_q, bare_q, sent_q = ctx.Queue(), ctx.Queue(), ctx.Queue()
    try:
        readers = [ctx.Process(target=window_reader, args=(url, args.interval, ready_w, stop, window_q)),
                   ctx.Process(target=bare_reader, args=(url, ready_b, stop, bare_q))]
        for r in readers:
            r.start()
        if not (ready_w.wait(60) and ready_b.wait(60)):
            raise SystemExit("a reader did not start")
        w = ctx.Process(target=writer, args=(url, args.n, sent_q))
        w.start()
        sent: dict[str, float] = {}
        seen = {"window": {}, "bare": {}}  # type: dict[str, dict[str, float]]
        queues = {"window": window_q, "bare": bare_q}
        deadline = time.time() + args.n * 2 + 30
        while (len(sent) < args.n or min(len(v) for v in seen.values()) < args.n) \
                and time.time() < deadline:
            while not sent_q.empty():
                code, t = sent_q.get()
                sent[code] = t
            for name, q in queues.items():
                while not q.empty():
                    code, t = q.get()
                    seen[name].setdefault(code, t)
            time.sleep(0.01)
        w.join(30)
        stop.set()
        for r in readers:
            r.join(10)
    finally:
        cleanup()
    rows = {name: _figures(sent, got) for name, got in seen.items()}
    if rows["window"][0] == 0:
        print("no calls observed")
        return 1
    mode = "LISTEN/NOTIFY" if args.db == "pg" else "WAL watch + data_version"
    print(f"{args.db} [{mode}], {args.n} calls")
    for name, (n, p50, p99, worst) in rows.items():
        print(f"  {name:6s} n={n}/{args.n} p50={p50:.0f} ms p99={p99:.0f} ms max={worst:.0f} ms")
    w_p99, b_p99 = rows["window"][2], rows["bare"][2]
    print(f"  window/bare p99 ratio {w_p99 / b_p99:.1f}x" if b_p99 > 0 else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
