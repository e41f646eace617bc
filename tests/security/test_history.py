"""Tamper-evident history: append-only triggers, hash chains, seals, `hall-app audit verify`.

Finding of issue 14 (failed before the fix): the audit trail and ticket events could be
edited with plain UPDATE/DELETE and the admin screen then showed the tampered value as
fact. Now a trigger refuses UPDATE/DELETE; an attacker who drops the trigger first is
named by the verification.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db.models import AuditLog, ComplaintHistory, TicketEvent
from hall_app.services.complaints import ComplaintDraft
from tests.security.support import counter_id, service_id, staff_id

ROOT = Path(__file__).resolve().parents[2]
GUARDED = ("ticket_event", "complaint_history", "audit_log")


def play(hall, clerk, manager, admin) -> None:  # type: ignore[no-untyped-def]
    """A little of everything: tickets served and transferred, a complaint, config edits."""
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pay = service_id(hall, "PAY")
    for _ in range(3):
        hall.tickets.issue(pay)
    t = hall.tickets.call_next(clerk, c1)
    hall.tickets.start(clerk, t.id, c1)
    hall.tickets.finish(clerk, t.id, c1)
    t = hall.tickets.call_next(clerk, c1)
    hall.tickets.transfer(clerk, t.id, to_service_id=service_id(hall, "PLAN"), counter_id=c1,
                          note="转套餐 🙂 'quoted' ; --")
    category = hall.complaints.categories()[0].code
    complaint = hall.complaints.register(manager, ComplaintDraft(
        channel="counter", customer_name="李先生", phone="13812345678", category=category,
        description="等候太久", expectation="道歉"))
    hall.complaints.start(manager, complaint.id)
    hall.admin.set_staff_active(admin, staff_id(hall, "1008"), False)
    hall.admin.set_staff_active(admin, staff_id(hall, "1008"), True)


def verify(hall):  # type: ignore[no-untyped-def]
    from hall_app.security.history import verify_history

    with hall.ctx.read() as s:
        return verify_history(s, hall.ctx.hall.id, hall.ctx.hall.code)


def drop_guard(hall, table: str) -> None:  # type: ignore[no-untyped-def]
    """What an attacker with database access does first."""
    with hall.ctx.db.engine.begin() as conn:
        if hall.ctx.db.is_postgres:
            conn.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
        else:
            for op in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER {table}_append_only_{op}"))


@pytest.fixture
def played(hall, clerk, manager, admin):  # type: ignore[no-untyped-def]
    play(hall, clerk, manager, admin)
    return hall


@pytest.mark.parametrize("table", GUARDED)
def test_history_rows_cannot_be_updated_or_deleted(played, table):
    with played.ctx.db.engine.connect() as conn:
        before = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    assert before
    for statement in (f"UPDATE {table} SET staff_id = NULL",
                      f"DELETE FROM {table} WHERE id = (SELECT max(id) FROM {table})"):
        with pytest.raises(DBAPIError, match="append-only"), \
                played.ctx.db.engine.begin() as conn:
            conn.execute(text(statement))
    with played.ctx.db.engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == before
    assert verify(played).ok


def test_an_untouched_history_verifies(played):
    report = verify(played)
    assert report.ok, report.summary()
    assert report.rows["ticket_event"] >= 8 and report.rows["audit_log"] >= 2
    assert report.rows["complaint_history"] == 2
    assert "ok:历史记录完整" in report.summary()


def test_every_row_hash_is_the_python_definition(played):
    """The database's trigger (plpgsql on PostgreSQL) and Python agree, row by row."""
    from db.history_chain import TICKET_EVENT, row_hash

    names = [c.name for c in TICKET_EVENT.columns]
    with played.ctx.db.engine.connect() as conn:
        rows = conn.execute(text(
            f"SELECT {', '.join(names)}, prev_hash, row_hash FROM ticket_event")).all()
    assert rows
    for row in rows:
        assert row_hash(TICKET_EVENT, row[-2], row[:-2]) == row[-1]


def test_an_edited_event_is_named(played):
    drop_guard(played, "ticket_event")
    with played.ctx.read() as s:
        target = s.scalars(select(TicketEvent).where(TicketEvent.kind == "finish")).one()
    with played.ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE ticket_event SET staff_id = NULL WHERE id = :i"),
                     {"i": target.id})
    report = verify(played)
    assert not report.ok
    first = report.first
    assert first is not None and (first.table, first.row_id) == ("ticket_event", target.id)
    assert "内容与哈希不符" in first.problem
    assert f"ticket_event#{target.id}" in report.summary()


