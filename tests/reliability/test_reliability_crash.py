"""Crash safety on SQLite: SIGKILL in the middle of a stream of lifecycle operations.

A worker process issues tickets and serves them at three counters as fast as it can
(call, recall, no-show, transfer, start, finish). The test kills it with SIGKILL at a
random moment, several times over on the same database file, restarting the worker
each time. After every kill the file must pass `PRAGMA integrity_check`, every
ticket's stored state must equal the replay of its events, and the hall must keep
working (a new ticket can be issued and called).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rel_support import check_history, create_soak_hall
from rel_workers import open_hall

from db.engine import Database

WORKER = Path(__file__).with_name("rel_workers.py")
ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("HALL_CRASH_KILLS", "6"))


def _churn_until(url: str, seed: int, ops: int) -> int:
    """Run the churn worker until it reports `ops` operations, then SIGKILL it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), HALL_LOG_DIR="/tmp/hall-rel-logs")
    proc = subprocess.Popen([sys.executable, str(WORKER), "churn", url, str(seed)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = 0
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            done = int(line.split()[1])
            if done >= ops or time.monotonic() > deadline:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        err = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == -signal.SIGKILL, f"worker ended by itself:\n{err}"
    assert done >= ops, f"worker stopped early at {done} ops:\n{err}"
    return done


@pytest.mark.slow
def test_sigkill_mid_operations_leaves_consistent_database(tmp_path):
    path = tmp_path / "crash.db"
    url = f"sqlite+pysqlite:///{path}"
    from db.migrate import upgrade

    database = Database(url)
    upgrade(database)
    database.dispose()
    create_soak_hall(url, counters=3)
    rng = random.Random(20261125)
    total_ops = 0
    for kill in range(KILLS):
        total_ops += _churn_until(url, seed=kill, ops=rng.randint(40, 160))
        # Raw SQLite first: the file as the killed process left it (WAL replayed on open).
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        database = Database(url)
        try:
            report = check_history(database, "SOAK")
        finally:
            database.dispose()
        assert report.problems == [], (kill, report.problems[:10])
        assert report.tickets > 0

    # The hall still works after the last kill: a ticket can be issued and called.
    hall = open_hall(url)
    try:
        actor = hall.auth.login("3001", "2580")
        counter = hall.queries.counter_for_number(1).id
        hall.counters.sign_in(actor, counter)
        current = hall.tickets.current(counter)
        if current is not None:  # the killed worker left a customer here: finish them
            if current.state == "called":
                hall.tickets.start(actor, current.id, counter)
            hall.tickets.finish(actor, current.id, counter)
        issued = hall.tickets.issue(hall.queries.services()[0].id)
        called = hall.tickets.call_next(actor, counter)
        assert called.state == "called"
        assert issued.state == "waiting"
    finally:
        hall.close()
    figures = (f"crash: {KILLS} SIGKILLs after {total_ops} operations; "
               f"final {report.summary()}")
    print(figures)
    with open("/tmp/hall-rel-crash-figures.txt", "a", encoding="utf-8") as fh:
        fh.write(figures + "\n")


def test_history_checker_catches_a_corrupted_ticket(tmp_path):
    """The oracle itself: a state changed without its event is reported."""
    from sqlalchemy import text

    from db.migrate import upgrade

    url = f"sqlite+pysqlite:///{tmp_path / 'oracle.db'}"
    database = Database(url)
    upgrade(database)
    database.dispose()
    create_soak_hall(url, counters=1)
    hall = open_hall(url)
    ticket = hall.tickets.issue(hall.queries.services()[0].id)
    hall.close()
    database = Database(url)
    try:
        assert check_history(database, "SOAK").problems == []
        with database.write() as s:
            s.execute(text("UPDATE ticket SET state = 'done' WHERE id = :i"), {"i": ticket.id})
        problems = check_history(database, "SOAK").problems
    finally:
        database.dispose()
    assert problems == [f"ticket {ticket.code}#{ticket.id}: stored state done, "
                        "history says waiting"]
