"""Benchmark: one overview refresh (OverviewService.snapshot()) against bare SQL.

Two hall shapes, on SQLite and (with HALL_TEST_PG_URL) PostgreSQL, each on a fresh
database with `--days` of history bulk-inserted (1,000 tickets a day, plus complaints,
escalations and two pauses a day at every counter) with SQLAlchemy Core:

* 20 counters, 300 waiting tickets;
* 60 counters, 1,000 waiting tickets;

each with 600 tickets finished today, 60 % of the counters serving, every seventh one
paused for 25 minutes, an escalation and an overdue complaint.

Measured interleaved in the same run (`--runs` rounds, each: the clock one second on,
as between two refreshes of the overview, one snapshot, then one bare-SQL round): "snapshot" = the whole `OverviewService.snapshot()` call, "db" = the
time inside the database driver during it (SQLAlchemy cursor events), "bare" = the same
reads as hand-written SQL on a plain driver connection (sqlite3 / psycopg) in one read
transaction, rows fetched as tuples and nothing built from them. Medians of the wall
time, and of this process's CPU time (on a shared machine the steadier figure; it holds
SQLite's work, not PostgreSQL's server); the ratio snapshot / bare, and the growth from
the small shape to the large one.

    .venv/bin/python bench/overview_refresh.py               # SQLite (temporary file)
    HALL_TEST_PG_URL=postgresql+psycopg://... .venv/bin/python bench/overview_refresh.py
        # also PostgreSQL, on fresh databases created and dropped here

Options: --days 365 --per-day 1000 --runs 50
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, insert, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import (  # noqa: E402
    Complaint,
    Counter,
    CounterPause,
    CounterService,
    Escalation,
    ServiceType,
    Staff,
    Ticket,
)
from hall_app.clock import ManualClock  # noqa: E402
from hall_app.config import Settings  # noqa: E402
from hall_app.demo.seed import ensure_demo_hall  # noqa: E402
from hall_app.services import HallServices  # noqa: E402
from hall_app.services.context import ServiceContext  # noqa: E402
from hall_app.services.overview import OverviewService  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=TZ)
TODAY_DONE = 600
# (label, counters, waiting tickets)
SHAPES = (("20 counters, 300 waiting", 20, 300), ("60 counters, 1,000 waiting", 60, 1000))


class DbTimer:
    """Sums the time spent in cursor executions on an engine."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.total = 0.0
        self.statements = 0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        conn.info.setdefault("bench_t0", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.total += time.perf_counter() - conn.info["bench_t0"].pop()
        self.statements += 1

    def reset(self) -> None:
        self.total, self.statements = 0.0, 0


def _setup_hall(db: Database, n_counters: int) -> tuple[int, list[int], dict[int, str], list[int]]:
    """The demo hall grown to `n_counters` counters; returns ids."""
    ensure_demo_hall(db)
    with db.write() as s:
        hall_id = s.scalar(select(func.min(ServiceType.hall_id)))
        services = {sv.id: sv.prefix for sv in s.scalars(
            select(ServiceType).where(ServiceType.hall_id == hall_id))}
        staff = [st.id for st in s.scalars(select(Staff).where(Staff.hall_id == hall_id))]
        have = s.scalar(select(func.count(Counter.id)).where(Counter.hall_id == hall_id))
        for n in range(have + 1, n_counters + 1):
            c = Counter(hall_id=hall_id, number=n, name=f"{n}号窗口", state="closed")
            s.add(c)
            s.flush()
            for rank, sid in enumerate(list(services)[n % 4: n % 4 + 3]):
                s.add(CounterService(counter_id=c.id, service_id=sid, rank=rank))
        counters = [c.id for c in s.scalars(select(Counter).where(Counter.hall_id == hall_id)
                                            .order_by(Counter.number))]
    return hall_id, counters, services, staff


def _day_tickets(hall_id: int, day: date, n: int, services: dict[int, str], counters: list[int],
                 staff: list[int], rng: random.Random, *, waiting: int = 0,
                 until: datetime | None = None) -> list[dict]:
    rows, numbers = [], dict.fromkeys(services.values(), 0)
    opens = datetime(day.year, day.month, day.day, 8, 30, tzinfo=TZ).astimezone(UTC)
    span = ((until - opens).total_seconds() if until else 9.5 * 3600) / (n + waiting)
    sids = list(services)
    for i in range(n + waiting):
        sid = sids[i % len(sids)]
        prefix = services[sid]
        numbers[prefix] += 1
        issued = opens + timedelta(seconds=int(i * span))
        row = dict(hall_id=hall_id, business_day=day, service_id=sid, prefix=prefix,
                   number=numbers[prefix], hop=0, code=f"{prefix}{numbers[prefix]:03d}",
                   priority="normal", issued_at=issued, created_at=issued, recall_count=0,
                   state="waiting", first_called_at=None, last_called_at=None, started_at=None,
                   finished_at=None, ended_at=None, wait_seconds=None, service_seconds=None,
                   counter_id=None, staff_id=None)
        if i < n:
            wait = rng.randint(60, 1800)
            serve = rng.randint(120, 900)
            called = issued + timedelta(seconds=wait)
            end = called + timedelta(seconds=30 + serve)
            state = "done" if rng.random() > 0.06 else rng.choice(["no_show", "walked_away"])
            row.update(state=state, first_called_at=called, last_called_at=called,
                       started_at=called + timedelta(seconds=30), finished_at=end if state == "done" else None,
                       ended_at=end, wait_seconds=wait, service_seconds=serve if state == "done" else None,
                       counter_id=rng.choice(counters), staff_id=rng.choice(staff))
        rows.append(row)
    return rows


def _insert(db: Database, table, rows: list[dict], batch: int = 10_000) -> None:  # type: ignore[no-untyped-def]
    for i in range(0, len(rows), batch):
        with db.engine.begin() as conn:
            conn.execute(insert(table), rows[i:i + batch])


def add_history(db: Database, hall_id: int, days: range, per_day: int, services, counters, staff,
                rng: random.Random) -> int:
    tickets, complaints, escalations, pauses = [], [], [], []
    manager = staff[0]
    for back in days:
        day = TODAY - timedelta(days=back)
        tickets.extend(_day_tickets(hall_id, day, per_day, services, counters, staff, rng))
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=TZ)
        for cid in counters:  # a lunch break and a short one at every counter
            for start, minutes in ((noon, 30), (noon + timedelta(hours=3), 10)):
                pauses.append(dict(hall_id=hall_id, counter_id=cid, staff_id=rng.choice(staff),
                                   reason="用餐" if minutes == 30 else "离席", started_at=start,
                                   ended_at=start + timedelta(minutes=minutes), kind="normal"))
        for k in range(3):
            at = noon + timedelta(minutes=40 * k)
            complaints.append(dict(
                hall_id=hall_id, business_day=day, received_at=at, channel="counter",
                customer_name="顾客", phone="13800000000", category="服务态度", description="…",
                expectation="", severity="normal", recorded_by=manager, state="closed",
                escalated=False, reply_due_at=at + timedelta(hours=6),
                hard_due_at=at + timedelta(days=15), replied_at=at + timedelta(hours=2),
                closed_at=at + timedelta(days=1)))
            escalations.append(dict(hall_id=hall_id, counter_id=rng.choice(counters),
                                    staff_id=rng.choice(staff), reason="需要值班长协助",
                                    raised_at=at, resolved_at=at + timedelta(minutes=5),
                                    resolved_by=manager))
        if len(tickets) >= 50_000:
            _insert(db, Ticket.__table__, tickets)
            tickets = []
    _insert(db, Ticket.__table__, tickets)
    _insert(db, Complaint.__table__, complaints)
    _insert(db, Escalation.__table__, escalations)
    _insert(db, CounterPause.__table__, pauses)
    return len(days) * per_day


