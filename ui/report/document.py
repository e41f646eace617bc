"""The printed daily summary (营业日报) as one QTextDocument, and its PDF writer.

`build_document(metrics)` turns `hall_app.metrics.DailyMetrics` into HTML plus chart
images (registered as document resources) — the same document goes to the print
preview, the printer, and `hall-app report --pdf`. `write_pdf` prints it with QPdfWriter;
the shipped Noto Sans SC is used for all text, so the PDF embeds it.

Needs a QGuiApplication (see `ensure_gui_app`), not a display.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import cast

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from hall_app.errors import HallError
from hall_app.metrics import DailyMetrics
from hall_app.metrics.tables import (
    clerk_table,
    counter_table,
    incident_table,
    minutes,
    pct,
    service_table,
)
from ui.fonts import cjk_family, load_cjk_fonts
from ui.report.charts import hourly_chart, wait_chart
from ui.report.complaint_sections import complaints_section, inspections_section
from ui.report.html_table import table_html as _table_html
from ui.report.satisfaction_section import satisfaction_section

WEEKDAYS = "一二三四五六日"
CHART_HOURLY = QUrl("chart://hourly.png")
CHART_WAIT = QUrl("chart://wait.png")
PAGE_MARGIN_MM = 12.0
_APP: QGuiApplication | None = None  # the application made here, kept alive for the process

STYLE = """
body { color: #111; }
h1 { font-size: 17pt; margin: 0; text-align: center; }
h2 { font-size: 11pt; margin-top: 10px; margin-bottom: 3px; color: #1f3f73; }
p.sub { text-align: center; font-size: 9pt; color: #444; margin: 2px; }
p.note { font-size: 8pt; color: #444; }
p.notice { font-size: 12pt; color: #9b1c1c; text-align: center; }
table.data { border-collapse: collapse; font-size: 7.5pt; }
table.data th { background-color: #e6ecf5; font-weight: bold; }
table.kpi { border-collapse: collapse; font-size: 9.5pt; }
.met { color: #1d6b2f; font-weight: bold; }
.miss { color: #b3261e; font-weight: bold; }
td.sign { font-size: 10pt; padding-top: 18px; }
"""


def ensure_gui_app() -> QGuiApplication:
    """The Qt application, created for headless use if there is none (offscreen platform
    when there is no display). A QApplication, so a window may still open later in the
    same process."""
    app = QGuiApplication.instance()
    if app is None:
        from PySide6.QtWidgets import QApplication

        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        global _APP
        app = _APP = QApplication(["hall-app-report"])
    load_cjk_fonts()
    # instance() is typed as the QCoreApplication base; here it is always a QGuiApplication.
    return cast(QGuiApplication, app)


def _date_text(m: DailyMetrics) -> str:
    d = m.day
    return f"{d.year}年{d.month}月{d.day}日(星期{WEEKDAYS[d.weekday()]})"


def _verdict(flag: bool | None, final: bool = True) -> str:
    if not final:
        return "未闭厅,不判定"
    if flag is None:
        return "—"
    return '<span class="met">达标</span>' if flag else '<span class="miss">未达标</span>'


def _headline_html(m: DailyMetrics) -> str:
    h, o = m.headline, m.headline.outcomes
    cells = [
        ("取号人数", f"{h.arrived}人"),
        ("办结人数", f"{o.served}人"),
        ("弃号", f"{o.walkaways}人"),
        ("弃号构成", f"过号{o.no_show} · 离开{o.walked_away} · 闭厅未办{o.abandoned}"),
        ("弃号率", f"{pct(h.walkaway_rate)}(目标≤{h.walkaway_target_pct}%,"
                   f"{_verdict(h.walkaway_target_met, m.is_final)})"),
        ("服务达标率", f"{pct(h.service_level)}(目标≥{h.service_level_target_pct}%,"
                       f"{_verdict(h.service_level_met, m.is_final)})"),
        ("平均等候", f"{minutes(h.wait.mean)}分(中位{minutes(h.wait.median)} · "
                     f"P90 {minutes(h.wait.p90)} · 最长{minutes(h.wait.max)})"),
        ("平均办理", f"{minutes(h.service.mean)}分(中位{minutes(h.service.median)} · "
                     f"P90 {minutes(h.service.p90)} · 最长{minutes(h.service.max)})"),
        ("重呼 / 转移", f"重呼{h.recalls}次 · 转移{h.transfers}次 · 取消{o.cancelled}张"),
        ("投诉", f"{h.complaints}件"),
        ("故障", f"系统故障{h.outages}次共{h.outage_minutes:.0f}分钟 · "
                 f"设施故障{h.facility_incidents}次"),
        ("现金唱收唱交", f"{h.cash_exchanges}笔,实收{h.cash_received_fen / 100:.2f}元"),
    ]
    if o.open:
        cells.append(("未结束号票", f"{o.open}张(统计时仍在等候或办理)"))
    rows = []
    for i in range(0, len(cells), 2):
        pair = cells[i:i + 2]
        tds = "".join(f'<td bgcolor="#f3f5f9"><b>{escape(k)}</b></td><td>{v}</td>'
                      for k, v in pair)
        rows.append(f"<tr>{tds}</tr>")
    return ('<table class="kpi" border="1" cellspacing="0" cellpadding="4" width="100%">'
            + "".join(rows) + "</table>")


def report_html(m: DailyMetrics) -> str:
    """The whole report as HTML; chart images are referenced as chart:// resources."""
    parts = [f"<html><head><style>{STYLE}</style></head><body>"]
    if m.not_closed_notice:  # the first line: these figures are still moving
        parts.append(f'<p class="notice">{escape(m.not_closed_notice)}</p>')
    parts += [
        f"<h1>{escape(m.hall_name)} 营业日报</h1>",
        f'<p class="sub">营业日:{_date_text(m)} · 营业厅代码 {escape(m.hall_code)} · '
        f"生成时间 {m.generated_at:%Y-%m-%d %H:%M}</p>",
    ]
    if m.is_future:
        parts.append(f'<p class="notice">{_date_text(m)}尚未到来,还没有营业数据。</p>')
    else:
        if m.status == "empty":
            parts.append('<p class="notice">当日没有客流记录(无取号、无窗口签到)。</p>')
        parts += [
            "<h2>一、主要指标</h2>", _headline_html(m),
            "<h2>二、客流与等候</h2>",
            f'<p align="center"><img src="{CHART_HOURLY.toString()}" width="620"></p>',
            f'<p align="center"><img src="{CHART_WAIT.toString()}" width="620"></p>',
            "<h2>三、分业务统计</h2>", _table_html(service_table(m)),
            "<h2>四、分窗口统计</h2>", _table_html(counter_table(m)),
            "<h2>五、分营业员统计</h2>", _table_html(clerk_table(m), first_left=2),
            "<h2>六、故障与设施事件</h2>",
            _table_html(incident_table(m), first_left=8) if m.incidents
            else "<p>当日无系统故障或设施故障记录。</p>",
            complaints_section(m, "七"),
            inspections_section(m, "八"),
            satisfaction_section(m, "九"),
            '<p class="note">说明:等候时间=首次叫号时间−取号时间(转移的顾客按原取号时间计,'
            "只计首次叫号前的等候);办理时间=办理完成−开始办理;服务达标率=办结顾客中等候"
            "不超过该业务目标时长的比例;弃号=过号+离开+闭厅未办,弃号率=弃号÷取号人数;"
            "利用率=办理时长÷签到时长(值班长安排的调整情绪时间不计入);P90 为第90百分位(最近秩法);满意率=(非常满意+满意)÷参评,"
            "参评率=参评÷办结。客户电话已做隐藏处理。</p>",
        ]
    parts.append(
        '<table width="100%" cellpadding="4"><tr>'
        '<td class="sign">值班长(签字):____________________</td>'
        '<td class="sign">日期:______年____月____日</td></tr>'
        '<tr><td class="sign">营业厅负责人(审阅):____________________</td>'
        '<td class="sign">日期:______年____月____日</td></tr></table>')
    parts.append("</body></html>")
    return "".join(parts)


def build_document(m: DailyMetrics) -> QTextDocument:
    """The report document with its charts; safe to build in a worker thread."""
    ensure_gui_app()
    doc = QTextDocument()
    font = QFont(cjk_family())
    font.setPointSizeF(9.0)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    if not m.is_future:
        doc.addResource(QTextDocument.ResourceType.ImageResource, CHART_HOURLY, hourly_chart(m))
        doc.addResource(QTextDocument.ResourceType.ImageResource, CHART_WAIT, wait_chart(m))
    doc.setHtml(report_html(m))
    return doc


def a4_layout() -> QPageLayout:
    margin = PAGE_MARGIN_MM
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(margin, margin, margin, margin), QPageLayout.Unit.Millimeter)


def print_document(doc: QTextDocument, device: QPagedPaintDevice) -> None:
    """Lay the document out on the device's page and paint it (page numbers included)."""
    doc.print_(device)


def write_pdf(m: DailyMetrics, path: Path | str) -> Path:
    """Write the report as an A4 PDF; HallError with a Chinese message if it cannot."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb"):
            pass
    except OSError as exc:
        raise HallError(f"无法写入PDF文件 {target}:{exc.strerror or exc}") from exc
    doc = build_document(m)
    writer = QPdfWriter(str(target))
    writer.setPageLayout(a4_layout())
    writer.setResolution(300)
    writer.setTitle(f"{m.hall_name} 营业日报 {m.day.isoformat()}")
    writer.setCreator("hall-app")
    print_document(doc, writer)
    del writer  # flushes and closes the file
    if not target.exists() or target.stat().st_size == 0:
        raise HallError(f"PDF文件 {target} 生成失败,请检查磁盘空间或权限。")
    return target
