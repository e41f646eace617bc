"""Benchmark: N counter processes pressing "call next" at once on one queue.

    .venv/bin/python bench/call_next.py [--db sqlite|pg|both] [--processes 8] [--tickets 2000]
                                        [--rule strict|ratio|aging] [--rounds 1]

Fills a fresh database with waiting tickets for one service that every counter serves,
starts N processes (one counter each) that call next and close the ticket as fast as
they can until the queue is empty, then prints calls/s, latency p50/p99/max of
call_next, and how many tickets were called twice or never, and how many times a
counter was told "queue empty" while a ticket it may serve was waiting (all must be 0).
A worker process that raises stops the run at once with its traceback.

Each round runs the product and then the bare-SQL baseline on a fresh database of the
same size: the same N processes, each doing one claim (SQLite: `UPDATE … WHERE id =
(SELECT … ORDER BY … LIMIT 1) RETURNING id` in BEGIN IMMEDIATE, waiting for the write
lock as the product does, `db.engine.begin_immediate`; PostgreSQL: the same UPDATE with
FOR UPDATE SKIP LOCKED, autocommit) and one finishing UPDATE per ticket, on the DB-API
connection, no session check, no event, no ORM or SQLAlchemy. It prints both lines and
the ratio product / bare of p50, p99 and max; with --rounds N the kinds alternate
(product, bare, product, bare …) and a last line pools each kind's calls.
PostgreSQL uses HALL_TEST_PG_URL's server (a database is created and dropped).
The test suite runs the same `run()` as its multi-process test.
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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BENCH_PIN = "135790"


@dataclass
class Result:
    db: str
    processes: int
    tickets: int
    rule: str
    seconds: float
    calls: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    double_called: int
    lost: int
    think_ms: float = 0.0
    false_empty: int = 0

    kind: str = "product"
    latencies: tuple[float, ...] = ()

    def line(self) -> str:
        return (f"{self.db:6s} {self.kind:7s} rule={self.rule:6s} processes={self.processes} "
                f"think={self.think_ms:g}ms "
                f"tickets={self.tickets} calls={self.calls} "
                f"calls/s={self.calls / self.seconds:7.1f} p50={self.p50_ms:6.2f}ms "
                f"p99={self.p99_ms:6.2f}ms max={self.max_ms:7.2f}ms "
                f"double-called={self.double_called} lost={self.lost} "
                f"false-empty={self.false_empty}")


def prepare(url: str, tickets: int, rule: str, processes: int) -> None:
    """Demo hall config; every counter serves PAY first; `tickets` waiting tickets."""
    from sqlalchemy import insert, select, update

    from db.engine import Database
    from db.migrate import upgrade
    from db.models import Counter, CounterService, Hall, ServiceType, Ticket
    from hall_app.demo.seed import ensure_demo_hall
    from hall_app.services.auth import hash_pin

    database = Database(url)
    upgrade(database)
    ensure_demo_hall(database)
    rng = random.Random(7)
    with database.write() as s:
        hall = s.scalars(select(Hall).where(Hall.code == "DEMO")).one()
        hall.priority_rule = rule
        hall.priority_ratio = 3
        hall.priority_aging_minutes = 30
        hall.recalls_before_no_show = 0
        pay = s.scalars(select(ServiceType).where(ServiceType.code == "PAY")).one()
        vip = s.scalars(select(ServiceType).where(ServiceType.code == "VIP")).one()
        counters = s.scalars(select(Counter).order_by(Counter.number)).all()
        while len(counters) < processes:
            c = Counter(hall_id=hall.id, number=len(counters) + 1,
                        name=f"{len(counters) + 1}号窗口", state="closed")
            s.add(c)
            s.flush()
            counters.append(c)
        for c in counters[:processes]:
            s.execute(update(CounterService).where(CounterService.counter_id == c.id)
                      .values(rank=CounterService.rank + 1))
            existing = {cs.service_id for cs in c.services}
            for sv, rank in ((pay, 0), (vip, 1)):
                if sv.id in existing:
                    s.execute(update(CounterService).where(
                        CounterService.counter_id == c.id,
                        CounterService.service_id == sv.id).values(rank=rank))
                else:
                    s.add(CounterService(counter_id=c.id, service_id=sv.id, rank=rank))
        from db.models import Staff

        for i in range(processes):
            staff_no = f"8{i:03d}"
            if not s.scalar(select(Staff.id).where(Staff.staff_no == staff_no)):
                s.add(Staff(hall_id=hall.id, staff_no=staff_no, name=f"测试{i}", role="clerk",
                            pin_hash=hash_pin(BENCH_PIN)))
        now = datetime.now(UTC)
        from zoneinfo import ZoneInfo

        day = now.astimezone(ZoneInfo(hall.timezone)).date()
        rows = []
        numbers = {"A": 0, "V": 0}
        for i in range(tickets):
            is_vip = rule != "strict" and rng.random() < 0.2
            sv = vip if is_vip else pay
            numbers[sv.prefix] += 1
            issued = now - timedelta(minutes=60) + timedelta(seconds=i)
            rows.append(dict(hall_id=hall.id, business_day=day, service_id=sv.id,
                             prefix=sv.prefix, number=numbers[sv.prefix], hop=0,
                             code=f"{sv.prefix}{numbers[sv.prefix]:03d}",
                             priority="vip" if is_vip else "normal", state="waiting",
                             issued_at=issued, created_at=issued, recall_count=0))
        s.execute(insert(Ticket), rows)
    database.dispose()


# The waiting tickets a counter may call. FOR UPDATE (no SKIP LOCKED) on PostgreSQL: it
# waits for every claim still in flight to commit, so a ticket another counter is calling
# right now is not mistaken for one left waiting.
_MAY_SERVE = """
SELECT t.id FROM ticket t
WHERE t.hall_id = (SELECT hall_id FROM counter WHERE id = :c) AND t.business_day = :day
  AND t.state = 'waiting'
  AND t.service_id IN (SELECT service_id FROM counter_service WHERE counter_id = :c)
  AND (t.target_counter_id IS NULL OR t.target_counter_id = :c)