def live_state(db: Database, hall_id: int, services, counters, staff, rng,  # type: ignore[no-untyped-def]
               waiting: int) -> None:
    """Today: 600 finished, `waiting` waiting (many long), 60 % of the counters serving,
    every seventh paused."""
    serving = len(counters) * 3 // 5
    _insert(db, Ticket.__table__, _day_tickets(hall_id, TODAY, TODAY_DONE, services, counters,
                                               staff, rng, waiting=waiting + serving, until=NOW))
    now = NOW.astimezone(UTC)
    with db.write() as s:
        to_serve = list(s.scalars(select(Ticket).where(Ticket.business_day == TODAY,
                                                       Ticket.state == "waiting")
                                  .order_by(Ticket.id).limit(serving)))
        for i, cid in enumerate(counters):
            c = s.get(Counter, cid)
            c.staff_id = staff[i % len(staff)]
            c.state, c.state_since = ("paused", now - timedelta(minutes=25)) if i % 7 == 3 \
                else ("open", now - timedelta(hours=2))
            c.pause_reason = "用餐" if c.state == "paused" else None
            if c.state == "open" and to_serve:
                t = to_serve.pop(0)
                t.state, t.counter_id, t.staff_id = "serving", cid, c.staff_id
                t.first_called_at = t.last_called_at = now - timedelta(minutes=6)
                t.started_at = now - timedelta(minutes=5)
                t.wait_seconds = int((t.first_called_at - t.issued_at).total_seconds())
        s.add(Escalation(hall_id=hall_id, counter_id=counters[0], staff_id=staff[1],
                         reason="客户要求减免违约金", raised_at=now - timedelta(minutes=3)))
        s.add(Complaint(hall_id=hall_id, business_day=TODAY, received_at=now - timedelta(hours=3),
                        channel="phone", customer_name="顾客", phone="13800000000",
                        category="等候时间过长", description="…", recorded_by=staff[0],
                        reply_due_at=now - timedelta(minutes=10), hard_due_at=now + timedelta(days=14)))
    with db.write() as s:  # keep the pause and serving states consistent with the tickets
        s.execute(update(Counter).where(Counter.hall_id == hall_id, Counter.state == "open")
                  .values(pause_reason=None))


