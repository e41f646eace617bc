"""The sections about particular customers and events: the ten longest waits, counter
escalations (F7) with their outcome, incidents and the cash till (complaints:
complaints.py)."""

from __future__ import annotations

from hall_app.metrics.numbers import NO_DATA, duration, minutes, yuan
from hall_app.metrics.sections.common import ReportSource, when
from hall_app.metrics.tables import (
    BAD,
    GOOD,
    INCIDENT_KIND_LABELS,
    Paragraph,
    Section,
    Table,
)


def longest_waits_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    p = src.period
    rows = tuple(
        (str(i), r.code, "→".join(r.services), when(r.issued_at, p), when(r.called_at, p),
         minutes(r.wait_seconds), f"{r.counter_number}号" if r.counter_number else NO_DATA,
         r.clerk_name or NO_DATA, r.outcome)
        for i, r in enumerate(m.longest_waits, start=1))
    table = Table("longest_waits", "等候最长的顾客",
                  ("序号", "号票", "业务", "取号", "最后叫号", "全程等候\n(分)", "窗口", "营业员",
                   "结果"), rows, left=(1, 2, 6, 7, 8), empty="无叫号记录")
    return Section("longest_waits", "等候最长的十位顾客", (table,))


def escalations_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    p = src.period
    rows, tones = [], []
    for e in m.escalations:
        if e.resolved_at is None:
            handled, tone = "未处理", BAD
        else:
            handled, tone = f"{e.resolver_name or '值班长'} {when(e.resolved_at, p)}", ""
        response = NO_DATA if e.response_seconds is None else duration(e.response_seconds)
        rows.append((when(e.raised_at, p),
                     f"{e.counter_number}号" if e.counter_number else NO_DATA,
                     e.clerk_name or NO_DATA, e.ticket_code or NO_DATA, e.reason, handled,
                     response, e.customer_outcome or NO_DATA))
        tones.append(("", "", "", "", "", tone, "", ""))
    table = Table("escalations", "窗口求助",
                  ("时间", "窗口", "营业员", "号票", "原因", "处理", "响应", "顾客结果"),
                  tuple(rows), wrap=(4,), left=(0, 1, 2, 3, 4, 5, 7), tones=tuple(tones),
                  empty=f"{src.scope_word}无窗口求助")
    return Section("escalations", "窗口求助(F7)及处理结果", (table,))


def incidents_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    p = src.period
    rows = tuple(
        (INCIDENT_KIND_LABELS.get(i.kind, i.kind), i.category or NO_DATA, when(i.started_at, p),
         when(i.ended_at, p) if i.ended_at else "未解除", duration(i.seconds),
         "、".join(f"{n}号" for n in i.counter_numbers) or "全厅",
         str(i.waiting_customers), i.notice or NO_DATA)
        for i in m.incidents)
    scope = "本日" if p.is_day else "本期"  # 本日时长 / 本期时长
    table = Table("incidents", "故障与设施事件",
                  ("类型", "类别", "开始", "结束", f"{scope}时长", "涉及窗口", "期间等候\n人数",
                   "告示/说明"), rows, wrap=(7,), left=(0, 1, 2, 3, 5, 7),
                  empty="无系统故障或设施故障记录",
                  note=f"时长只计{scope}之内;开始或结束不在{scope}的注明日期。窗口故障的期间等候人数"
                       "只计等候该窗口所办业务的顾客。")
    return Section("incidents", "故障与设施事件", (table,))


def cash_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    h = m.headline
    rows = [
        (f"{r.counter_number}号" if r.counter_number else NO_DATA, r.staff_no, r.clerk_name,
         str(r.count), yuan(r.due_fen), yuan(r.received_fen), yuan(r.change_fen),
         yuan(r.received_fen - r.change_fen))
        for r in m.cash]
    if m.cash:
        rows.append(("合计", "", "", str(h.cash_exchanges), yuan(h.cash_due_fen),
                     yuan(h.cash_received_fen), yuan(h.cash_change_fen),
                     yuan(h.cash_received_fen - h.cash_change_fen)))
    net = h.cash_received_fen - h.cash_change_fen
    ok = net == h.cash_due_fen
    verdict = "相符。" if ok else "不符,请核对。"
    check = Paragraph(
        f"实收 {yuan(h.cash_received_fen)} 元 − 找零 {yuan(h.cash_change_fen)} 元 = 入箱 "
        f"{yuan(net)} 元,与应收 {yuan(h.cash_due_fen)} 元{verdict}")
    tones = tuple(("",) * 7 + ((GOOD if ok else BAD) if i == len(rows) - 1 else "",)
                  for i in range(len(rows)))
    table = Table("cash", "现金唱收唱交",
                  ("窗口", "工号", "营业员", "笔数", "应收(元)", "实收(元)", "找零(元)",
                   "入箱(元)"), tuple(rows), left=(0, 1, 2), tones=tones,
                  empty=f"{src.scope_word}无现金收付记录",
                  note="实收为顾客交付的现金;入箱=实收−找零,应与应收相符。")
    return Section("cash", "现金唱收唱交", (table, check) if m.cash else (table,))
