"""Twenty workstations reach closing time together: the day is closed exactly once.

Twenty real processes (spawned), each with its own connections and a clock at 18:31, wait
for one start signal and then run the refresh path's `days.tick()` at the same moment.
Exactly one of them closes the day (and takes the one backup); the others find it being
closed (skip-locked) or already closed. A worker that raises fails the test at once.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
from datetime import datetime, time
from pathlib import Path

import pytest
from conftest import SHANGHAI, make_hall
from day_close_worker import workstation
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from db.models import BusinessDay, Ticket, TicketEvent
from hall_app.clock import ManualClock

WORKSTATIONS = 20
DAY = datetime(2026, 11, 25).date()


def _collect(out, procs, kind: str, expected: int, timeout: float) -> dict[int, object]:
    got: dict[int, object] = {}
    deadline = threading.Event()
    timer = threading.Timer(timeout, deadline.set)
    timer.start()
    try:
        while len(got) < expected:
            try:
                what, index, payload = out.get(timeout=0.5)
            except queue.Empty:
                dead = [p for p in procs if p.exitcode not in (None, 0)]
                if dead:
                    pytest.fail(f"workstation process died (exit {dead[0].exitcode})")
                if deadline.is_set():
                    pytest.fail(f"only {len(got)} of {expected} workstations reported {kind}")
                continue
            if what == "error":
                pytest.fail(f"workstation {index} failed:\n{payload}")
            if what == kind:
                got[index] = payload
    finally:
        timer.cancel()
    return got


@pytest.mark.slow
def test_twenty_workstations_close_the_day_exactly_once(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path))  # the PostgreSQL backup goes here
    hall = make_hall(db_url, ManualClock(datetime.combine(DAY, time(17, 0), SHANGHAI)))
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    clerk = hall.auth.login("1001", "1234")
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    for _ in range(7):
        hall.tickets.issue(pay)
    hall.tickets.call_next(clerk, c1)  # one called, six waiting
    hall.close()

    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    now = datetime.combine(DAY, time(18, 31), SHANGHAI).isoformat()
    procs = [ctx.Process(target=workstation, args=(db_url, i, now, start, out), daemon=True)
             for i in range(WORKSTATIONS)]
    for p in procs:
        p.start()
    try:
        _collect(out, procs, "ready", WORKSTATIONS, 300)
        start.set()
        done = _collect(out, procs, "done", WORKSTATIONS, 120)
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    closers = [i for i, days in done.items() if days]
    assert len(closers) == 1, done
    assert done[closers[0]] == [DAY.isoformat()]

    hall = make_hall(db_url)
    try:
        with hall.ctx.read() as s:
            rows = s.scalars(select(BusinessDay)).all()
            abandons = s.execute(select(TicketEvent.ticket_id, func.count())
                                 .where(TicketEvent.kind == "abandon")
                                 .group_by(TicketEvent.ticket_id)).all()
            open_left = s.scalar(select(func.count(Ticket.id)).where(
                Ticket.state.in_(("waiting", "called", "serving"))))
    finally:
        hall.close()
    assert [(r.day, r.state, r.workstation) for r in rows] == [
        (DAY, "closed", f"test-ws-{closers[0]}")]
    assert (rows[0].abandoned_waiting, rows[0].abandoned_called) == (6, 1)
    assert len(abandons) == 7 and all(n == 1 for _, n in abandons)  # each ticket once
    assert open_left == 0
    # SQLite backs up beside the database file, PostgreSQL into the data folder.
    folder = (Path(make_url(db_url).database or "").parent if db_url.startswith("sqlite")
              else tmp_path) / "backups"
    backups = list(folder.glob("hall-*"))
    assert len(backups) == 1, backups  # the after-close steps ran once, on the closer
