"""The daily summary's 服务评价 section (rating pads): one self-contained HTML builder.

`satisfaction_section(m, number)` returns the heading and the content: the hall's
satisfaction and participation rates against the target, the 不满意 reasons and
follow-ups, and the table per clerk, counter, service and hour
(`hall_app.metrics.satisfaction_tables`, the same cells as the CSV).
"""

from __future__ import annotations

from html import escape

from hall_app.metrics import DailyMetrics
from hall_app.metrics.satisfaction_tables import reasons_text, satisfaction_table
from hall_app.metrics.tables import pct


def _verdict(flag: bool | None) -> str:
    if flag is None:
        return "—"
    return '<span class="met">达标</span>' if flag else '<span class="miss">未达标</span>'


def satisfaction_section(m: DailyMetrics, number: str = "八") -> str:
    """HTML of the section; `number` is its place in the report (「八」)."""
    from ui.report.document import _table_html  # the report's table style

    head = f"<h2>{escape(number)}、服务评价</h2>"
    sat = m.satisfaction
    if sat is None or not sat.total.served:
        return head + "<p>当日无办结的服务,没有评价数据。</p>"
    t = sat.total
    summary = (
        f"<p>办结 {t.served} 人,参评 {t.rated} 人(参评率 {pct(t.participation_rate)}),"
        f"未评价 {t.unrated} 人;非常满意 {t.very_satisfied}、满意 {t.satisfied}、"
        f"基本满意 {t.basic}、不满意 {t.dissatisfied}。<br>"
        f"满意率(非常满意+满意÷参评){pct(t.satisfaction_rate)}"
        f"(目标≥{sat.target_pct}%,{_verdict(sat.target_met)})。")
    if t.dissatisfied:
        summary += (f"<br>不满意原因:{escape(reasons_text(sat))};"
                    f"顾客要求值班长联系(回访){sat.follow_ups}次。")
    summary += "</p>"
    return head + summary + _table_html(satisfaction_table(m), first_left=2)
