"""The inspections section (巡检): each round with its inspector, the items found fine, with
a problem (the note, and the facility incident it opened) or left unchecked. A day also
lists each set time of the checklist without a round as 未巡检."""

from __future__ import annotations

from hall_app.metrics.model import DailyMetrics, InspectionRow
from hall_app.metrics.numbers import NO_DATA
from hall_app.metrics.sections.common import ReportSource
from hall_app.metrics.tables import BAD, Paragraph, Section, Table

HEADERS = ("时间", "巡检人", "开始", "完成", "正常", "有问题", "未检查", "问题及处理")


def _problems(r: InspectionRow) -> str:
    return ";".join(f"{p.label}:{p.note}" + (f"(已登记设施故障#{p.incident_id})"
                                              if p.incident_id else "")
                    for p in r.problems) or "无"


def _cells(r: InspectionRow) -> tuple[str, ...]:
    return (r.inspector or NO_DATA, r.started_at.strftime("%H:%M"),
            r.finished_at.strftime("%H:%M") if r.finished_at else "未完成",
            str(r.ok), str(len(r.problems)), str(r.unchecked), _problems(r))


def inspection_table(m: DailyMetrics) -> Table:
    """A day: every set time (未巡检 when no round); a week or month: the rounds, dated."""
    if m.span.is_day:
        done = {r.slot: r for r in m.inspections}
        rows: list[tuple[str, ...]] = []
        tones: list[tuple[str, ...]] = []
        for slot in sorted(set(m.inspection_times) | set(done)):
            r = done.get(slot)
            if r is None:
                rows.append((slot, NO_DATA, "未巡检", NO_DATA, NO_DATA, NO_DATA, NO_DATA, NO_DATA))
                tones.append(("", "", BAD, "", "", "", "", ""))
            else:
                rows.append((slot, *_cells(r)))
                tones.append(("", "", "", BAD if r.finished_at is None else "", "",
                              BAD if r.problems else "", "", ""))
        return Table("inspections", "营业厅巡检", HEADERS, tuple(rows), wrap=(7,),
                     left=(0, 1, 2, 3, 7), tones=tuple(tones), empty="未设巡检时间")
    rows = [(f"{r.day:%m-%d} {r.slot}" if r.day else r.slot, *_cells(r)) for r in m.inspections]
    return Table("inspections", "营业厅巡检", HEADERS, tuple(rows), wrap=(7,),
                 left=(0, 1, 2, 3, 7), empty="本期无巡检记录")


def inspections_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    done = sum(1 for r in m.inspections if r.state == "done")
    problems = sum(len(r.problems) for r in m.inspections)
    if src.is_day:
        if not m.inspections and not m.inspection_times:
            return Section("inspections", "营业厅巡检", (Paragraph("未设巡检时间。"),))
        summary = (f"应巡检 {len(m.inspection_times)} 次,已完成 {done} 次;"
                   f"发现问题 {problems} 项。")
    else:
        summary = (f"本期巡检 {len(m.inspections)} 次(完成 {done} 次),发现问题 {problems} 项;"
                   "未巡检的时段见各日日报。")
    return Section("inspections", "营业厅巡检", (Paragraph(summary), inspection_table(m)))
