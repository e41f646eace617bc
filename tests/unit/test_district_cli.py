"""`hall-app district …` as a user types it: rollup backfill and its refusals."""

from __future__ import annotations

from tests.unit.test_cli_commands import hall_app


def test_rollup_backfill_writes_each_day_once(sqlite_url):
    first = hall_app("district", "rollup", "--from", "2026-11-20", "--to", "2026-11-22",
                     db=sqlite_url)
    assert first.returncode == 0, first.stderr
    assert "已写入 3 个营业日汇总" in first.stdout
    assert "DEMO 2026-11-21:到达 0 人" in first.stdout
    again = hall_app("district", "rollup", "--date", "2026-11-21", db=sqlite_url)
    assert again.returncode == 0 and "已写入 1 个营业日汇总" in again.stdout


def test_rollup_needs_a_date_and_refuses_future_days(sqlite_url):
    out = hall_app("district", "rollup", db=sqlite_url)
    assert out.returncode == 2 and "请给出 --date D" in out.stderr
    future = hall_app("district", "rollup", "--date", "2999-01-01", db=sqlite_url)
    assert future.returncode == 0 and "跳过尚未开始的 1 天" in future.stdout


def test_setup_hall_refuses_sqlite(sqlite_url):
    out = hall_app("district", "setup", "hall", "--site", "3", db=sqlite_url)
    assert out.returncode == 2 and "需要 PostgreSQL" in out.stderr
    assert "Traceback" not in out.stderr
