"""Privacy (PIPL: minimise, protect, delete).

Findings of issue 14 (each failed before the fix): an unexpected database error logged
SQLAlchemy's `[parameters: …]` with full phone, name and address; log, database and
exported config files were world-readable (0644); complaint personal data was kept for
ever.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditLog, Complaint
from hall_app.services.complaints import ComplaintDraft

ROOT = Path(__file__).resolve().parents[2]
NAME, PHONE, ADDRESS, ID_NO = "欧阳娜娜", "13987654321", "人民路88号3单元502室", "110105199003071234"
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def test_no_customer_data_in_the_log_after_errors(tmp_path, sqlite_url):
    """A real process logging to its file: a failed insert of a complaint (the driver's
    error with its parameters), an unexpected error, and a careless log line."""
    log_dir = tmp_path / "logs"
    script = f"""
import logging
from hall_app.logs import setup_logging
setup_logging(logging.DEBUG)
from datetime import datetime, timezone, date
from hall_app.config import Settings
from hall_app.services import HallServices
from db.models import Complaint
h = HallServices.open(Settings(database_url={sqlite_url!r}, demo=True))
now = datetime.now(timezone.utc)
try:
    with h.ctx.write() as s:
        s.add(Complaint(hall_id=h.ctx.hall.id, business_day=date.today(), received_at=now,
                        channel="counter", customer_name={NAME!r}, phone={PHONE!r},
                        address={ADDRESS!r}, ticket_id=987654321, category="x",
                        description="证件 {ID_NO}", recorded_by=1, reply_due_at=now,
                        hard_due_at=now))
except Exception:
    logging.getLogger("hall_app.test").exception("unexpected database failure")
logging.getLogger("hall_app.test").warning("callback to %s, id %s", {PHONE!r}, {ID_NO!r})
logging.getLogger("hall_app.test").error("landline 0571-88912345 and +86 139-8765-4321")
"""
    env = dict(os.environ, HALL_LOG_DIR=str(log_dir), PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=ROOT, timeout=120)
    text = (log_dir / "hall-app.log").read_text(encoding="utf-8")
    assert "unexpected database failure" in text and "IntegrityError" in text  # it logged
    assert "[电话已隐去]" in text and "[证件号已隐去]" in text
    for secret in (NAME, PHONE, ADDRESS, ID_NO, "88912345", "8765-4321", "人民路"):
        assert secret not in text, secret


def test_redaction_of_phone_and_id_numbers():
    from hall_app.security.redaction import redact

    assert redact(f"tel {PHONE}, +86 139 8765 4321, 010-12345678, id {ID_NO} / "
                  "11010519900307123X") == (
        "tel [电话已隐去], [电话已隐去], [电话已隐去], id [证件号已隐去] / [证件号已隐去]")
    # Keys, counts, times and ticket codes stay readable.
    kept = "ticket 5497558138881 A012 at 2026-11-25 10:00:00.123456 took 1234 ms"
    assert redact(kept) == kept


@posix_only
def test_database_and_log_files_are_private(tmp_path):
    from hall_app.logs import rotating_handler

    data = tmp_path / "data" / "hall"
    database = Database(f"sqlite+pysqlite:///{data / 'hall.db'}")
    from db.migrate import upgrade

    upgrade(database)
    database.dispose()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.iterdir():  # the database and its -wal / -shm files
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    logs = tmp_path / "logs"
    handler = rotating_handler(logs / "hall-app-counter.log")
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "x" * 100, None, None)
    handler.emit(record)
    handler.doRollover()
    handler.emit(record)
    handler.close()
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    files = sorted(logs.iterdir())
    assert len(files) == 2
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)


@posix_only
def test_a_database_in_a_shared_folder_leaves_the_folder_alone(tmp_path):
    """A database put straight into /tmp (or any sticky, shared folder) is 0600 itself,
    but the folder keeps its mode: once made 0700, /tmp locked every other user and
    service out (the PostgreSQL test servers lost their data folders)."""
    from db.migrate import upgrade

    shared = tmp_path / "tmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    database = Database(f"sqlite+pysqlite:///{shared / 'hall.db'}")
    upgrade(database)
    database.dispose()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "hall.db").stat().st_mode) == 0o600


@pytest.fixture
def old_and_new_complaints(hall, manager, clock):  # type: ignore[no-untyped-def]
    category = hall.complaints.categories()[0].code
    now = clock.now()

    def register(when: datetime, name: str) -> int:
        clock.set(when)
        return hall.complaints.register(manager, ComplaintDraft(
            channel="phone", customer_name=name, phone=PHONE, address=ADDRESS,
            category=category, description=f"回电 {PHONE} 身份证 {ID_NO}",
            expectation="道歉")).id

    old = register(now - timedelta(days=800), NAME)
    new = register(now - timedelta(days=300), "张三")
    clock.set(now)
    return old, new


def test_purge_anonymises_old_complaints_and_keeps_the_figures(hall, old_and_new_complaints):
    from hall_app.security.privacy import ANONYMOUS_NAME, purge_complaints

    old, new = old_and_new_complaints
    with hall.ctx.read() as s:
        figures = s.execute(select(Complaint.category, Complaint.severity, Complaint.state,
                                   func.count()).group_by(Complaint.category,
                                                          Complaint.severity,
                                                          Complaint.state)).all()
    with hall.ctx.write() as s:
        result = purge_complaints(s, hall.ctx.hall.id, hall.ctx.now(), 24)
    assert result.anonymised == 1
    with hall.ctx.read() as s:
        purged, kept = s.get(Complaint, old), s.get(Complaint, new)
        assert (purged.customer_name, purged.phone, purged.address) == (ANONYMOUS_NAME, "", None)
        assert PHONE not in purged.description and ID_NO not in purged.description
        assert (kept.customer_name, kept.phone, kept.address) == ("张三", PHONE, ADDRESS)
        assert s.execute(select(Complaint.category, Complaint.severity, Complaint.state,
                                func.count()).group_by(Complaint.category,
                                                       Complaint.severity,
                                                       Complaint.state)).all() == figures
        audit = s.scalars(select(AuditLog).where(AuditLog.field == "个人信息匿名化")).one()
        assert audit.new_value == "1 条"
    with hall.ctx.write() as s:  # a second run finds nothing more to do
        assert purge_complaints(s, hall.ctx.hall.id, hall.ctx.now(), 24).anonymised == 0


def test_purge_command(hall, old_and_new_complaints, tmp_path, db_url):
    env = dict(os.environ, HALL_DATABASE_URL=db_url, HALL_LOG_DIR=str(tmp_path / "logs"),
               PYTHONPATH=str(ROOT))
    env.pop("HALL_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "hall_app", "privacy", "purge"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "已匿名化" in done.stdout
    # Run on today's date (the real clock): both complaints were received before it, the
    # old one more than 24 months before.
    from hall_app.security.privacy import ANONYMOUS_NAME

    with hall.ctx.read() as s:
        names = set(s.scalars(select(Complaint.customer_name)))
    assert ANONYMOUS_NAME in names and NAME not in names


def test_months_before_counts_calendar_months():
    from hall_app.security.privacy import months_before

    assert months_before(datetime(2026, 3, 31, 8), 1) == datetime(2026, 2, 28, 8)
    assert months_before(datetime(2026, 11, 25), 24) == datetime(2024, 11, 25)
