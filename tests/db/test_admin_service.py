"""AdminService: audit rows, permissions, deactivation never strands a waiting customer,
history keeps its references, thresholds stored in the hall row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AuditLog, Hall, Ticket
from hall_app.errors import PermissionDenied, ValidationError
from hall_app.services.admin import (
    AdminService,
    CounterEdit,
    NeedsDecision,
    ServiceEdit,
    ThresholdSettings,
)


@pytest.fixture
def adm(hall):
    return AdminService(hall.ctx)


def service(adm, admin, code):
    return next(s for s in adm.snapshot(admin).services if s.code == code)


def edit_of(row, **changes) -> ServiceEdit:
    base = dict(id=row.id, code=row.code, name=row.name, prefix=row.prefix,
                target_wait_minutes=row.target_wait_minutes,
                long_wait_minutes=row.long_wait_minutes,
                typical_service_minutes=row.typical_service_minutes, is_vip=row.is_vip,
                active=row.active)
    return ServiceEdit(**{**base, **changes})


def test_rename_is_audited_and_history_keeps_pointing(hall, adm, admin, clerk):
    pay = service(adm, admin, "PAY")
    ticket = hall.tickets.issue(pay.id)
    adm.save_service(admin, edit_of(pay, name="话费缴纳"))
    with hall.ctx.read() as s:
        row = s.scalars(select(AuditLog).where(AuditLog.entity == "service")).one()
        assert (row.field, row.old_value, row.new_value, row.staff_id) == (
            "name", "缴费充值", "话费缴纳", admin.staff_id)
        assert s.get(Ticket, ticket.id).service_id == pay.id
    assert hall.queries.services()[0].name == "话费缴纳"


def test_manager_may_look_but_not_edit(adm, manager):
    snap = adm.snapshot(manager)
    assert not snap.can_edit
    with pytest.raises(PermissionDenied, match="值班长无权修改营业厅配置"):
        adm.save_service(manager, edit_of(snap.services[0], name="x"))


def test_deactivating_a_service_with_waiting_customers_asks_then_transfers(
        hall, adm, admin, clerk):
    bb = service(adm, admin, "BB")
    plan = service(adm, admin, "PLAN")
    waiting = [hall.tickets.issue(bb.id) for _ in range(2)]
    with pytest.raises(NeedsDecision) as info:
        adm.save_service(admin, edit_of(bb, active=False))
    assert info.value.count == 2
    assert service(adm, admin, "BB").active  # nothing changed
    adm.save_service(admin, edit_of(bb, active=False), waiting="transfer", transfer_to=plan.id)
    c5 = hall.queries.counter_for_number(5).id  # serves BB, PLAN, PAY
    hall.counters.sign_in(clerk, c5)
    called = hall.tickets.call_next(clerk, c5)
    assert called.code == waiting[0].code and called.service_name == "套餐变更"
    with pytest.raises(ValidationError, match="暂停取号"):
        hall.tickets.issue(bb.id)


def test_deactivated_service_lets_waiting_customers_finish(hall, adm, admin, clerk):
    bb = service(adm, admin, "BB")
    t = hall.tickets.issue(bb.id)
    adm.save_service(admin, edit_of(bb, active=False), waiting="finish")
    c4 = hall.queries.counter_for_number(4).id
    hall.counters.sign_in(clerk, c4)
    assert hall.tickets.call_next(clerk, c4).code == t.code


def test_counter_change_that_would_strand_a_customer_is_refused(hall, adm, admin):
    snap = adm.snapshot(admin)
    bb = service(adm, admin, "BB")
    hall.tickets.issue(bb.id)
    c4 = next(c for c in snap.counters if c.number == 4)
    adm.save_counter(admin, CounterEdit(c4.id, 4, c4.name, (c4.service_ids[0],)))  # 5 still has BB
    c5 = next(c for c in snap.counters if c.number == 5)
    with pytest.raises(ValidationError, match="宽带业务") as info:
        adm.save_counter(admin, CounterEdit(c5.id, 5, c5.name, c5.service_ids, active=False))
    assert info.value.field == "services"
    assert next(c for c in adm.snapshot(admin).counters if c.number == 5).active


def test_pinned_ticket_goes_back_to_common_queue_when_counter_is_deactivated(
        hall, adm, admin, clerk):
    pay = service(adm, admin, "PAY")
    c1 = hall.queries.counter_for_number(1)
    c2 = hall.queries.counter_for_number(2).id
    hall.counters.sign_in(clerk, c2)  # a clerk serves from the counter he holds
    t = hall.tickets.issue(pay.id)
    hall.tickets.transfer(clerk, t.id, to_counter_id=c1.id)
    edit = CounterEdit(c1.id, 1, c1.name, c1.service_ids, active=False)
    with pytest.raises(NeedsDecision):
        adm.save_counter(admin, edit)
    adm.save_counter(admin, edit, waiting="transfer")
    assert hall.tickets.call_next(clerk, c2).code == t.code


def test_thresholds_are_stored_in_the_hall_row(hall, adm, admin):
    adm.update_thresholds(admin, ThresholdSettings(4, 2000, 25, False, "counter"))
    with hall.ctx.read() as s:
        row = s.get(Hall, hall.ctx.hall.id)
        th = hall.ctx.thresholds(row)
        assert (th.recalls_before_no_show, th.refresh_interval_ms, th.pause_alert_minutes) == (
            4, 2000, 25)
        assert (row.voice_enabled, row.voice_station) == (False, "counter")
    assert adm.snapshot(admin).thresholds == ThresholdSettings(4, 2000, 25, False, "counter")


def test_last_admin_cannot_be_disabled(adm, admin):
    me = next(m for m in adm.snapshot(admin).staff if m.staff_no == "9001")
    with pytest.raises(ValidationError, match="最后一名在职的管理员"):
        adm.set_staff_active(admin, me.id, False)
    assert next(m for m in adm.snapshot(admin).staff if m.staff_no == "9001").active
