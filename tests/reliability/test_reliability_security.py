"""Security: PINs never in clear, role checks inside the services, no password in logs
or error messages, disabled staff cannot log in.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from db.engine import Database
from db.models import AuditLog, Escalation, Incident, Staff, Ticket
from hall_app.clock import ManualClock
from hall_app.config import Settings
from hall_app.demo.seed import ensure_demo_hall
from hall_app.domain.priority import PriorityRule, RuleConfig
from hall_app.errors import DatabaseUnavailable, PermissionDenied
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DEMO_PINS = {"1001": "1234", "1002": "1234", "2001": "2468", "9001": "9999"}


@pytest.fixture
def sec_hall(db_url):
    database = Database(db_url)
    ensure_demo_hall(database)
    services = HallServices(ServiceContext(database, Settings(database_url=db_url, demo=True),
                                           ManualClock(NOW), "DEMO"))
    yield services
    services.close()


def _dump_database(hall: HallServices) -> str:
    """Every text value of every table, as one string."""
    from db.models import Base

    parts = []
    with hall.ctx.read() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(table.select()):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_pins_never_stored_or_logged_in_clear(sec_hall, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    pins = {"1001": "1234", "2001": "2468", "9001": "9999"}
    for staff_no, pin in pins.items():
        sec_hall.auth.login(staff_no, pin)
    # Wrong PINs are not logged either (they are usually one digit off the real one).
    for wrong in ("13579", "24680"):
        with pytest.raises(PermissionDenied) as info:
            sec_hall.auth.login("1002", wrong)
        assert wrong not in info.value.message
    clerk = sec_hall.auth.login("1003", "1234")
    sec_hall.auth.change_pin(clerk, "1234", "864207")
    assert sec_hall.auth.login("1003", "864207").staff_no == "1003"

    with sec_hall.ctx.read() as s:
        hashes = {st.staff_no: st.pin_hash for st in s.scalars(select(Staff))}
    for staff_no, pin in {**pins, "1003": "864207"}.items():
        assert hashes[staff_no].startswith("scrypt$")
        assert pin not in hashes[staff_no].split("$")[:4]
        assert hashes[staff_no] != pin
    dump = _dump_database(sec_hall)
    for secret in ("864207", "13579", "24680"):
        assert secret not in dump
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("864207", "13579", "24680", "2468", "9999"):
        assert secret not in log_text


def test_cli_log_file_has_no_pin_or_password(tmp_path):
    """A real process: log in through the services with logging to the rotating file."""
    log_dir = tmp_path / "logs"
    url = f"sqlite+pysqlite:///{tmp_path / 'pin.db'}"
    code = (
        "import sys; from hall_app.logs import setup_logging; import logging;"
        "setup_logging(logging.DEBUG);"
        "from hall_app.config import Settings; from hall_app.services import HallServices;"
        "from hall_app.demo.seed import ensure_demo_hall;"
        f"h = HallServices.open(Settings(database_url={url!r}));"
        "ensure_demo_hall(h.ctx.db);"
        "h.auth.login('1001', '1234');"
        "exec('try:\\n h.auth.login(\"1002\", \"97531\")\\nexcept Exception as e:\\n logging.getLogger(\"t\").warning(\"refused: %s\", e)')"
    )
    env = dict(os.environ, HALL_LOG_DIR=str(log_dir), PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT, timeout=120)
    log_text = (log_dir / "hall-app.log").read_text(encoding="utf-8")
    assert "refused: 工号或密码错误" in log_text  # the log file was written
    assert "97531" not in log_text


def _clerk_refusals(hall: HallServices):
    """(name, call) for every service a clerk may not use, with the objects they need."""
    from hall_app.services.admin import AdminService, ThresholdSettings
    from hall_app.services.complaints import ComplaintDraft, ComplaintService
    from hall_app.services.overview import OverviewService

    clerk = hall.auth.login("1001", "1234")
    manager = hall.auth.login("2001", "2468")
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    waiting = hall.tickets.issue(pay)
    escalation = hall.desk.escalate(clerk, c1, "顾客要求找值班长")
    outage = hall.incidents.declare_outage(manager, "系统故障")
    complaints = ComplaintService(hall.ctx)
    draft = ComplaintDraft(channel="counter", customer_name="李先生", phone="13812345678",
                           category=complaints.categories()[0].code, description="等候太久",
                           expectation="道歉")
    complaint = complaints.register(manager, draft)
    complaints.start(manager, complaint.id)
    complaints.propose_compensation(manager, complaint.id, "赠送10元话费")
    admin = AdminService(hall.ctx)
    overview = OverviewService(hall.ctx)
    with hall.ctx.read() as s:
        staff_1002 = s.scalar(select(Staff.id).where(Staff.staff_no == "1002"))
    return clerk, [
        ("close_day", lambda: hall.tickets.close_day(clerk)),
        ("cancel", lambda: hall.tickets.cancel(clerk, waiting.id, "不想等了")),
        ("declare_hall_outage", lambda: hall.incidents.declare_outage(clerk, "全厅故障")),
        ("clear_hall_outage", lambda: hall.incidents.clear(clerk, outage.id)),
        ("record_facility", lambda: hall.incidents.record_facility(clerk, "空调")),
        ("resolve_escalation", lambda: hall.desk.resolve_escalation(clerk, escalation.id)),
        ("approve_compensation", lambda: complaints.approve(clerk, complaint.id)),
        ("close_as_nuisance", lambda: complaints.close_as_nuisance(clerk, complaint.id, "骚扰")),
        ("acknowledge_alert", lambda: overview.acknowledge(clerk, "pause:1")),
        ("admin_snapshot", lambda: admin.snapshot(clerk)),
        ("admin_disable_staff", lambda: admin.set_staff_active(clerk, staff_1002, False)),
        ("admin_reset_pin", lambda: admin.reset_pin(clerk, staff_1002, "0000")),
        ("admin_priority_rule",
         lambda: admin.set_priority_rule(clerk, RuleConfig(PriorityRule.RATIO, 2, 30))),
        ("admin_thresholds", lambda: admin.update_thresholds(clerk, ThresholdSettings(
            **{f: getattr(admin.snapshot(manager).thresholds, f)
               for f in ThresholdSettings.__dataclass_fields__}))),
    ]


def test_restricted_services_refuse_a_clerk(sec_hall):
    clerk, calls = _clerk_refusals(sec_hall)
    before = _dump_database(sec_hall)
    refused = {}
    for name, call in calls:
        with pytest.raises(PermissionDenied) as info:
            call()
        refused[name] = info.value.message
    for name, message in refused.items():
        assert "营业员无权" in message, (name, message)
    assert _dump_database(sec_hall) == before  # a refusal changes nothing
    with sec_hall.ctx.read() as s:
        assert s.scalar(select(Escalation.resolved_at)) is None
        assert all(i.ended_at is None for i in s.scalars(select(Incident)))
        assert not s.scalars(select(AuditLog)).all()
        assert {t.state for t in s.scalars(select(Ticket))} == {"waiting"}


def test_database_password_never_in_error_or_log(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "S3cr3t-Pa55w0rd"
    # 192.0.2.1 is TEST-NET-1 (never routed); port 9 on loopback refuses at once.
    for host in ("127.0.0.1:9", "192.0.2.1:5432"):
        url = f"postgresql+psycopg://hall:{secret}@{host}/hall"
        hall = HallServices(ServiceContext(Database(url), Settings(database_url=url),
                                           ManualClock(NOW), "DEMO"))
        with pytest.raises(DatabaseUnavailable) as info:
            hall.auth.login("1001", "1234")
        assert "数据库" in info.value.message
        exc_texts = [str(info.value), info.value.message, str(info.value.detail),
                     repr(info.value), repr(hall.ctx.db), str(info.value.__cause__)]
        for t in exc_texts:
            assert secret not in t
        hall.close()
        # A unit of work logs the failure (with the redacted URL) before refusing.
        with pytest.raises(DatabaseUnavailable), hall.ctx.write() as s:
            s.execute(text("SELECT 1"))
    log_text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "database unavailable (postgresql+psycopg://hall:***@" in log_text
    assert secret not in log_text


def test_cli_with_password_url_shows_no_password(tmp_path):
    secret = "S3cr3t-Pa55w0rd"
    log_dir = tmp_path / "logs"
    env = dict(os.environ, HALL_LOG_DIR=str(log_dir), PYTHONPATH=str(ROOT),
               HALL_DATABASE_URL=f"postgresql+psycopg://hall:{secret}@127.0.0.1:9/hall")
    env.pop("HALL_CONFIG", None)
    result = subprocess.run([sys.executable, "-m", "hall_app", "db", "upgrade"], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode in (1, 2)
    assert result.stderr.startswith("错误:")
    assert "Traceback" not in result.stderr
    log_text = (log_dir / "hall-app.log").read_text(encoding="utf-8")
    for t in (result.stdout, result.stderr, log_text):
        assert secret not in t


def test_disabled_staff_cannot_log_in(sec_hall):
    from hall_app.services.admin import AdminService

    admin_actor = sec_hall.auth.login("9001", "9999")
    assert sec_hall.auth.login("1002", "1234").staff_no == "1002"
    with sec_hall.ctx.read() as s:
        staff_id = s.scalar(select(Staff.id).where(Staff.staff_no == "1002"))
    AdminService(sec_hall.ctx).set_staff_active(admin_actor, staff_id, False)
    with pytest.raises(PermissionDenied) as info:
        sec_hall.auth.login("1002", "1234")
    assert info.value.message == "该工号已停用,请联系管理员。"
    # Directly in the table (e.g. a hall config import) has the same effect.
    with sec_hall.ctx.write() as s:
        s.execute(text("UPDATE staff SET active = :f WHERE staff_no = '1003'"), {"f": False})
    with pytest.raises(PermissionDenied):
        sec_hall.auth.login("1003", "1234")