# The bare baseline: what one refresh reads, as plain SQL (named parameters, written
# once for both databases; `BareReads` turns them into the driver's style).
BARE_READS = (
    "SELECT * FROM hall WHERE id = :hall",
    "SELECT id, code, name, prefix, active, long_wait_minutes FROM service_type "
    "WHERE hall_id = :hall ORDER BY sort_order, id",
    "SELECT i.id, i.kind, i.category, i.notice, i.started_at, st.name, c.number FROM incident i "
    "LEFT JOIN staff st ON st.id = i.declared_by LEFT JOIN incident_counter ic "
    "ON ic.incident_id = i.id LEFT JOIN counter c ON c.id = ic.counter_id "
    "WHERE i.hall_id = :hall AND i.ended_at IS NULL",
    "SELECT c.id, c.number, c.name, c.state, c.state_since, c.pause_reason, st.name, c.is_vip, "
    "t.code, t.state, t.service_id, t.first_called_at, t.started_at FROM counter c "
    "LEFT JOIN staff st ON st.id = c.staff_id LEFT JOIN ticket t ON t.counter_id = c.id "
    "AND t.state IN ('called', 'serving') WHERE c.hall_id = :hall ORDER BY c.number",
    "SELECT id, code, service_id, priority, issued_at FROM ticket WHERE hall_id = :hall "
    "AND business_day = :day AND state = 'waiting' ORDER BY issued_at, id LIMIT 100",
    # every waiting ticket counted by service, wait bucket, first hop and UTC hour of
    # issue, with the long-wait cutoffs
    "{queue_groups}",
    # today's other tickets by state, first hop and UTC hour of issue and of finishing
    "SELECT state, hop = 0, {hour_issued}, {hour_finished}, count(*), sum(wait_seconds), "
    "count(wait_seconds), sum(service_seconds), count(service_seconds) FROM ticket "
    "WHERE hall_id = :hall AND business_day = :day AND state <> 'waiting' "
    "GROUP BY 1, 2, 3, 4",
    "SELECT weekday, opens, closes FROM opening_hours WHERE hall_id = :hall",
    "SELECT e.id, e.reason, e.raised_at, c.number, st.name, t.code, e.resolved_at "
    "FROM escalation e LEFT JOIN counter c ON c.id = e.counter_id LEFT JOIN staff st "
    "ON st.id = e.staff_id LEFT JOIN ticket t ON t.id = e.ticket_id WHERE e.hall_id = :hall "
    "AND (e.resolved_at IS NULL OR e.raised_at >= :day_start)",
    "SELECT DISTINCT cs.service_id FROM counter_service cs JOIN counter c "
    "ON c.id = cs.counter_id WHERE c.hall_id = :hall AND c.state <> 'closed'",
    "SELECT * FROM complaint WHERE hall_id = :hall AND state <> 'closed' "
    "AND (reply_due_at < :day_end OR next_follow_up_at <= :now OR hard_due_at <= :warn) "
    "ORDER BY hard_due_at, id LIMIT 200",
    "SELECT p.counter_id, rb.minutes FROM recovery_break rb JOIN counter_pause p "
    "ON p.id = rb.pause_id WHERE rb.hall_id = :hall AND p.ended_at IS NULL",
    "SELECT r.id, r.rated_at, r.reason FROM rating r WHERE r.hall_id = :hall "
    "AND r.business_day = :day AND r.level = 'dissatisfied'",
    "SELECT a.alert_key, st.name, a.acknowledged_at FROM alert_ack a JOIN staff st "
    "ON st.id = a.acknowledged_by WHERE a.hall_id = :hall",
    "SELECT level, count(*) FROM rating WHERE hall_id = :hall AND business_day = :day "
    "GROUP BY level",
    "SELECT count(*) FROM rating_follow_up WHERE hall_id = :hall AND state = 'open'",
    "SELECT * FROM business_day WHERE hall_id = :hall AND day = :day",
)
_HOUR = {"sqlite": "CAST(strftime('%H', {col}) AS INTEGER)",
         "postgresql": "CAST(EXTRACT(HOUR FROM {col} AT TIME ZONE 'UTC') AS INTEGER)"}


