"""The report's tables as plain text cells, shared by the printed document and CSV export.

Durations are shown as minutes with one decimal (「4.5」), rates as percent with one
decimal; "—" means no data.
"""

from __future__ import annotations

from dataclasses import dataclass

from hall_app.domain.tickets import STATE_LABELS
from hall_app.metrics.model import DailyMetrics, Stats

NO_DATA = "—"
NOT_FINAL = "未闭厅"  # the verdict column of a day that is not closed yet

COMPLAINT_STATE_LABELS = {
    "registered": "已登记", "in_progress": "处理中", "awaiting_approval": "待审批",
    "replied": "已答复", "confirmed": "客户已确认", "follow_up": "回访中", "closed": "已结案",
}
CHANNEL_LABELS = {"counter": "柜台", "phone": "电话", "letter": "信函", "other": "其他"}
INCIDENT_KIND_LABELS = {"outage": "系统故障", "facility": "设施故障"}


@dataclass(frozen=True)
class Table:
    key: str  # file name stem for CSV
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def minutes(seconds: float | None) -> str:
    return NO_DATA if seconds is None else f"{seconds / 60:.1f}"


def hours_minutes(seconds: float | None) -> str:
    if not seconds:
        return "0:00"
    total = int(round(seconds / 60))
    return f"{total // 60}:{total % 60:02d}"


def pct(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:.1f}%"


def complaint_state(state: str) -> str:
    try:
        from hall_app.domain.complaints import STATE_LABELS as LABELS  # the complaint module
    except ImportError:
        LABELS = COMPLAINT_STATE_LABELS  # noqa: N806
    return LABELS.get(state) or COMPLAINT_STATE_LABELS.get(state) or state


def ticket_state(state: str) -> str:
    return STATE_LABELS.get(state, state)


def _stats(s: Stats) -> tuple[str, str, str, str]:
    return minutes(s.mean), minutes(s.median), minutes(s.p90), minutes(s.max)


def service_table(m: DailyMetrics) -> Table:
    headers = ("业务", "目标等候(分)", "取号", "办结", "过号", "离开", "闭厅未办", "转出",
               "平均等候(分)", "等候中位(分)", "等候P90(分)", "最长等候(分)", "服务达标率",
               "平均办理(分)", "办理P90(分)")
    rows = tuple(
        (r.name, str(r.target_wait_minutes), str(r.arrived), str(r.outcomes.served),
         str(r.outcomes.no_show), str(r.outcomes.walked_away), str(r.outcomes.abandoned),
         str(r.transfers_out), *_stats(r.wait), pct(r.service_level),
         minutes(r.service.mean), minutes(r.service.p90))
        for r in m.services)
    return Table("services", "分业务统计", headers, rows)


def counter_table(m: DailyMetrics) -> Table:
    headers = ("窗口", "办结", "过号", "重呼", "转出", "平均等候(分)", "平均办理(分)",
               "办理P90(分)", "办理时长", "签到时长", "利用率", "暂停时长", "暂停原因")
    rows = tuple(
        (r.name, str(r.served), str(r.no_show), str(r.recalls), str(r.transfers),
         minutes(r.wait.mean), minutes(r.service.mean), minutes(r.service.p90),
         hours_minutes(r.serving_seconds), hours_minutes(r.open_seconds), pct(r.utilisation),
         hours_minutes(r.paused_seconds),
         ";".join(f"{p.reason}×{p.count}({hours_minutes(p.seconds)}"
                  + (",不计空闲)" if p.recovery else ")") for p in r.pauses)
         or NO_DATA)
        for r in m.counters)
    return Table("counters", "分窗口统计", headers, rows)


def clerk_table(m: DailyMetrics) -> Table:
    headers = ("工号", "姓名", "办结", "过号", "重呼", "转出", "平均等候(分)", "平均办理(分)",
               "办理中位(分)", "办理P90(分)", "最长办理(分)", "签到时长", "暂停时长", "利用率")
    rows = tuple(
        (r.staff_no, r.name, str(r.served), str(r.no_show), str(r.recalls), str(r.transfers),
         minutes(r.wait.mean), minutes(r.service.mean), minutes(r.service.median),
         minutes(r.service.p90), minutes(r.service.max), hours_minutes(r.signed_in_seconds),
         hours_minutes(r.paused_seconds), pct(r.utilisation))
        for r in m.clerks)
    return Table("clerks", "分营业员统计", headers, rows)


def hour_table(m: DailyMetrics) -> Table:
    headers = ("时段", "取号", "办结", "弃号", "平均等候(分)")
    rows = tuple((h.label, str(h.arrived), str(h.served), str(h.walkaways), minutes(h.mean_wait))
                 for h in m.hours)
    return Table("hours", "分时段客流", headers, rows)


def wait_table(m: DailyMetrics) -> Table:
    rows = tuple((b.label, str(b.count)) for b in m.wait_buckets)
    return Table("wait_distribution", "等候时长分布", ("等候时长", "人数"), rows)


