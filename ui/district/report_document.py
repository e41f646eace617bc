"""The district report (区域营业厅对比报表) as one QTextDocument, and its PDF writer.

Built the way the daily summary is (ui/report/document.py): HTML plus a chart image
registered as a document resource, the shipped Noto Sans SC for every character, A4,
printed through QPdfWriter. Sections: the district's figures against the previous
period, the daily trend (for a week or longer), the bottom three halls per figure, and
every hall with its value, rank and change per figure (bottom-three cells on red).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QFont, QPdfWriter, QTextDocument

from hall_app.district.report import DistrictReport, FigureRanking, RankedValue
from hall_app.district.report_tables import (
    NO_DATA,
    Table,
    bottom_table,
    district_table,
    hall_order,
    trend_mark,
)
from hall_app.errors import HallError
from ui.district.charts import trend_chart
from ui.fonts import cjk_family
from ui.report.document import a4_layout, ensure_gui_app, print_document

CHART_TREND = QUrl("chart://district-trend.png")

STYLE = """
body { color: #111; }
h1 { font-size: 17pt; margin: 0; text-align: center; }
h2 { font-size: 11pt; margin-top: 10px; margin-bottom: 3px; color: #1f3f73; }
p.sub { text-align: center; font-size: 9pt; color: #444; margin: 2px; }
p.note { font-size: 8pt; color: #444; }
p.notice { font-size: 12pt; color: #9b1c1c; text-align: center; }
table.data { border-collapse: collapse; font-size: 7.5pt; }
table.data th { background-color: #e6ecf5; font-weight: bold; }
table.rank { border-collapse: collapse; font-size: 7pt; }
table.rank th { background-color: #e6ecf5; font-weight: bold; }
.better { color: #1d6b2f; }
.worse { color: #b3261e; }
"""
BOTTOM_BG = "#f6d5d2"
_NUMERALS = "零一二三四五六"


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>" + "".join(f'<td align="{"left" if i == 0 else "right"}">{escape(c)}</td>'
                         for i, c in enumerate(row)) + "</tr>" for row in table.rows)
    return (f'<table class="data" border="1" cellspacing="0" cellpadding="3" width="100%">'
            f"<tr>{head}</tr>{body}</table>")


def _bottom_html(report: DistrictReport) -> str:
    table = bottom_table(report)
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    rows = []
    for row in table.rows:
        cells = [f"<td>{escape(row[0])}</td>", f'<td align="right">{escape(row[1])}</td>']
        cells += [f'<td bgcolor="{BOTTOM_BG}">{escape(c)}</td>' if c != NO_DATA
                  else f'<td align="center">{NO_DATA}</td>' for c in row[2:]]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="data" border="1" cellspacing="0" cellpadding="3" width="100%">'
            f"<tr>{head}</tr>{''.join(rows)}</table>")


def _rank_cell(ranking: FigureRanking, r: RankedValue) -> str:
    if r.value is None:
        return f'<td align="center">{NO_DATA}</td>'
    mark = trend_mark(ranking, r)
    arrow = (f'<span class="{"better" if mark == "↑" else "worse"}">{mark}</span>'
             if mark else "")
    text = f"{escape(ranking.figure.text(r.value))}({r.rank}){arrow}"
    bg = f' bgcolor="{BOTTOM_BG}"' if r.bottom else ""
    return f'<td align="right"{bg}>{text}</td>'


def _halls_html(report: DistrictReport) -> str:
    head = "<th>营业厅</th><th>取号</th>" + "".join(
        f"<th>{escape(r.figure.label)}</th>" for r in report.rankings)
    totals = {h.code: h for h in report.halls}
    rows = []
    for code in hall_order(report):
        h = totals[code]
        cells = [f"<td>{escape(h.name)}</td>",
                 f'<td align="right">{h.arrived if h.days else NO_DATA}</td>']
        cells += [_rank_cell(r, r.for_hall(code)) for r in report.rankings]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="rank" border="1" cellspacing="0" cellpadding="2" width="100%">'
            f"<tr>{head}</tr>{''.join(rows)}</table>")


def report_html(report: DistrictReport) -> str:
    period = report.period
    parts = [
        f"<html><head><style>{STYLE}</style></head><body>",
        "<h1>区域营业厅对比报表</h1>",
        f'<p class="sub">{escape(period.label)} · 营业厅 {len(report.halls)} 个 · '
        f"对比:{escape(period.comparison_label)}({report.previous.start:%m-%d}"
        + (f"至{report.previous.end:%m-%d}" if report.previous.end != report.previous.start
           else "")
        + f") · 生成时间 {report.generated_at:%Y-%m-%d %H:%M}</p>",
    ]
    if not report.has_data:
        parts.append('<p class="notice">本期没有任何营业厅的日汇总(营业日尚未结束,或日汇总'
                     "尚未生成、尚未复制到区域中心)。</p>")
    parts += ["<h2>一、全区域概况</h2>", _table_html(district_table(report))]
    section = 2
    if report.trend:  # right after the short first table, so it always fits on page 1
        parts += [f"<h2>{_NUMERALS[section]}、趋势</h2>",
                  f'<p align="center"><img src="{CHART_TREND.toString()}" width="640"></p>']
        section += 1
    parts += [
        f"<h2>{_NUMERALS[section]}、各指标后三名</h2>", _bottom_html(report),
        # The long table starts on a page of its own (its heading never left behind).
        f'<h2 style="page-break-before: always">{_NUMERALS[section + 1]}、各营业厅指标与名次</h2>',
        '<p class="note">每格:数值(名次,1为最好);红底为该指标后三名;'
        f"↑/↓ 表示较{escape(period.comparison_label)}变好/变差。按服务达标率名次排列。</p>",
        _halls_html(report),
    ]
    parts.append(
        '<p class="note">说明:数据来自各营业厅的营业日汇总(闭厅时生成并复制到区域中心),'
        "不读逐笔号票。服务达标率=办结顾客中等候不超过该业务目标时长的比例;弃号率=(过号+离开"
        "+闭厅未办)÷取号人数;平均等候=首次叫号前等候的平均值;千人投诉=投诉件数÷取号人数×1000;"
        "投诉超时=生成汇总时已超过回复时限的投诉;后三名最多取有数据营业厅的一半。</p>")
    parts.append("</body></html>")
    return "".join(parts)


def build_document(report: DistrictReport, sl_target: int = 80,
                   walk_target: int = 5) -> QTextDocument:
    ensure_gui_app()
    doc = QTextDocument()
    font = QFont(cjk_family())
    font.setPointSizeF(9.0)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    if report.trend:
        doc.addResource(QTextDocument.ResourceType.ImageResource, CHART_TREND,
                        trend_chart(report.trend, sl_target, walk_target,
                                    monthly=report.monthly_trend))
    doc.setHtml(report_html(report))
    return doc


def write_pdf(report: DistrictReport, path: Path | str, *, sl_target: int = 80,
              walk_target: int = 5) -> Path:
    """Write the report as an A4 PDF; HallError with a Chinese message if it cannot."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb"):
            pass
    except OSError as exc:
        raise HallError(f"无法写入PDF文件 {target}:{exc.strerror or exc}") from exc
    doc = build_document(report, sl_target, walk_target)
    writer = QPdfWriter(str(target))
    writer.setPageLayout(a4_layout())
    writer.setResolution(300)
    writer.setTitle(f"区域营业厅对比报表 {report.period.label}")
    writer.setCreator("hall-app")
    print_document(doc, writer)
    del writer
    if not target.exists() or target.stat().st_size == 0:
        raise HallError(f"PDF文件 {target} 生成失败,请检查磁盘空间或权限。")
    return target
