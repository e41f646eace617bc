"""The complaint loop's rules on SQLite and PostgreSQL (issue 15, seeds 001–004):

* a complaint closes only when the customer said satisfied at a follow-up, or when a
  duty manager signs it off with a reason (未满意结案);
* a complainant who escalates — F7 at the counter about the same customer, rejecting a
  reply, answering 不满意 at a follow-up, a reopen — is never closed as a nuisance;
* every resolution is approved before the reply;
* follow-ups, interim feedback, approvals and the 15-day limit come back as reminders;
* one definition of the same-day reply.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_app.domain.keys import local_number
from hall_app.errors import IllegalTransition, PermissionDenied, ValidationError
from hall_app.metrics.service import ReportService
from hall_app.services.complaints import ComplaintDraft, ComplaintService
from hall_app.services.overview import OverviewService
from hall_app.services.overview_model import HIGH

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def svc(hall):
    return ComplaintService(hall.ctx)


def draft(**kw) -> ComplaintDraft:
    base = dict(channel="counter", customer_name="王先生", phone="13812345678",
                category="attitude", description="营业员态度冷淡,问两次都不理。",
                expectation="希望道歉")
    base.update(kw)
    return ComplaintDraft(**base)


def replied(svc, clerk, manager, **kw) -> int:
    cid = svc.register(clerk, draft(**kw)).id
    svc.start(clerk, cid)
    svc.propose_resolution(clerk, cid, "当面致歉,对营业员进行辅导")
    svc.approve(manager, cid)
    svc.reply(clerk, cid, "非常抱歉,已对营业员进行辅导,感谢您把问题及时告知我们。")
    return cid


def agreed(svc, clerk, manager, clock, **kw) -> int:
    cid = replied(svc, clerk, manager, **kw)
    svc.sign_agreement(clerk, cid, "致歉并辅导营业员,次日电话回访", "王先生",
                       clock.now() + timedelta(hours=20))
    return cid


def serving_ticket(hall, clerk):
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    hall.tickets.issue(pay)
    ticket = hall.tickets.call_next(clerk, c1)
    hall.tickets.start(clerk, ticket.id, c1)
    return c1, ticket


# -- closing only when satisfied or signed off -------------------------------------

def test_a_single_unsatisfied_follow_up_cannot_close_it(svc, clerk, manager, clock):
    cid = agreed(svc, clerk, manager, clock)
    d = svc.follow_up(clerk, cid, "unsatisfied", "客户认为辅导不够,要求营业员当面道歉")
    # 不满意 at the follow-up is the customer not accepting: back to handling, escalated.
    assert d.state == "in_progress" and d.row.escalated
    assert [h.action for h in d.history[-2:]] == ["follow_up", "reopen"]
    with pytest.raises(IllegalTransition):
        svc.close(clerk, cid)


def test_pending_follow_up_needs_the_next_time_and_does_not_close(svc, clerk, manager, clock):
    cid = agreed(svc, clerk, manager, clock)
    with pytest.raises(ValidationError) as err:
        svc.follow_up(clerk, cid, "pending", "营业员辅导尚未完成")
    assert err.value.field == "next_at"
    d = svc.follow_up(clerk, cid, "pending", "营业员辅导尚未完成",
                      next_at=clock.now() + timedelta(days=2))
    assert d.state == "follow_up" and not d.row.escalated
    with pytest.raises(IllegalTransition, match="尚未在回访中表示满意"):
        svc.close(clerk, cid)
    d = svc.follow_up(clerk, cid, "mostly", "客户基本满意")
    assert svc.close(clerk, cid).close_kind == "satisfied"


def test_duty_manager_signs_off_unsatisfied_with_a_reason(hall, svc, clerk, manager, clock):
    cid = agreed(svc, clerk, manager, clock)
    with pytest.raises(PermissionDenied):
        svc.sign_off(clerk, cid, "客户要求不合理")
    with pytest.raises(ValidationError) as err:
        svc.sign_off(manager, cid, "  ")
    assert err.value.field == "reason"
    d = svc.sign_off(manager, cid, "已按规定补偿,客户仍要求赔偿手机,超出公司规定")
    assert d.state == "closed" and d.close_kind == "signed_off"
    assert d.row.state_label == "未满意结案" and d.close_kind_label == "未满意结案"
    assert d.history[-1].action == "sign_off" and d.history[-1].staff_name == "周丽(值班长)"
    day = clock.now().astimezone(SH).date()
    assert svc.summary_for_day(day).signed_off == 1
    report = ReportService(hall.ctx).daily(day)
    assert report.complaints.closed_unsatisfied == 1
    assert [r.state_label for r in report.complaints.rows] == ["未满意结案"]
    assert [(r.number, r.category_name, r.reason) for r in report.complaints.signed_off] == [
        (local_number(cid), "服务态度差", "已按规定补偿,客户仍要求赔偿手机,超出公司规定")]


def test_sign_off_only_after_the_customer_was_answered(svc, clerk, manager):
    cid = svc.register(clerk, draft()).id
    with pytest.raises(IllegalTransition, match="已登记"):
        svc.sign_off(manager, cid, "联系不上客户")


# -- never a nuisance after an escalation ------------------------------------------

def test_f7_about_the_same_ticket_marks_the_complaint_escalated(hall, svc, clerk, manager):
    c1, ticket = serving_ticket(hall, clerk)
    cid = svc.register(clerk, draft(ticket_id=ticket.id)).id
    assert not svc.get(manager, cid).row.escalated
    hall.desk.escalate(clerk, c1, "客户仍不满意,请值班长接待", ticket_id=ticket.id)
    d = svc.get(manager, cid)
    assert d.row.escalated and d.history[-1].action == "escalate"
    assert "窗口请求值班长协助(F7)" in d.history[-1].note
    with pytest.raises(IllegalTransition, match="不能按非真实投诉"):
        svc.close_as_nuisance(manager, cid, "反复纠缠")
    assert svc.get(manager, cid).state == "registered"


def test_a_complaint_registered_after_f7_starts_escalated(hall, svc, clerk, manager):
    c1, ticket = serving_ticket(hall, clerk)
    hall.desk.escalate(clerk, c1, "客户情绪激动", ticket_id=ticket.id)
    d = svc.register(clerk, draft(ticket_id=ticket.id))
    assert d.row.escalated
    assert [h.action for h in d.history] == ["register", "escalate"]
    with pytest.raises(IllegalTransition):
        svc.close_as_nuisance(manager, d.id, "无理取闹")


def test_f7_after_a_transfer_still_finds_the_customers_complaint(hall, svc, clerk, manager):
    c1, ticket = serving_ticket(hall, clerk)
    cid = svc.register(clerk, draft(ticket_id=ticket.id)).id
    bb = next(s.id for s in hall.queries.services() if s.code == "PLAN")  # also at 1
    hall.tickets.transfer(clerk, ticket.id, to_service_id=bb, counter_id=c1)
    moved = hall.tickets.call_next(clerk, c1)
    assert moved.code == ticket.code and moved.id != ticket.id
    hall.desk.escalate(clerk, c1, "客户要求见值班长", ticket_id=moved.id)
    assert svc.get(manager, cid).row.escalated


def test_f7_reopens_a_complaint_wrongly_closed_as_nuisance(hall, svc, clerk, manager):
    c1, ticket = serving_ticket(hall, clerk)
    cid = svc.register(clerk, draft(ticket_id=ticket.id)).id
    assert svc.close_as_nuisance(manager, cid, "无具体诉求").close_kind == "nuisance"
    hall.desk.escalate(clerk, c1, "客户回到窗口,坚持投诉", ticket_id=ticket.id)
    d = svc.get(manager, cid)
    assert d.state == "in_progress" and d.row.escalated and d.close_kind is None
    assert d.history[-1].action == "reopen" and "撤销" in d.history[-1].note


def test_rejecting_a_reply_or_a_reopen_forbids_the_nuisance_label(svc, clerk, manager, clock):
    rejected = replied(svc, clerk, manager)
    svc.reopen(clerk, rejected, "客户不接受答复")
    came_back = agreed(svc, clerk, manager, clock, customer_name="李女士")
    svc.follow_up(clerk, came_back, "satisfied", "客户满意")
    svc.close(clerk, came_back)
    svc.reopen(manager, came_back, "客户一周后再次来厅,问题仍在")
    for cid in (rejected, came_back):
        assert svc.get(manager, cid).row.escalated
        with pytest.raises(IllegalTransition, match="不能按非真实投诉"):
            svc.close_as_nuisance(manager, cid, "纠缠")


# -- reminders ------------------------------------------------------------------------

def complaint_alerts(hall):
    return {a.key: a for a in OverviewService(hall.ctx).snapshot().alerts
            if a.kind == "complaint"}


def test_approval_waiting_is_a_reminder_urgent_after_the_threshold(hall, svc, clerk, manager,
                                                                   clock):
    cid = svc.register(clerk, draft()).id
    svc.start(clerk, cid)
    asked = clock.now()
    svc.propose_resolution(clerk, cid, "赔偿话费50元并致歉", "话费50元")
    assert svc.alert_counts().compensation_awaiting == 1
    key = f"complaint:{cid}:approval:{int(asked.timestamp())}"
    alert = complaint_alerts(hall)[key]
    assert "(含补偿)待审批" in alert.title and alert.severity < HIGH
    clock.advance(minutes=hall.ctx.settings.thresholds.complaint_approval_alert_minutes)
    assert complaint_alerts(hall)[key].severity == HIGH
    svc.approve(manager, cid)
    assert key not in complaint_alerts(hall)


def test_follow_up_time_and_interim_feedback_come_back(hall, svc, clerk, manager, clock):
    cid = agreed(svc, clerk, manager, clock)
    follow_at = svc.get(clerk, cid).row.next_follow_up_at
    key = f"complaint:{cid}:followup:{int(follow_at.timestamp())}"
    assert svc.alert_counts().follow_up_due == 0 and key not in complaint_alerts(hall)
    clock.set(follow_at - timedelta(minutes=30))
    assert "即将到约定的回访时间" in complaint_alerts(hall)[key].title
    clock.set(follow_at + timedelta(minutes=1))
    assert svc.alert_counts().follow_up_due == 1
    assert complaint_alerts(hall)[key].severity == HIGH
    # 24 h after the last contact (the agreement) the customer is due an interim feedback.
    last = svc.get(clerk, cid).last_contact_at
    clock.set(last + timedelta(hours=24, minutes=1))
    assert svc.alert_counts().feedback_due == 1
    assert any(k.startswith(f"complaint:{cid}:feedback:") for k in complaint_alerts(hall))
    d = svc.contact(clerk, cid, "phone", "告知客户辅导已安排在周五", purpose="feedback")
    assert d.contacts[-1].method_label == "电话" and d.contacts[-1].purpose_label == "进度回馈"
    assert svc.alert_counts().feedback_due == 0
    d = svc.follow_up(clerk, cid, "satisfied", "电话回访,客户满意")
    assert svc.alert_counts().follow_up_due == 0
    assert not [k for k in complaint_alerts(hall) if ":followup:" in k]


def test_the_fifteen_day_limit_is_an_alert_before_it_passes(hall, svc, clerk, clock):
    cid = svc.register(clerk, draft()).id
    hard = svc.get(clerk, cid).row.hard_due_at
    warn = hall.ctx.settings.thresholds.complaint_hard_warning_days
    clock.set(hard - timedelta(days=warn, minutes=1))
    assert f"complaint:{cid}:limit" not in complaint_alerts(hall)
    clock.set(hard - timedelta(days=warn) + timedelta(minutes=1))
    alert = complaint_alerts(hall)[f"complaint:{cid}:limit"]
    assert f"距15天处理时限不足{warn}天" in alert.title and alert.severity < HIGH
    clock.set(hard - timedelta(hours=12))
    assert complaint_alerts(hall)[f"complaint:{cid}:limit"].severity == HIGH
    clock.set(hard + timedelta(minutes=1))
    assert "已超过15天处理时限" in complaint_alerts(hall)[f"complaint:{cid}:limitpassed"].title
    OverviewService(hall.ctx).acknowledge(hall.auth.login("2001", "2468"),
                                          f"complaint:{cid}:limitpassed")


# -- one definition of the same-day reply --------------------------------------------

def test_a_reply_after_closing_is_not_a_same_day_reply(hall, svc, clerk, manager, clock):
    early = replied(svc, clerk, manager)  # replied at 10:00, before 18:00 closing
    late = svc.register(clerk, draft(customer_name="赵先生")).id
    svc.start(clerk, late)
    svc.propose_resolution(clerk, late, "致歉")
    svc.approve(manager, late)
    clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=SH))
    svc.reply(clerk, late, "非常抱歉,已改进。")
    day = date(2026, 11, 25)
    summary = svc.summary_for_day(day)
    assert (summary.replied, summary.replied_on_time, summary.overdue) == (2, 1, 1)
    report = ReportService(hall.ctx).daily(day).complaints
    by_id = {r.id: r for r in report.rows}
    assert by_id[early].replied_same_day and not by_id[early].overdue
    # 19:00 is after the hall's 18:00 close: not 当日答复, and overdue — never both.
    assert not by_id[late].replied_same_day and by_id[late].overdue
    assert report.replied_same_day == summary.replied_on_time == 1


# -- staff care ------------------------------------------------------------------------

def test_recovery_break_after_a_hard_complaint_is_not_idle(hall, svc, clerk, manager, clock):
    c1, ticket = serving_ticket(hall, clerk)
    cid = svc.register(clerk, draft(ticket_id=ticket.id)).id
    with pytest.raises(IllegalTransition, match="正在接待"):
        hall.staff_care.grant_recovery_break(manager, clerk.staff_id, 10, cid)
    hall.tickets.finish(clerk, ticket.id, c1)
    with pytest.raises(PermissionDenied):
        hall.staff_care.grant_recovery_break(clerk, clerk.staff_id, 10, cid)
    info = hall.staff_care.grant_recovery_break(manager, clerk.staff_id, 10, cid)
    assert (info.counter_number, info.minutes) == (1, 10)
    assert svc.get(manager, cid).history[-1].action == "recovery_break"
    overview = OverviewService(hall.ctx)
    tile = next(t for t in overview.snapshot().counters if t.number == 1)
    assert tile.state == "paused" and tile.pause_reason == "调整情绪"
    clock.advance(minutes=9)
    # Shorter than the usual pause alert would allow only because it was granted.
    assert not [a for a in overview.snapshot().alerts if a.kind == "pause"]
    clock.advance(minutes=11)
    assert [a for a in overview.snapshot().alerts if a.kind == "pause"]
    hall.counters.resume(clerk, c1)
    clock.advance(minutes=10)
    hall.counters.pause(clerk, c1, "离席")
    clock.advance(minutes=5)
    hall.counters.resume(clerk, c1)
    day = clock.now().astimezone(SH).date()
    row = next(r for r in ReportService(hall.ctx).daily(day).counters if r.number == 1)
    assert row.paused_seconds == 25 * 60  # every pause
    assert row.recovery_seconds == 20 * 60
    # 调整情绪 is not idle: taken out of staffed time, where 离席 stays in it.
    assert row.away_seconds == 20 * 60
    assert row.staffed_seconds == row.open_seconds - 20 * 60 > 0
