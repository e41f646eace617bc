"""The complaints section: the period's complaints (one same-day-reply definition with the
complaint service), by category name and state, each one listed; the complaints closed
during the period by how they ended, the 未满意结案 with the duty manager's reason, and
the 通报 issued to the staff."""

from __future__ import annotations

from hall_app.domain.complaints import CLOSE_KIND_LABELS
from hall_app.metrics.numbers import NO_DATA, percent
from hall_app.metrics.sections.common import ReportSource, when
from hall_app.metrics.tables import BAD, CHANNEL_LABELS, Paragraph, Section, Table, complaint_state

Block = Table | Paragraph


def complaints_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future:
        return None
    c = m.complaints
    scope = src.scope_word
    blocks: list[Block] = []
    if not c.total:
        blocks.append(Paragraph(f"{scope}无新投诉。"))
    else:
        cats = "、".join(f"{name} {n}件" for name, n in c.by_category)
        states = "、".join(f"{complaint_state(st)} {n}件" for st, n in c.by_state)
        blocks.append(Paragraph(
            f"投诉共 {c.total} 件;当日答复 {c.replied_same_day} 件(当日答复率 "
            f"{percent(c.replied_same_day, c.total)},以答复期限即闭厅时间为准);"
            f"超时未按期答复 {c.overdue} 件;客户升级投诉 {c.escalated} 件。"
            f"按类别:{cats}。按状态:{states}。"))
        blocks.append(Table("complaint_categories", "投诉类别", ("类别", "件数"),
                            tuple((name, str(n)) for name, n in c.by_category)))
        p = src.period
        rows = tuple(
            (f"#{r.number}", when(r.received_at, p), CHANNEL_LABELS.get(r.channel, r.channel),
             r.category_name or r.category, r.state_label + ("·已升级" if r.escalated else ""),
             r.customer_name, r.phone_masked,
             f"{r.counter_number}号" if r.counter_number else NO_DATA,
             "是" if r.replied_same_day else "否", "是" if r.overdue else "否")
            for r in c.rows)
        tones = tuple(("",) * 9 + (BAD if r.overdue else "",) for r in c.rows)
        blocks.append(Table(
            "complaints", "投诉明细",
            ("编号", "时间", "渠道", "类别", "状态", "客户", "电话", "窗口", "当日\n答复", "超时"),
            rows, left=tuple(range(10)), tones=tones,
            note="客户只印姓氏,电话已做隐藏处理;当日答复=在答复期限(闭厅时间)前答复。"))
    blocks += closed_blocks(src)
    return Section("complaints", "投诉情况", tuple(blocks))


def closed_blocks(src: ReportSource) -> list[Block]:
    """Complaints closed during the period (whenever received), 未满意结案, 通报."""
    c = src.metrics.complaints
    scope = src.scope_word
    out: list[Block] = []
    if c.closed_by_kind:
        out.append(Table("complaint_closed", f"{scope}结案", ("结案方式", "件数"),
                         tuple((CLOSE_KIND_LABELS.get(k, k), str(n)) for k, n in c.closed_by_kind),
                         note="按结案时间计入,不论何日登记。"))
    if c.signed_off:
        out.append(Table("complaint_signed_off", "未满意结案(值班长签批)",
                         ("投诉编号", "类别", "签批理由"),
                         tuple((f"#{r.number}", r.category_name, r.reason or NO_DATA)
                               for r in c.signed_off),
                         wrap=(2,), left=(0, 1, 2)))
    if c.notices:
        out.append(Table("complaint_notices", "通报", ("时间", "通报人", "标题", "要点"),
                         tuple((when(n.issued_at, src.period), n.issued_by or NO_DATA, n.title,
                                n.lessons) for n in c.notices),
                         wrap=(2, 3), left=(0, 1, 2, 3)))
    return out
