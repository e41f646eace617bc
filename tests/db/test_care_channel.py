"""爱心通道: a kiosk ticket for elderly, pregnant and disabled customers, served like VIP
by every priority rule, kept across a transfer, and offered only where the hall turns it on."""

from __future__ import annotations

import pytest

from hall_app.domain.priority import PriorityRule, RuleConfig
from hall_app.errors import ValidationError
from hall_app.services.admin import AdminService
from hall_app.services.calls import kiosk_board


def pay_id(hall) -> int:
    return next(s.id for s in hall.queries.services() if s.code == "PAY")


def _issue(hall, clock, *, care: bool = False):
    ticket = hall.tickets.issue(pay_id(hall), care=care)
    clock.advance(minutes=1)
    return ticket


# The calls a counter makes when three normal tickets and then one 爱心通道 ticket wait:
# "C" is the care ticket, digits the normal ones in issue order (as for a VIP ticket).
@pytest.mark.parametrize("config, expected", [
    (RuleConfig(PriorityRule.STRICT), ["C", 0, 1, 2]),
    (RuleConfig(PriorityRule.RATIO, ratio=2), [0, 1, "C", 2]),
    (RuleConfig(PriorityRule.AGING, aging_minutes=30), ["C", 0, 1, 2]),
], ids=["strict", "ratio-2", "aging-30"])
def test_care_ticket_is_called_like_a_vip(hall, clock, admin, clerk, config, expected):
    AdminService(hall.ctx).set_priority_rule(admin, config)
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    normal = [_issue(hall, clock) for _ in range(3)]
    care = _issue(hall, clock, care=True)
    assert care.care and care.priority == "vip"
    assert not normal[0].care and normal[0].priority == "normal"
    called = []
    for _ in range(4):
        ticket = hall.tickets.call_next(clerk, c1)
        hall.tickets.start(clerk, ticket.id, c1)
        hall.tickets.finish(clerk, ticket.id, c1)
        called.append(ticket.code)
    assert called == [care.code if e == "C" else normal[e].code for e in expected]


def test_care_mark_survives_a_transfer_and_shows_at_the_counter(hall, clock, clerk):
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    care = _issue(hall, clock, care=True)
    queue = hall.queries.counter_view(c1).queue
    assert [(e.code, e.care) for e in queue] == [(care.code, True)]
    called = hall.tickets.call_next(clerk, c1)
    plan = next(s.id for s in hall.queries.services() if s.code == "PLAN")
    moved = hall.tickets.transfer(clerk, called.id, to_service_id=plan, counter_id=c1)
    assert moved.care and moved.priority == "vip"


def test_hall_without_care_channel_refuses_and_kiosk_hides_it(hall, admin):
    admin_service = AdminService(hall.ctx)
    assert kiosk_board(hall.ctx).care_channel
    snap = admin_service.snapshot(admin)
    assert snap.hall.care_channel
    from dataclasses import replace

    from hall_app.services.admin import HallEdit

    h = snap.hall
    admin_service.update_hall(admin, replace(
        HallEdit(h.name, h.hotline, h.timezone, h.closing_prompt_minutes, h.hours),
        care_channel=False))
    assert not kiosk_board(hall.ctx).care_channel
    assert not admin_service.snapshot(admin).hall.care_channel
    audit = admin_service.snapshot(admin).audit
    assert any(a.field == "care_channel" and a.new_value == "否" for a in audit)
    with pytest.raises(ValidationError, match="本厅暂未开通爱心通道"):
        hall.tickets.issue(pay_id(hall), care=True)
    assert hall.tickets.issue(pay_id(hall)).code == "A001"  # nothing half-written