class BareReads:
    """BARE_READS on a plain driver connection, in one read transaction per round."""

    def __init__(self, db: Database, hall_id: int) -> None:
        url = make_url(db.url)
        hour = _HOUR[db.dialect]
        now = NOW.astimezone(UTC)
        with db.engine.connect() as conn:
            limits = conn.execute(text("SELECT id, long_wait_minutes FROM service_type "
                                       "WHERE hall_id = :h ORDER BY id"), {"h": hall_id}).all()
        row = ("(CAST(:s{i} AS BIGINT), CAST(:c{i} AS TIMESTAMP WITH TIME ZONE))"
               if not db.is_sqlite else "(:s{i}, :c{i})")
        queue_groups = (
            "WITH lim (sid, cutoff) AS (VALUES "
            + ", ".join(row.format(i=i) for i in range(len(limits))) + ") "
            "SELECT t.service_id, CASE WHEN t.issued_at > :w1 THEN 0 WHEN t.issued_at > :w2 "
            "THEN 1 WHEN t.issued_at > :w3 THEN 2 WHEN t.issued_at > :w4 THEN 3 "
            "WHEN t.issued_at > :w5 THEN 4 ELSE 5 END, t.hop = 0, CASE WHEN t.hop = 0 THEN "
            + hour.format(col="t.issued_at") + " END, count(*), min(t.issued_at), min(t.id), "
            "sum(CASE WHEN t.issued_at < lim.cutoff THEN 1 ELSE 0 END) FROM ticket t "
            "JOIN lim ON lim.sid = t.service_id WHERE t.hall_id = :hall "
            "AND t.business_day = :day AND t.state = 'waiting' GROUP BY 1, 2, 3, 4")
        sqls = [sql.format(hour_issued=hour.format(col="issued_at"),
                           hour_finished=hour.format(col="finished_at"),
                           queue_groups=queue_groups) for sql in BARE_READS]
        day_start = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=TZ).astimezone(UTC)
        params: dict[str, object] = {
            "hall": hall_id, "day": TODAY, "now": now, "day_start": day_start,
            "day_end": day_start + timedelta(days=1), "warn": now + timedelta(days=3)}
        for i, (sid, minutes) in enumerate(limits):
            params[f"s{i}"], params[f"c{i}"] = sid, now - timedelta(minutes=minutes)
        for k, low in enumerate((5, 10, 15, 20, 30), start=1):
            params[f"w{k}"] = now - timedelta(minutes=low)
        if db.is_sqlite:
            self.conn: object = sqlite3.connect(url.database, isolation_level=None)
            # stored as SQLAlchemy stores them: naive UTC text, ISO dates
            self.params = {k: (v.replace(tzinfo=None).isoformat(" ", "microseconds")
                               if isinstance(v, datetime) else
                               v.isoformat() if isinstance(v, date) else v)
                           for k, v in params.items()}
            self.sqls = sqls
        else:
            import psycopg

            self.conn = psycopg.connect(url.set(drivername="postgresql")
                                        .render_as_string(hide_password=False))
            self.params = params
            self.sqls = [re.sub(r":(\w+)", r"%(\1)s", sql.replace("%", "%%")) for sql in sqls]
        self.sqlite = db.is_sqlite

    def round(self) -> int:
        rows = 0
        conn: Any = self.conn
        if self.sqlite:
            conn.execute("BEGIN DEFERRED")
        for sql in self.sqls:
            rows += len(conn.execute(sql, self.params).fetchall())
        conn.execute("ROLLBACK") if self.sqlite else conn.rollback()
        return rows

    def close(self) -> None:
        self.conn.close()  # type: ignore[attr-defined]


