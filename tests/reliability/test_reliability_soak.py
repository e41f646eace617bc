"""Concurrency soak: 16 counter processes plus a kiosk process on one database.

For HALL_SOAK_SECONDS (default 60; use e.g. 10 locally) each counter process calls,
recalls, marks no-show, transfers, starts and finishes at random while the kiosk
issues tickets. Afterwards the whole history is replayed (rel_support.check_history)
and cross-checked with what each process was told:
  * no ticket called twice, no counter with two customers, no impossible state;
  * every ticket the kiosk was given exists, every acknowledged clerk action is in the
    event log exactly once (events per clerk == acknowledged actions' events);
  * no process saw an unexpected error or a traceback.
Runs on SQLite (BEGIN IMMEDIATE) and PostgreSQL (FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter as Tally
from pathlib import Path

import pytest
from rel_support import check_history, create_soak_hall
from rel_workers import open_hall
from sqlalchemy import select

from db.engine import Database
from db.models import Ticket

COUNTERS = 16
BACKLOG = 150
SOAK_SECONDS = float(os.environ.get("HALL_SOAK_SECONDS", "60"))
WORKER = Path(__file__).with_name("rel_workers.py")
ROOT = Path(__file__).resolve().parents[2]


def _spawn(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HALL_LOG_DIR="/tmp/hall-rel-logs")
    return subprocess.Popen([sys.executable, str(WORKER), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _issue_backlog(url: str, n: int) -> list[int]:
    """A morning queue already waiting when the counters open, so they contend at once."""
    hall = open_hall(url)
    try:
        services = [s.id for s in hall.queries.services()]
        return [hall.tickets.issue(services[i % len(services)]).id for i in range(n)]
    finally:
        hall.close()


@pytest.mark.slow
def test_soak_many_counters_and_a_kiosk(db_url, tmp_path):
    create_soak_hall(db_url, COUNTERS)
    backlog = _issue_backlog(db_url, BACKLOG)
    procs = [_spawn("kiosk", db_url, str(SOAK_SECONDS), "7", str(tmp_path / "kiosk.json"))]
    procs += [
        _spawn("counter", db_url, str(n), str(SOAK_SECONDS), str(100 + n),
               str(tmp_path / f"counter{n}.json"))
        for n in range(1, COUNTERS + 1)
    ]
    for p in procs:
        out, err = p.communicate(timeout=SOAK_SECONDS + 180)
        assert p.returncode == 0, f"worker failed:\n{out}\n{err}"
        assert "Traceback" not in err, err

    kiosk = json.loads((tmp_path / "kiosk.json").read_text())
    counters = [json.loads((tmp_path / f"counter{n}.json").read_text())
                for n in range(1, COUNTERS + 1)]
    database = Database(db_url)
    try:
        report = check_history(database, "SOAK")
        with database.read() as s:
            stored = set(s.scalars(select(Ticket.id)))
    finally:
        database.dispose()

    unexpected = kiosk["unexpected"] + [u for c in counters for u in c["unexpected"]]
    assert unexpected == []
    assert report.problems == [], report.problems[:20]

    # Nothing lost: every ticket handed out by the kiosk is stored ...
    assert kiosk["issued"], "the kiosk issued nothing"
    assert set(kiosk["issued"]) | set(backlog) <= stored
    assert report.by_kind["issue"] == len(kiosk["issued"]) + len(backlog)
    # ... no ticket row was handed to two counters ...
    called = [tid for c in counters for tid in c["called_ids"]]
    assert len(called) == len(set(called)), "a ticket was called by two counters"
    # ... and each clerk's acknowledged actions are in the log exactly once.
    for c in counters:
        assert report.events_by_staff[c["staff_id"]] == c["expected_events"], c
    total_ok = sum(sum(c["ok"].values()) for c in counters)
    assert report.by_kind["call"] == len(called)
    assert total_ok > COUNTERS * 5, "the soak did too little to prove anything"

    ok = sum((Tally(c["ok"]) for c in counters), Tally())
    refused = sum((Tally(c["refused"]) for c in counters), Tally())
    summary = (f"soak {db_url.split(':')[0]} {SOAK_SECONDS:.0f}s: backlog {len(backlog)}, kiosk issued "
               f"{len(kiosk['issued'])}, counters acknowledged {total_ok} actions {dict(ok)}, "
               f"refused {dict(refused)}; {report.summary()}")
    print(summary)
    with open("/tmp/hall-rel-soak-figures.txt", "a", encoding="utf-8") as fh:
        fh.write(summary + "\n")
