"""The rating pad's service on SQLite and PostgreSQL: who may rate what, once, and when.

A customer rates the ticket just finished at the pad's counter, within the timeout; the
pad records 未评价 only after it; a second rating of a ticket is refused (and the
database would refuse it too); a counter window cannot rate at all; a 不满意 with
「需要值班长联系您吗?」 answered yes opens a follow-up.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from conftest import make_hall
from rating_support import bind_pad, counter_id, follow_ups, pad_for, ratings, serve
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from hall_app.errors import DatabaseUnavailable, IllegalTransition, PermissionDenied
from hall_app.services.ratings import RatingService
from hall_app.services.ratings.pad_service import ALREADY_RATED, TOO_EARLY, TOO_LATE


@pytest.fixture
def c1(hall, clerk):
    cid = counter_id(hall, 1)
    hall.counters.sign_in(clerk, cid)
    return cid


@pytest.fixture
def pad1(hall, manager, c1):
    return bind_pad(hall, manager, c1)


def test_the_pad_asks_after_finish_and_stores_the_tap(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    board = pad.board()
    assert board.bound and board.counter_number == 1 and board.pending is None
    assert (board.holder.name, board.holder.staff_no) == (clerk.name, "1001")
    ticket = serve(hall, clerk, c1, finish=False)
    during = pad.board()
    assert (during.current.code, during.current.state, during.current.service_name) == \
        (ticket.code, "serving", "缴费充值")
    finished = hall.tickets.finish(clerk, ticket.id, c1)
    asking = pad.board()
    assert asking.current is None
    assert asking.pending.ticket_id == finished.id and asking.pending.code == "A001"
    assert (asking.pending.deadline - asking.pending.finished_at).total_seconds() == 30

    receipt = pad.rate(finished.id, "satisfied")
    [row] = ratings(hall)
    assert (row.id, row.ticket_id, row.level) == (receipt.rating_id, finished.id, "satisfied")
    assert (row.counter_id, row.staff_id, row.pad_id, row.service_id) == \
        (c1, clerk.staff_id, pad1.pad_id, finished.service_id)
    assert pad.board().pending is None


def test_a_second_tap_is_refused_and_the_first_stays(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    pad.rate(ticket.id, "very_satisfied")
    with pytest.raises(IllegalTransition) as refused:
        pad.rate(ticket.id, "dissatisfied")
    assert refused.value.message == ALREADY_RATED
    with pytest.raises(IllegalTransition):
        pad.time_out(ticket.id)
    assert [r.level for r in ratings(hall)] == ["very_satisfied"]


def test_timeout_records_unrated_only_once_the_time_is_over(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    hall.ctx.clock.advance(seconds=29)
    with pytest.raises(IllegalTransition) as early:  # a clerk cannot suppress a rating
        pad.time_out(ticket.id)
    assert early.value.message == TOO_EARLY
    hall.ctx.clock.advance(seconds=1)
    pad.time_out(ticket.id)
    assert [r.level for r in ratings(hall)] == ["unrated"]
    with pytest.raises(IllegalTransition):
        pad.rate(ticket.id, "satisfied")


def test_a_tap_after_the_timeout_is_refused(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    hall.ctx.clock.advance(seconds=30 + 6)
    with pytest.raises(IllegalTransition) as late:
        pad.rate(ticket.id, "very_satisfied")
    assert late.value.message == TOO_LATE
    assert ratings(hall) == []


def test_the_timeout_is_the_configured_threshold(hall, clerk, c1, pad1):
    settings = hall.ctx.settings
    hall.ctx.settings = replace(settings, thresholds=replace(settings.thresholds,
                                                             rating_timeout_seconds=60))
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    assert (pad.board().pending.deadline - pad.board().pending.finished_at).total_seconds() == 60
    hall.ctx.clock.advance(seconds=50)
    pad.rate(ticket.id, "basic")
    assert [r.level for r in ratings(hall)] == ["basic"]


def test_only_the_last_finished_ticket_can_be_rated(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    first = serve(hall, clerk, c1)
    second = serve(hall, clerk, c1, seconds=10)
    with pytest.raises(IllegalTransition):
        pad.rate(first.id, "very_satisfied")
    assert pad.board().pending.ticket_id == second.id
    pad.rate(second.id, "satisfied")
    assert [(r.ticket_id, r.level) for r in ratings(hall)] == [(second.id, "satisfied")]


def test_the_next_customers_service_closes_the_question(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    done = serve(hall, clerk, c1)
    following = serve(hall, clerk, c1, finish=False)  # called and started
    assert pad.board().pending is None
    assert pad.board().current.ticket_id == following.id
    with pytest.raises(IllegalTransition):
        pad.rate(done.id, "satisfied")
    assert ratings(hall) == []


def test_calling_the_next_customer_leaves_the_question_open(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    done = serve(hall, clerk, c1)
    hall.tickets.issue(done.service_id)
    hall.tickets.call_next(clerk, c1)  # called, not yet at the counter
    assert pad.board().pending.ticket_id == done.id
    pad.rate(done.id, "satisfied")
    assert len(ratings(hall)) == 1


def test_a_pad_cannot_rate_another_counters_customer(hall, clerk, manager, c1, pad1):
    other = bind_pad(hall, manager, counter_id(hall, 2))
    ticket = serve(hall, clerk, c1)
    with pytest.raises(PermissionDenied):
        pad_for(hall, other).rate(ticket.id, "very_satisfied")
    assert ratings(hall) == []


def test_a_forged_or_replaced_credential_cannot_rate(hall, clerk, manager, c1, pad1):
    ticket = serve(hall, clerk, c1)
    forged = replace(pad1, token="guessed-token")
    with pytest.raises(PermissionDenied):
        pad_for(hall, forged).rate(ticket.id, "very_satisfied")
    assert not pad_for(hall, forged).board().bound
    replacement = bind_pad(hall, manager, c1)  # the old pad is revoked
    with pytest.raises(PermissionDenied):
        pad_for(hall, pad1).rate(ticket.id, "very_satisfied")
    pad_for(hall, replacement).rate(ticket.id, "satisfied")
    assert [(r.pad_id, r.level) for r in ratings(hall)] == [(replacement.pad_id, "satisfied")]


def test_the_counter_windows_services_offer_no_way_to_rate(hall, clerk):
    # Everything the counter window can reach is on HallServices; none of it rates.
    offered = [name for name, svc in vars(hall).items()
               if any(callable(getattr(svc, m, None)) for m in ("rate", "time_out", "explain"))]
    assert offered == []
    with pytest.raises(PermissionDenied):  # a clerk cannot bind a pad to get a credential
        hall.pads.bind(clerk, counter_id(hall, 1))


def test_dissatisfied_with_contact_opens_a_follow_up(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    receipt = pad.rate(ticket.id, "dissatisfied")
    hall.ctx.clock.advance(seconds=20)
    explained = pad.explain(receipt.rating_id, "long_wait", True)
    [row] = ratings(hall)
    assert (row.level, row.reason, row.wants_contact) == ("dissatisfied", "long_wait", True)
    [fu] = follow_ups(hall)
    assert (fu.id, fu.rating_id, fu.ticket_id, fu.state) == \
        (explained.follow_up_id, row.id, ticket.id, "open")
    with pytest.raises(IllegalTransition):  # the reason is given once
        pad.explain(receipt.rating_id, "attitude", False)
    assert ratings(hall)[0].reason == "long_wait" and len(follow_ups(hall)) == 1


def test_no_contact_wanted_means_no_follow_up(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    receipt = pad.rate(ticket.id, "dissatisfied")
    pad.explain(receipt.rating_id, "fees", False)
    assert (ratings(hall)[0].reason, follow_ups(hall)) == ("fees", [])


def test_only_the_pad_that_rated_adds_the_reason_and_only_for_dissatisfied(
        hall, clerk, manager, c1, pad1):
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    receipt = pad.rate(ticket.id, "dissatisfied")
    replacement = bind_pad(hall, manager, c1)
    with pytest.raises(PermissionDenied):
        pad_for(hall, replacement).explain(receipt.rating_id, "attitude", True)
    second = serve(hall, clerk, c1)
    happy = pad_for(hall, replacement).rate(second.id, "satisfied")
    with pytest.raises(IllegalTransition):
        pad_for(hall, replacement).explain(happy.rating_id, "other", True)
    assert [r.reason for r in ratings(hall)] == [None, None] and follow_ups(hall) == []


def test_the_reason_window_closes(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    receipt = pad.rate(ticket.id, "dissatisfied")
    hall.ctx.clock.advance(seconds=2 * 30 + 6)
    with pytest.raises(IllegalTransition):
        pad.explain(receipt.rating_id, "attitude", True)
    assert ratings(hall)[0].reason is None


def test_a_connection_lost_mid_explanation_leaves_nothing_half_written(hall, clerk, c1, pad1):
    pad = pad_for(hall, pad1)
    ticket = serve(hall, clerk, c1)
    receipt = pad.rate(ticket.id, "dissatisfied")
    engine = hall.ctx.db.engine

    def drop(conn, cursor, statement, *args):  # the network dies after the UPDATE
        if statement.lstrip().upper().startswith("INSERT INTO RATING_FOLLOW_UP"):
            raise OperationalError(statement, {}, Exception("server closed the connection"))

    event.listen(engine, "before_cursor_execute", drop)
    try:
        with pytest.raises(DatabaseUnavailable):
            pad.explain(receipt.rating_id, "attitude", True)
    finally:
        event.remove(engine, "before_cursor_execute", drop)
    assert (ratings(hall)[0].reason, follow_ups(hall)) == (None, [])
    pad.explain(receipt.rating_id, "attitude", True)  # the retry stores all of it
    assert (ratings(hall)[0].reason, len(follow_ups(hall))) == ("attitude", 1)


# -- races: two writers between the check and the insert -----------------------------------
def _race(db_url, hall, credential, first, second, checkpoint):
    """Run `first(pad)` and `second(pad)` on two connections; `first` is held at
    `checkpoint` (after its checks, before its insert) while `second` runs.

    Correct code keeps `second` out (the row lock / BEGIN IMMEDIATE) until `first` commits,
    so `second` never reaches the checkpoint and `first` waits there only until the
    barrier's timeout. Unguarded code lets both pass their checks and both insert.
    """
    other = make_hall(db_url, hall.ctx.clock)
    pads = [RatingService(hall.ctx, credential), RatingService(other.ctx, credential)]
    for p in pads:
        _ = p.ctx.hall  # load before the race
    both_checked = threading.Barrier(2, timeout=3)
    first_held = threading.Event()

    def hold() -> None:
        first_held.set()
        try:
            both_checked.wait()
        except threading.BrokenBarrierError:
            pass

    def meet() -> None:
        try:
            both_checked.wait()
        except threading.BrokenBarrierError:
            pass

    pads[0].ctx.hooks[checkpoint] = hold
    pads[1].ctx.hooks[checkpoint] = meet
    outcomes: dict[str, object] = {}

    def run(name, fn, pad):
        try:
            outcomes[name] = fn(pad)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[name] = exc

    t1 = threading.Thread(target=run, args=("first", first, pads[0]))
    t1.start()
    assert first_held.wait(10)
    t2 = threading.Thread(target=run, args=("second", second, pads[1]))
    t2.start()
    t1.join(30)
    t2.join(30)
    pads[0].ctx.hooks.clear()
    other.close()
    return outcomes


def test_two_taps_at_once_store_exactly_one(db_url, hall, clerk, c1, pad1):
    ticket = serve(hall, clerk, c1)
    outcomes = _race(db_url, hall, pad1, lambda p: p.rate(ticket.id, "very_satisfied"),
                     lambda p: p.rate(ticket.id, "dissatisfied"), "rating.rate")
    assert [r.level for r in ratings(hall)] == ["very_satisfied"]
    assert outcomes["first"].level == "very_satisfied"
    assert isinstance(outcomes["second"], IllegalTransition)
    assert outcomes["second"].message == ALREADY_RATED


def test_a_tap_racing_the_timeout_store_exactly_one(db_url, hall, clerk, c1, pad1):
    ticket = serve(hall, clerk, c1)
    hall.ctx.clock.advance(seconds=31)  # inside the grace: both are allowed, one wins
    outcomes = _race(db_url, hall, pad1, lambda p: p.time_out(ticket.id),
                     lambda p: p.rate(ticket.id, "satisfied"), "rating.time_out")
    assert [r.level for r in ratings(hall)] == ["unrated"]
    assert isinstance(outcomes["second"], IllegalTransition)


def test_two_explanations_at_once_open_one_follow_up(db_url, hall, clerk, c1, pad1):
    ticket = serve(hall, clerk, c1)
    receipt = pad_for(hall, pad1).rate(ticket.id, "dissatisfied")
    outcomes = _race(db_url, hall, pad1,
                     lambda p: p.explain(receipt.rating_id, "attitude", True),
                     lambda p: p.explain(receipt.rating_id, "fees", True), "rating.explain")
    assert [r.reason for r in ratings(hall)] == ["attitude"]
    assert len(follow_ups(hall)) == 1
    assert isinstance(outcomes["second"], IllegalTransition)
