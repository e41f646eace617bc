"""The command line as an administrator uses it: `day status` / `day close` under a login,
and one Chinese line — never a traceback — for every database it cannot use."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def hall_app(*args: str, db: str, stdin: str | None = None):
    env = dict(os.environ, HALL_DATABASE_URL=db)
    env.pop("HALL_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "hall_app", *args], capture_output=True,
                          text=True, env=env, timeout=300, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


MANAGER_PIN = "864213"


def manager_changed_pin(url: str) -> None:
    """Outside the demo a default PIN must be changed first (issue 14): 2001 does so."""
    from conftest import make_hall

    hall = make_hall(url)
    manager = hall.auth.login("2001", "2468")
    hall.auth.change_pin(manager, "2468", MANAGER_PIN)
    hall.close()


def one_chinese_line(out) -> str:
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and "Error" not in out.stderr, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误:"), out.stderr
    return lines[0]


def test_day_status_then_close_with_the_pin_on_stdin(sqlite_url):
    status = hall_app("day", "status", "--date", "2026-11-24", db=sqlite_url)
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith("营业日 2026-11-24:") and "当日还没有取号" in status.stdout
    refused = hall_app("day", "close", "--date", "2026-11-24", "--staff", "1001",
                       db=sqlite_url, stdin="1234\n")
    assert "营业员无权闭厅" in one_chinese_line(refused)
    default_pin = hall_app("day", "close", "--date", "2026-11-24", "--staff", "2001",
                           db=sqlite_url, stdin="2468\n")
    assert "请先修改密码" in one_chinese_line(default_pin)
    manager_changed_pin(sqlite_url)
    closed = hall_app("day", "close", "--date", "2026-11-24", "--staff", "2001",
                      db=sqlite_url, stdin=MANAGER_PIN + "\n")
    assert closed.returncode == 0 and closed.stdout.startswith("已闭厅:2026-11-24"), closed.stderr
    assert MANAGER_PIN not in closed.stdout + closed.stderr
    status = hall_app("day", "status", "--date", "2026-11-24", db=sqlite_url)
    assert "营业日已闭厅" in status.stdout and "周丽" in status.stdout
    again = hall_app("day", "close", "--date", "2026-11-24", "--staff", "2001",
                     db=sqlite_url, stdin=MANAGER_PIN + "\n")
    assert "已经闭厅" in one_chinese_line(again)


def test_day_close_needs_staff(sqlite_url):
    assert "--staff" in one_chinese_line(hall_app("day", "close", db=sqlite_url))


def test_an_unreachable_server(tmp_path):
    line = one_chinese_line(hall_app(
        "report", "--date", "2026-11-24",
        db="postgresql+psycopg://hall:secret@127.0.0.1:9/hall"))
    assert "无法连接数据库" in line and "secret" not in line


def test_a_folder_as_the_database(tmp_path):
    line = one_chinese_line(hall_app("db", "upgrade", db=f"sqlite+pysqlite:///{tmp_path}"))
    assert "是一个文件夹" in line


def test_garbage_as_the_database(tmp_path):
    junk = tmp_path / "hall.db"
    junk.write_bytes(b"this is not a database\x00" * 200)
    for args in (("db", "upgrade"), ("report", "--date", "2026-11-24"), ("day", "status")):
        assert "不是本系统的数据库文件" in one_chinese_line(
            hall_app(*args, db=f"sqlite+pysqlite:///{junk}"))


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_out_of_range_dates(sqlite_url, day):
    out = hall_app("report", "--date", day, db=sqlite_url)
    assert out.returncode == 2 and "超出范围" in out.stderr and "Traceback" not in out.stderr


def test_a_report_for_a_day_not_closed_says_so_first_and_judges_nothing(sqlite_url):
    from datetime import datetime, time

    from conftest import SHANGHAI, make_hall

    from hall_app.clock import ManualClock

    day = datetime(2026, 11, 24).date()
    hall = make_hall(sqlite_url, ManualClock(datetime.combine(day, time(10), SHANGHAI)))
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    for _ in range(5):
        hall.tickets.issue(pay)
    hall.close()
    moving = hall_app("report", "--date", day.isoformat(), db=sqlite_url)
    assert moving.returncode == 0, moving.stderr
    first = moving.stdout.splitlines()[0]
    assert first.startswith("注意:") and "尚未闭厅" in first
    verdicts = ",达标)", ",未达标)"
    assert "不作达标判定" in first and not any(v in moving.stdout for v in verdicts)
    manager_changed_pin(sqlite_url)
    closed = hall_app("day", "close", "--date", day.isoformat(), "--staff", "2001",
                      db=sqlite_url, stdin=MANAGER_PIN + "\n")
    assert "闭厅未办 5 人" in closed.stdout, closed.stderr
    final = hall_app("report", "--date", day.isoformat(), db=sqlite_url)
    assert not final.stdout.startswith("注意")
    assert "弃号合计:5人,弃号率100.0%(目标≤5%,未达标)" in final.stdout  # all five abandoned