"""


def waiting_it_may_serve(svc, counter_id: int) -> int:  # type: ignore[no-untyped-def]
    """After "queue empty": how many tickets this counter could have called."""
    from sqlalchemy import text

    sql = _MAY_SERVE + (" FOR UPDATE" if svc.ctx.db.is_postgres else "")
    with svc.ctx.write() as s:  # SQLite: BEGIN IMMEDIATE, nothing in flight
        return len(s.execute(text(sql), {"c": counter_id,
                                         "day": svc.ctx.business_day()}).all())


def worker(url: str, index: int, go: Any, out: mp.Queue,  # type: ignore[type-arg]
           think_ms: float = 0.0) -> None:
    try:
        _worker(url, index, go, out, think_ms)
    except BaseException:  # noqa: BLE001 - the parent stops the run with this traceback
        import traceback

        out.put(("error", index, traceback.format_exc()))


def _worker(url: str, index: int, go: Any, out: mp.Queue,  # type: ignore[type-arg]
            think_ms: float = 0.0) -> None:
    from hall_app.config import SecuritySettings, Settings
    from hall_app.errors import DatabaseUnavailable, QueueEmpty
    from hall_app.services import HallServices

    # Each process is its own counter workstation (sessions and the login throttle).
    settings = Settings(database_url=url,
                        security=SecuritySettings(workstation=f"bench-counter-{index}"))
    svc = HallServices.open(settings, migrate=False)
    actor = svc.auth.login(f"8{index:03d}", BENCH_PIN)
    counter_id = svc.queries.counter_for_number(index + 1).id
    svc.counters.sign_in(actor, counter_id)
    if hasattr(svc, "warm"):  # as a counter window does after its first refresh
        svc.warm("tickets")
    if os.environ.get("HALL_BENCH_FAIL_WORKER") == str(index):  # the test of a failing worker
        raise RuntimeError(f"injected failure in counter process {index}")
    called: list[int] = []
    latencies: list[float] = []
    retries = 0
    false_empty = 0
    pause = random.Random(index)
    ready(out, index, go)
    while True:
        if think_ms:
            # A clerk's time between closing one customer and calling the next,
            # uniform in [0, 2 x think] so the counters do not move in lockstep.
            time.sleep(pause.uniform(0, 2 * think_ms) / 1000)
        t0 = time.perf_counter()
        try:
            ticket = svc.tickets.call_next(actor, counter_id)
        except QueueEmpty:
            left = waiting_it_may_serve(svc, counter_id)
            if left:
                false_empty += 1  # told "empty" while `left` tickets waited for it
                continue
            break
        except DatabaseUnavailable:
            retries += 1
            continue
        latencies.append((time.perf_counter() - t0) * 1000)
        called.append(ticket.id)
        svc.tickets.no_show(actor, ticket.id, counter_id)
    svc.close()
    out.put(("done", index, (called, latencies, retries, false_empty)))


def ready(out: mp.Queue, index: int, go: Any) -> None:  # type: ignore[type-arg]
    """Signed in and set up: tell the parent, then wait until every counter is (a process
    still importing or hashing its PIN took the CPU from the first calls of the others:
    maxima of 0.4 s that were the bench's, not the call's)."""
    out.put(("ready", index, None))
    if not go.wait(600):
        raise RuntimeError("the run never started")


# The bare-SQL baseline: what one call costs without the product around it.
_BARE_CLAIM_SQLITE = """
UPDATE ticket SET state = 'called', counter_id = :c, staff_id = :s, first_called_at = :now,
                  last_called_at = :now
