"""Benchmark: the daily report on small and on year-long SQLite databases.

    .venv/bin/python bench/report.py [--tickets 1000] [--days 365] [--halls 3] [--runs 5]

Builds (or reuses) three SQLite files in the temp directory, with bulk-inserted
synthetic rows (SQLAlchemy Core): tickets (4 % of them transferred, with their
continuation rows), counter sessions and pauses, a 20-minute hall outage, cash
exchanges, complaints and an escalation each day:
  * one hall with 1 day of history;
  * one hall with 8 days: the day and the seven before it, which the report reads for
    its comparisons and its 7-day trend;
  * `--halls` halls × `--days` days × `--tickets` tickets a day.
Then, interleaved (each run measures every database in turn), for the same business day
on each: "metrics" = the figures and the printed sections (every SQL statement),
"full" = metrics + document + charts + A4 PDF (every section, the staffing one with its
two plans stored, as the day close and the overview leave them), "staffing section" =
that section alone (the day's and the next day's plan read back, the day's open
counters), "staffing, simulating" = the same section once before any plan was stored
(two simulation-validated plans, hall_app.staffing), and "bare SQL" = one plain query
reading every ticket row of the report's eight days, the floor any report pays. Best of
`--runs`. Targets: ≤ 1 s per full report, and year ÷ 8 days ≤ 1.5 (the report's cost
must not grow with history; the 1-day database is printed for comparison, it has no
comparison days to read).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import delete, insert, select, text  # noqa: E402

from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import (  # noqa: E402
    CashExchange,
    Complaint,
    Counter,
    CounterPause,
    CounterService,
    CounterSession,
    Escalation,
    Hall,
    Incident,
    OpeningHours,
    ServiceType,
    Staff,
    StaffingPlanRecord,
    Ticket,
)
from hall_app.clock import ManualClock  # noqa: E402
from hall_app.config import Settings  # noqa: E402
from hall_app.demo.seed import ensure_demo_hall  # noqa: E402
from hall_app.metrics import Period, ReportService  # noqa: E402
from hall_app.metrics.sections import DAY_SECTIONS, ReportSource  # noqa: E402
from hall_app.metrics.sections.staffing import staffing_section  # noqa: E402
from hall_app.services import HallServices  # noqa: E402
from hall_app.services.context import ServiceContext  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
LAST_DAY = date(2026, 11, 24)
STATES = [("done", 0.85), ("no_show", 0.05), ("walked_away", 0.05), ("abandoned", 0.03),
          ("cancelled", 0.02)]


def _clone_hall(s, src_id: int, code: str) -> int:  # type: ignore[no-untyped-def]
    """Copy the demo hall's configuration under another code (Core inserts)."""
    src = s.get(Hall, src_id)
    hall_id = s.execute(insert(Hall).values(
        code=code, name=f"{src.name}{code}", timezone=src.timezone, hotline=src.hotline,
        priority_rule=src.priority_rule, priority_ratio=src.priority_ratio,
        priority_aging_minutes=src.priority_aging_minutes).returning(Hall.id)).scalar_one()
    smap, cmap = {}, {}
    for sv in s.scalars(select(ServiceType).where(ServiceType.hall_id == src_id)):
        smap[sv.id] = s.execute(insert(ServiceType).values(
            hall_id=hall_id, code=sv.code, name=sv.name, prefix=sv.prefix,
            target_wait_minutes=sv.target_wait_minutes, long_wait_minutes=sv.long_wait_minutes,
            typical_service_minutes=sv.typical_service_minutes, is_vip=sv.is_vip,
            sort_order=sv.sort_order).returning(ServiceType.id)).scalar_one()
    for c in s.scalars(select(Counter).where(Counter.hall_id == src_id)):
        cmap[c.id] = s.execute(insert(Counter).values(
            hall_id=hall_id, number=c.number, name=c.name, is_vip=c.is_vip
        ).returning(Counter.id)).scalar_one()
        for cs in s.scalars(select(CounterService).where(CounterService.counter_id == c.id)):
            s.execute(insert(CounterService).values(counter_id=cmap[c.id],
                                                    service_id=smap[cs.service_id], rank=cs.rank))
    for st in s.scalars(select(Staff).where(Staff.hall_id == src_id)):
        s.execute(insert(Staff).values(hall_id=hall_id, staff_no=st.staff_no, name=st.name,
                                       role=st.role, pin_hash=st.pin_hash))
    for oh in s.scalars(select(OpeningHours).where(OpeningHours.hall_id == src_id)):
        s.execute(insert(OpeningHours).values(hall_id=hall_id, weekday=oh.weekday,
                                              opens=oh.opens, closes=oh.closes))
    return hall_id


