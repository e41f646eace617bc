"""The staffing section (issue 19): for the report's day, the counters the staffing advice
recommended each hour against those actually open, with the customers and the waits
they had; then the plan for the next day (counters per hour, the lunch rota).

Plans come from `hall_app.staffing.StaffingService` (forecast from the same weekday of
earlier weeks, simulation-validated); a day's plan uses only the history before it, so
"recommended" is what the advice said that morning. A day report only.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from hall_app.errors import HallError
from hall_app.metrics.numbers import NO_DATA, half_up, minutes
from hall_app.metrics.period import short_day
from hall_app.metrics.sections.common import ReportSource
from hall_app.metrics.tables import BAD, GOOD, Paragraph, Section, Table

log = logging.getLogger(__name__)
Block = Table | Paragraph


def _label(slot) -> str:  # type: ignore[no-untyped-def]
    """「09:00–10:00」, with the en dash of the report's other hour tables."""
    return str(slot.label).replace("-", "–")


def _share(v: float | None) -> str:
    return NO_DATA if v is None else f"{half_up(v * 100)}%"


def staffing_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future or src.ctx is None or not src.is_day:
        return None
    from hall_app.staffing import table as plan_table
    from hall_app.staffing.plan import StaffingPlan
    from hall_app.staffing.service import StaffingService

    svc = StaffingService(src.ctx)
    day = src.period.first
    try:
        today: StaffingPlan = svc.plan(day)
        actual = svc.actual(today) if today.hours else []
        tomorrow: StaffingPlan = svc.plan(day + timedelta(days=1))
    except HallError as exc:  # a broken hall configuration must not stop the report
        log.warning("staffing advice unavailable for the report: %s", exc)
        return Section("staffing", "窗口排班", (Paragraph(f"排班建议无法计算:{exc}"),))
    blocks: list[Block] = [_today_table(m, today, actual)]
    blocks += _tomorrow_blocks(tomorrow, plan_table)
    # Its own page: the duty manager takes tomorrow's plan to the morning briefing.
    return Section("staffing", "窗口排班:当日建议与实际、次日建议", tuple(blocks), new_page=True)


def _today_table(m, plan, actual) -> Table:  # type: ignore[no-untyped-def]
    waits = {h.hour: h for h in m.hours}
    rows, tones = [], []
    for a in actual:
        hour = waits.get(a.slot.hour)
        opened = half_up(a.open_counters)
        short = a.open_counters + 0.05 < a.recommended
        rows.append((_label(a.slot), str(a.recommended), str(opened), str(a.customers),
                     _share(a.within_target),
                     minutes(hour.exact_mean_wait) if hour is not None else NO_DATA))
        tones.append(("", "", BAD if short else GOOD, "", "", ""))
    day = short_day(plan.forecast.day)
    return Table("staffing_today", f"当日({day})每小时建议与实际开放窗口",
                 ("时段", "建议\n窗口数", "实际开放\n(平均)", "取号", "叫号达标率",
                  "平均等候\n(全程,分)"), tuple(rows), tones=tuple(tones),
                 empty="当日不营业,没有排班建议",
                 note="实际开放=该时段内平均签到且未暂停的窗口数,少于建议时标红;叫号达标率=该时段"
                      "取号的顾客中在本业务目标等候时间内被首次叫号的比例(排班建议的目标);"
                      "平均等候同分时段客流表。")


def _tomorrow_blocks(plan, plan_table) -> list[Block]:  # type: ignore[no-untyped-def]
    day = plan.forecast.day
    title = f"次日({short_day(day)})排班建议"
    if not plan.hours:
        return [Paragraph(f"{title}:当天不营业。")]
    rows, tones = [], []
    for h in plan.hours:
        v, f = h.validation, h.fewer
        rows.append((_label(h.slot), str(half_up(h.arrivals_per_hour)), str(h.n),
                     "、".join(f"{c}号" for c in sorted(h.counters)),
                     _share(v.met_share if v else None),
                     _share(f.met_share) if f else (h.fewer_reason or NO_DATA),
                     str(half_up(v.mean_wait_minutes)) if v else NO_DATA,
                     plan_table.verdict(h)))
        tones.append(("",) * 7 + ("" if h.meets and h.minimal else BAD,))
    out: list[Block] = [Table(
        "staffing_plan", title,
        ("时段", "预计取号\n(人/时)", "建议\n窗口数", "开放窗口", "模拟\n达标占比",
         "少开一个\n达标占比", "预计平均\n等候(分)", "结论"),
        tuple(rows), left=(0, 3, 7), tones=tuple(tones))]
    # The plan's basis in the manager's words (the terminal's line names the setting key).
    basis = [line.strip().replace("(typical_per_day)", "") for line in plan_table.basis_lines(plan)]
    out.append(Paragraph("。".join(b.rstrip("。") for b in basis) + "。", "note"))
    rota = plan.lunch
    if rota.minutes and rota.staff and rota.breaks:
        out.append(Table(
            "staffing_lunch", f"次日午餐轮换(每人{rota.minutes}分钟)",
            ("时间", "营业员", "窗口"),
            tuple((f"{b.start:%H:%M}–{b.end:%H:%M}", f"营业员{b.clerk}",
                   f"{b.counter}号" if b.counter is not None else NO_DATA) for b in rota.breaks),
            left=(0, 1, 2),
            note=f"全天需营业员 {rota.staff} 名,午餐期间在岗人数始终不少于建议窗口数"
                 + (f";另有 {rota.needs_relief} 名排不开,需要替班或错峰用餐。"
                    if rota.needs_relief else "。")))
    return out
