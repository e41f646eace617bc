"""The wait predictor on hand-checkable halls: deterministic service times, no arrivals.

Every customer of a service takes exactly the same time and nobody walks away, so the
simulation has one outcome and the expected wait can be worked out on paper.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_app.domain.priority import PriorityRule, QueuedTicket, RuleConfig, preview_order
from hall_app.forecast.learn import fixed_learned
from hall_app.forecast.model import (
    NO_COUNTER_TEXT,
    CounterNow,
    HallState,
    HeldTicket,
    OutageNow,
    ServiceDef,
    WaitingNow,
)
from hall_app.forecast.predictor import Predictor, PredictorConfig

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
A, B = 1, 2
SERVICES = (ServiceDef(A, "PAY", "缴费充值", 5), ServiceDef(B, "OPEN", "开户入网", 10))
STRICT = RuleConfig()
EXACT = PredictorConfig(replications=20, arrival_sigma=0.0, service_sigma=0.0,
                        outage_prior_weight=0.0)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def waiting(tid: int, service: int = A, minutes_ago: float = 1.0, vip: bool = False,
            target: int | None = None) -> WaitingNow:
    return WaitingNow(tid, service, vip, ago(minutes_ago), target)


def hall(counters: tuple[CounterNow, ...], queue: list[WaitingNow],
         rule: RuleConfig = STRICT, outages: tuple[OutageNow, ...] = ()) -> HallState:
    return HallState(NOW, ZoneInfo("Asia/Shanghai"), rule, SERVICES, counters,
                     tuple(sorted(queue, key=lambda w: (w.issued_at, w.id))), outages,
                     closes_at=NOW + timedelta(hours=8))


def estimate(state: HallState, ticket: int, occupancy: dict[int, float] | None = None,
             **kw):  # type: ignore[no-untyped-def]
    learned = fixed_learned(NOW, occupancy or {A: 5.0, B: 10.0}, **kw)
    return Predictor(EXACT).estimate(state, learned, [ticket], explain=True)[ticket]


def serving(tid: int, service: int, minutes: float) -> HeldTicket:
    return HeldTicket(tid, service, False, ago(minutes + 0.5), ago(minutes))


def test_one_counter_deterministic_service_gives_the_exact_wait():
    # Counter serving a customer for 2 of 5 minutes; two customers ahead of the target:
    # 3 (rest of the current one) + 5 + 5 = 13 minutes.
    counter = CounterNow(10, 1, (A,), "open", held=serving(99, A, 2.0))
    state = hall((counter,), [waiting(1, minutes_ago=3), waiting(2, minutes_ago=2),
                              waiting(3, minutes_ago=0)])
    est = estimate(state, 3)
    assert est.point_minutes == pytest.approx(13.0)
    assert (est.low_minutes, est.high_minutes) == (13, 14)
    assert est.text == "预计等候13–14分钟"
    assert not est.no_counter


def test_idle_counter_calls_at_once():
    counter = CounterNow(10, 1, (A,), "open")
    est = estimate(hall((counter,), [waiting(1, minutes_ago=0)]), 1)
    assert est.point_minutes == pytest.approx(0.0)
    assert (est.low_minutes, est.high_minutes) == (0, 1)


def test_two_counters_share_the_queue():
    # Two idle counters, four customers ahead of 5 min each: the target (5th) is called
    # when the first pair is done twice over: 10 minutes.
    c1, c2 = CounterNow(10, 1, (A,), "open"), CounterNow(11, 2, (A,), "open")
    queue = [waiting(i, minutes_ago=10 - i) for i in range(1, 6)]
    assert estimate(hall((c1, c2), queue), 5).point_minutes == pytest.approx(10.0)


def test_strict_rule_lets_a_later_vip_go_first():
    counter = CounterNow(10, 1, (A,), "open", held=serving(99, A, 0.0))
    normal = [waiting(1, minutes_ago=5), waiting(2, minutes_ago=4)]
    vip = waiting(3, minutes_ago=1, vip=True)
    state = hall((counter,), [*normal, vip])
    # Ticket 2 waits for the current customer, the VIP, then ticket 1: 5 + 5 + 5.
    assert estimate(state, 2).point_minutes == pytest.approx(15.0)
    assert estimate(state, 3).point_minutes == pytest.approx(5.0)


def test_ratio_rule_serves_normals_until_the_vip_turn():
    # Ratio 2: the counter has called 1 normal since its last VIP, so it calls one more
    # normal, then the VIP.
    rule = RuleConfig(PriorityRule.RATIO, 2, 30)
    counter = CounterNow(10, 1, (A,), "open", calls_since_priority=1)
    queue = [waiting(1, minutes_ago=5), waiting(2, minutes_ago=4),
             waiting(3, minutes_ago=1, vip=True)]
    state = hall((counter,), queue, rule)
    assert estimate(state, 1).point_minutes == pytest.approx(0.0)
    assert estimate(state, 3).point_minutes == pytest.approx(5.0)
    assert estimate(state, 2).point_minutes == pytest.approx(10.0)


def test_aging_rule_promotes_a_long_wait_over_vip():
    # Aging after 30 minutes: ticket 1 has waited 40, so it counts as VIP and, being
    # older than the VIP ticket, goes first.
    rule = RuleConfig(PriorityRule.AGING, 3, 30)
    counter = CounterNow(10, 1, (A,), "open")
    queue = [waiting(1, minutes_ago=40), waiting(2, minutes_ago=3, vip=True),
             waiting(3, minutes_ago=2)]
    state = hall((counter,), queue, rule)
    assert estimate(state, 1).point_minutes == pytest.approx(0.0)
    assert estimate(state, 2).point_minutes == pytest.approx(5.0)
    # Ticket 3 ages at minute 28 from now; by then nobody else is waiting anyway.
    assert estimate(state, 3).point_minutes == pytest.approx(10.0)


def test_counter_rank_serves_its_first_service_first():
    # Counter 1 serves OPEN first, then PAY: a PAY customer waits for the OPEN one.
    counter = CounterNow(10, 1, (B, A), "open")
    queue = [waiting(1, service=A, minutes_ago=5), waiting(2, service=B, minutes_ago=1)]
    state = hall((counter,), queue)
    assert estimate(state, 1).point_minutes == pytest.approx(10.0)


def test_ticket_sent_to_one_counter_waits_for_that_counter():
    busy = CounterNow(10, 1, (A,), "open", held=serving(99, A, 1.0))  # free in 4 min
    idle = CounterNow(11, 2, (A,), "open")
    state = hall((busy, idle), [waiting(1, minutes_ago=1, target=10)])
    assert estimate(state, 1).point_minutes == pytest.approx(4.0)


def test_no_counter_for_the_service():
    counter = CounterNow(10, 1, (B,), "open")
    closed = CounterNow(11, 2, (A,), "closed")
    est = estimate(hall((counter, closed), [waiting(1, service=A)]), 1)
    assert est.no_counter
    assert est.point_minutes is None and est.low_minutes is None
    assert est.text == NO_COUNTER_TEXT == "暂无窗口办理此业务,请咨询大堂经理"
    assert "缴费充值" in est.assumptions[0].zh


def test_paused_counter_is_waited_for_not_no_counter():
    # Paused for lunch 10 minutes ago; lunches last 45 minutes: back in 35.
    counter = CounterNow(10, 1, (A,), "paused", since=ago(10), pause_reason="用餐")
    est = estimate(hall((counter,), [waiting(1)]), 1, pauses={"用餐": 45.0})
    assert not est.no_counter
    assert est.point_minutes == pytest.approx(35.0)
    assert any("暂停:1号(用餐)" in a.zh for a in est.assumptions)


def test_outage_in_progress_holds_every_call():
    # A hall-wide outage began 5 minutes ago; outages last 20 minutes: calls resume in
    # 15, and the customer at the counter does not delay it (done in 3).
    counter = CounterNow(10, 1, (A,), "open", held=serving(99, A, 2.0))
    state = hall((counter,), [waiting(1)], outages=(OutageNow(ago(5)),))
    est = estimate(state, 1, outage_minutes=20.0)
    assert est.point_minutes == pytest.approx(15.0)
    assert any("故障" in a.zh for a in est.assumptions)


def test_outage_longer_than_every_recorded_one_is_not_assumed_to_end_at_once():
    # Outages on record lasted 20 minutes; this one has run 30: the customer is not told
    # calls resume in a few minutes (before, a short tail of 0.3 x the mean: ~4 min).
    counter = CounterNow(10, 1, (A,), "open")
    state = hall((counter,), [waiting(1)], outages=(OutageNow(ago(30)),))
    learned = fixed_learned(NOW, {A: 5.0}, outage_minutes=20.0)
    config = PredictorConfig(arrival_sigma=0.0, service_sigma=0.0)
    est = Predictor(config).estimate(state, learned, [1])[1]
    assert est.point_minutes is not None and est.point_minutes >= 10.0
    assert est.high_minutes is not None and est.high_minutes >= 20


def test_every_waiting_ticket_at_once_matches_the_admin_preview_order():
    """One run for the whole queue calls tickets in `preview_order`'s order."""
    for rule in (RuleConfig(), RuleConfig(PriorityRule.RATIO, 2, 30)):
        counter = CounterNow(10, 1, (B, A), "open", calls_since_priority=1)
        queue = [waiting(1, A, 9), waiting(2, B, 8, vip=True), waiting(3, A, 7, vip=True),
                 waiting(4, B, 6), waiting(5, A, 5), waiting(6, A, 4, vip=True),
                 waiting(7, B, 3)]
        state = hall((counter,), queue, rule)
        learned = fixed_learned(NOW, {A: 1.0, B: 1.0})
        ests = Predictor(EXACT).estimate(state, learned)
        by_time = sorted(ests.values(), key=lambda e: e.point_minutes or 0)
        expected = preview_order(
            [QueuedTicket(w.id, str(w.id), w.service_id, "vip" if w.vip else "normal",
                          w.issued_at) for w in queue],
            {B: 0, A: 1}, rule, NOW, 1, limit=10)
        assert [e.ticket_id for e in by_time] == [t.id for t in expected]