class Ids:
    """Explicit ticket ids, so a continuation row can point at its first row."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


def _day_rows(rng: random.Random, ids: Ids, hall_id: int, day: date,
              services: list[tuple[int, str]], counters: list[int], staff: list[int],
              tickets: int) -> dict[type, list[dict]]:
    opens = datetime.combine(day, datetime.min.time(), TZ).replace(hour=8, minute=30)
    opens = opens.astimezone(UTC)
    numbers: dict[str, int] = {}
    rows = []
    for _ in range(tickets):
        sid, prefix = rng.choice(services)
        numbers[prefix] = numbers.get(prefix, 0) + 1
        n = numbers[prefix]
        issued = opens + timedelta(seconds=rng.randrange(0, 9 * 3600))
        state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
        ci = rng.randrange(len(counters))
        row = dict(id=ids.next(), hall_id=hall_id, business_day=day, service_id=sid,
                   prefix=prefix, number=n, hop=0, code=f"{prefix}{n:03d}",
                   priority="normal", state=state, issued_at=issued, created_at=issued,
                   first_called_at=None, last_called_at=None, started_at=None,
                   finished_at=None, ended_at=None, wait_seconds=None, service_seconds=None,
                   recall_count=0, counter_id=None, staff_id=None, origin_ticket_id=None)
        if state in ("done", "no_show"):
            wait = rng.randrange(0, 2400)
            called = issued + timedelta(seconds=wait)
            row.update(first_called_at=called, last_called_at=called, wait_seconds=wait,
                       counter_id=counters[ci], staff_id=staff[ci])
            if state == "done":
                svc = rng.randrange(60, 1200)
                row.update(started_at=called + timedelta(seconds=30),
                           finished_at=called + timedelta(seconds=30 + svc),
                           ended_at=called + timedelta(seconds=30 + svc), service_seconds=svc)
            else:
                row.update(recall_count=2, ended_at=called + timedelta(seconds=120))
        else:
            row["ended_at"] = issued + timedelta(seconds=rng.randrange(60, 3600))
        rows.append(row)
        if state == "done" and rng.random() < 0.04:  # transferred after service
            moved = row["ended_at"]
            row.update(state="transferred", finished_at=None)
            sid2, _ = rng.choice(services)
            wait2 = rng.randrange(0, 1200)
            called2 = moved + timedelta(seconds=wait2)
            svc2 = rng.randrange(60, 900)
            cj = rng.randrange(len(counters))
            rows.append(dict(
                id=ids.next(), hall_id=hall_id, business_day=day, service_id=sid2,
                prefix=prefix, number=n, hop=1, code=row["code"], priority="normal",
                state="done", issued_at=issued, created_at=moved, first_called_at=called2,
                last_called_at=called2, started_at=called2 + timedelta(seconds=20),
                finished_at=called2 + timedelta(seconds=20 + svc2),
                ended_at=called2 + timedelta(seconds=20 + svc2),
                wait_seconds=int((called2 - issued).total_seconds()), service_seconds=svc2,
                recall_count=0, counter_id=counters[cj], staff_id=staff[cj],
                origin_ticket_id=row["id"]))
    sessions = [dict(hall_id=hall_id, counter_id=c, staff_id=st, started_at=opens,
                     ended_at=opens + timedelta(hours=9, minutes=30))
                for c, st in zip(counters, staff, strict=False)]
    pauses = [dict(hall_id=hall_id, counter_id=counters[0], staff_id=staff[0], reason="用餐",
                   started_at=opens + timedelta(hours=3), ended_at=opens + timedelta(hours=4)),
              dict(hall_id=hall_id, counter_id=counters[1], staff_id=staff[1], reason="离席",
                   started_at=opens + timedelta(hours=5), ended_at=opens + timedelta(hours=5,
                                                                                 minutes=8))]
    outage = opens + timedelta(hours=2)
    incidents = [dict(hall_id=hall_id, kind="outage", notice="系统故障", started_at=outage,
                      ended_at=outage + timedelta(minutes=20))]
    cash = [dict(hall_id=hall_id, counter_id=counters[0], staff_id=staff[0], due_fen=5000,
                 received_fen=10000, change_fen=5000, at=opens + timedelta(minutes=40 * i))
            for i in range(5)]
    complaints = [dict(hall_id=hall_id, business_day=day, received_at=opens + timedelta(hours=h),
                       channel="counter", customer_name="张三", phone="13800001111",
                       category="waiting", description="等了很久", expectation="",
                       recorded_by=staff[0], state="registered", reply_due_at=opens
                       + timedelta(hours=9), hard_due_at=opens + timedelta(days=15),
                       severity="normal", escalated=False)
                  for h in (2, 6)]
    escalations = [dict(hall_id=hall_id, counter_id=counters[0], staff_id=staff[0],
                        reason="请值班长协助", raised_at=opens + timedelta(hours=4),
                        resolved_at=opens + timedelta(hours=4, minutes=5))]
    return {Ticket: rows, CounterSession: sessions, CounterPause: pauses, Incident: incidents,
            CashExchange: cash, Complaint: complaints, Escalation: escalations}


def build(path: Path, halls: int, days: int, tickets: int) -> None:
    if path.exists():
        print(f"reusing {path}")
        database = Database(f"sqlite+pysqlite:///{path}")
        upgrade(database)  # a file built at an older head
        close_days(database)
        database.dispose()
        return
    t0 = time.perf_counter()
    database = Database(f"sqlite+pysqlite:///{path}")
    upgrade(database)
    ensure_demo_hall(database)
    rng = random.Random(7)
    ids = Ids()
    with database.write() as s:
        demo_id = s.scalar(select(Hall.id).where(Hall.code == "DEMO"))
        hall_ids = [demo_id] + [_clone_hall(s, demo_id, f"H{i}") for i in range(2, halls + 1)]
    for hid in hall_ids:
        with database.read() as s:
            services = [(r.id, r.prefix) for r in s.scalars(
                select(ServiceType).where(ServiceType.hall_id == hid))]
            counters = [r.id for r in s.scalars(select(Counter).where(Counter.hall_id == hid)
                                                .order_by(Counter.number))]
            staff = [r.id for r in s.scalars(select(Staff).where(
                Staff.hall_id == hid, Staff.role == "clerk").order_by(Staff.staff_no))]
        for d in range(days):
            day = LAST_DAY - timedelta(days=days - 1 - d)
            facts = _day_rows(rng, ids, hid, day, services, counters, staff, tickets)
            with database.write() as s:
                for model, rows in facts.items():
                    s.execute(insert(model), rows)
    close_days(database)
    database.dispose()
    print(f"built {path} ({halls} halls × {days} days × {tickets} tickets) "
          f"in {time.perf_counter() - t0:.1f} s")


def close_days(database: Database) -> None:
    """Every day with tickets is a closed business day, as in a hall whose day close ran
    (the report judges closed days; staffing reads a closed day's statistics once)."""
    with database.write() as s:
        s.execute(text(
            "INSERT INTO business_day (hall_id, day, state, opened_at, closed_at, "
            "closed_by_system, workstation) "
            "SELECT hall_id, business_day, 'closed', MIN(created_at), MAX(created_at), 1, "
            "'bench' FROM ticket GROUP BY hall_id, business_day "
            "ON CONFLICT (hall_id, day) DO UPDATE SET state = 'closed', "
            "closed_at = excluded.closed_at"))


class Target:
    """One database: its services, and the best times seen."""

    def __init__(self, path: Path, pdf_dir: Path) -> None:
        from ui.report.document import write_pdf

        self.path, self.pdf_dir, self.write_pdf = path, pdf_dir, write_pdf
        url = f"sqlite+pysqlite:///{path}"
        self.database = Database(url)
        now = datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time(),
                               TZ).replace(hour=9)
        self.services = HallServices(ServiceContext(self.database, Settings(database_url=url),
                                                    ManualClock(now), "DEMO"))
        self.reports = ReportService(self.services.ctx)
        self.best = {k: float("inf") for k in ("metrics", "full", "bare", "metrics_cpu",
                                                "full_cpu", "staffing", "staffing_cpu")}
        self.builders = DAY_SECTIONS
        with self.database.write() as s:
            self.hall_id = s.scalar(select(Hall.id).where(Hall.code == "DEMO"))
            s.execute(delete(StaffingPlanRecord))  # the first section below simulates
        report = self.reports.report(Period.day(LAST_DAY), tuple(
            b for b in DAY_SECTIONS if b is not staffing_section))  # warm the connection
        self.metrics = report.metrics
        c0, t0 = time.process_time(), time.perf_counter()
        staffing_section(ReportSource(self.metrics, self.services.ctx))
        self.best["staffing_first"] = time.perf_counter() - t0
        self.best["staffing_first_cpu"] = time.process_time() - c0
        write_pdf(report, pdf_dir / "warm.pdf")
        assert report.metrics.headline.arrived > 0

    def run(self, i: int) -> None:
        # The staffing section alone: the day's and the next day's plans read back (stored
        # by the first pass), then the day's actual counters.
        c0, t0 = time.process_time(), time.perf_counter()
        staffing_section(ReportSource(self.metrics, self.services.ctx))
        self.best["staffing"] = min(self.best["staffing"], time.perf_counter() - t0)
        self.best["staffing_cpu"] = min(self.best["staffing_cpu"], time.process_time() - c0)
        c0, t0 = time.process_time(), time.perf_counter()
        report = self.reports.report(Period.day(LAST_DAY), self.builders)
        c1, t1 = time.process_time(), time.perf_counter()
        self.write_pdf(report, self.pdf_dir / f"r{i}.pdf")
        c2, t2 = time.process_time(), time.perf_counter()
        for key, value in (("metrics", t1 - t0), ("full", t2 - t0), ("metrics_cpu", c1 - c0),
                           ("full_cpu", c2 - c0)):
            self.best[key] = min(self.best[key], value)
        self.best["bare"] = min(self.best["bare"], bare_sql(self.path, self.hall_id))

    def close(self) -> None:
        self.services.close()


