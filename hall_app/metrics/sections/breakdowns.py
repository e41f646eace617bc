"""The breakdown sections: by service, by counter (with pauses by type) and by clerk.

Each wide breakdown is two narrow tables (customers; waits or time), so no cell has to
wrap on an A4 page.
"""

from __future__ import annotations

from hall_app.metrics.model import PauseRow
from hall_app.metrics.numbers import hours_minutes, minutes, percent_value
from hall_app.metrics.sections.common import ReportSource
from hall_app.metrics.tables import Section, Table


def services_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    counts = tuple(
        (r.name, str(r.arrived), str(r.outcomes.served), str(r.outcomes.no_show),
         str(r.outcomes.walked_away), str(r.outcomes.abandoned), str(r.outcomes.cancelled),
         str(r.outcomes.open), str(r.transfers_out))
        for r in m.services)
    waits = tuple(
        (r.name, str(r.target_wait_minutes), minutes(r.queue_wait.exact_mean),
         minutes(r.queue_wait.p90), minutes(r.queue_wait.max), minutes(r.wait.exact_mean),
         percent_value(r.queue_service_level_value), percent_value(r.service_level_value),
         percent_value(r.service_level_excl_outage_value), minutes(r.service.exact_mean),
         minutes(r.service.p90))
        for r in m.services)
    return Section("services", "分业务统计", (
        Table("services", "分业务客流",
              ("业务", "取号", "办结", "过号", "离开", "闭厅\n未办", "取消", "未结束", "转出"),
              counts,
              note="取号计入取号时的业务;办结、过号等结果计入顾客最后所在的业务;"
                   "转出为从该业务转往其他业务的号票。"),
        Table("service_waits", "分业务等候与达标",
              ("业务", "目标\n(分)", "本队列\n平均等候", "本队列\nP90", "本队列\n最长",
               "全程\n平均等候", "达标率\n(本队列)", "达标率\n(全程)", "达标率\n(扣除故障)",
               "平均\n办理", "办理\nP90"),
              waits,
              note="本队列等候只计顾客在该业务队列中的等候;全程等候为顾客在各队列等候之和,"
                   "计入顾客最后被叫号的业务;达标率(全程)计入为顾客办结的业务。时长单位:分钟。"),
    ))


def _pause_text(rows: tuple[PauseRow, ...], staffed: bool) -> str:
    picked = [p for p in rows if p.in_staffed_time == staffed]
    return hours_minutes(sum(p.seconds for p in picked))


def counters_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    work = tuple(
        (r.name, str(r.served), str(r.no_show), str(r.recalls), str(r.transfers),
         minutes(r.wait.exact_mean), minutes(r.service.exact_mean), minutes(r.service.p90))
        for r in m.counters)
    time_rows = tuple(
        (r.name, hours_minutes(r.open_seconds), _pause_text(r.pauses, False),
         hours_minutes(r.staffed_seconds), hours_minutes(r.serving_seconds),
         hours_minutes(max(0.0, r.staffed_seconds - r.serving_seconds)),
         _pause_text(r.pauses, True), percent_value(r.utilisation_value))
        for r in m.counters)
    pauses = tuple(
        (r.name, p.reason, str(p.count), hours_minutes(p.seconds),
         "计入(空闲)" if p.in_staffed_time else "不计入")
        for r in m.counters for p in r.pauses)
    return Section("counters", "分窗口统计", (
        Table("counters", "分窗口办理",
              ("窗口", "办结", "过号", "重呼", "转出", "平均排队\n(分)", "平均办理\n(分)",
               "办理P90\n(分)"), work,
              note="平均排队为该窗口叫到的号票在本队列的等候。"),
        Table("counter_time", "分窗口在岗与利用率",
              ("窗口", "签到", "不计在岗\n的暂停", "在岗", "办理", "空闲",
               "其中计入\n在岗的暂停", "利用率"), time_rows,
              note="在岗=签到−不计在岗的暂停(用餐、培训等,见暂停类型);空闲=在岗−办理;"
                   "利用率=办理÷在岗。时长为 时:分。"),
        Table("counter_pauses", "暂停类型", ("窗口", "暂停原因", "次数", "时长", "计入在岗"),
              pauses, left=(0, 1, 4), empty=f"{src.scope_word}无暂停"),
    ))


def clerks_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    work = tuple(
        (r.staff_no, r.name, str(r.served), str(r.no_show), str(r.recalls), str(r.transfers),
         minutes(r.wait.exact_mean), minutes(r.service.exact_mean), minutes(r.service.median),
         minutes(r.service.p90), minutes(r.service.max))
        for r in m.clerks)
    time_rows = tuple(
        (r.staff_no, r.name, hours_minutes(r.signed_in_seconds), _pause_text(r.pauses, False),
         hours_minutes(r.staffed_seconds), hours_minutes(r.serving_seconds),
         percent_value(r.utilisation_value))
        for r in m.clerks)
    return Section("clerks", "分营业员统计", (
        Table("clerks", "分营业员办理",
              ("工号", "姓名", "办结", "过号", "重呼", "转出", "平均排队\n(分)", "平均办理\n(分)",
               "办理中位\n(分)", "办理P90\n(分)", "最长办理\n(分)"), work, left=(0, 1)),
        Table("clerk_time", "分营业员在岗与利用率",
              ("工号", "姓名", "签到", "不计在岗\n的暂停", "在岗", "办理", "利用率"),
              time_rows, left=(0, 1)),
    ))
