"""The 服务评价 section (rating pads): the satisfaction and participation rates against the
target, the 不满意 reasons and the 回访 asked for, and the table per clerk, counter,
service and (a day) hour — the same cells as the CSV."""

from __future__ import annotations

from hall_app.metrics.numbers import percent
from hall_app.metrics.satisfaction_tables import reasons_text, satisfaction_table
from hall_app.metrics.sections.common import ReportSource
from hall_app.metrics.sections.overview import verdict
from hall_app.metrics.tables import Paragraph, Section


def satisfaction_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    sat = m.satisfaction
    if sat is None or not sat.total.served:
        return Section("satisfaction", "服务评价",
                       (Paragraph(f"{src.scope_word}无办结的服务,没有评价数据。"),))
    t = sat.total
    text, _ = verdict(m, sat.target_met)
    summary = (
        f"办结 {t.served} 人,参评 {t.rated} 人(参评率 {percent(t.rated, t.served)}),"
        f"未评价 {t.unrated} 人;非常满意 {t.very_satisfied}、满意 {t.satisfied}、"
        f"基本满意 {t.basic}、不满意 {t.dissatisfied}。"
        f"满意率(非常满意+满意÷参评){percent(t.satisfied_count, t.rated)}"
        f"(目标≥{sat.target_pct}%,{text})。")
    if t.dissatisfied:
        summary += (f"不满意原因:{reasons_text(sat)};"
                    f"顾客要求值班长联系(回访){sat.follow_ups}次。")
    return Section("satisfaction", "服务评价", (Paragraph(summary), satisfaction_table(m)))
