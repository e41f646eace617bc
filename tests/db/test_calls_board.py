"""hall_app.services.calls: recent calls for the display, outage notice, kiosk board."""

from __future__ import annotations

from datetime import timedelta

from hall_app.scripts import default_book
from hall_app.services import calls

DEFAULT_OUTAGE_NOTICE = default_book().render("outage_notice")  # the shipped script


def service_id(hall, code: str) -> int:
    return next(s.id for s in hall.queries.services() if s.code == code)


def counter_id(hall, number: int) -> int:
    return hall.queries.counter_for_number(number).id


def test_recent_calls_newest_first_with_counter_and_recalls(hall, clerk, clock):
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pay = service_id(hall, "PAY")
    first = hall.tickets.issue(pay)
    hall.tickets.issue(pay)
    clock.advance(minutes=2)
    hall.tickets.call_next(clerk, c1)
    clock.advance(minutes=1)
    hall.tickets.recall(clerk, first.id, c1)
    clock.advance(minutes=1)
    hall.tickets.start(clerk, first.id, c1)
    hall.tickets.finish(clerk, first.id, c1)
    hall.tickets.call_next(clerk, c1)

    got = calls.recent_calls(hall.ctx, 10)
    assert [(c.code, c.kind, c.counter_number) for c in got] == [
        ("A002", "call", 1), ("A001", "recall", 1), ("A001", "call", 1)]
    assert got[0].service_name == "缴费充值"
    assert got[0].event_id > got[1].event_id > got[2].event_id
    assert [c.code for c in calls.recent_calls(hall.ctx, 1)] == ["A002"]


def test_recent_calls_only_today(hall, clerk, clock):
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    hall.tickets.issue(service_id(hall, "PAY"))
    hall.tickets.call_next(clerk, c1)
    assert len(calls.recent_calls(hall.ctx)) == 1
    clock.advance(minutes=24 * 60)
    assert calls.recent_calls(hall.ctx) == []
    assert calls.display_board(hall.ctx).last_event_id == 0


def test_outage_notice_hall_wide_and_counter(hall, manager, clerk):
    assert calls.outage_notice(hall.ctx) is None
    whole = hall.incidents.declare_outage(manager)
    notice = calls.outage_notice(hall.ctx)
    assert notice is not None and notice.hall_wide
    assert notice.text == DEFAULT_OUTAGE_NOTICE
    hall.incidents.clear(manager, whole.id)
    assert calls.outage_notice(hall.ctx) is None
    hall.incidents.declare_outage(clerk, "刷卡机故障,暂收现金", [counter_id(hall, 3)])
    notice = calls.outage_notice(hall.ctx)
    assert notice is not None and not notice.hall_wide
    assert notice.text == "3号窗口:刷卡机故障,暂收现金"


def test_kiosk_board_counts_waiting_per_service(hall, clerk, clock):
    pay, sim = service_id(hall, "PAY"), service_id(hall, "SIM")
    for _ in range(3):
        hall.tickets.issue(pay)
    hall.tickets.issue(sim)
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    hall.tickets.call_next(clerk, c1)  # one PAY ticket leaves the queue
    board = calls.kiosk_board(hall.ctx)
    waiting = {s.prefix: s.waiting for s in board.services}
    assert waiting["A"] == 2 and waiting["C"] == 1 and waiting["B"] == 0
    assert board.hall_name == "示范营业厅(人民路店)"
    assert len(board.services) == 8
    clock.advance(timedelta(days=1).total_seconds())
    assert all(s.waiting == 0 for s in calls.kiosk_board(hall.ctx).services)
