"""The printed summary as an ordered list of self-contained sections (no Qt).

    report = build_report(ctx, metrics)     # Report: status lines + sections
    report.tables()                          # every table (the CSV export writes each)

A section builder is a function `(ReportSource) -> Section | None` (None: nothing to
print). `DAY_SECTIONS` and `PERIOD_SECTIONS` list them in print order; the PDF numbers
them 一、二、…, the CSV export writes every `Table` they hold. To add a section, write
one builder — it may read its own service through `src.ctx` (it runs in the report's
worker, off the GUI thread), as the estimate-accuracy and staffing sections do — and
add one line to the list where it belongs:

    DAY_SECTIONS = (..., cash_section, estimates_section, staffing_section)

Builders never raise for a missing optional service: return None instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hall_app.metrics.model import DailyMetrics
from hall_app.metrics.period import day_label
from hall_app.metrics.sections.breakdowns import clerks_section, counters_section, services_section
from hall_app.metrics.sections.common import ReportSource
from hall_app.metrics.sections.complaints import complaints_section
from hall_app.metrics.sections.estimates import estimates_section
from hall_app.metrics.sections.events import (
    cash_section,
    escalations_section,
    incidents_section,
    longest_waits_section,
)
from hall_app.metrics.sections.inspections import inspections_section
from hall_app.metrics.sections.overview import (
    comparison_section,
    headline_section,
    hours_section,
    waits_section,
)
from hall_app.metrics.sections.satisfaction import satisfaction_section
from hall_app.metrics.sections.staffing import staffing_section
from hall_app.metrics.tables import Paragraph, Section, Table

SectionBuilder = Callable[[ReportSource], Section | None]

DAY_SECTIONS: tuple[SectionBuilder, ...] = (
    headline_section,
    hours_section,
    comparison_section,
    waits_section,
    services_section,
    counters_section,
    clerks_section,
    longest_waits_section,
    escalations_section,
    incidents_section,
    complaints_section,
    satisfaction_section,
    inspections_section,
    cash_section,
    estimates_section,
    staffing_section,
)

PERIOD_SECTIONS: tuple[SectionBuilder, ...] = (
    headline_section,
    comparison_section,
    waits_section,
    services_section,
    counters_section,
    clerks_section,
    longest_waits_section,
    escalations_section,
    incidents_section,
    complaints_section,
    satisfaction_section,
    inspections_section,
    cash_section,
    estimates_section,
)

DEFINITIONS = (
    "说明:全程等候=顾客在各业务队列中等候时间之和(每个队列从进入队列到首次叫号;转移的顾客"
    "不计在前一窗口办理的时间);本队列等候=号票在该业务队列中的等候。服务达标率(全程)=办结"
    "顾客中全程等候不超过为其办结业务的目标时长的比例;扣除系统故障时间的达标率把全厅系统故障"
    "期间的等候时间扣除后再比较;各队列达标率=开始办理的号票中本队列等候不超过该业务目标的比例。"
    "弃号=过号(叫号未到)+离开(值班人员看到离厅)+闭厅未办(闭厅时仍在等候或已呼叫未到),各率"
    "均以取号人数为分母。在岗=签到时长减去不计在岗的暂停(用餐、培训、值班长安排的调整情绪等),"
    "利用率=办理时长÷在岗时长。当日答复=在答复期限(闭厅时间)前答复客户。满意率=(非常满意+满意)"
    "÷参评,参评率=参评÷办结。营业日闭厅前的数字仍在变化,不作达标判定。P90为第90百分位"
    "(最近秩法)。数字按四舍五入保留。完整定义见 docs/metrics.md。"
)


@dataclass(frozen=True)
class Report:
    metrics: DailyMetrics
    status: tuple[Paragraph, ...]  # the first lines under the title
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = (DEFINITIONS,)

    def tables(self) -> tuple[Table, ...]:
        return tuple(t for s in self.sections for t in s.tables)


def status_lines(m: DailyMetrics) -> tuple[Paragraph, ...]:
    """What the reader must know before any figure: not yet come, still moving (the
    business day not closed: the report's first line), empty."""
    span = m.span
    if m.is_future:
        return (Paragraph(f"{span.label}尚未到来,还没有营业数据。", "notice"),)
    out = []
    if m.not_closed_notice:
        out.append(Paragraph(m.not_closed_notice, "status"))
    if m.status == "empty":
        what = "当日" if span.is_day else "本期"
        out.append(Paragraph(f"{what}没有客流记录(无取号、无窗口签到)。", "notice"))
    return tuple(out)


def build_report(ctx: Any, metrics: DailyMetrics,
                 builders: tuple[SectionBuilder, ...] | None = None) -> Report:
    src = ReportSource(metrics, ctx)
    if builders is None:
        builders = DAY_SECTIONS if metrics.span.is_day else PERIOD_SECTIONS
    sections = tuple(s for s in (b(src) for b in builders) if s is not None)
    return Report(metrics, status_lines(metrics), sections)


def heading_date(m: DailyMetrics) -> str:
    """「营业日:2026年11月25日(星期三)」 / 「统计期:2026年第48周(…)」."""
    span = m.span
    if span.is_day:
        return f"营业日:{day_label(span.first)}"
    return f"统计期:{span.label}"


__all__ = ["DAY_SECTIONS", "PERIOD_SECTIONS", "Report", "ReportSource", "Section",
           "SectionBuilder", "build_report", "heading_date", "status_lines"]