WHERE state = 'waiting' AND id = (
    SELECT t.id FROM ticket t
    WHERE t.hall_id = :h AND t.business_day = :day AND t.state = 'waiting'
      AND t.service_id IN (SELECT service_id FROM counter_service WHERE counter_id = :c)
    ORDER BY CASE WHEN t.priority = 'vip' THEN 0 ELSE 1 END, t.issued_at, t.id
    LIMIT 1)
RETURNING id
"""
_BARE_CLAIM_PG = """
UPDATE ticket SET state = 'called', counter_id = %(c)s, staff_id = %(s)s,
                  first_called_at = %(now)s, last_called_at = %(now)s
WHERE state = 'waiting' AND id = (
    SELECT t.id FROM ticket t
    WHERE t.hall_id = %(h)s AND t.business_day = %(day)s AND t.state = 'waiting'
      AND t.service_id IN (SELECT service_id FROM counter_service WHERE counter_id = %(c)s)
    ORDER BY CASE WHEN t.priority = 'vip' THEN 0 ELSE 1 END, t.issued_at, t.id
    LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id
"""


def bare_worker(url: str, index: int, go: Any, out: mp.Queue,  # type: ignore[type-arg]
                think_ms: float = 0.0) -> None:
    try:
        _bare_worker(url, index, go, out, think_ms)
    except BaseException:  # noqa: BLE001 - the parent stops the run with this traceback
        import traceback

        out.put(("error", index, traceback.format_exc()))


def _bare_worker(url: str, index: int, go: Any, out: mp.Queue,  # type: ignore[type-arg]
                 think_ms: float = 0.0) -> None:
    from zoneinfo import ZoneInfo

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        import sqlite3

        conn: Any = sqlite3.connect(parsed.database, isolation_level=None, timeout=30.0)
        try:  # wait for the write lock as the product does (db.engine)
            from db.engine import begin_immediate, writers_queue_path

            queue_path = writers_queue_path(parsed.database)
            queue_fd = os.open(queue_path, os.O_RDWR | os.O_CREAT, 0o600) if queue_path \
                and os.name == "posix" else None

            def begin() -> None:
                begin_immediate(conn, queue_fd=queue_fd)
        except ImportError:  # an older tree (a before/after run): SQLite's busy handler
            def begin() -> None:
                conn.execute("BEGIN IMMEDIATE")
        conn.execute("PRAGMA synchronous=NORMAL")  # as the engine sets it (WAL: the file)
        conn.execute("PRAGMA foreign_keys=ON")
        claim_sql, finish_sql = _BARE_CLAIM_SQLITE, (
            "UPDATE ticket SET state = 'no_show', ended_at = :now WHERE id = :t RETURNING id")
        may_serve = _MAY_SERVE
    else:
        import psycopg

        conn = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(False),
                               autocommit=True)
        claim_sql, finish_sql = _BARE_CLAIM_PG, (
            "UPDATE ticket SET state = 'no_show', ended_at = %(now)s WHERE id = %(t)s RETURNING id")
        may_serve = _MAY_SERVE.replace(":c", "%(c)s").replace(":day", "%(day)s") + " FOR UPDATE"
    ph = "?" if sqlite else "%s"
    counter_id, hall_id, tz = conn.execute(
        f"SELECT c.id, c.hall_id, h.timezone FROM counter c JOIN hall h ON h.id = c.hall_id "
        f"WHERE c.number = {ph}", (index + 1,)).fetchone()
    staff_id = conn.execute(f"SELECT id FROM staff WHERE staff_no = {ph}",
                            (f"8{index:03d}",)).fetchone()[0]
    day = datetime.now(ZoneInfo(tz)).date()

    def now() -> Any:
        at = datetime.now(UTC)
        return at.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else at

    def write(sql: str, params: dict[str, Any]) -> list[Any]:
        if not sqlite:
            return conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]
        begin()
        try:
            rows = conn.execute(sql, params).fetchall()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return rows  # type: ignore[no-any-return]

    called: list[int] = []
    latencies: list[float] = []
    false_empty = 0
    pause = random.Random(index)
    params = {"c": counter_id, "s": staff_id, "h": hall_id,
              "day": day.isoformat() if sqlite else day}
    ready(out, index, go)
    while True:
        if think_ms:
            time.sleep(pause.uniform(0, 2 * think_ms) / 1000)
        t0 = time.perf_counter()
        rows = write(claim_sql, {**params, "now": now()})
        if not rows:
            if conn.execute(may_serve, {"c": counter_id, "day": params["day"]}).fetchall():
                false_empty += 1
                continue
            break
        latencies.append((time.perf_counter() - t0) * 1000)
        called.append(int(rows[0][0]))
        write(finish_sql, {"t": rows[0][0], "now": now()})
    conn.close()
    out.put(("done", index, (called, latencies, 0, false_empty)))


def run(url: str, processes: int = 8, tickets: int = 2000, rule: str = "strict",
        db_label: str = "", think_ms: float = 0.0, kind: str = "product") -> Result:
    """One run of `kind` ("product": the services' call_next; "bare": the baseline)."""
    from sqlalchemy import select

    from db.engine import Database
    from db.models import Ticket

    prepare(url, tickets, rule, processes)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    go = ctx.Event()
    target = bare_worker if kind == "bare" else worker
    procs = [ctx.Process(target=target, args=(url, i, go, out, think_ms))
             for i in range(processes)]
    for p in procs:
        p.start()
    finished = False
    try:
        _results(out, procs, wanted="ready")
        go.set()  # every counter signed in: all start together
        started = time.time()
        results = _results(out, procs)
        finished = True
    finally:
        for p in procs:
            if not finished:
                p.kill()
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    elapsed = time.time() - started
    all_called = [tid for called, _, _, _ in results for tid in called]
    latencies = sorted(lat for _, lats, _, _ in results for lat in lats)
    counts = Counter(all_called)
    database = Database(url)
    with database.read() as s:
        ids = set(s.scalars(select(Ticket.id)).all())
        waiting = s.scalar(select(Ticket.id).where(Ticket.state == "waiting").limit(1))
    database.dispose()
    lost = len(ids - set(all_called)) + (1 if waiting else 0)
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0] * 99
    return Result(db_label or url.split(":")[0], processes, tickets, rule, elapsed,
                  len(all_called), statistics.median(latencies) if latencies else 0, q[98],
                  latencies[-1] if latencies else 0,
                  sum(1 for c in counts.values() if c > 1), lost, think_ms,
                  sum(fe for _, _, _, fe in results), kind, tuple(latencies))


class WorkerFailed(RuntimeError):
    """A counter process raised: the run stops at once with its traceback."""


def _results(out, procs, timeout: float = 600.0,  # type: ignore[no-untyped-def]
             wanted: str = "done") -> list[tuple]:
    """Each worker's `wanted` message (its result, or that it is ready); a worker that
    raised or died ends the run at once."""
    import queue

    results: dict[int, tuple] = {}
    deadline = time.monotonic() + timeout
    while len(results) < len(procs):
        try:
            kind, index, payload = out.get(timeout=0.5)
        except queue.Empty:
            dead = [i for i, p in enumerate(procs) if p.exitcode not in (None, 0)]
            if dead:
                raise WorkerFailed(f"counter process {dead[0]} died with exit code "
                                   f"{procs[dead[0]].exitcode}") from None
            if time.monotonic() > deadline:
                raise WorkerFailed(f"only {len(results)} of {len(procs)} counters sent "
                                   f"{wanted!r} within {timeout:.0f} s") from None
            continue
        if kind == "error":
            for p in procs:
                p.kill()
            raise WorkerFailed(f"counter process {index} failed:\n{payload}")
        if kind == wanted:
            results[index] = payload
    return [results[i] for i in sorted(results)]


def _pg_database() -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(os.environ["HALL_TEST_PG_URL"])
    name = f"hall_bench_{uuid.uuid4().hex[:8]}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(False), admin


def _drop_pg(url: str, admin: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _quantiles(latencies: Sequence[float]) -> tuple[float, float, float]:
    xs = sorted(latencies)
    if not xs:
        return 0.0, 0.0, 0.0
    q = statistics.quantiles(xs, n=100, method="inclusive") if len(xs) > 1 else [xs[0]] * 99
    return statistics.median(xs), q[98], xs[-1]


def ratio_line(label: str, product: Sequence[float], bare: Sequence[float]) -> str:
    """product / bare of p50, p99 and max (the figures docs/performance.md records)."""
    p, b = _quantiles(product), _quantiles(bare)
    parts = [f"{name} {pv:.2f}/{bv:.2f} ms = {pv / bv if bv else float('inf'):.1f}x"
             for name, pv, bv in zip(("p50", "p99", "max"), p, b, strict=True)]
    return f"{label}: product/bare " + ", ".join(parts)


def compare(make_url: Callable[[], tuple[str, Callable[[], None]]], label: str,
            args: argparse.Namespace) -> bool:
    """`args.rounds` rounds of product then bare, each on a fresh database; prints each
    run, each round's ratio and, with more than one round, the pooled ratio. True if a
    run called a ticket twice, lost one or answered "empty" falsely."""
    failed = False
    pooled: dict[str, list[float]] = {"product": [], "bare": []}
    for i in range(args.rounds):
        runs: dict[str, Result] = {}
        for kind in ("product", "bare"):
            url, drop = make_url()
            try:
                res = run(url, args.processes, args.tickets, args.rule, label, args.think_ms,
                          kind)
            finally:
                drop()
            print(res.line(), flush=True)
            failed |= bool(res.double_called or res.lost or res.false_empty)
            runs[kind] = res
            pooled[kind] += res.latencies
        print(ratio_line(f"{label} round {i + 1}", runs["product"].latencies,
                         runs["bare"].latencies), flush=True)
    if args.rounds > 1:
        print(ratio_line(f"{label} all {args.rounds} rounds", pooled["product"],
                         pooled["bare"]), flush=True)
    return failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    ap.add_argument("--processes", type=int, default=8)
    ap.add_argument("--tickets", type=int, default=2000)
    ap.add_argument("--rule", choices=["strict", "ratio", "aging"], default="strict")
    ap.add_argument("--think-ms", type=float, default=0.0,
                    help="mean pause between a counter's calls (0 = as fast as possible)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="product/bare pairs, alternating, each on a fresh database")
    args = ap.parse_args()
    failed = False
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            made = iter(range(10**6))

            def sqlite_db() -> tuple[str, Callable[[], None]]:
                return f"sqlite+pysqlite:///{tmp}/bench{next(made)}.db", lambda: None

            failed |= compare(sqlite_db, "sqlite", args)
    if args.db in ("pg", "both"):
        if not os.environ.get("HALL_TEST_PG_URL"):
            print("postgres: skipped (set HALL_TEST_PG_URL, e.g. from `bash .ci/start_pg.sh`)")
        else:
            def pg_db() -> tuple[str, Callable[[], None]]:
                url, admin = _pg_database()
                return url, lambda: _drop_pg(url, admin)

            failed |= compare(pg_db, "pg", args)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
