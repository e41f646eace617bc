"""`call_order` (the counter's queue, the admin preview) is `pick_next` repeated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hall_app.domain.priority import (
    PriorityRule,
    QueuedTicket,
    RuleConfig,
    call_order,
    call_reason,
    next_calls_since_priority,
    pick_next,
)

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def naive_order(queue, ranks, config, now, since):
    remaining, order = list(queue), []
    while True:
        chosen = pick_next(remaining, ranks, config, now, since)
        if chosen is None:
            return order
        order.append(chosen)
        remaining.remove(chosen)
        since = next_calls_since_priority(config, since, chosen.priority == "vip")


tickets = st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["normal", "vip"]),
                             st.integers(0, 90)), max_size=25)
configs = st.one_of(st.just(RuleConfig(PriorityRule.STRICT)),
                    st.integers(1, 4).map(lambda r: RuleConfig(PriorityRule.RATIO, ratio=r)),
                    st.integers(1, 60).map(lambda m: RuleConfig(PriorityRule.AGING,
                                                                aging_minutes=m)))


@settings(max_examples=300, deadline=None)
@given(tickets, configs, st.integers(0, 5),
       st.permutations([1, 2, 3]).map(lambda p: dict(zip(p, range(3), strict=True))))
def test_call_order_is_pick_next_repeated(rows, config, since, ranks):
    queue = [QueuedTicket(i, f"T{i:03d}", service, priority, NOW - timedelta(minutes=age))
             for i, (service, priority, age) in enumerate(rows)]
    assert call_order(queue, ranks, config, NOW, since) == naive_order(
        queue, ranks, config, NOW, since)


def test_reasons_name_the_rule_that_placed_the_ticket():
    ranks = {1: 0, 2: 1}
    old = QueuedTicket(1, "A001", 2, "normal", NOW - timedelta(minutes=40))
    aging = RuleConfig(PriorityRule.AGING, aging_minutes=30)
    assert call_reason(old, aging, NOW, ranks) == \
        "已等候满30分钟,按VIP号叫;非本窗口首选业务,首选业务的顾客先叫"
    assert call_reason(old, aging, NOW, ranks, care=True).startswith("爱心通道")
    assert call_reason(old, RuleConfig(), NOW, {2: 0}) == "普通号,按取号先后"
