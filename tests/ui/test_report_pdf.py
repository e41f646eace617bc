"""The printed daily summary: PDF through the CLI, CSV, empty/future days, print preview."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import csv
import importlib.util
import re
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from hall_app.config import Settings
from hall_app.services import HallServices

_DAY_MODULE = Path(__file__).resolve().parents[1] / "db" / "test_metrics_day.py"


def _fixture_day_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("metrics_fixture_day", _DAY_MODULE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIXTURE = _fixture_day_module()


@pytest.fixture
def built_day(sqlite_url, monkeypatch):  # type: ignore[no-untyped-def]
    """The hand-built day of tests/db/test_metrics_day.py; the CLI sees its ManualClock."""
    from conftest import make_hall

    hall = make_hall(sqlite_url)
    FIXTURE.build_day(hall)
    clock = hall.ctx.clock
    original = HallServices.open.__func__  # type: ignore[attr-defined]

    def open_with_clock(cls, settings, **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("clock", clock)
        return original(cls, settings, **kw)

    monkeypatch.setattr(HallServices, "open", classmethod(open_with_clock))
    yield hall
    hall.close()


def run_cli(url: str, day: date, pdf: Path | None = None, csv_dir: Path | None = None) -> int:
    from ui.report.cli import main

    args = argparse.Namespace(date=day, pdf=str(pdf) if pdf else None,
                              csv=str(csv_dir) if csv_dir else None)
    return main(args, Settings(database_url=url, hall_code="DEMO"))


# Qt's PDF ToUnicode table maps a few ideographs that share a glyph with a radical in
# Noto Sans SC to the radical (人 → U+2F08 ⼈, 民 → U+2EA0 ⺠): the page shows the right
# glyph, text extraction gets the radical. NFKC folds the Kangxi radicals back; the
# supplement radicals seen in this report (民 长 黄) are mapped by hand.
_RADICALS = str.maketrans({"\u2ea0": "民", "\u2ed3": "长", "\u2ee9": "黄"})


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    out = unicodedata.normalize("NFKC", out).translate(_RADICALS)
    return re.sub(r"[ \t]+", " ", out)


def has(text: str, needle: str) -> bool:
    """`needle` in the extracted text, compared after the same normalisation."""
    return unicodedata.normalize("NFKC", needle) in text


def test_pdf_shows_hall_date_and_headline_in_chinese(built_day, sqlite_url, tmp_path, capsys):
    pdf = tmp_path / "日报.pdf"
    assert run_cli(sqlite_url, FIXTURE.DAY, pdf=pdf) == 0
    assert "已生成日报PDF" in capsys.readouterr().out
    text = pdf_text(pdf)
    assert has(text, "示范营业厅(人民路店) 营业日报")
    assert has(text, "2026年11月25日(星期三)")
    assert has(text, "取号人数 40人")
    assert has(text, "办结人数 31人")
    assert has(text, "弃号 8人")
    assert has(text, "过号2 · 离开3 · 闭厅未办3")
    assert has(text, "弃号率 20.0%(目标≤5%,未达标)")
    assert has(text, "服务达标率 67.7%(目标≥80%,未达标)")
    assert has(text, "系统故障1次共30分钟")
    # complaints: masked phones only
    assert has(text, "138****5678") and "13812345678" not in text
    assert has(text, "当日答复率 33.3%")
    assert has(text, "值班长(签字)")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    for line in fonts:  # only the shipped font, embedded
        assert "NotoSansSC" in line and " yes " in line, line


def test_pdf_page_images_render(built_day, sqlite_url, tmp_path):
    pdf = tmp_path / "r.pdf"
    assert run_cli(sqlite_url, FIXTURE.DAY, pdf=pdf) == 0
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    from PySide6.QtGui import QImage

    image = QImage(str(next(tmp_path.glob("page*.png"))))
    assert image.width() > 400 and image.height() > 600
    # The charts are drawn: a good share of page 1 carries saturated bar colours.
    coloured = sum(1 for y in range(0, image.height(), 4) for x in range(0, image.width(), 4)
                   if image.pixelColor(x, y).hsvSaturation() > 100)
    assert coloured > 300


def test_csv_exports_the_same_tables(built_day, sqlite_url, tmp_path):
    assert run_cli(sqlite_url, FIXTURE.DAY, csv_dir=tmp_path / "csv") == 0
    with (tmp_path / "csv" / "DEMO_2026-11-25_services.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["业务", "目标等候(分)", "取号", "办结"]
    pay = next(r for r in rows if r[0] == "缴费充值")
    assert pay[2:4] == ["15", "10"] and pay[12] == "72.7%"
    with (tmp_path / "csv" / "DEMO_2026-11-25_complaints.csv").open(encoding="utf-8-sig") as fh:
        phones = [r[5] for r in list(csv.reader(fh))[1:]]
    assert phones == ["138****5678", "139****1111", "137****2222"]


def test_text_mode_prints_headline(built_day, sqlite_url, capsys):
    assert run_cli(sqlite_url, FIXTURE.DAY) == 0
    out = capsys.readouterr().out
    assert "弃号:8" in out and "服务达标率:67.7%(目标≥80%,未达标)" in out


def test_empty_and_future_days_are_clear_documents(built_day, sqlite_url, tmp_path, capsys):
    empty_pdf, future_pdf = tmp_path / "empty.pdf", tmp_path / "future.pdf"
    assert run_cli(sqlite_url, date(2026, 11, 20), pdf=empty_pdf) == 0
    assert "没有客流记录" in capsys.readouterr().out
    text = pdf_text(empty_pdf)
    assert has(text, "当日没有客流记录") and has(text, "取号人数 0人")
    assert run_cli(sqlite_url, date(2027, 1, 5), pdf=future_pdf, csv_dir=tmp_path / "c") == 0
    assert "尚未到来" in capsys.readouterr().out
    assert has(pdf_text(future_pdf), "2027年1月5日(星期二)尚未到来,还没有营业数据")


def test_unwritable_pdf_is_a_chinese_error(built_day, sqlite_url):
    from hall_app.errors import HallError

    with pytest.raises(HallError, match="无法写入PDF文件"):
        run_cli(sqlite_url, FIXTURE.DAY, pdf=Path("/proc/no/such/r.pdf"))


def test_print_preview_and_print(built_day, qtbot, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
    from PySide6.QtWidgets import QWidget

    import ui.report.printing as rp

    parent = QWidget()
    qtbot.addWidget(parent)
    handle = rp.show_print_preview(parent, built_day, FIXTURE.DAY)
    assert handle.wait(20000)
    qtbot.waitUntil(lambda: parent.findChild(QPrintPreviewDialog) is not None, timeout=10000)
    dialog = parent.findChild(QPrintPreviewDialog)
    assert dialog.isVisible() and "示范营业厅(人民路店) 2026-11-25" in dialog.windowTitle()
    preview = dialog.findChild(QPrintPreviewWidget)
    preview.updatePreview()
    qtbot.waitUntil(lambda: preview.pageCount() >= 2, timeout=10000)
    dialog.close()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    out = tmp_path / "printed.pdf"

    def pdf_printer() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    monkeypatch.setattr(rp, "_printer", pdf_printer)
    rp.print_report(parent, built_day, FIXTURE.DAY, exec_dialog=False)
    from ui import ops

    assert ops.wait_idle(30000)  # the metrics, then the printing, were delivered
    assert out.exists() and out.stat().st_size > 10000
    assert has(pdf_text(out), "示范营业厅(人民路店) 营业日报")
