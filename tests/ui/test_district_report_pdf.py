"""The district report on paper: PDF (Chinese text extractable, shipped font) and CSV."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse  # noqa: E402
import csv  # noqa: E402
import subprocess  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import select  # noqa: E402

from db.engine import Database  # noqa: E402
from db.models import Hall  # noqa: E402
from hall_app.config import Settings  # noqa: E402
from hall_app.demo.seed import ensure_demo_hall  # noqa: E402
from hall_app.errors import ValidationError  # noqa: E402
from hall_app.metrics.rollups import write_month_rollup  # noqa: E402
from tests.db.test_district_report import HALLS, MONDAY, NAMES, NOW, add_rollup  # noqa: E402
from tests.ui.test_report_pdf import has, pdf_text  # noqa: E402


@pytest.fixture
def rolled_up(sqlite_url):  # type: ignore[no-untyped-def]
    database = Database(sqlite_url)
    for code in HALLS:
        ensure_demo_hall(database, code=code, name=NAMES[code])
    with database.write() as s:
        ids = dict(s.execute(select(Hall.code, Hall.id)).tuples().all())
        for code, (sww, within) in HALLS.items():
            for i in range(7):
                add_rollup(s, ids[code], MONDAY + timedelta(days=i), sww, within,
                           walk=10 if code == "H2" else 5)
        write_month_rollup(s, None, MONDAY, NOW)
    database.dispose()
    return sqlite_url


def run(url: str, **kw) -> int:  # type: ignore[no-untyped-def]
    from ui.district.report_cli import main

    values = {"date": None, "week": False, "month": False, "date_from": None,
              "date_to": None, "pdf": None, "csv": None, **kw}
    return main(argparse.Namespace(**values), Settings(database_url=url))


def test_pdf_ranks_the_halls_in_chinese(rolled_up, tmp_path, capsys):
    pdf = tmp_path / "区域周报.pdf"
    assert run(rolled_up, date=date(2026, 11, 25), week=True, pdf=str(pdf)) == 0
    assert "已生成区域报表PDF" in capsys.readouterr().out
    text = pdf_text(pdf)
    assert has(text, "区域营业厅对比报表")
    assert has(text, "2026年第48周(11-23至11-29)")
    assert has(text, "各指标后三名")
    # Bottom of service level: H5 (50.0 %) then H3 (70.0 %).
    assert has(text, "中心营业厅 50.0%") and has(text, "南城营业厅 70.0%")
    assert has(text, "94.4%(1)")  # H4, first
    assert has(text, "二、趋势") and has(text, "四、各营业厅指标与名次")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all("NotoSansSC" in line and " yes " in line for line in fonts)


def test_csv_has_every_hall_with_value_rank_and_bottom_flag(rolled_up, tmp_path):
    assert run(rolled_up, date=date(2026, 11, 25), week=True, csv=str(tmp_path)) == 0
    path = tmp_path / "district_2026-11-23_2026-11-29_halls.csv"
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    col = header.index("服务达标率")
    by_code = {r[1]: r for r in rows[1:]}
    assert by_code["H4"][col] == "94.4%" and by_code["H4"][col + 1] == "1"
    assert by_code["H5"][col + 3] == "是" and by_code["H4"][col + 3] == ""
    assert by_code["DEMO"][col] == "—"
    assert {p.name for p in tmp_path.glob("*.csv")} == {
        f"district_2026-11-23_2026-11-29_{k}.csv" for k in ("district", "bottom", "halls",
                                                             "trend")}


def test_text_mode_and_bad_periods(rolled_up, capsys):
    assert run(rolled_up, date=date(2026, 11, 25)) == 0
    out = capsys.readouterr().out
    assert "2026年11月25日(星期三)" in out and "服务达标率:中心营业厅 50.0%、南城营业厅 70.0%" in out
    with pytest.raises(ValidationError, match="请给出 --date"):
        run(rolled_up)
    with pytest.raises(ValidationError, match="结束日期早于起始日期"):
        run(rolled_up, date_from=date(2026, 11, 25), date_to=date(2026, 11, 20))


def test_look_at_the_first_page(rolled_up, tmp_path):
    """Render page 1 (kept for a person to look at in tmp; asserts the page is drawn)."""
    pdf = tmp_path / "r.pdf"
    assert run(rolled_up, date=date(2026, 11, 1), month=True, pdf=str(pdf)) == 0
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    from PySide6.QtGui import QImage

    image = QImage(str(next(Path(tmp_path).glob("page*.png"))))
    assert image.width() > 400 and image.height() > 600