def test_a_deleted_event_breaks_the_link_of_the_next(played):
    drop_guard(played, "ticket_event")
    with played.ctx.read() as s:
        start = s.scalars(select(TicketEvent).where(TicketEvent.kind == "start")).one()
        finish = s.scalars(select(TicketEvent).where(TicketEvent.kind == "finish")).one()
    with played.ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM ticket_event WHERE id = :i"), {"i": start.id})
    report = verify(played)
    assert report.first is not None
    assert (report.first.table, report.first.row_id) == ("ticket_event", finish.id)
    assert "链接断开" in report.first.problem


def test_an_edited_audit_row_and_complaint_step_are_named(played):
    for table in ("audit_log", "complaint_history"):
        drop_guard(played, table)
    with played.ctx.read() as s:
        audit = s.scalars(select(AuditLog).order_by(AuditLog.id)).first()
        step = s.scalars(select(ComplaintHistory).order_by(ComplaintHistory.id)).first()
    with played.ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET new_value = '是' WHERE id = :i"),
                     {"i": audit.id})
        conn.execute(text("UPDATE complaint_history SET note = '已道歉' WHERE id = :i"),
                     {"i": step.id})
    named = {(b.table, b.row_id) for b in verify(played).breaks}
    assert ("audit_log", audit.id) in named and ("complaint_history", step.id) in named


def test_deleting_the_newest_event_is_found(played):
    """The last event of a ticket leaves no broken link: the ticket's state gives it
    away before a seal, the seal's digest after."""
    from hall_app.security.history import seal_history

    drop_guard(played, "ticket_event")
    with played.ctx.write() as s:
        seal = seal_history(s, played.ctx.hall.id, played.ctx.now())
    assert seal is not None and seal.rows == sum(verify(played).rows.values())
    assert verify(played).ok
    with played.ctx.read() as s:
        newest = s.scalars(select(TicketEvent).order_by(TicketEvent.id.desc())).first()
    with played.ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM ticket_event WHERE id = :i"), {"i": newest.id})
    problems = {b.table for b in verify(played).breaks}
    assert {"ticket", "history_seal"} <= problems


def test_seals_chain_and_a_second_seal_covers_only_new_rows(played, clerk):
    from hall_app.security.history import seal_history

    with played.ctx.write() as s:
        first = seal_history(s, played.ctx.hall.id, played.ctx.now())
    with played.ctx.write() as s:
        assert seal_history(s, played.ctx.hall.id, played.ctx.now()) is None  # nothing new
    played.tickets.issue(service_id(played, "PAY"))
    with played.ctx.write() as s:
        second = seal_history(s, played.ctx.hall.id, played.ctx.now())
    assert first is not None and second is not None
    assert (second.seq, second.prev_hash, second.rows) == (2, first.seal_hash, 1)
    report = verify(played)
    assert report.ok and report.seals == 2 and report.last_seal_hash == second.seal_hash


def _cli(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HALL_DATABASE_URL=url, HALL_LOG_DIR=str(tmp_path / "logs"),
               PYTHONPATH=str(ROOT))
    env.pop("HALL_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "hall_app", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_audit_verify_on_the_demo_hall_and_on_a_tampered_copy(tmp_path, sqlite_url):
    """`hall-app audit verify`: ok on the demo hall after a simulated day; on a copy
    edited behind the app's back it names the row and exits 1."""
    from db.engine import Database
    from hall_app.clock import ManualClock
    from hall_app.config import Settings
    from hall_app.demo.simulate import SimParams, simulate_day
    from hall_app.services import HallServices
    from hall_app.services.context import ServiceContext
    from tests.conftest import DEMO_NOW

    hall = HallServices(ServiceContext(Database(sqlite_url), Settings(database_url=sqlite_url,
                                                                      demo=True),
                                       ManualClock(DEMO_NOW), "DEMO"))
    simulate_day(hall, DEMO_NOW.date(), seed=2, params=SimParams(arrivals_per_hour=15))
    hall.close()
    ok = _cli(sqlite_url, tmp_path, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "ok:历史记录完整" in ok.stdout and "封存 1 段" in ok.stdout
    copy = tmp_path / "tampered.db"
    shutil.copy(sqlite_url.split("///", 1)[1], copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("DROP TRIGGER ticket_event_append_only_update")
        target = conn.execute("SELECT id FROM ticket_event WHERE kind = 'finish' "
                              "ORDER BY id LIMIT 1 OFFSET 5").fetchone()[0]
        conn.execute("UPDATE ticket_event SET kind = 'no_show' WHERE id = ?", (target,))
    bad = _cli(f"sqlite+pysqlite:///{copy}", tmp_path, "audit", "verify")
    assert bad.returncode == 1, bad.stderr
    assert f"ticket_event#{target}" in bad.stdout and "内容与哈希不符" in bad.stdout