@dataclass
class Figures:
    snapshot_ms: float
    db_ms: float
    bare_ms: float
    statements: int
    alerts: int
    waiting: int
    snapshot_cpu_ms: float  # this process's CPU time (SQLite runs in it; PostgreSQL does not)
    bare_cpu_ms: float

    @property
    def ratio(self) -> float:
        return self.snapshot_ms / self.bare_ms


def measure(services: HallServices, bare: BareReads, timer: DbTimer, runs: int) -> Figures:
    """Interleaved: each round one snapshot, then one bare round; medians."""
    overview = OverviewService(services.ctx)
    snap = overview.snapshot()  # warm-up (plans, hall cache)
    bare.round()
    db_ms, total_ms, bare_ms, total_cpu, bare_cpu = [], [], [], [], []
    clock = services.ctx.clock
    assert isinstance(clock, ManualClock)
    for _ in range(runs):
        clock.advance(seconds=1)  # one refresh a second, as the overview does by default
        timer.reset()
        c0, t0 = time.process_time(), time.perf_counter()
        snap = overview.snapshot()
        total_ms.append((time.perf_counter() - t0) * 1000)
        total_cpu.append((time.process_time() - c0) * 1000)
        db_ms.append(timer.total * 1000)
        c0, t0 = time.process_time(), time.perf_counter()
        bare.round()
        bare_ms.append((time.perf_counter() - t0) * 1000)
        bare_cpu.append((time.process_time() - c0) * 1000)
    med = statistics.median
    return Figures(med(total_ms), med(db_ms), med(bare_ms), timer.statements, len(snap.alerts),
                   len(snap.waiting), med(total_cpu), med(bare_cpu))


