"""The duty manager's side of ratings, on both databases: the 不满意 alert on the overview,
today's figures on the overview and the counter view, and the follow-up (回访) that ends
as contacted or as a complaint registered for the ticket."""

from __future__ import annotations

import pytest
from rating_support import bind_pad, counter_id, pad_for, serve

from hall_app.errors import IllegalTransition, PermissionDenied, ValidationError
from hall_app.services.complaints import ComplaintDraft


@pytest.fixture
def unhappy(hall, clerk, manager):
    """A 不满意 at counter 1 with 等候时间长 and 「需要值班长联系您吗?」 answered 需要."""
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pad = pad_for(hall, bind_pad(hall, manager, c1))
    ticket = serve(hall, clerk, c1)
    receipt = pad.rate(ticket.id, "dissatisfied")
    explained = pad.explain(receipt.rating_id, "long_wait", True)
    return ticket, receipt, explained


def test_the_overview_alerts_the_manager_with_ticket_clerk_and_reason(hall, clerk, manager,
                                                                      unhappy):
    ticket, receipt, _ = unhappy
    snap = hall.overview.snapshot()
    [alert] = [a for a in snap.alerts if a.kind == "rating"]
    assert alert.key == f"rating:{receipt.rating_id}"
    assert alert.kind_label == "顾客不满意"
    assert ticket.code in alert.title and clerk.name in alert.title and "1001" in alert.title
    assert "1号窗口" in alert.title
    assert "等候时间长" in alert.detail and "回访" in alert.detail
    assert snap.satisfaction.figures.served == 1 and snap.satisfaction.figures.dissatisfied == 1
    assert snap.satisfaction.open_follow_ups == 1 and snap.satisfaction.target_pct == 90

    hall.overview.acknowledge(manager, alert.key)
    [acked] = [a for a in hall.overview.snapshot().alerts if a.kind == "rating"]
    assert acked.acknowledged and acked.acked_by == manager.name


def test_the_alert_shows_before_the_reason_is_given(hall, clerk, manager):
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pad = pad_for(hall, bind_pad(hall, manager, c1))
    pad.rate(serve(hall, clerk, c1).id, "dissatisfied")  # the customer walked off
    [alert] = [a for a in hall.overview.snapshot().alerts if a.kind == "rating"]
    assert "未选择" in alert.detail and "回访" not in alert.detail


def test_the_counter_view_carries_the_clerks_own_figures(hall, clerk, manager):
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pad = pad_for(hall, bind_pad(hall, manager, c1))
    pad.rate(serve(hall, clerk, c1).id, "very_satisfied")
    serve(hall, clerk, c1)  # not rated (yet)
    other = hall.auth.login("1002", "1234")
    c2 = counter_id(hall, 2)
    hall.counters.sign_in(other, c2)
    serve(hall, other, c2)
    mine = hall.queries.counter_view(c1).my_rating
    assert (mine.served, mine.rated, mine.very_satisfied) == (2, 1, 1)
    theirs = hall.queries.counter_view(c2).my_rating
    assert (theirs.served, theirs.rated) == (1, 0)


def test_a_follow_up_is_listed_and_closed_once(hall, manager, unhappy):
    ticket, _, explained = unhappy
    [row] = hall.follow_ups.follow_ups(manager)
    assert (row.id, row.ticket_code, row.state, row.reason) == \
        (explained.follow_up_id, ticket.code, "open", "long_wait")
    with pytest.raises(ValidationError):
        hall.follow_ups.complete(manager, row.id, "  ")
    done = hall.follow_ups.complete(manager, row.id, "已当面致歉,顾客表示理解")
    assert (done.state, done.handled_by, done.note) == ("done", manager.name,
                                                        "已当面致歉,顾客表示理解")
    with pytest.raises(IllegalTransition):
        hall.follow_ups.complete(manager, row.id, "再次回访")
    assert hall.overview.snapshot().satisfaction.open_follow_ups == 0


def test_a_clerk_cannot_see_or_close_follow_ups(hall, clerk, unhappy):
    with pytest.raises(PermissionDenied):
        hall.follow_ups.follow_ups(clerk)
    with pytest.raises(PermissionDenied):
        hall.follow_ups.complete(clerk, unhappy[2].follow_up_id, "已处理")


def test_a_follow_up_turns_into_a_complaint_with_the_ticket_prefilled(hall, clerk, manager,
                                                                      unhappy):
    ticket, _, explained = unhappy
    prefill = hall.follow_ups.complaint_prefill(manager, explained.follow_up_id)
    assert (prefill.ticket_id, prefill.ticket_code, prefill.counter_id, prefill.clerk_id) == \
        (ticket.id, ticket.code, counter_id(hall, 1), clerk.staff_id)
    assert prefill.category == "waiting" and "等候时间长" in prefill.description
    complaint = hall.complaints.register(manager, ComplaintDraft(
        channel="counter", customer_name="王先生", phone="13812345678",
        category=prefill.category, description=prefill.description,
        ticket_id=prefill.ticket_id, counter_id=prefill.counter_id, clerk_id=prefill.clerk_id))
    [row] = hall.follow_ups.follow_ups(manager)
    assert (row.state, row.complaint_id) == ("complaint", complaint.id)
    assert hall.overview.snapshot().satisfaction.open_follow_ups == 0
    with pytest.raises(IllegalTransition):  # never two complaints from one follow-up
        hall.follow_ups.complaint_prefill(manager, explained.follow_up_id)


def test_the_service_promise_is_hall_data_with_a_default(hall, clerk, manager, admin):
    from sqlalchemy import select

    from db.models import AuditLog
    from hall_app.services.ratings.promise import ServicePromiseService

    promise = ServicePromiseService(hall.ctx)
    pad = pad_for(hall, bind_pad(hall, manager, counter_id(hall, 1)))
    default = promise.texts.default_promise
    assert promise.current() == (default, False) and pad.board().promise == default
    with pytest.raises(PermissionDenied):
        promise.set(manager, "微笑服务")
    with pytest.raises(ValidationError):
        promise.set(admin, "很" * 201)
    assert promise.set(admin, "  微笑服务 · 限时办结 ") == "微笑服务 · 限时办结"
    assert pad.board().promise == "微笑服务 · 限时办结"
    assert promise.set(admin, "") == default  # back to the shipped wording
    assert pad.board().promise == default
    with hall.ctx.read() as s:
        changes = s.execute(select(AuditLog.old_value, AuditLog.new_value)
                            .where(AuditLog.field == "service_promise")
                            .order_by(AuditLog.id)).all()
    assert [tuple(c) for c in changes] == [(None, "微笑服务 · 限时办结"),
                                          ("微笑服务 · 限时办结", None)]
