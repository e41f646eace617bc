"""`hall-app config import/export` under an administrator's login.

Findings of issue 14 (each failed before the fix): `config import` needed no login — a
file that makes clerk 1001 an admin was applied, 1001 then logged in as admin and the
audit row had no staff id; re-importing a file with PINs silently reset a PIN the clerk
had changed; the export held PIN hashes and was world-readable.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditLog, Staff
from hall_app.config import Settings
from hall_app.config_io import export_main, import_main
from hall_app.errors import PermissionDenied, SessionExpired
from tests.security.support import counter_id

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PIN = "246813"


@pytest.fixture
def pin_prompt(monkeypatch):  # type: ignore[no-untyped-def]
    """What the administrator types when the CLI asks (None: nothing typed)."""
    typed: dict[str, str] = {"pin": ADMIN_PIN}
    monkeypatch.setattr("hall_app.cli_login.read_pin",
                        lambda prompt="": typed["pin"])
    return typed


@pytest.fixture
def hall_with_admin_pin(hall):  # type: ignore[no-untyped-def]
    admin = hall.auth.login("9001", "9999")
    hall.auth.change_pin(admin, "9999", ADMIN_PIN)
    return hall


def export(url: str, path: Path, staff: str | None = "9001", **flags) -> None:  # type: ignore[no-untyped-def]
    export_main(types.SimpleNamespace(file=str(path), staff=staff,
                                      with_pin_hashes=flags.get("with_pin_hashes", False)),
                Settings(database_url=url))


def import_(url: str, path: Path, staff: str | None = "9001", **flags) -> None:  # type: ignore[no-untyped-def]
    import_main(types.SimpleNamespace(file=str(path), staff=staff, dry_run=False,
                                      hall_code=None, login_hall=None,
                                      reset_pins=flags.get("reset_pins", False)),
                Settings(database_url=url))


def _staff(hall, staff_no: str) -> Staff:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        row = s.scalars(select(Staff).where(Staff.staff_no == staff_no)).one()
        s.expunge(row)
        return row


def _make_1001_admin(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    marker = 'staff_no = "1001"\nname = "王芳"\nrole = "clerk"'
    assert marker in text
    path.write_text(text.replace(marker, marker.replace('"clerk"', '"admin"')),
                    encoding="utf-8")


def test_import_without_a_login_is_refused(hall_with_admin_pin, db_url, tmp_path, pin_prompt):
    hall = hall_with_admin_pin
    path = tmp_path / "hall.toml"
    export(db_url, path)
    _make_1001_admin(path)
    with pytest.raises(PermissionDenied, match="需要管理员登录"):
        import_(db_url, path, staff=None)
    pin_prompt["pin"] = "000000"
    with pytest.raises(PermissionDenied, match="工号或密码错误"):
        import_(db_url, path)
    assert _staff(hall, "1001").role == "clerk"
    # A clerk's login is not enough either.
    clerk = hall.auth.login("1002", "1234")
    hall.auth.change_pin(clerk, "1234", "135799")
    pin_prompt["pin"] = "135799"
    with pytest.raises(PermissionDenied, match="营业员无权"):
        import_(db_url, path, staff="1002")
    assert _staff(hall, "1001").role == "clerk"


def test_the_audit_names_the_administrator(hall_with_admin_pin, db_url, tmp_path, pin_prompt,
                                           clerk):
    hall = hall_with_admin_pin
    hall.counters.sign_in(clerk, counter_id(hall, 1))
    path = tmp_path / "hall.toml"
    export(db_url, path)
    _make_1001_admin(path)
    import_(db_url, path)
    admin_id = _staff(hall, "9001").id
    with hall.ctx.read() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.field.like("导入%"))).all()
    assert rows and all(r.staff_id == admin_id for r in rows)
    # The promoted clerk's old session (a clerk's) has ended: he logs in again.
    with pytest.raises(SessionExpired):
        hall.tickets.call_next(clerk, counter_id(hall, 1))


def test_reimport_keeps_a_changed_pin_unless_asked(hall_with_admin_pin, db_url, tmp_path,
                                                   pin_prompt):
    hall = hall_with_admin_pin
    path = tmp_path / "hall.toml"
    export(db_url, path, with_pin_hashes=True)  # the file holds 1003's old PIN hash
    clerk = hall.auth.login("1003", "1234")
    hall.auth.change_pin(clerk, "1234", "975310")
    import_(db_url, path)
    assert hall.auth.login("1003", "975310").staff_no == "1003"
    import_(db_url, path, reset_pins=True)
    assert hall.auth.login("1003", "1234").staff_no == "1003"
    with pytest.raises(PermissionDenied):
        hall.auth.login("1003", "975310")


def test_export_leaves_pin_hashes_out_and_is_private(hall_with_admin_pin, db_url, tmp_path,
                                                     pin_prompt):
    plain, hashed = tmp_path / "plain.toml", tmp_path / "hashed.toml"
    export(db_url, plain)
    export(db_url, hashed, with_pin_hashes=True)
    assert "pin_hash" not in plain.read_text(encoding="utf-8")
    assert "scrypt$" in hashed.read_text(encoding="utf-8")
    if os.name == "posix":
        for path in (plain, hashed):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(PermissionDenied, match="需要管理员登录"):
        export(db_url, tmp_path / "nobody.toml", staff=None)


def test_the_command_reads_the_pin_from_stdin(sqlite_url, tmp_path):
    """A real `hall-app config export/import --staff 9001` with the PIN piped in."""
    from tests.conftest import make_hall

    hall = make_hall(sqlite_url)
    hall.auth.change_pin(hall.auth.login("9001", "9999"), "9999", ADMIN_PIN)
    hall.close()
    env = dict(os.environ, HALL_DATABASE_URL=sqlite_url, HALL_LOG_DIR=str(tmp_path / "logs"),
               PYTHONPATH=str(ROOT))
    env.pop("HALL_CONFIG", None)
    path = tmp_path / "hall.toml"

    def run(*args: str, pin: str = ADMIN_PIN) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hall_app", "config", *args],
                              input=pin + "\n", env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)

    done = run("export", str(path), "--staff", "9001")
    assert done.returncode == 0, done.stderr
    assert ADMIN_PIN not in done.stdout + done.stderr
    refused = run("import", str(path), "--staff", "9001", pin="111111")
    assert refused.returncode == 2 and "工号或密码错误" in refused.stderr
    done = run("import", str(path), "--staff", "9001")
    assert done.returncode == 0 and "没有修改" in done.stdout
