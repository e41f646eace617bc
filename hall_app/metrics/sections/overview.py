"""The overview sections: key figures, the comparison with earlier periods and the trend,
customers and waits per hour, and the wait distribution."""

from __future__ import annotations

from hall_app.metrics.figures import FIGURES
from hall_app.metrics.model import DailyMetrics, Headline
from hall_app.metrics.numbers import (
    NO_DATA,
    duration,
    minutes,
    minutes_value,
    percent_value,
    ratio_value,
    yuan,
)
from hall_app.metrics.period import short_day
from hall_app.metrics.sections.common import ReportSource, stat_cells
from hall_app.metrics.tables import BAD, GOOD, Chart, Paragraph, Section, Series, Table

ARRIVED = "#4a78c2"
SERVED = "#5aa469"
WALKAWAY = "#c0504d"
WAIT = "#e08a3c"


NOT_FINAL_DAY = "未闭厅,不判定"  # a day whose business day is not closed yet
NOT_FINAL_PERIOD = "未完结,不判定"  # a week or month not over, or with a day not closed


def verdict(m: DailyMetrics, met: bool | None) -> tuple[str, str]:
    """(text, tone) of a target check; no verdict while the figures still move (the
    business day is not closed: `DailyMetrics.is_final`)."""
    if met is None:
        return NO_DATA, ""
    if not m.is_final:
        return (NOT_FINAL_DAY if m.span.is_day else NOT_FINAL_PERIOD), ""
    return ("达标", GOOD) if met else ("未达标", BAD)


def headline_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    h, o = m.headline, m.headline.outcomes
    walk, walk_tone = verdict(m, h.walkaway_target_met)
    sl, sl_tone = verdict(m, h.service_level_met)

    def rate(n: int) -> str:
        return percent_value(h.rate_of(n))

    wait, service = stat_cells(h.wait), stat_cells(h.service)
    pairs = [
        ("取号人数", f"{h.arrived}人", ""),
        ("办结人数", f"{o.served}人", ""),
        ("弃号合计", f"{o.walkaways}人,弃号率{rate(o.walkaways)}"
                     f"(目标≤{h.walkaway_target_pct}%,{walk})", walk_tone),
        ("过号(叫号未到)", f"{o.no_show}人,{rate(o.no_show)}", ""),
        ("离开(看到离厅)", f"{o.walked_away}人,{rate(o.walked_away)}", ""),
        ("闭厅未办", f"{o.abandoned}人,{rate(o.abandoned)}", ""),
        ("未结束号票", _open_text(h), ""),
        *([("闭厅时仍在办理", f"{m.finished_at_close}人,闭厅时自动结束(计入办结)", "")]
          if m.finished_at_close else []),
        ("服务达标率(全程等候)", f"{percent_value(h.service_level_value)}"
                              f"(目标≥{h.service_level_target_pct}%,{sl})", sl_tone),
        ("达标率(扣除系统故障时间)", percent_value(h.service_level_excl_outage_value), ""),
        ("各队列达标率", percent_value(h.queue_service_level_value), ""),
        ("在岗利用率", percent_value(h.utilisation_value), ""),
        ("平均等候(全程)", f"{wait[0]}分(中位{wait[1]} · P90 {wait[2]} · 最长{wait[3]})", ""),
        ("平均排队(各队列)", f"{minutes(h.queue_wait.exact_mean)}分", ""),
        ("重呼 / 转移 / 取消", f"重呼{h.recalls}次 · 转移{h.transfers}次 · 取消{o.cancelled}张", ""),
        ("平均办理", f"{service[0]}分(中位{service[1]} · P90 {service[2]} · 最长{service[3]})",
         ""),
        ("投诉", _complaints_text(m), ""),
        *_satisfaction_pairs(m),
        ("窗口求助(F7)", f"{h.escalations}次,当日未处理{h.escalations_open}次", ""),
        ("故障", f"系统故障{h.outages}次共{duration(h.outage_seconds)} · "
                 f"设施故障{h.facility_incidents}次", ""),
        ("现金唱收唱交", f"{h.cash_exchanges}笔:应收{yuan(h.cash_due_fen)}元,"
                       f"实收{yuan(h.cash_received_fen)}元,找零{yuan(h.cash_change_fen)}元", ""),
    ]
    table = Table("headline", "主要指标", ("指标", "数值"),
                  tuple((k, v) for k, v, _ in pairs), layout="pairs",
                  tones=tuple(("", t) for _, _, t in pairs))
    return Section("headline", "主要指标", (table,))


def _complaints_text(m: DailyMetrics) -> str:
    h, c = m.headline, m.complaints
    return (f"{h.complaints}件,当日答复率{percent_value(h.same_day_reply_value)},"
            f"超时{c.overdue}件,升级{c.escalated}件")


