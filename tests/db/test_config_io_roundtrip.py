"""config export / import: round trip, in-place update, and all-or-nothing on bad files.

Both commands run under the administrator's login (9001, PIN read as the CLI does:
`read_pin` is replaced by the fixture); tests/security/test_config_io.py covers the
login itself, PINs and file permissions."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from hall_app.config import Settings
from hall_app.config_io import config_dict, export_main, import_main
from hall_app.errors import ConfigError

ADMIN_PIN = "246813"


@pytest.fixture(autouse=True)
def admin_pin(hall, monkeypatch):  # type: ignore[no-untyped-def]
    """The administrator has a real PIN (the demo's 9999 must be changed outside it)."""
    admin = hall.auth.login("9001", "9999")
    hall.auth.change_pin(admin, "9999", ADMIN_PIN)
    monkeypatch.setattr("hall_app.cli_login.read_pin", lambda prompt="": ADMIN_PIN)


def whole(hall) -> dict:
    with hall.ctx.read() as s:
        return config_dict(s, "DEMO")


def run_export(url: str, path: Path, *, with_pin_hashes: bool = False) -> None:
    export_main(types.SimpleNamespace(file=str(path), staff="9001",
                                      with_pin_hashes=with_pin_hashes),
                Settings(database_url=url))


def run_import(url: str, path: Path, *, dry_run: bool = False, hall_code=None) -> None:
    import_main(types.SimpleNamespace(file=str(path), dry_run=dry_run, hall_code=hall_code,
                                      staff="9001", login_hall="DEMO"),
                Settings(database_url=url, hall_code=hall_code or "DEMO"))


def test_export_import_round_trip(hall, db_url, tmp_path, capsys):
    path = tmp_path / "hall.toml"
    run_export(db_url, path, with_pin_hashes=True)  # a new hall needs its staff's PINs
    before = whole(hall)
    run_import(db_url, path)
    assert "没有修改" in capsys.readouterr().out
    assert whole(hall) == before
    # Into another hall of the same database (a chain rolling it out): identical apart from code.
    run_import(db_url, path, hall_code="BRANCH2")
    with hall.ctx.read() as s:
        copy = config_dict(s, "BRANCH2")
    assert copy["hall"].pop("code") == "BRANCH2"
    before["hall"].pop("code")
    assert copy == before


def test_import_updates_in_place_and_dry_run_changes_nothing(hall, db_url, tmp_path, capsys):
    path = tmp_path / "hall.toml"
    run_export(db_url, path)
    text = path.read_text(encoding="utf-8")
    # Swap two prefixes, rename a clerk, switch the rule.
    text = text.replace('prefix = "A"', 'prefix = "TMP"').replace('prefix = "B"', 'prefix = "A"')
    text = text.replace('prefix = "TMP"', 'prefix = "B"').replace('"李娜"', '"李娜(组长)"')
    text = text.replace('priority_rule = "strict"', 'priority_rule = "ratio"')
    path.write_text(text, encoding="utf-8")
    before = whole(hall)
    run_import(db_url, path, dry_run=True)
    out = capsys.readouterr().out
    assert "试运行" in out and "员工 1002:名称 李娜 → 李娜(组长)" in out
    assert whole(hall) == before
    run_import(db_url, path)
    after = whole(hall)
    prefixes = {s["code"]: s["prefix"] for s in after["services"]}
    assert prefixes["PAY"] == "B" and prefixes["OPEN"] == "A"
    assert after["hall"]["priority_rule"] == "ratio"
    assert next(m for m in after["staff"] if m["staff_no"] == "1002")["name"] == "李娜(组长)"


BAD_EDITS = {
    "duplicate prefix": ('prefix = "B"', 'prefix = "A"'),
    "unknown service at a counter": ('services = ["PAY", "PLAN"]', 'services = ["PAY", "NOPE"]'),
    "hours end before start": ('mon = ["08:30", "18:00"]', 'mon = ["18:00", "08:30"]'),
    "ratio out of range": ("priority_ratio = 3", "priority_ratio = 0"),
    "bad pin hash": ('pin_hash = "scrypt$', 'pin_hash = "md5$'),
    "no admin": ('role = "admin"', 'role = "clerk"'),
    "not TOML": ("[hall]", "[hall"),
}


@pytest.mark.parametrize("edit", BAD_EDITS.values(), ids=BAD_EDITS.keys())
def test_bad_file_changes_nothing(hall, db_url, tmp_path, edit):
    path = tmp_path / "hall.toml"
    run_export(db_url, path, with_pin_hashes=True)
    good = path.read_text(encoding="utf-8")
    # A valid change too, which must not be applied either.
    bad = good.replace('"示范营业厅(人民路店)"', '"改名"', 1).replace(edit[0], edit[1], 1)
    assert bad != good
    path.write_text(bad, encoding="utf-8")
    before = whole(hall)
    with pytest.raises(ConfigError) as info:
        run_import(db_url, path)
    assert "营业厅配置" in info.value.message
    assert whole(hall) == before


def test_import_refuses_to_strand_waiting_customers(hall, db_url, tmp_path):
    path = tmp_path / "hall.toml"
    run_export(db_url, path)
    bb = next(s.id for s in hall.queries.services() if s.code == "BB")
    hall.tickets.issue(bb)
    text = path.read_text(encoding="utf-8")
    # Counters 4 and 5 are the only ones serving BB (宽带业务).
    text = text.replace('services = ["OPEN", "BB"]', 'services = ["OPEN"]')
    text = text.replace('services = ["BB", "PLAN", "PAY"]', 'services = ["PLAN", "PAY"]')
    path.write_text(text, encoding="utf-8")
    before = whole(hall)
    with pytest.raises(ConfigError, match="宽带业务"):
        run_import(db_url, path)
    assert whole(hall) == before
