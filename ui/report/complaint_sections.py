"""Two self-contained sections of the printed daily summary: complaints (投诉情况) and the
hall inspections (营业厅巡检). Each returns its heading and body as HTML; the document
places them (`ui.report.document.report_html`, one call each).

Complaints: the day's complaints with the same-day reply rate (one definition: replied by
the deadline, the hall's closing), escalations, the detail table; the complaints closed
during the day by how they ended, listing every 未满意结案 with the duty manager's reason;
the 通报 issued that day. Inspections: each set time with its round (or 未巡检), the
inspector, items fine / with a problem / unchecked, and each problem with its note and
the facility incident it opened.
"""

from __future__ import annotations

from html import escape

from hall_app.domain.complaints import CLOSE_KIND_LABELS
from hall_app.metrics import DailyMetrics
from hall_app.metrics.tables import complaint_state, complaint_table, inspection_table, pct
from ui.report.html_table import table_html


def complaints_section(m: DailyMetrics, number: str) -> str:
    c = m.complaints
    parts = [f"<h2>{number}、投诉情况</h2>"]
    if not c.total:
        parts.append("<p>当日无新投诉。</p>")
    else:
        cats = "、".join(f"{escape(cat)} {n}件" for cat, n in c.by_category)
        states = "、".join(f"{escape(complaint_state(st))} {n}件" for st, n in c.by_state)
        parts.append(
            f"<p>投诉共 {c.total} 件;当日答复 {c.replied_same_day} 件"
            f"(当日答复率 {pct(c.same_day_reply_rate)},以闭厅时间为答复期限);"
            f"超时未按期答复 {c.overdue} 件;客户升级投诉 {c.escalated} 件。<br>"
            f"按类别:{cats}<br>按状态:{states}</p>")
        parts.append(table_html(complaint_table(m), first_left=9))
    if c.closed_by_kind:
        kinds = "、".join(f"{CLOSE_KIND_LABELS.get(k, k)} {n}件" for k, n in c.closed_by_kind)
        parts.append(f"<p>当日结案:{kinds}。</p>")
    if c.signed_off_reasons:
        items = "".join(f"<li>投诉#{cid}:{escape(reason)}</li>"
                        for cid, reason in c.signed_off_reasons)
        parts.append(f"<p><b>未满意结案(值班长签批)</b></p><ul>{items}</ul>")
    if c.notices:
        items = "".join(
            f"<li>{n.issued_at:%H:%M} {escape(n.issued_by)}:<b>{escape(n.title)}</b>——"
            f"{escape(n.lessons)}</li>" for n in c.notices)
        parts.append(f"<p><b>通报</b></p><ul>{items}</ul>")
    return "".join(parts)


def inspections_section(m: DailyMetrics, number: str) -> str:
    heading = f"<h2>{number}、营业厅巡检</h2>"
    if not m.inspections and not m.inspection_times:
        return heading + "<p>未设巡检时间。</p>"
    done = sum(1 for r in m.inspections if r.state == "done")
    problems = sum(len(r.problems) for r in m.inspections)
    summary = (f"<p>应巡检 {len(m.inspection_times)} 次,已完成 {done} 次;"
               f"发现问题 {problems} 项。</p>")
    return heading + summary + table_html(inspection_table(m), first_left=8)
