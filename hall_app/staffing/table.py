"""The staffing plan as rows (for the terminal, CSV and the daily summary) and as text."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from hall_app.errors import ConfigError
from hall_app.staffing.plan import HourAdvice, StaffingPlan

WEEKDAY_NAMES = "一二三四五六日"
HEADER = ("时段", "预计到达(人/时)", "负荷(爱尔兰)", "Erlang估计", "建议窗口数", "开放窗口",
          "达标模拟占比", "少开一个时占比", "最差业务达标率", "平均等候(分)", "结论")


def verdict(h: HourAdvice) -> str:
    if h.short:
        return "窗口不足,全部开放也难达标"
    if not h.meets:
        return "未通过验证"
    if not h.minimal:
        return "达标,但少开一个也达标"
    return "达标且最少"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def rows(plan: StaffingPlan) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for h in plan.hours:
        v, f = h.validation, h.fewer
        out.append((h.slot.label, f"{h.arrivals_per_hour:.1f}", f"{h.load:.1f}",
                    str(h.erlang_guess), str(h.n), "、".join(str(c) for c in h.counters),
                    _pct(v.met_share if v else None),
                    _pct(f.met_share) if f else (h.fewer_reason or "—"),
                    _pct(v.worst_service if v else None),
                    f"{v.mean_wait_minutes:.1f}" if v else "—", verdict(h)))
    return out


def basis_lines(plan: StaffingPlan) -> list[str]:
    fc = plan.forecast
    if fc.source == "history":
        basis = (f"预测依据:前 {len(fc.used_days) + len(fc.skipped)} 周同一星期的 "
                 f"{len(fc.used_days)} 天(" + "、".join(d.isoformat() for d in fc.used_days) + ")")
    elif fc.source == "typical":
        basis = "预测依据:历史不足,按营业厅配置的日常客流(typical_per_day)估算"
    else:
        basis = "预测依据:没有历史,也没有配置日常客流,无法预测"
    lines = [basis]
    if fc.skipped and not fc.used_days and all(w.startswith("无客流") for _, w in fc.skipped):
        lines.append(f"  前 {len(fc.skipped)} 周的同一星期都没有客流记录。")
    else:
        for d, why in fc.skipped:
            lines.append(f"  已剔除 {d.isoformat()}:{why}")
    lines.append(f"目标:每小时 {plan.target * 100:.0f}% 的顾客在本业务目标等候时间内被叫号;"
                 f"每个时段用 {plan.reps} 次模拟验证,须至少 {plan.confidence * 100:.0f}% "
                 "的模拟达标,且少开一个窗口须不达标。")
    return lines


def lunch_lines(plan: StaffingPlan) -> list[str]:
    rota = plan.lunch
    if not rota.minutes or not rota.staff:
        return []
    lines = [f"午餐轮换(每人 {rota.minutes} 分钟,全天需营业员 {rota.staff} 名,"
             "午餐期间在岗人数始终不少于建议窗口数):"]
    for b in rota.breaks:
        where = f"({b.counter}号窗口)" if b.counter is not None else ""
        lines.append(f"  {b.start:%H:%M}-{b.end:%H:%M}  营业员{b.clerk}{where}")
    if rota.needs_relief:
        lines.append(f"  另有 {rota.needs_relief} 名营业员在午餐时段内排不开,需要替班或错峰用餐。")
    return lines


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_table(header: tuple[str, ...], body: list[tuple[str, ...]]) -> str:
    widths = [max(_width(r[i]) for r in [header, *body]) for i in range(len(header))]
    def line(r: tuple[str, ...]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
    return "\n".join([line(header), *(line(r) for r in body)])


def plan_text(plan: StaffingPlan) -> str:
    lay, day = plan.layout, plan.forecast.day
    head = f"{lay.name}({lay.code})窗口排班建议 {day.isoformat()} 星期{WEEKDAY_NAMES[day.weekday()]}"
    if not plan.hours:
        return head + "\n当天不营业。"
    parts = [head, *basis_lines(plan), "", render_table(HEADER, rows(plan))]
    lunch = lunch_lines(plan)
    if lunch:
        parts += ["", *lunch]
    if plan.notes:
        parts += ["", *plan.notes]
    parts += ["", f"(计算用时 {plan.seconds:.2f} 秒,含验证)"]
    return "\n".join(parts)


def write_csv(plan: StaffingPlan, path: Path) -> Path:
    try:
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(rows(plan))
    except OSError as exc:
        raise ConfigError(f"无法写入文件 {path}:{exc}") from exc
    return path