def incident_table(m: DailyMetrics) -> Table:
    headers = ("类型", "类别", "开始", "结束", "时长(分)", "涉及窗口", "期间等候人数", "告示/说明")
    rows = tuple(
        (INCIDENT_KIND_LABELS.get(i.kind, i.kind), i.category or NO_DATA,
         i.started_at.strftime("%H:%M"),
         i.ended_at.strftime("%H:%M") if i.ended_at else "未解除",
         f"{i.minutes:.0f}",
         "、".join(f"{n}号" for n in i.counter_numbers) or "全厅",
         str(i.waiting_customers), i.notice or NO_DATA)
        for i in m.incidents)
    return Table("incidents", "故障与设施事件", headers, rows)


def complaint_table(m: DailyMetrics) -> Table:
    headers = ("时间", "渠道", "类别", "状态", "客户", "电话", "窗口", "当日答复", "超时")
    rows = tuple(
        (c.received_at.strftime("%H:%M"), CHANNEL_LABELS.get(c.channel, c.channel), c.category,
         c.state_label + ("·已升级" if c.escalated else ""), c.customer_name, c.phone_masked,
         f"{c.counter_number}号" if c.counter_number else NO_DATA,
         "是" if c.replied_same_day else "否", "是" if c.overdue else "否")
        for c in m.complaints.rows)
    return Table("complaints", "投诉明细", headers, rows)


def inspection_table(m: DailyMetrics) -> Table:
    """The day's 巡检 rounds; a set time without a round is listed as 未巡检."""
    headers = ("时间", "巡检人", "开始", "完成", "正常", "有问题", "未检查", "问题及处理")
    done = {r.slot: r for r in m.inspections}
    rows: list[tuple[str, ...]] = []
    for slot in sorted(set(m.inspection_times) | set(done)):
        r = done.get(slot)
        if r is None:
            rows.append((slot, NO_DATA, "未巡检", NO_DATA, NO_DATA, NO_DATA, NO_DATA, NO_DATA))
            continue
        problems = ";".join(
            f"{p.label}:{p.note}" + (f"(已登记设施故障#{p.incident_id})" if p.incident_id
                                     else "") for p in r.problems)
        rows.append((slot, r.inspector, r.started_at.strftime("%H:%M"),
                     r.finished_at.strftime("%H:%M") if r.finished_at else "未完成",
                     str(r.ok), str(len(r.problems)), str(r.unchecked), problems or "无"))
    return Table("inspections", "营业厅巡检", headers, tuple(rows))


def headline_table(m: DailyMetrics) -> Table:
    h = m.headline
    o = h.outcomes

    def met(flag: bool | None) -> str:
        if not m.is_final:
            return NOT_FINAL  # figures still moving: no verdict before the day is closed
        return NO_DATA if flag is None else ("达标" if flag else "未达标")

    rows = (
        ("取号人数", str(h.arrived), "", ""),
        ("办结人数", str(o.served), "", ""),
        ("弃号", str(o.walkaways), "", ""),
        ("其中:过号", str(o.no_show), "", ""),
        ("其中:离开", str(o.walked_away), "", ""),
        ("其中:闭厅未办", str(o.abandoned), "", ""),
        ("弃号率", pct(h.walkaway_rate), f"≤{h.walkaway_target_pct}%", met(h.walkaway_target_met)),
        ("服务达标率", pct(h.service_level), f"≥{h.service_level_target_pct}%",
         met(h.service_level_met)),
        ("平均等候(分)", minutes(h.wait.mean), "", ""),
        ("等候中位(分)", minutes(h.wait.median), "", ""),
        ("等候P90(分)", minutes(h.wait.p90), "", ""),
        ("最长等候(分)", minutes(h.wait.max), "", ""),
        ("平均办理(分)", minutes(h.service.mean), "", ""),
        ("办理中位(分)", minutes(h.service.median), "", ""),
        ("办理P90(分)", minutes(h.service.p90), "", ""),
        ("最长办理(分)", minutes(h.service.max), "", ""),
        ("重呼次数", str(h.recalls), "", ""),
        ("转移次数", str(h.transfers), "", ""),
        ("取消", str(o.cancelled), "", ""),
        ("投诉", str(h.complaints), "", ""),
        ("系统故障", f"{h.outages}次 / {h.outage_minutes:.0f}分钟", "", ""),
        ("设施故障", f"{h.facility_incidents}次", "", ""),
        ("现金唱收唱交", f"{h.cash_exchanges}笔 / {h.cash_received_fen / 100:.2f}元", "", ""),
    )
    return Table("headline", "主要指标", ("指标", "数值", "目标", "结果"), rows)


def all_tables(m: DailyMetrics) -> tuple[Table, ...]:
    from hall_app.metrics.satisfaction_tables import satisfaction_table  # imports this module

    return (headline_table(m), service_table(m), counter_table(m), clerk_table(m),
            hour_table(m), wait_table(m), incident_table(m), complaint_table(m),
            inspection_table(m), satisfaction_table(m))
