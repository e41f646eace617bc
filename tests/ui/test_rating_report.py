"""The daily summary's 服务评价 section and CSV table, from a small hand-computed day:
two customers served at counter 1, one 非常满意 and one 不满意 (等候时间长, 回访):
satisfaction 1/2 = 50.0 %, participation 2/2 = 100.0 %, below the 90 % target."""

import csv
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from conftest import DEMO_NOW, make_hall  # noqa: E402
from rating_support import bind_pad, counter_id, pad_for, serve  # noqa: E402

from hall_app.metrics import ReportService, write_csv  # noqa: E402
from ui.report.document import report_html, write_pdf  # noqa: E402


@pytest.fixture
def metrics(sqlite_url):
    hall = make_hall(sqlite_url)
    clerk, manager = hall.auth.login("1001", "1234"), hall.auth.login("2001", "2468")
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pad = pad_for(hall, bind_pad(hall, manager, c1))
    pad.rate(serve(hall, clerk, c1).id, "very_satisfied")
    unhappy = pad.rate(serve(hall, clerk, c1).id, "dissatisfied")
    pad.explain(unhappy.rating_id, "long_wait", True)
    yield ReportService(hall.ctx).daily(DEMO_NOW.date()), clerk
    hall.close()


def test_the_summary_has_the_satisfaction_section(metrics):
    m, clerk = metrics
    html = report_html(m)
    assert "八、服务评价" in html
    assert "办结 2 人,参评 2 人(参评率 100.0%),未评价 0 人" in html
    assert "满意率(非常满意+满意÷参评)50.0%(目标≥90%," in html
    assert '<span class="miss">未达标</span>' in html.split("八、服务评价")[1]
    assert "不满意原因:等候时间长 1次;顾客要求值班长联系(回访)1次" in html
    assert f"1001 {clerk.name}" in html and "1号窗口" in html


def test_the_csv_export_has_the_satisfaction_table(metrics, tmp_path):
    m, clerk = metrics
    paths = write_csv(m, tmp_path)
    [path] = [p for p in paths if p.name.endswith("_satisfaction.csv")]
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["分组", "名称", "办结", "参评"]
    assert rows[1] == ["全厅", "合计", "2", "2", "1", "0", "0", "1", "0", "50.0%", "100.0%"]
    assert ["营业员", f"1001 {clerk.name}", "2", "2"] == rows[2][:4]


def test_the_pdf_is_written_with_the_section(metrics, tmp_path):
    path = write_pdf(metrics[0], tmp_path / "report.pdf")
    assert path.stat().st_size > 10_000
