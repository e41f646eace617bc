"""Complaint register and workflow through ComplaintService, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.models import Complaint, ComplaintHistory, Escalation
from hall_app.errors import IllegalTransition, PermissionDenied, ValidationError
from hall_app.services.complaints import (
    ComplaintDraft,
    ComplaintFilter,
    ComplaintService,
    ForbiddenPhraseFound,
)

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def svc(hall):
    return ComplaintService(hall.ctx)


@pytest.fixture
def clerk2(hall):
    return hall.auth.login("1002", "1234")


def draft(**kw) -> ComplaintDraft:
    base = dict(channel="counter", customer_name="王先生", phone="138 1234 5678",
                category="waiting", description="排队等了一个多小时,没人管。",
                expectation="希望道歉并改进叫号")
    base.update(kw)
    return ComplaintDraft(**base)


def history(hall, cid):
    with hall.ctx.read() as s:
        rows = s.scalars(select(ComplaintHistory).where(ComplaintHistory.complaint_id == cid)
                         .order_by(ComplaintHistory.id)).all()
        return [(r.action, r.from_state, r.to_state, r.staff_id, r.note) for r in rows]


def test_register_records_the_signature_deadlines_and_links_from_the_ticket(
        hall, svc, clerk, clock):
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    hall.tickets.issue(pay)
    ticket = hall.tickets.call_next(clerk, c1)
    clock.advance(minutes=5)
    d = svc.register(clerk, draft(ticket_id=ticket.id))
    assert d.state == "registered"
    assert d.row.ticket_code == "A001" and d.row.counter_number == 1
    assert d.clerk_name == "王芳" and d.recorder_name == "王芳"
    assert d.row.handler_name == "王芳"
    assert d.row.phone == "138****5678"  # a clerk sees it masked
    assert d.row.reply_due_at == datetime(2026, 11, 25, 18, 0, tzinfo=SH)
    assert d.row.hard_due_at == datetime(2026, 12, 11, 0, 0, tzinfo=SH)
    with hall.ctx.read() as s:
        row = s.get(Complaint, d.id)
        assert row.phone == "13812345678" and row.recorded_by == clerk.staff_id
    assert history(hall, d.id) == [("register", None, "registered", clerk.staff_id, None)]


def test_the_register_keeps_company_business_number_and_when_it_started(
        svc, clerk, manager):
    d = svc.register(clerk, draft(
        company_name="华兴贸易有限公司", business="企业宽带", business_number="0755-8888 1234",
        problem_onset="上周一开始使用,每天下午断线三四次"))
    assert (d.company_name, d.business) == ("华兴贸易有限公司", "企业宽带")
    assert d.problem_onset == "上周一开始使用,每天下午断线三四次"
    assert svc.get(manager, d.id).business_number == "0755-88881234"
    assert svc.get(clerk, d.id).business_number == "0755-****1234"  # masked like the phone
    with pytest.raises(ValidationError) as err:
        svc.register(clerk, draft(business_number="宽带账号abc"))
    assert err.value.field == "business_number"


def test_register_rejects_a_bad_phone_and_writes_nothing(hall, svc, clerk):
    with pytest.raises(ValidationError) as err:
        svc.register(clerk, draft(phone="12345"))
    assert err.value.field == "phone"
    with pytest.raises(ValidationError) as err:
        svc.register(clerk, draft(category="nope"))
    assert err.value.field == "category"
    assert svc.query(clerk) == []


def test_the_full_loop_until_the_customer_is_satisfied(hall, svc, clerk, manager, clock):
    cid = svc.register(clerk, draft(category="fees")).id
    svc.start(clerk, cid)
    d = svc.propose_resolution(clerk, cid, "退还多收的月租并致歉", "赠送10元话费")
    assert d.state == "awaiting_approval" and d.resolution == "退还多收的月租并致歉"
    with pytest.raises(PermissionDenied):
        svc.approve(clerk, cid)
    with pytest.raises(IllegalTransition):  # no reply while the approval is pending
        svc.reply(clerk, cid, "已为您处理")
    d = svc.approve(manager, cid, "同意")
    assert d.state == "approved" and d.compensation == "赠送10元话费"
    assert d.approved_by == "周丽(值班长)"
    clock.advance(minutes=30)
    d = svc.reply(clerk, cid, "非常抱歉给您添麻烦了,已退还多收的月租并赠送10元话费。")
    assert d.state == "replied" and d.row.replied_at == clock.now()
    follow_at = clock.now() + timedelta(days=1)
    d = svc.sign_agreement(clerk, cid, "退还月租、赠送10元话费,次日电话回访", "王先生", follow_at)
    assert d.state == "agreed" and d.agreement_signer == "王先生"
    assert d.row.next_follow_up_at == follow_at
    d = svc.hand_off(clerk, cid, "计费中心", "退还11月多收月租")
    assert d.state == "implementing" and d.open_hand_offs == 1
    clock.advance(minutes=24 * 60)
    d = svc.follow_up(clerk, cid, "pending", "电话回访,退费尚未到账",
                      next_at=clock.now() + timedelta(days=1))
    assert d.state == "follow_up" and d.satisfaction is None
    with pytest.raises(IllegalTransition, match="尚未在回访中表示满意"):
        svc.close(clerk, cid)
    d = svc.follow_up(clerk, cid, "satisfied", "客户说满意")
    with pytest.raises(IllegalTransition, match="1项交办事项未落实"):
        svc.close(clerk, cid)
    d = svc.hand_off_done(clerk, cid, d.hand_offs[0].id, "计费中心已退费")
    assert d.open_hand_offs == 0 and d.state == "follow_up"
    d = svc.close(clerk, cid)
    assert d.state == "closed" and d.close_kind == "satisfied"
    assert d.satisfaction_label == "满意" and d.actions == ("reopen",)  # if he comes back
    steps = [(a, f, t) for a, f, t, _, _ in history(hall, cid)]
    assert steps == [
        ("register", None, "registered"), ("start", "registered", "in_progress"),
        ("propose_resolution", "in_progress", "awaiting_approval"),
        ("approve", "awaiting_approval", "approved"), ("reply", "approved", "replied"),
        ("sign_agreement", "replied", "agreed"), ("hand_off", "agreed", "implementing"),
        ("follow_up", "implementing", "follow_up"), ("follow_up", "follow_up", "follow_up"),
        ("hand_off_done", "follow_up", "follow_up"), ("close", "follow_up", "closed")]
    assert [c.purpose for c in d.contacts] == ["other", "follow_up", "follow_up"]
    with pytest.raises(IllegalTransition):
        svc.start(clerk, cid)


def test_every_resolution_needs_approval_not_only_compensation(svc, clerk, manager):
    cid = svc.register(clerk, draft(category="attitude")).id
    svc.start(clerk, cid)
    with pytest.raises(IllegalTransition, match="处理中"):
        svc.reply(clerk, cid, "向您致歉,已对营业员进行辅导。")  # no approved resolution yet
    d = svc.propose_resolution(clerk, cid, "当面致歉,对营业员进行辅导")
    assert d.state == "awaiting_approval" and d.compensation is None
    d = svc.approve(manager, cid)
    d = svc.reply(clerk, cid, "向您致歉,已对营业员进行辅导。")
    assert d.state == "replied"


def test_rejected_resolution_is_cleared_and_needs_a_reason(svc, clerk, manager):
    cid = svc.register(clerk, draft()).id
    svc.start(clerk, cid)
    svc.propose_compensation(clerk, cid, "退还全部月租")
    with pytest.raises(ValidationError):
        svc.reject(manager, cid, "  ")
    d = svc.reject(manager, cid, "超出补偿标准")
    assert d.state == "in_progress" and d.compensation is None
    assert d.history[-1].note == "超出补偿标准"
    with pytest.raises(IllegalTransition):
        svc.reply(clerk, cid, "已为您处理。")


def approved(svc, clerk, manager, cid, resolution="致歉并改进叫号"):
    svc.start(clerk, cid)
    svc.propose_resolution(clerk, cid, resolution)
    return svc.approve(manager, cid)


def test_reply_text_is_required_and_the_customer_may_refuse_it(svc, clerk, manager):
    cid = svc.register(clerk, draft()).id
    approved(svc, clerk, manager, cid)
    with pytest.raises(ValidationError) as err:
        svc.reply(clerk, cid, "   ")
    assert err.value.field == "reply_text"
    svc.reply(clerk, cid, "已安排专人改进叫号。")
    d = svc.reopen(clerk, cid, "客户希望当面道歉")
    assert d.state == "in_progress" and d.row.escalated  # not accepted = escalated


def test_forbidden_phrase_blocks_the_reply_and_says_which_and_where(hall, svc, clerk, manager):
    cid = svc.register(clerk, draft()).id
    approved(svc, clerk, manager, cid)
    text = "您好。这是公司规定,我没办法,请理解。"
    with pytest.raises(ForbiddenPhraseFound) as err:
        svc.reply(clerk, cid, text)
    hit = err.value.hits[0]
    assert hit.phrase == "这是公司规定,我没办法"
    assert text[hit.start:hit.end] == "这是公司规定,我没办法"
    assert "「这是公司规定,我没办法」" in err.value.message
    assert svc.get(clerk, cid).state == "approved"
    assert svc.get(clerk, cid).reply_text is None
    with pytest.raises(PermissionDenied):  # a clerk cannot override
        svc.reply(clerk, cid, text, override_reason="客户原话")


def test_duty_manager_override_is_recorded_in_the_history(svc, clerk, manager):
    cid = svc.register(clerk, draft()).id
    approved(svc, clerk, manager, cid)
    text = "客户反映营业员说“我不知道”,对此我们深表歉意。"
    with pytest.raises(ValidationError) as err:
        svc.reply(manager, cid, text, override_reason="  ")
    assert err.value.field == "override_reason"
    d = svc.reply(manager, cid, text, override_reason="引用客户投诉原话,并非忌语")
    assert d.state == "replied" and d.reply_text == text
    last = d.history[-1]
    assert last.action == "reply" and last.staff_name == "周丽(值班长)"
    assert "我不知道" in last.note and "引用客户投诉原话" in last.note


def test_nuisance_close_needs_a_manager_and_a_reason(svc, clerk, manager):
    cid = svc.register(clerk, draft(channel="phone")).id
    with pytest.raises(PermissionDenied):
        svc.close_as_nuisance(clerk, cid, "反复来电辱骂")
    with pytest.raises(ValidationError):
        svc.close_as_nuisance(manager, cid, "")
    d = svc.close_as_nuisance(manager, cid, "同一号码一小时内来电20次,无具体诉求")
    assert d.state == "closed" and d.close_kind == "nuisance"
    assert d.close_reason.startswith("非真实投诉(骚扰)")
    assert svc.summary_for_day(d.row.business_day).nuisance == 1


def test_an_escalated_complaint_can_never_be_closed_as_nuisance(hall, svc, clerk, manager):
    cid = svc.register(clerk, draft()).id
    d = svc.escalate(clerk, cid, "客户情绪激动,要求见值班长")
    assert d.row.escalated and d.state == "registered"
    with hall.ctx.read() as s:
        esc = s.scalars(select(Escalation)).all()
        assert [e.reason for e in esc] == [f"投诉#{cid} 升级:客户情绪激动,要求见值班长"]
    with pytest.raises(IllegalTransition) as err:
        svc.close_as_nuisance(manager, cid, "无理取闹")
    assert "不能按非真实投诉(骚扰)关闭" in err.value.message
    assert svc.get(manager, cid).state == "registered"
    # Not even after it moved on through the workflow.
    svc.start(clerk, cid)
    with pytest.raises(IllegalTransition):
        svc.close_as_nuisance(manager, cid, "无理取闹")


def test_a_clerk_cannot_take_over_a_colleagues_complaint(svc, clerk, clerk2, manager):
    cid = svc.register(clerk, draft()).id
    with pytest.raises(PermissionDenied):
        svc.start(clerk2, cid)
    svc.assign(manager, cid, clerk2.staff_id)
    d = svc.start(clerk2, cid)
    assert d.row.handler_name == "李娜"
    assert svc.get(clerk, cid).actions == ("escalate", "note")  # no longer the handler


def test_manager_sees_full_phone_clerk_sees_it_masked(svc, clerk, manager):
    cid = svc.register(clerk, draft(phone="010-12345678")).id
    assert svc.get(manager, cid).row.phone == "010-12345678"
    assert svc.get(clerk, cid).row.phone == "010-****5678"
    assert svc.query(clerk)[0].phone == "010-****5678"


def test_overdue_across_closing_and_midnight(hall, svc, clerk, clock):
    early = svc.register(clerk, draft(customer_name="甲")).id
    clock.advance(minutes=7 * 60 + 59)  # 17:59 local
    counts = svc.alert_counts()
    assert counts.due_soon == 1 and counts.reply_overdue == 0 and counts.near_limit == 0
    clock.advance(minutes=2)  # 18:01 local: past the close of the business day
    late = svc.register(clerk, draft(customer_name="乙")).id  # after closing
    assert svc.get(clerk, late).row.reply_due_at == datetime(2026, 11, 26, 18, 0, tzinfo=SH)
    overdue = svc.query(clerk, ComplaintFilter(overdue=True))
    assert [r.id for r in overdue] == [early]
    assert overdue[0].deadline.reply_overdue
    clock.set(datetime(2026, 11, 26, 0, 30, tzinfo=SH))  # past local midnight
    counts = svc.alert_counts()
    assert counts.reply_overdue == 1 and counts.open == 2 and counts.due_soon == 0
    clock.set(datetime(2026, 12, 7, 23, 59, tzinfo=SH))
    assert svc.alert_counts().near_limit == 0
    clock.set(datetime(2026, 12, 8, 0, 1, tzinfo=SH))  # within three days of both limits
    assert svc.alert_counts().near_limit == 2
    clock.set(datetime(2026, 12, 10, 23, 59, tzinfo=SH))
    assert svc.alert_counts().hard_overdue == 0 and svc.alert_counts().near_limit == 2
    clock.set(datetime(2026, 12, 11, 0, 1, tzinfo=SH))  # the 15-day limit has passed
    counts = svc.alert_counts()
    assert counts.hard_overdue == 2 and counts.reply_overdue == 2 and counts.near_limit == 0
    assert all(r.deadline.hard_overdue for r in svc.query(clerk, ComplaintFilter(overdue=True)))


def test_query_filters_and_sorting(svc, clerk, manager, clock):
    a = svc.register(clerk, draft(category="attitude", severity="low")).id
    clock.advance(minutes=10)
    b = svc.register(clerk, draft(category="fees", severity="high")).id
    clock.advance(minutes=10)
    c = svc.register(clerk, draft(category="fees")).id
    svc.start(clerk, c)
    ids = lambda **kw: [r.id for r in svc.query(manager, ComplaintFilter(**kw))]  # noqa: E731
    assert ids() == [c, b, a]
    assert ids(sort="received_asc") == [a, b, c]
    assert ids(sort="severity") == [b, c, a]
    assert ids(category="fees") == [c, b]
    assert ids(state="in_progress") == [c]
    assert ids(state="open") == [c, b, a]
    day = clock.now().astimezone(SH).date()
    assert ids(day_from=day + timedelta(days=1)) == []
    assert ids(day_from=day, day_to=day) == [c, b, a]
    with pytest.raises(ValidationError):
        svc.query(manager, ComplaintFilter(sort="nope"))


def test_summary_for_day_aggregates_category_status_overdue_and_same_day_rate(
        hall, svc, clerk, manager, clock):
    ids = [svc.register(clerk, draft(category=cat)).id
           for cat in ("attitude", "attitude", "fees", "waiting")]
    approved(svc, clerk, manager, ids[0])
    svc.reply(clerk, ids[0], "向您致歉,已对当班营业员进行辅导。")
    approved(svc, clerk, manager, ids[1])
    clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=SH))
    svc.reply(clerk, ids[1], "已核实并改进。")  # after closing: not 当日答复, late
    svc.escalate(clerk, ids[2], "客户要求见值班长")
    svc.register(clerk, draft())  # after closing, still received on the 25th
    summary = svc.summary_for_day(datetime(2026, 11, 25).date())
    assert summary.total == 5
    by_cat = {code: n for code, _, n in summary.by_category}
    assert by_cat["attitude"] == 2 and by_cat["fees"] == 1 and by_cat["waiting"] == 2
    assert summary.by_category[0][:2] == ("attitude", "服务态度差")
    assert summary.by_state == {"replied": 2, "registered": 3}
    assert summary.replied == 2 and summary.replied_on_time == 1
    # Overdue: one replied late, two still unanswered past 18:00 (the fifth is due tomorrow).
    assert summary.overdue == 3
    assert summary.escalated == 1
    assert summary.same_day_reply_rate == pytest.approx(1 / 5)
    assert svc.summary_for_day(datetime(2026, 11, 24).date()).same_day_reply_rate is None
