"""Backups: taken at the day close (and on demand), pruned to the last N, restored whole.

A restored backup holds every ticket and every event of the original (compared row by
row); restoring over a database that holds a hall needs a confirmation, without which
nothing changes. SQLite uses the online backup API; PostgreSQL pg_dump / pg_restore.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from conftest import make_hall
from sqlalchemy import select

from db.engine import Database
from db.migrate import upgrade
from db.models import Ticket, TicketEvent
from hall_app.backup import backup_database, restore
from hall_app.config import BackupSettings, Settings
from hall_app.errors import HallError


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def pair(request):
    """(a database with the demo hall, an empty database of the same kind)."""
    kind = request.param
    return (request.getfixturevalue(f"{kind}_url"),
            request.getfixturevalue(f"empty_{kind}_url"))


def some_traffic(hall) -> None:
    clerk = hall.auth.login("1001", "1234")
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    plan = next(s.id for s in hall.queries.services() if s.code == "PLAN")
    for _ in range(6):
        hall.tickets.issue(pay)
    for _ in range(3):
        t = hall.tickets.call_next(clerk, c1)
        hall.tickets.start(clerk, t.id, c1)
        hall.tickets.finish(clerk, t.id, c1)
    t = hall.tickets.call_next(clerk, c1)
    hall.tickets.transfer(clerk, t.id, to_service_id=plan, counter_id=c1)


def rows(url: str) -> tuple[list[tuple], list[tuple]]:
    database = Database(url)
    try:
        with database.read() as s:
            tickets = [(t.id, t.code, t.state, t.hop, t.service_id, t.issued_at, t.ended_at,
                        t.origin_ticket_id) for t in s.scalars(select(Ticket).order_by(Ticket.id))]
            events = [(e.id, e.ticket_id, e.kind, e.from_state, e.to_state, e.at, e.staff_id)
                      for e in s.scalars(select(TicketEvent).order_by(TicketEvent.id))]
    finally:
        database.dispose()
    return tickets, events


def test_a_restored_backup_holds_every_ticket_and_event(pair, tmp_path):
    url, empty_url = pair
    hall = make_hall(url)
    some_traffic(hall)
    settings = Settings(database_url=url, backup=BackupSettings(folder=str(tmp_path / "bk")))
    path = backup_database(hall.ctx.db, settings, hall.ctx.now())
    hall.close()
    assert path.parent == tmp_path / "bk" and oct(path.stat().st_mode & 0o777) == "0o600"
    original = rows(url)
    assert len(original[0]) == 7 and len(original[1]) > 15

    target = Database(empty_url)
    restore(target, path, confirm=lambda live: pytest.fail(f"empty target asked: {live}"))
    upgrade(target)
    target.dispose()
    assert rows(empty_url) == original


def test_restoring_over_a_live_hall_needs_confirmation(pair, tmp_path):
    url, other_url = pair
    source = make_hall(other_url)  # a second hall database: its backup
    some_traffic(source)
    backup = backup_database(source.ctx.db, Settings(database_url=other_url), source.ctx.now(),
                             tmp_path / ("b.db" if other_url.startswith("sqlite") else "b.dump"))
    source.close()
    live = make_hall(url)
    live.tickets.issue(next(s.id for s in live.queries.services() if s.code == "PAY"))
    live.close()
    before = rows(url)
    asked = []

    def refuse(info) -> bool:
        asked.append(info)
        return False

    database = Database(url)
    with pytest.raises(HallError, match="已取消恢复.*DEMO.*号票 1 张"):
        restore(database, backup, confirm=refuse)
    assert rows(url) == before and asked[0].tickets == 1
    restore(database, backup, confirm=lambda info: True)
    database.dispose()
    assert rows(url) == rows(other_url)


def test_day_close_backups_keep_the_newest_n(sqlite_url, tmp_path):
    hall = make_hall(sqlite_url)
    settings = replace(hall.ctx.settings,
                       backup=BackupSettings(keep=3, folder=str(tmp_path / "bk")))
    start = datetime(2026, 11, 20, 10, tzinfo=UTC)
    made = [backup_database(hall.ctx.db, settings, start + timedelta(days=i)) for i in range(5)]
    hall.close()
    kept = sorted(p.name for p in (tmp_path / "bk").iterdir())
    assert kept == sorted(p.name for p in made[-3:])


def test_cli_restore_refuses_a_live_hall_without_yes(sqlite_url, tmp_path):
    hall = make_hall(sqlite_url)
    hall.tickets.issue(next(s.id for s in hall.queries.services() if s.code == "PAY"))
    hall.close()
    env = dict(os.environ, HALL_DATABASE_URL=sqlite_url)
    env.pop("HALL_CONFIG", None)
    out = subprocess.run([sys.executable, "-m", "hall_app", "db", "backup", "--out",
                          str(tmp_path / "x.db")], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0 and "已备份到" in out.stdout, out.stderr
    out = subprocess.run([sys.executable, "-m", "hall_app", "db", "restore",
                          str(tmp_path / "x.db")], capture_output=True, text=True, env=env,
                         stdin=subprocess.DEVNULL, timeout=120)
    assert out.returncode == 2 and "--yes" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([sys.executable, "-m", "hall_app", "db", "restore",
                          str(tmp_path / "x.db"), "--yes"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0 and "已从SQLite备份恢复" in out.stdout, out.stderr