def count_tickets(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(Ticket.id))) or 0)


def run(url: str, label: str, shape: tuple[str, int, int], days: int, per_day: int,
        runs: int) -> Figures:
    name, n_counters, n_waiting = shape
    db = Database(url)
    upgrade(db)
    rng = random.Random(7)
    hall_id, counters, services, staff = _setup_hall(db, n_counters)
    live_state(db, hall_id, services, counters, staff, rng, n_waiting)
    t0 = time.perf_counter()
    add_history(db, hall_id, range(1, days + 1), per_day, services, counters, staff, rng)
    build = time.perf_counter() - t0
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    tickets = count_tickets(db)
    services_ = HallServices(ServiceContext(db, Settings(database_url=url), ManualClock(NOW), "DEMO"))
    bare = BareReads(db, hall_id)
    try:
        f = measure(services_, bare, DbTimer(db.engine), runs)
    finally:
        bare.close()
        services_.close()
        db.engine.dispose()
    print(f"{label}, {name} ({tickets:,} tickets, {days} days of history, "
          f"bulk insert {build:.0f} s): snapshot {f.snapshot_ms:.2f} ms (db {f.db_ms:.2f} ms, "
          f"{f.statements} statements, {f.alerts} alerts, {f.waiting} waiting) | "
          f"bare SQL {f.bare_ms:.2f} ms | snapshot/bare {f.ratio:.2f} | cpu: snapshot "
          f"{f.snapshot_cpu_ms:.2f} ms, bare {f.bare_cpu_ms:.2f} ms", flush=True)
    return f


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--per-day", type=int, default=1000)
    p.add_argument("--runs", type=int, default=50)
    a = p.parse_args()
    print(f"load average before the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)", flush=True)
    results: list[tuple[str, list[Figures]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(("SQLite", [
            run(f"sqlite+pysqlite:///{Path(tmp) / f'bench{i}.db'}", "SQLite", shape, a.days,
                a.per_day, a.runs) for i, shape in enumerate(SHAPES)]))
    pg = os.environ.get("HALL_TEST_PG_URL")
    if pg:
        import psycopg

        admin = make_url(pg).set(drivername="postgresql", database="postgres")
        conninfo = admin.render_as_string(hide_password=False)
        figures = []
        for shape in SHAPES:
            name = f"hall_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                url = make_url(pg).set(database=name).render_as_string(hide_password=False)
                figures.append(run(url, "PostgreSQL", shape, a.days, a.per_day, a.runs))
            finally:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        results.append(("PostgreSQL", figures))
    print(f"\nSummary (medians of {a.runs}; load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}):")
    for label, (small, large) in results:
        for (shape, *_), f in zip(SHAPES, (small, large), strict=True):
            print(f"  {label:10} {shape:27} snapshot {f.snapshot_ms:6.2f} ms  "
                  f"db {f.db_ms:5.2f} ms  bare {f.bare_ms:5.2f} ms  snapshot/bare {f.ratio:5.2f}"
                  f"  cpu {f.snapshot_cpu_ms:6.2f} / {f.bare_cpu_ms:5.2f} ms")
        print(f"  {label:10} growth 20 -> 60 counters & 1,000 waiting: snapshot "
              f"{large.snapshot_ms / small.snapshot_ms:.2f}x (target <= 1.2), bare "
              f"{large.bare_ms / small.bare_ms:.2f}x; cpu: snapshot "
              f"{large.snapshot_cpu_ms / small.snapshot_cpu_ms:.2f}x, bare "
              f"{large.bare_cpu_ms / small.bare_cpu_ms:.2f}x; 20-counter snapshot "
              f"{small.snapshot_ms:.2f} ms (target <= 8)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
