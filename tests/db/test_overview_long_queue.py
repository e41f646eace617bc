"""The overview with a queue longer than its waiting list: the list stops at the
longest-waiting customers, while the queues, the wait chart and the long-wait count still
count every one, and long waits beyond the first few of a service are one alert."""

from __future__ import annotations

import pytest

import hall_app.services.overview as overview_module
import hall_app.services.overview_alerts as alerts_module
from hall_app.services.overview import OverviewService
from hall_app.services.overview_model import wait_buckets

SHOWN = 6


def sid(hall, code: str) -> int:
    return next(s.id for s in hall.queries.services() if s.code == code)


@pytest.fixture
def long_queue(hall, clock, monkeypatch):
    """12 PAY customers two minutes apart, then 3 SIM; the list shows 6."""
    monkeypatch.setattr(overview_module, "WAITING_SHOWN", SHOWN)
    issued = []
    for _ in range(12):
        issued.append(hall.tickets.issue(sid(hall, "PAY")))
        clock.advance(minutes=2)
    for _ in range(3):
        issued.append(hall.tickets.issue(sid(hall, "SIM")))
        clock.advance(minutes=1)
    clock.advance(minutes=5)
    return issued


def test_the_list_is_the_longest_waiting_and_the_counts_are_everyone(hall, long_queue):
    overview = OverviewService(hall.ctx)
    snap = overview.snapshot()
    assert [w.code for w in snap.waiting] == [t.code for t in long_queue[:SHOWN]]
    queues = {q.code: q for q in snap.queues}
    assert (queues["PAY"].waiting, queues["SIM"].waiting) == (12, 3)
    assert queues["PAY"].oldest_issued_at == long_queue[0].issued_at
    assert queues["SIM"].oldest_issued_at == long_queue[12].issued_at
    assert snap.figures.waiting == 15
    # Past PAY's 15-minute standard: waited 5 + 3 (SIM) + 2 per later PAY ticket.
    waited = [(snap.now - t.issued_at).total_seconds() / 60 for t in long_queue]
    assert queues["PAY"].over_threshold == sum(1 for m in waited[:12] if m > 15)
    assert queues["SIM"].over_threshold == 0
    # The wait chart counts all 15, bar by bar as from every ticket.
    every = wait_buckets(snap.now, [t.issued_at for t in long_queue])
    assert [(b.label, b.count) for b in snap.wait_buckets] == \
        [(b.label, b.count) for b in every]
    assert sum(b.count for b in snap.wait_buckets) == 15
    # The 标记顾客离开 dialog still offers every waiting customer.
    assert [w.code for w in overview.waiting_tickets()] == [t.code for t in long_queue]


def test_long_waits_beyond_the_first_few_are_one_alert_per_service(hall, manager, long_queue,
                                                                   clock):
    overview = OverviewService(hall.ctx)
    snap = overview.snapshot()
    over = next(q for q in snap.queues if q.code == "PAY").over_threshold
    assert over > alerts_module.LONG_WAITS_NAMED
    named = [a for a in snap.alerts if a.key.startswith("longwait:")]
    assert [a.title.split("号")[0] for a in named] == \
        [t.code for t in long_queue[:alerts_module.LONG_WAITS_NAMED]]
    (rest,) = [a for a in snap.alerts if a.key.startswith("longwaits:")]
    assert rest.title == \
        f"「缴费充值」另有{over - alerts_module.LONG_WAITS_NAMED}人等候超过15分钟"
    assert rest.kind_label == "等候超时"
    # Acknowledged, it stays so within the hour; a backlog still there later comes back.
    overview.acknowledge(manager, rest.key)
    again = next(a for a in overview.snapshot().alerts if a.key == rest.key)
    assert again.acknowledged and again.acked_by == manager.name
    clock.advance(minutes=60)
    later = [a for a in overview.snapshot().alerts if a.key.startswith("longwaits:")]
    assert later and not later[0].acknowledged


def test_two_services_with_the_same_name_each_get_their_named_long_waits(hall, clock,
                                                                         monkeypatch):
    from sqlalchemy import update

    from db.models import ServiceType

    monkeypatch.setattr(alerts_module, "LONG_WAITS_NAMED", 1)
    issued = [hall.tickets.issue(sid(hall, code)) for code in ("PAY", "PAY", "SIM", "SIM")]
    with hall.ctx.write() as s:  # a hall may name two services alike (codes differ)
        s.execute(update(ServiceType).where(ServiceType.id == sid(hall, "SIM"))
                  .values(name="缴费充值"))
    clock.advance(minutes=30)  # past both standards (15 and 20 minutes)
    snap = OverviewService(hall.ctx).snapshot()
    named = sorted(a.title.split("号")[0] for a in snap.alerts if a.key.startswith("longwait:"))
    assert named == sorted([issued[0].code, issued[2].code])
    rest = [a.title for a in snap.alerts if a.key.startswith("longwaits:")]
    assert sorted(rest) == ["「缴费充值」另有1人等候超过15分钟", "「缴费充值」另有1人等候超过20分钟"]
