"""Benchmark: database time of one overview refresh (OverviewService.snapshot()).

A hall with 20 counters, 300 waiting tickets and a busy day in progress, measured with
1 day of history and again after bulk-inserting a year (≥ 300,000 past tickets, plus
complaints and escalations) with SQLAlchemy Core. Database time is the sum of the
cursor executions (SQLAlchemy before/after_cursor_execute events); the total time of
snapshot() (database + building the dataclasses) is printed beside it.

    .venv/bin/python bench/overview_refresh.py               # SQLite (temporary file)
    HALL_TEST_PG_URL=postgresql+psycopg://... .venv/bin/python bench/overview_refresh.py
        # also PostgreSQL, on a fresh database created and dropped here

Options: --days 365 --per-day 1000 --runs 30
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, insert, select, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import (  # noqa: E402
    Complaint,
    Counter,
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
COUNTERS = 20
WAITING = 300
TODAY_DONE = 600


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


def _setup_hall(db: Database) -> tuple[int, list[int], dict[int, str], list[int]]:
    """The demo hall grown to 20 counters, all with a clerk; returns ids."""
    ensure_demo_hall(db)
    with db.write() as s:
        hall_id = s.scalar(select(func.min(ServiceType.hall_id)))
        services = {sv.id: sv.prefix for sv in s.scalars(
            select(ServiceType).where(ServiceType.hall_id == hall_id))}
        staff = [st.id for st in s.scalars(select(Staff).where(Staff.hall_id == hall_id))]
        have = s.scalar(select(func.count(Counter.id)).where(Counter.hall_id == hall_id))
        for n in range(have + 1, COUNTERS + 1):
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
    tickets, complaints, escalations = [], [], []
    manager = staff[0]
    for back in days:
        day = TODAY - timedelta(days=back)
        tickets.extend(_day_tickets(hall_id, day, per_day, services, counters, staff, rng))
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=TZ)
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
    return len(days) * per_day


def live_state(db: Database, hall_id: int, services, counters, staff, rng) -> None:
    """Today: 600 finished, 300 waiting (many long), 20 counters open/serving/paused."""
    _insert(db, Ticket.__table__, _day_tickets(hall_id, TODAY, TODAY_DONE, services, counters,
                                               staff, rng, waiting=WAITING, until=NOW))
    now = NOW.astimezone(UTC)
    with db.write() as s:
        waiting = s.scalars(select(Ticket).where(Ticket.business_day == TODAY,
                                                 Ticket.state == "waiting")
                            .order_by(Ticket.id).limit(12)).all()
        for i, cid in enumerate(counters):
            c = s.get(Counter, cid)
            c.staff_id = staff[i % len(staff)]
            c.state, c.state_since = ("paused", now - timedelta(minutes=25)) if i % 7 == 3 \
                else ("open", now - timedelta(hours=2))
            c.pause_reason = "用餐" if c.state == "paused" else None
            if c.state == "open" and i < len(waiting):
                t = waiting[i]
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


def measure(services: HallServices, timer: DbTimer, runs: int) -> tuple[float, float, int, int]:
    overview = OverviewService(services.ctx)
    snap = overview.snapshot()  # warm-up (plans, hall cache)
    db_ms, total_ms = [], []
    for _ in range(runs):
        timer.reset()
        t0 = time.perf_counter()
        snap = overview.snapshot()
        total_ms.append((time.perf_counter() - t0) * 1000)
        db_ms.append(timer.total * 1000)
    return statistics.median(db_ms), statistics.median(total_ms), timer.statements, len(snap.alerts)


def count_tickets(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(Ticket.id))) or 0)


def run(url: str, label: str, days: int, per_day: int, runs: int) -> list[str]:
    db = Database(url)
    upgrade(db)
    rng = random.Random(7)
    hall_id, counters, services, staff = _setup_hall(db)
    staff = [sid for sid in staff]
    live_state(db, hall_id, services, counters, staff, rng)
    services_ = HallServices(ServiceContext(db, Settings(database_url=url), ManualClock(NOW), "DEMO"))
    timer = DbTimer(db.engine)
    lines = []
    t0 = time.perf_counter()
    add_history(db, hall_id, range(1, 2), per_day, services, counters, staff, rng)
    if db.is_postgres:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    hist = count_tickets(db)
    db_ms, total_ms, stmts, alerts = measure(services_, timer, runs)
    lines.append(f"{label}: 1 day of history ({hist:,} tickets in the database): "
                 f"db {db_ms:.1f} ms, snapshot {total_ms:.1f} ms per refresh "
                 f"({stmts} statements, {alerts} alerts)")
    print(lines[-1], flush=True)
    add_history(db, hall_id, range(2, days + 1), per_day, services, counters, staff, rng)
    build = time.perf_counter() - t0
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    hist = count_tickets(db)
    db_ms, total_ms, stmts, alerts = measure(services_, timer, runs)
    lines.append(f"{label}: {days} days of history ({hist:,} tickets in the database): "
                 f"db {db_ms:.1f} ms, snapshot {total_ms:.1f} ms per refresh "
                 f"({stmts} statements, {alerts} alerts); history bulk insert {build:.0f} s")
    print(lines[-1], flush=True)
    services_.close()
    return lines


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--per-day", type=int, default=1000)
    p.add_argument("--runs", type=int, default=30)
    a = p.parse_args()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        out += run(f"sqlite+pysqlite:///{Path(tmp) / 'bench.db'}", "SQLite", a.days, a.per_day, a.runs)
    pg = os.environ.get("HALL_TEST_PG_URL")
    if pg:
        import psycopg

        name = f"hall_bench_{uuid.uuid4().hex[:8]}"
        admin = make_url(pg).set(drivername="postgresql", database="postgres")
        conninfo = admin.render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(pg).set(database=name).render_as_string(hide_password=False)
            out += run(url, "PostgreSQL", a.days, a.per_day, a.runs)
        finally:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("\n".join(["", "Summary:"] + out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
