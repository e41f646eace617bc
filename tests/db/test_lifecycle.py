"""Ticket lifecycle through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import Ticket, TicketEvent
from hall_app.errors import IllegalTransition, PermissionDenied, QueueEmpty, ValidationError


def service_id(hall, code: str) -> int:
    return next(s.id for s in hall.queries.services() if s.code == code)


def counter_id(hall, number: int) -> int:
    return hall.queries.counter_for_number(number).id


def events(hall, ticket_id: int) -> list[tuple[str, str | None, str]]:
    with hall.ctx.read() as s:
        rows = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                         .order_by(TicketEvent.id)).all()
        return [(r.kind, r.from_state, r.to_state) for r in rows]


@pytest.fixture
def at_counter1(hall, clerk):
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    return c1


def test_numbers_restart_per_prefix_and_day(hall, clock):
    pay, sim = service_id(hall, "PAY"), service_id(hall, "SIM")
    codes = [hall.tickets.issue(pay).code for _ in range(3)] + [hall.tickets.issue(sim).code]
    assert codes == ["A001", "A002", "A003", "C001"]
    clock.advance(minutes=24 * 60)
    assert hall.tickets.issue(pay).code == "A001"


def test_issue_reports_people_ahead(hall):
    pay = service_id(hall, "PAY")
    hall.tickets.issue(pay)
    hall.tickets.issue(pay)
    third = hall.tickets.issue(pay)
    assert third.ahead == 2
    # Nobody is signed in at a 缴费 counter: no promise of a wait, the no-counter state.
    assert third.no_counter and third.estimated_wait_minutes is None


def test_full_service_records_every_transition_and_wait(hall, clerk, clock, at_counter1):
    t = hall.tickets.issue(service_id(hall, "PAY"))
    clock.advance(minutes=7, seconds=30)
    called = hall.tickets.call_next(clerk, at_counter1)
    assert called.code == "A001" and called.state == "called"
    assert called.wait_seconds == 450
    assert called.counter_number == 1
    clock.advance(seconds=40)
    hall.tickets.start(clerk, t.id, at_counter1)
    clock.advance(minutes=4)
    done = hall.tickets.finish(clerk, t.id, at_counter1)
    assert done.state == "done"
    with hall.ctx.read() as s:
        row = s.get(Ticket, t.id)
        assert row.service_seconds == 240
        assert row.first_called_at - row.issued_at == timedelta(minutes=7, seconds=30)
    assert events(hall, t.id) == [
        ("issue", None, "waiting"), ("call", "waiting", "called"),
        ("start", "called", "serving"), ("finish", "serving", "done"),
    ]


def test_vip_first_then_longest_waiting(hall, clerk, clock):
    c8 = counter_id(hall, 8)  # serves VIP, OPEN, PLAN
    hall.counters.sign_in(clerk, c8)
    first = hall.tickets.issue(service_id(hall, "PLAN"))
    clock.advance(seconds=30)
    hall.tickets.issue(service_id(hall, "VIP"))
    order = []
    for _ in range(2):
        t = hall.tickets.call_next(clerk, c8)
        order.append(t.code)
        hall.tickets.start(clerk, t.id, c8)
        hall.tickets.finish(clerk, t.id, c8)
    assert order == ["V001", first.code]


def test_call_next_with_customer_at_counter_is_refused(hall, clerk, at_counter1):
    pay = service_id(hall, "PAY")
    hall.tickets.issue(pay)
    hall.tickets.issue(pay)
    hall.tickets.call_next(clerk, at_counter1)
    with pytest.raises(IllegalTransition, match="请先处理当前顾客A001号"):
        hall.tickets.call_next(clerk, at_counter1)


def test_empty_queue_says_so(hall, clerk, at_counter1):
    with pytest.raises(QueueEmpty, match="当前没有等候的顾客"):
        hall.tickets.call_next(clerk, at_counter1)


def test_counter_only_calls_its_services(hall, clerk, at_counter1):
    hall.tickets.issue(service_id(hall, "BB"))  # counter 1 serves PAY, PLAN only
    with pytest.raises(QueueEmpty):
        hall.tickets.call_next(clerk, at_counter1)


def test_no_show_needs_the_configured_recalls(hall, clerk, at_counter1):
    t = hall.tickets.issue(service_id(hall, "PAY"))
    hall.tickets.call_next(clerk, at_counter1)
    with pytest.raises(IllegalTransition, match="需重呼2次后才能过号"):
        hall.tickets.no_show(clerk, t.id, at_counter1)
    hall.tickets.recall(clerk, t.id, at_counter1)
    info = hall.tickets.recall(clerk, t.id, at_counter1)
    assert info.recall_count == 2
    assert hall.tickets.no_show(clerk, t.id, at_counter1).state == "no_show"
    assert hall.tickets.current(at_counter1) is None


def test_transfer_keeps_place_and_original_issue_time(hall, clerk, clock, at_counter1):
    pay, plan = service_id(hall, "PAY"), service_id(hall, "PLAN")
    t = hall.tickets.issue(pay)
    clock.advance(minutes=1)
    hall.tickets.call_next(clerk, at_counter1)
    hall.tickets.start(clerk, t.id, at_counter1)
    clock.advance(minutes=2)
    # A PLAN customer arrives after A001 was issued: the transferred A001 still goes first.
    later = hall.tickets.issue(plan)
    cont = hall.tickets.transfer(clerk, t.id, to_service_id=plan, counter_id=at_counter1)
    assert cont.code == "A001" and cont.state == "waiting" and cont.service_id == plan
    assert cont.issued_at == t.issued_at
    nxt = hall.tickets.call_next(clerk, at_counter1)
    assert nxt.id == cont.id and nxt.id != later.id
    assert nxt.wait_seconds == 180  # from the original issue, not from the transfer
    with hall.ctx.read() as s:
        old = s.get(Ticket, t.id)
        assert old.state == "transferred"
        assert s.get(Ticket, cont.id).origin_ticket_id == t.id


def test_transfer_to_a_counter_that_does_not_serve_it_is_refused(hall, clerk, at_counter1):
    t = hall.tickets.issue(service_id(hall, "PAY"))
    with pytest.raises(ValidationError, match="6号窗口不办理「缴费充值」"):
        hall.tickets.transfer(clerk, t.id, to_counter_id=counter_id(hall, 6))


def test_transfer_to_a_counter_is_only_called_there(hall, clerk, at_counter1):
    t = hall.tickets.issue(service_id(hall, "PAY"))
    hall.tickets.transfer(clerk, t.id, to_counter_id=counter_id(hall, 2))
    with pytest.raises(QueueEmpty):
        hall.tickets.call_next(clerk, at_counter1)
    other = hall.auth.login("1002", "1234")
    c2 = counter_id(hall, 2)
    hall.counters.sign_in(other, c2)
    assert hall.tickets.call_next(other, c2).code == "A001"


def test_walk_away_and_cancel(hall, clerk, manager):
    pay = service_id(hall, "PAY")
    a, b = hall.tickets.issue(pay), hall.tickets.issue(pay)
    assert hall.tickets.walk_away(clerk, a.id).state == "walked_away"
    with pytest.raises(IllegalTransition, match="不能标记离开"):
        hall.tickets.walk_away(manager, a.id)
    with pytest.raises(PermissionDenied):
        hall.tickets.cancel(clerk, b.id)
    assert hall.tickets.cancel(manager, b.id).state == "cancelled"


def test_close_day_abandons_waiting_and_needs_a_manager(hall, clerk, manager, at_counter1):
    pay = service_id(hall, "PAY")
    for _ in range(3):
        hall.tickets.issue(pay)
    hall.tickets.call_next(clerk, at_counter1)
    with pytest.raises(PermissionDenied, match="营业员无权闭厅"):
        hall.tickets.close_day(clerk)
    result = hall.tickets.close_day(manager)
    assert result.abandoned == 3
    with hall.ctx.read() as s:
        states = s.scalars(select(Ticket.state)).all()
    assert sorted(states) == ["abandoned"] * 3


def test_paused_counter_cannot_call(hall, clerk, at_counter1):
    hall.tickets.issue(service_id(hall, "PAY"))
    hall.counters.pause(clerk, at_counter1, "离席")
    with pytest.raises(IllegalTransition, match="暂停服务中"):
        hall.tickets.call_next(clerk, at_counter1)
    hall.counters.resume(clerk, at_counter1)
    assert hall.tickets.call_next(clerk, at_counter1).code == "A001"


def test_one_open_ticket_per_counter_is_a_database_constraint(hall, clerk, at_counter1):
    from sqlalchemy.exc import IntegrityError

    from hall_app.errors import DataConflict

    pay = service_id(hall, "PAY")
    a, b = hall.tickets.issue(pay), hall.tickets.issue(pay)
    hall.tickets.call_next(clerk, at_counter1)
    with pytest.raises(DataConflict) as refused, hall.ctx.write() as s:
        s.get(Ticket, b.id).state = "called"
        s.get(Ticket, b.id).counter_id = at_counter1
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert a.id != b.id


def test_ticket_number_is_unique_in_the_database(hall):
    from sqlalchemy.exc import IntegrityError

    from hall_app.errors import DataConflict

    t = hall.tickets.issue(service_id(hall, "PAY"))
    with pytest.raises(DataConflict) as refused, hall.ctx.write() as s:
        row = s.get(Ticket, t.id)
        s.add(Ticket(hall_id=row.hall_id, business_day=row.business_day,
                     service_id=row.service_id, prefix=row.prefix, number=row.number, hop=0,
                     code=row.code, state="waiting", issued_at=row.issued_at,
                     created_at=row.created_at))
    assert isinstance(refused.value.__cause__, IntegrityError)


def test_outage_is_seen_by_the_counters_it_concerns(hall, clerk, manager):
    c1, c2 = counter_id(hall, 1), counter_id(hall, 2)
    with pytest.raises(PermissionDenied):
        hall.incidents.declare_outage(clerk, "系统故障")
    inc = hall.incidents.declare_outage(manager, None, [c2])
    assert [i.id for i in hall.incidents.active(c2)] == [inc.id]
    assert hall.incidents.active(c1) == []
    hall_wide = hall.incidents.declare_outage(manager)
    assert hall_wide.notice.startswith("系统暂时出现故障")
    assert [i.id for i in hall.incidents.active(c1)] == [hall_wide.id]
    hall.incidents.clear(manager, hall_wide.id)
    assert hall.incidents.active(c1) == []


def test_counter_view_shows_queue_with_waits(hall, clerk, clock, at_counter1):
    pay = service_id(hall, "PAY")
    hall.tickets.issue(pay)
    clock.advance(minutes=16)
    hall.tickets.issue(pay)
    view = hall.queries.counter_view(at_counter1)
    assert [q.code for q in view.queue] == ["A001", "A002"]
    assert view.queue[0].waited_seconds == 16 * 60 and view.queue[0].over_threshold
    assert not view.queue[1].over_threshold
    assert view.waiting_by_service == {pay: 2}
    assert view.counter.state == "open" and view.counter.staff_name == "王芳"
    assert view.minutes_to_closing == 8 * 60 - 16  # 10:16 → 18:00
