"""The hall-app command line, run as a user would: exit codes and Chinese output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hall_app import __version__


def hall_app(*args: str, db: str | None = None, env_extra: dict | None = None):
    env = dict(os.environ)
    env.pop("HALL_CONFIG", None)
    if db:
        env["HALL_DATABASE_URL"] = db
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "hall_app", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_version():
    out = hall_app("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"hall-app {__version__}"


def test_db_upgrade_twice_is_a_noop(empty_sqlite_url):
    first = hall_app("db", "upgrade", db=empty_sqlite_url)
    assert first.returncode == 0 and "数据库已升级" in first.stdout
    second = hall_app("db", "upgrade", db=empty_sqlite_url)
    assert second.returncode == 0 and "已是最新版本" in second.stdout


@pytest.mark.slow
def test_seed_demo_simulates_a_day_once(empty_sqlite_url):
    out = hall_app("db", "seed-demo", "--date", "2026-11-24", "--seed", "3", db=empty_sqlite_url)
    assert out.returncode == 0, out.stderr
    assert "已模拟 2026-11-24" in out.stdout
    again = hall_app("db", "seed-demo", "--date", "2026-11-24", db=empty_sqlite_url)
    assert "该营业日已有数据" in again.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["db", "seed-demo", "--date", "24/11/2026"], "格式应为 YYYY-MM-DD"),
        (["report"], "参数错误"),
        (["no-such-role"], "参数错误"),
    ],
)
def test_bad_arguments_get_a_chinese_message_not_a_traceback(args, message, empty_sqlite_url):
    out = hall_app(*args, db=empty_sqlite_url)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_database_url_is_reported_without_password():
    out = hall_app("db", "upgrade", db="mysql://root:hunter2@db/x")
    assert out.returncode == 2
    assert "HALL_DATABASE_URL" in out.stderr
    assert "hunter2" not in out.stderr and "Traceback" not in out.stderr


def test_missing_hall_is_a_clear_error(empty_sqlite_url):
    hall_app("db", "upgrade", db=empty_sqlite_url)
    out = hall_app("--hall", "NOPE", "report", "--date", "2026-11-24", db=empty_sqlite_url)
    assert out.returncode == 2
    assert "NOPE" in out.stderr and "Traceback" not in out.stderr