def bare_sql(path: Path, hall_id: int) -> float:
    """Read every ticket row of the report's eight days with one plain query."""
    first = (LAST_DAY - timedelta(days=7)).isoformat()
    with sqlite3.connect(path) as conn:
        t0 = time.perf_counter()
        rows = conn.execute("SELECT * FROM ticket WHERE hall_id = ? AND business_day "
                            "BETWEEN ? AND ?", (hall_id, first, LAST_DAY.isoformat())).fetchall()
        elapsed = time.perf_counter() - t0
    assert rows
    return elapsed


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tickets", type=int, default=1000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--halls", type=int, default=3)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    tmp = Path(tempfile.gettempdir())
    shapes = [("1 day", 1, 1), ("8 days", 1, 8), (f"{args.days} days × {args.halls} halls",
                                                  args.halls, args.days)]
    paths = []
    for _, halls, days in shapes:
        path = tmp / f"hall_bench_report3_{halls}x{days}x{args.tickets}.db"
        build(path, halls, days, args.tickets)
        paths.append(path)
    pdf_dir = Path(tempfile.mkdtemp(prefix="hall_bench_report_"))
    targets = [Target(path, pdf_dir) for path in paths]
    load = os.getloadavg()[0]
    for i in range(args.runs):
        for target in targets:
            target.run(i)
    print(f"load average before the runs: {load:.1f} (2 cores); wall = elapsed, "
          "cpu = this process's CPU time (SQLite runs in it)")
    for (label, _, _), t in zip(shapes, targets, strict=True):
        b = t.best
        print(f"{label:22s}: metrics {b['metrics'] * 1000:7.1f} ms (cpu {b['metrics_cpu'] * 1000:6.1f})"
              f"   full PDF report {b['full'] * 1000:7.1f} ms (cpu {b['full_cpu'] * 1000:6.1f})"
              f"   bare SQL {b['bare'] * 1000:6.1f} ms"
              f"   staffing section {b['staffing'] * 1000:7.1f} ms (cpu {b['staffing_cpu'] * 1000:6.1f})"
              f"   staffing, simulating {b['staffing_first'] * 1000:7.1f} ms "
              f"(cpu {b['staffing_first_cpu'] * 1000:6.1f})")
    one, week, year = (t.best for t in targets)
    print(f"ratio year / 8 days   : metrics {year['metrics'] / week['metrics']:5.2f}   "
          f"full report {year['full'] / week['full']:5.2f}   "
          f"(cpu {year['metrics_cpu'] / week['metrics_cpu']:5.2f} / "
          f"{year['full_cpu'] / week['full_cpu']:5.2f})   "
          f"bare SQL {year['bare'] / week['bare']:5.2f}")
    print(f"staffing section year / 8 days: {year['staffing'] / week['staffing']:5.2f}")
    print(f"ratio year / 1 day    : metrics {year['metrics'] / one['metrics']:5.2f}   "
          f"full report {year['full'] / one['full']:5.2f}")
    print(f"report / bare SQL (year): metrics {year['metrics'] / year['bare']:5.1f}")
    for t in targets:
        t.close()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # PySide6 6.12 can crash while garbage-collecting Qt wrappers at interpreter exit
    # after many documents/PDF writers; the measurements are done, so leave directly.
    os._exit(code)
