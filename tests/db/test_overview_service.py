"""OverviewService: the duty manager's read of the hall, alerts and acknowledgements."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import make_hall

from db.models import Complaint
from hall_app.errors import IllegalTransition, PermissionDenied, ValidationError
from hall_app.services.overview import OverviewService


def sid(hall, code: str) -> int:
    return next(s.id for s in hall.queries.services() if s.code == code)


def cid(hall, number: int) -> int:
    return hall.queries.counter_for_number(number).id


def tile(snap, number: int):
    return next(c for c in snap.counters if c.number == number)


def alert(snap, kind: str):
    found = [a for a in snap.alerts if a.kind == kind]
    assert found, f"no {kind} alert in {[a.key for a in snap.alerts]}"
    return found[0]


@pytest.fixture
def overview(hall):
    return OverviewService(hall.ctx)


def test_call_from_another_workstation_shows_on_the_counter_tile(hall, db_url, clerk, overview,
                                                                  clock):
    hall.tickets.issue(sid(hall, "PAY"))
    other = make_hall(db_url, clock)  # a second workstation on the same database
    try:
        actor = other.auth.login("1001", "1234")
        other.counters.sign_in(actor, cid(other, 1))
        clock.advance(minutes=4)
        other.tickets.call_next(actor, cid(other, 1))
    finally:
        other.close()
    snap = overview.snapshot()
    t1 = tile(snap, 1)
    assert (t1.state, t1.ticket_code, t1.ticket_state, t1.staff_name) == \
        ("serving", "A001", "called", "王芳")
    assert t1.ticket_service == "缴费充值"
    assert tile(snap, 2).state == "closed"
    assert snap.figures.avg_wait_seconds == 240


def test_queue_length_and_longest_wait_per_service(hall, overview, clock):
    pay = sid(hall, "PAY")
    first = hall.tickets.issue(pay)
    clock.advance(minutes=10)
    hall.tickets.issue(pay)
    hall.tickets.issue(sid(hall, "SIM"))
    clock.advance(minutes=7)  # A001 has waited 17 min > PAY's 15-minute standard
    snap = overview.snapshot()
    queues = {q.code: q for q in snap.queues}
    assert queues["PAY"].waiting == 2 and queues["SIM"].waiting == 1
    assert queues["PAY"].oldest_issued_at == first.issued_at
    assert int((snap.now - queues["PAY"].oldest_issued_at).total_seconds() // 60) == 17
    assert queues["PAY"].over_threshold == 1 and queues["SIM"].over_threshold == 0
    assert queues["OPEN"].waiting == 0 and queues["OPEN"].oldest_issued_at is None
    buckets = {b.label: b.count for b in snap.wait_buckets}
    assert buckets["15-20分"] == 1 and buckets["5-10分"] == 2


def test_day_figures_and_walkaway(hall, clerk, manager, overview, clock):
    c1 = cid(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pay = sid(hall, "PAY")
    hall.tickets.issue(pay)
    leaving = hall.tickets.issue(pay)
    clock.advance(minutes=6)
    t = hall.tickets.call_next(clerk, c1)
    hall.tickets.start(clerk, t.id, c1)
    clock.advance(minutes=3)
    hall.tickets.finish(clerk, t.id, c1)
    before = overview.snapshot().figures
    assert (before.arrived, before.served, before.walkaways, before.waiting) == (2, 1, 0, 1)
    assert before.avg_wait_seconds == 360 and before.avg_service_seconds == 180
    hall.tickets.walk_away(manager, leaving.id)
    after = overview.snapshot().figures
    assert (after.walkaways, after.walked_away, after.waiting) == (1, 1, 0)
    hourly = {h.hour: (h.arrivals, h.served) for h in overview.snapshot().hourly}
    assert hourly[10] == (2, 1)
    assert min(hourly) == 8 and max(hourly) == 17  # the demo hall opens 08:30-18:00


def test_yesterday_is_not_counted(hall, overview, clock):
    hall.tickets.issue(sid(hall, "PAY"))
    clock.advance(minutes=24 * 60)
    snap = overview.snapshot()
    assert snap.figures.arrived == 0
    assert next(q for q in snap.queues if q.code == "PAY").waiting == 0


def test_long_wait_alert_acknowledged_with_who(hall, manager, overview, clock):
    t = hall.tickets.issue(sid(hall, "PAY"))
    clock.advance(minutes=14)
    assert not [a for a in overview.snapshot().alerts if a.kind == "longwait"]
    clock.advance(minutes=2)
    a = alert(overview.snapshot(), "longwait")
    assert a.key == f"longwait:{t.id}" and a.title == "A001号已等候16分钟"
    assert not a.acknowledged
    ack = overview.acknowledge(manager, a.key)
    assert ack.acked_by == manager.name and manager.name
    again = alert(overview.snapshot(), "longwait")
    assert again.acknowledged and again.acked_by == manager.name
    assert again.acked_at == clock.now()


def test_escalation_alert_ack_resolves_it(hall, clerk, manager, overview):
    c1 = cid(hall, 1)
    hall.counters.sign_in(clerk, c1)
    esc = hall.desk.escalate(clerk, c1, "客户要求减免违约金")
    a = alert(overview.snapshot(), "escalation")
    assert a.key == f"escalation:{esc.id}" and a.severity > alert_severity_of_pause()
    assert "1号窗口王芳" in a.title and a.detail == "客户要求减免违约金"
    overview.acknowledge(manager, a.key)
    assert hall.desk.open_escalations() == []
    shown = alert(overview.snapshot(), "escalation")
    assert shown.acknowledged and shown.acked_by == manager.name


def alert_severity_of_pause() -> int:
    from hall_app.services.overview_model import LOW

    return LOW


def _complaint(hall, manager, *, received, due):
    with hall.ctx.write() as s:
        row = Complaint(hall_id=hall.ctx.hall.id, business_day=hall.ctx.business_day(received),
                        received_at=received, channel="counter", customer_name="张先生",
                        phone="13800001234", category="等候时间过长", description="排了很久",
                        recorded_by=manager.staff_id, reply_due_at=due,
                        hard_due_at=due + timedelta(days=15))
        s.add(row)
        s.flush()
        return row.id


def test_complaint_due_and_overdue_alerts(hall, manager, overview, clock):
    now = clock.now()
    due_today = _complaint(hall, manager, received=now, due=now + timedelta(hours=6))
    overdue = _complaint(hall, manager, received=now - timedelta(days=2),
                         due=now - timedelta(days=1))
    _complaint(hall, manager, received=now, due=now + timedelta(days=3))  # not due yet
    keys = {a.key: a for a in overview.snapshot().alerts if a.kind == "complaint"}
    assert set(keys) == {f"complaint:{due_today}:due", f"complaint:{overdue}:overdue"}
    assert "已超过答复时限" in keys[f"complaint:{overdue}:overdue"].title
    overview.acknowledge(manager, f"complaint:{overdue}:overdue")
    assert keys[f"complaint:{due_today}:due"].severity < keys[f"complaint:{overdue}:overdue"].severity
    acked = next(a for a in overview.snapshot().alerts if a.key == f"complaint:{overdue}:overdue")
    assert acked.acked_by == manager.name


def test_pause_alert_after_threshold(hall, clerk, manager, overview, clock):
    c2 = cid(hall, 2)
    hall.counters.sign_in(clerk, c2)
    hall.counters.pause(clerk, c2, "用餐")
    clock.advance(minutes=overview.snapshot().pause_alert_minutes - 1)
    snap = overview.snapshot()
    assert tile(snap, 2).state == "paused" and tile(snap, 2).pause_reason == "用餐"
    assert not [a for a in snap.alerts if a.kind == "pause"]
    clock.advance(minutes=2)
    a = alert(overview.snapshot(), "pause")
    assert a.title == "2号窗口暂停已16分钟" and "用餐" in a.detail
    overview.acknowledge(manager, a.key)
    assert alert(overview.snapshot(), "pause").acked_by == manager.name
    # A new pause is a new alert, not hidden by the old acknowledgement.
    hall.counters.resume(clerk, c2)
    hall.counters.pause(clerk, c2, "离席")
    clock.advance(minutes=20)
    assert not alert(overview.snapshot(), "pause").acknowledged


def test_outage_alert_and_counter_flag(hall, manager, overview):
    inc = hall.incidents.declare_outage(manager, "系统升级中,请稍候。")
    snap = overview.snapshot()
    a = alert(snap, "outage")
    assert a.key == f"outage:{inc.id}" and "全厅" in a.title and "系统升级中" in a.detail
    assert all(c.in_outage for c in snap.counters)
    assert snap.alerts[0].kind == "outage"  # most severe first
    overview.acknowledge(manager, a.key)
    assert alert(overview.snapshot(), "outage").acked_by == manager.name
    hall.incidents.clear(manager, inc.id)
    assert not overview.snapshot().outages


def test_acknowledge_rules(hall, clerk, manager, overview, clock):
    t = hall.tickets.issue(sid(hall, "PAY"))
    clock.advance(minutes=30)
    with pytest.raises(PermissionDenied, match="无权确认告警"):
        overview.acknowledge(clerk, f"longwait:{t.id}")
    with pytest.raises(ValidationError):
        overview.acknowledge(manager, "whatever")
    overview.acknowledge(manager, f"longwait:{t.id}")
    with pytest.raises(IllegalTransition, match=re.escape(f"已由{manager.name}确认")):
        overview.acknowledge(manager, f"longwait:{t.id}")


def test_default_outage_notice_comes_from_the_scripts(overview):
    assert overview.default_outage_notice() == "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。"


def test_complaint_alert_names_the_category_in_chinese(hall, manager, overview):
    from hall_app.services.complaints import ComplaintDraft, ComplaintService

    detail = ComplaintService(hall.ctx).register(manager, ComplaintDraft(
        channel="counter", customer_name="张先生", phone="13800001234", category="attitude",
        description="态度不好"))
    (shown,) = [a for a in overview.snapshot().alerts if a.kind == "complaint"]
    assert shown.key.startswith(f"complaint:{detail.id}:")  # due today
    assert f"投诉#{detail.id}(服务态度差)" in shown.title and "attitude" not in shown.title
