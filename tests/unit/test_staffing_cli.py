"""`hall-app staffing plan --date D`: the table, the CSV, and a Chinese error for bad input."""

from __future__ import annotations

import csv
import os
import subprocess
import sys


def hall_app(*args: str, db: str):
    env = dict(os.environ, HALL_DATABASE_URL=db)
    env.pop("HALL_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "hall_app", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_plan_for_a_new_hall_prints_table_and_csv(empty_sqlite_url, tmp_path):
    assert hall_app("db", "seed-demo", "--no-traffic", db=empty_sqlite_url).returncode == 0
    path = tmp_path / "plan.csv"
    out = hall_app("staffing", "plan", "--date", "2026-12-02", "--csv", str(path), "--reps",
                   "100", db=empty_sqlite_url)
    assert out.returncode == 0, out.stderr
    assert "窗口排班建议 2026-12-02 星期三" in out.stdout
    assert "日常客流(typical_per_day)" in out.stdout  # no history yet: typical volumes
    assert "达标模拟占比" in out.stdout and "少开一个时占比" in out.stdout
    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "时段" and len(rows) == 1 + 10  # 08:30-18:00
    assert rows[1][0] == "08:30-09:00"
    for row in rows[1:]:
        n, counters = int(row[4]), row[5].split("、")
        assert 1 <= n <= 8 and len(counters) == n


def test_bad_date_is_a_chinese_message(empty_sqlite_url):
    out = hall_app("staffing", "plan", "--date", "12/02", db=empty_sqlite_url)
    assert out.returncode == 2 and "格式应为 YYYY-MM-DD" in out.stderr