def _satisfaction_pairs(m: DailyMetrics) -> list[tuple[str, str, str]]:
    """满意率 against its target and 参评率, when the rating pads recorded a service."""
    sat = m.satisfaction
    if sat is None or not sat.total.served:
        return []
    t = sat.total
    text, tone = verdict(m, sat.target_met)
    return [("满意率(评价器)", f"{percent_value(ratio_value(t.satisfied_count, t.rated))}"
                             f"(目标≥{sat.target_pct}%,{text})", tone),
            ("参评率", f"{percent_value(ratio_value(t.rated, t.served))}"
                      f"(参评{t.rated}人 / 办结{t.served}人)", "")]


def _open_text(h: Headline) -> str:
    o = h.outcomes
    if not o.open:
        return "0张"
    parts = [f"等候{o.open_waiting}", f"已呼叫{o.open_called}", f"仍在办理{o.open_serving}"]
    return f"{o.open}张(" + " · ".join(parts) + ")"


def comparison_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future or not m.comparisons:
        return None
    h = m.headline
    this = "本日" if src.is_day else ("本周" if src.period.kind == "week" else "本月")
    headers = ["指标", this]
    for c in m.comparisons:
        span = short_day(c.period.first) if c.period.is_day else c.period.key
        headers += [f"{c.label}\n{span}", "变化"]
    rows, tones = [], []
    for f in FIGURES:
        row, tone = [f.label, f.text(h)], ["", ""]
        for c in m.comparisons:
            arrow, change, delta = f.change(h, c.headline)
            row += [f.text(c.headline), f"{arrow} {change}".strip()]
            tone += ["", f.tone(delta)]
        rows.append(tuple(row))
        tones.append(tuple(tone))
    table = Table("comparison", "各项指标比较", tuple(headers), tuple(rows), tones=tuple(tones),
                  note="↑↓ 为数值升降;绿色为向好、红色为变差;率的变化以百分点计。")
    blocks: list[Table | Chart | Paragraph] = [table]
    blocks += trend_blocks(src)
    label = "、".join(c.label for c in m.comparisons)
    # A day: page 1 holds the key figures and the hours; the comparison starts page 2.
    return Section("comparison", f"与{label}比较", tuple(blocks), new_page=src.is_day)


def trend_blocks(src: ReportSource) -> list[Table | Chart | Paragraph]:
    m = src.metrics
    if not m.trend:
        return []
    labels = tuple(short_day(d.day) for d in m.trend)
    waits = tuple(_float(minutes_value(d.headline.wait.exact_mean)) for d in m.trend)
    rates = tuple(_float(d.headline.walkaway_rate_value) for d in m.trend)
    title = "近7日趋势" if src.is_day else "逐日趋势"
    chart = Chart(
        "trend", f"{title}:平均等候与弃号率", labels,
        (Series("平均等候(分钟)", waits, WAIT, "line", "left"),
         Series("弃号率(%)", rates, WALKAWAY, "line", "right")),
        left_unit="分钟", right_unit="%", aspect=0.3)
    rows = []
    for d in m.trend:
        x = d.headline
        rows.append((short_day(d.day), str(x.arrived), str(x.outcomes.served),
                     str(x.outcomes.walkaways), percent_value(x.walkaway_rate_value),
                     minutes(x.wait.exact_mean), percent_value(x.service_level_value)))
    table = Table("trend", title, ("日期", "取号", "办结", "弃号", "弃号率", "平均等候(分)",
                                   "服务达标率"), tuple(rows))
    return [chart, table]


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def hours_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future or not src.is_day:
        return None
    labels = tuple(f"{x.hour}时" for x in m.hours)
    chart = Chart(
        "hourly", "分时段取号、办结、弃号与平均等候", labels,
        (Series("取号", tuple(float(x.arrived) for x in m.hours), ARRIVED),
         Series("办结", tuple(float(x.served) for x in m.hours), SERVED),
         Series("弃号", tuple(float(x.walkaways) for x in m.hours), WALKAWAY),
         Series("平均等候(分钟)", tuple(_float(minutes_value(x.exact_mean_wait))
                                      for x in m.hours), WAIT, "line", "right")),
        left_unit="人", right_unit="分钟", empty_text="当日无数据", aspect=0.32)
    rows = tuple(
        (x.label, str(x.arrived), str(x.served), str(x.no_show), str(x.walked_away),
         str(x.abandoned), str(x.walkaways), minutes(x.exact_mean_wait))
        for x in m.hours)
    table = Table("hours", "分时段客流", ("时段", "取号", "办结", "过号", "离开", "闭厅未办",
                                        "弃号合计", "平均等候(分)"), rows,
                  note="取号按取号时刻、办结按办结时刻、弃号按结束时刻计入时段;"
                       "平均等候为该时段取号顾客的全程等候。")
    return Section("hours", "分时段客流与等候", (chart, table))


def waits_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    labels = tuple(b.label for b in m.wait_buckets)
    chart = Chart("wait_distribution", "全程等候时长分布(人数)", labels,
                  (Series("顾客", tuple(float(b.count) for b in m.wait_buckets), WAIT),),
                  empty_text="无叫号记录")
    table = Table("wait_distribution", "等候时长分布", ("全程等候", "人数"),
                  tuple((b.label, str(b.count)) for b in m.wait_buckets))
    return Section("waits", "等候时长分布", (chart, table))

