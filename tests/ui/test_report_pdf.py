"""The printed summary: PDF through the CLI (text a search finds), the pages' layout
(no wrapped cells, no table wider than the page, headings with what they introduce),
every table as CSV, week and month reports, empty and future days, print preview."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import csv
import importlib.util
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from hall_app.config import Settings
from hall_app.metrics import Period, ReportService
from hall_app.services import HallServices

_FIXTURE = Path(__file__).resolve().parents[1] / "db" / "metrics_fixture.py"


def _fixture_day_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("metrics_fixture_day", _FIXTURE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIXTURE = _fixture_day_module()


@pytest.fixture(scope="module")
def built_day(tmp_path_factory, _sqlite_template):  # type: ignore[no-untyped-def]
    """The hand-built day of tests/db/metrics_fixture.py, played once for this module."""
    import shutil

    from conftest import make_hall

    path = tmp_path_factory.mktemp("report_day") / "hall.db"
    shutil.copy(_sqlite_template, path)
    hall = make_hall(f"sqlite+pysqlite:///{path}")
    FIXTURE.build_day(hall)
    hall.url = f"sqlite+pysqlite:///{path}"
    yield hall
    hall.close()


@pytest.fixture
def cli_clock(built_day, monkeypatch):  # type: ignore[no-untyped-def]
    """`hall-app report` in this process sees the day's ManualClock."""
    clock = built_day.ctx.clock
    original = HallServices.open.__func__  # type: ignore[attr-defined]

    def open_with_clock(cls, settings, **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("clock", clock)
        return original(cls, settings, **kw)

    monkeypatch.setattr(HallServices, "open", classmethod(open_with_clock))
    return built_day


def run_cli(url: str, *, day: date | None = None, week: str | None = None,
            month: str | None = None, pdf: Path | None = None,
            csv_dir: Path | None = None) -> int:
    from ui.report.cli import main

    args = argparse.Namespace(date=day, week=week, month=month,
                              pdf=str(pdf) if pdf else None,
                              csv=str(csv_dir) if csv_dir else None)
    return main(args, Settings(database_url=url, hall_code="DEMO"))


def pdf_text(path: Path) -> str:
    """pdftotext's text as a search or a screen reader gets it (spaces collapsed only)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"[ \t]+", " ", out)


@pytest.fixture(scope="module")
def day_pdf(built_day, tmp_path_factory):  # type: ignore[no-untyped-def]
    from ui.report.document import write_pdf

    report = ReportService(built_day.ctx).report(Period.day(FIXTURE.DAY))
    path = tmp_path_factory.mktemp("pdf") / "日报.pdf"
    write_pdf(report, path)
    return path


def test_cli_writes_the_pdf(cli_clock, tmp_path, capsys):  # type: ignore[no-untyped-def]
    pdf = tmp_path / "日报.pdf"
    assert run_cli(cli_clock.url, day=FIXTURE.DAY, pdf=pdf) == 0
    assert "已生成营业日报PDF" in capsys.readouterr().out
    assert "示范营业厅(人民路店) 营业日报" in pdf_text(pdf)


def test_pdf_text_is_searchable_with_its_figures(day_pdf):  # type: ignore[no-untyped-def]
    text = pdf_text(day_pdf)
    # No Unicode normalisation or radical mapping: the text is what a search finds.
    for needle in (
        "示范营业厅(人民路店) 营业日报", "营业日:2026年11月25日(星期三)",
        "平均等候(全程) 10.3分(中位7.0 · P90 24.0 · 最长39.0)",
        "平均办理 8.3分",  # 8.25 min, rounded half up
        "弃号合计 8人,弃号率20.0%(目标≤5%,未达标)",
        "过号(叫号未到) 2人,5.0%", "离开(看到离厅) 3人,7.5%", "闭厅未办 3人,7.5%",
        "服务达标率(全程等候) 67.7%(目标≥80%,未达标)", "达标率(扣除系统故障时间) 74.2%",
        "各队列达标率 71.9%", "在岗利用率 34.5%",
        "系统故障3次共45.5分钟", "30秒", "11-24 17:30", "540.0分钟",
        "现金唱收唱交 2笔:应收80.00元,实收150.00元,找零70.00元",
        "与应收 80.00 元相符", "等候时间过长 2", "服务态度差", "未处理", "已完成",
        "缴费充值→终端售后", "138****5678", "值班长(签字)",
    ):
        assert needle in text, needle
    assert "P   ." not in text and "13812345678" not in text
    # Complaint categories print by name, never by code.
    for code in ("waiting", "attitude", "fees"):
        assert not re.search(rf"\b{code}\b", text), code


def test_pdf_embeds_only_the_shipped_font(day_pdf):  # type: ignore[no-untyped-def]
    fonts = subprocess.run(["pdffonts", str(day_pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    for line in fonts:
        assert "NotoSansSC" in line and " yes " in line, line


def test_comparison_page(day_pdf):  # type: ignore[no-untyped-def]
    pages = pdf_text(day_pdf).split("\f")
    page = next(p for p in pages if "与上一营业日、上周同日比较" in p)
    assert "上一营业日" in page and "11-24(二)" in page and "11-18(三)" in page
    assert re.search(r"取号人数 40人 3人 ↑ \+37 2人 ↑ \+38", page)
    assert re.search(r"弃号率 20\.0% 33\.3% ↓ −13\.3个百分点", page)
    assert "近7日趋势" in "".join(pages)


def _laid_out(built_day):  # type: ignore[no-untyped-def]
    from ui.report.document import a4_layout, build_document, page_geometry, paginate

    report = ReportService(built_day.ctx).report(Period.day(FIXTURE.DAY))
    doc = build_document(report)
    width, height = page_geometry(a4_layout())
    paginate(doc, width, height)
    return report, doc, width, height


def test_tables_fit_the_page_and_cells_do_not_wrap(built_day):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QTextTable

    report, doc, width, _ = _laid_out(built_day)
    layout = doc.documentLayout()
    tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
    printed = [t for t in report.tables() if t.rows]
    assert len(tables) == len(printed) + 1  # and the signature lines
    checked = 0
    for frame, table in zip(tables, printed, strict=False):
        for row in range(frame.rows()):
            for col in range(frame.columns()):
                block = frame.cellAt(row, col).firstCursorPosition().block()
                # Inside the page: a cell that cannot wrap would push the table past it.
                assert layout.blockBoundingRect(block).right() <= width + 1, (table.key, row)
                if col in table.wrap or table.layout == "pairs":
                    continue
                lines = block.text().count("\u2028") + 1  # a header's deliberate breaks
                assert block.layout().lineCount() == lines, (table.key, row, col, block.text())
                checked += 1
    assert checked > 500


def test_headings_stay_with_what_they_introduce(built_day):  # type: ignore[no-untyped-def]
    from ui.report.document import bottom_of_what_follows

    _, doc, _, height = _laid_out(built_day)
    layout = doc.documentLayout()
    block, headings = doc.begin(), 0
    while block.isValid():
        if block.blockFormat().headingLevel() in (2, 3):
            top = layout.blockBoundingRect(block).top()
            bottom = bottom_of_what_follows(doc, block)
            assert bottom is not None
            assert int(top // height) == int((bottom - 0.5) // height), block.text()
            headings += 1
        block = block.next()
    assert headings >= 20


def test_pdf_page_images_render(day_pdf, tmp_path):  # type: ignore[no-untyped-def]
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(day_pdf),
                    str(tmp_path / "page")], check=True)
    from PySide6.QtGui import QImage

    image = QImage(str(next(tmp_path.glob("page*.png"))))
    assert image.width() > 400 and image.height() > 600
    # The hourly chart is drawn: a good share of page 1 carries saturated bar colours.
    coloured = sum(1 for y in range(0, image.height(), 4) for x in range(0, image.width(), 4)
                   if image.pixelColor(x, y).hsvSaturation() > 100)
    assert coloured > 200


def test_every_table_is_a_csv_file(cli_clock, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "csv"
    assert run_cli(cli_clock.url, day=FIXTURE.DAY, csv_dir=out) == 0
    report = ReportService(cli_clock.ctx).report(Period.day(FIXTURE.DAY))
    files = {p.name for p in out.glob("*.csv")}
    assert files == {f"DEMO_2026-11-25_{t.key}.csv" for t in report.tables()}
    for table in report.tables():
        with (out / f"DEMO_2026-11-25_{table.key}.csv").open(encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        assert tuple(rows[0]) == table.csv_headers
        assert [tuple(r) for r in rows[1:]] == list(table.rows), table.key

    def read(key: str) -> list[list[str]]:
        with (out / f"DEMO_2026-11-25_{key}.csv").open(encoding="utf-8-sig") as fh:
            return list(csv.reader(fh))

    headline = dict(read("headline")[1:])
    assert headline["未结束号票"] == "0张" and headline["在岗利用率"] == "34.5%"
    comparison = {r[0]: r for r in read("comparison")[1:]}
    assert comparison["未结束号票"][1] == "0张"
    assert read("service_waits")[0][:4] == ["业务", "目标(分)", "本队列平均等候", "本队列P90"]
    pay = next(r for r in read("service_waits") if r[0] == "缴费充值")
    assert pay[6:8] == ["72.7%", "70.0%"]  # per queue / where served
    assert [r[3] for r in read("complaints")[1:]] == ["等候时间过长", "服务态度差", "等候时间过长"]
    assert [r[6] for r in read("complaints")[1:]] == ["138****5678", "139****1111", "137****2222"]


def test_text_mode_prints_headline(cli_clock, capsys):  # type: ignore[no-untyped-def]
    assert run_cli(cli_clock.url, day=FIXTURE.DAY) == 0
    out = capsys.readouterr().out
    assert "弃号合计:8人,弃号率20.0%" in out and "服务达标率(全程等候):67.7%(目标≥80%,未达标)" in out


def test_week_and_month_reports(cli_clock, tmp_path, capsys):  # type: ignore[no-untyped-def]
    week_pdf, month_pdf = tmp_path / "week.pdf", tmp_path / "month.pdf"
    assert run_cli(cli_clock.url, week="2026-W48", pdf=week_pdf, csv_dir=tmp_path / "w") == 0
    assert "已生成营业周报PDF" in capsys.readouterr().out
    text = pdf_text(week_pdf)
    assert "示范营业厅(人民路店) 营业周报" in text and "2026年第48周(11月23日—11月29日)" in text
    assert "取号人数 43人" in text and "与上周比较" in text and "逐日趋势" in text
    assert (tmp_path / "w" / "DEMO_2026-W48_trend.csv").exists()
    assert run_cli(cli_clock.url, month="2026-11", pdf=month_pdf) == 0
    assert "营业月报" in pdf_text(month_pdf) and "取号人数 45人" in pdf_text(month_pdf)


def test_bad_period_arguments_are_chinese_errors(cli_clock):  # type: ignore[no-untyped-def]
    from hall_app.errors import HallError

    with pytest.raises(HallError, match="YYYY-Www"):
        run_cli(cli_clock.url, week="48")
    with pytest.raises(HallError, match="没有第60周"):
        run_cli(cli_clock.url, week="2026-W60")
    with pytest.raises(HallError, match="YYYY-MM"):
        run_cli(cli_clock.url, month="2026-13")


def test_empty_and_future_days_are_clear_documents(cli_clock, tmp_path, capsys):  # type: ignore[no-untyped-def]
    empty_pdf, future_pdf = tmp_path / "empty.pdf", tmp_path / "future.pdf"
    assert run_cli(cli_clock.url, day=date(2026, 11, 20), pdf=empty_pdf) == 0
    assert "没有客流记录" in capsys.readouterr().out
    text = pdf_text(empty_pdf)
    assert "当日没有客流记录" in text and "取号人数 0人" in text
    assert run_cli(cli_clock.url, day=date(2027, 1, 5), pdf=future_pdf,
                   csv_dir=tmp_path / "c") == 0
    assert "尚未到来" in capsys.readouterr().out
    assert "2027年1月5日(星期二)尚未到来,还没有营业数据" in pdf_text(future_pdf)


def test_unwritable_pdf_is_a_chinese_error(cli_clock):  # type: ignore[no-untyped-def]
    from hall_app.errors import HallError

    with pytest.raises(HallError, match="无法写入PDF文件"):
        run_cli(cli_clock.url, day=FIXTURE.DAY, pdf=Path("/proc/no/such/r.pdf"))


def test_print_preview_and_print(built_day, qtbot, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
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
    qtbot.waitUntil(lambda: preview.pageCount() >= 4, timeout=10000)
    dialog.close()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    out = tmp_path / "printed.pdf"

    def pdf_printer() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    sent: list[str] = []
    monkeypatch.setattr(rp, "_printer", pdf_printer)
    monkeypatch.setattr(rp.notify, "info", sent.append)
    rp.print_report(parent, built_day, FIXTURE.DAY, exec_dialog=False)
    from ui import ops

    assert ops.wait_idle(30000)  # the sections, then the printing, were delivered
    qtbot.waitUntil(lambda: bool(sent), timeout=30000)
    assert sent[0].startswith("营业日报已发送到打印机")
    assert out.exists() and out.stat().st_size > 10000
    assert "示范营业厅(人民路店) 营业日报" in pdf_text(out)
