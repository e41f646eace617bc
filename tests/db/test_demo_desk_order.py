"""The simulated hall's free clerks do not call in counter order.

In the demo day every idle desk calls once a minute; when they did so in the fixed order
1..8, counter 1 took every fresh ticket it could serve and the VIP counter, last, only
what the others had left: under the ratio rule it almost never found an ordinary
customer at its ordinary turn, and the wait-estimate bench (bench/wait_estimates.py)
scored the predictor against a hall no clerk works in. Here one fresh 缴费充值 ticket
arrives at a time while every desk is free: who calls it must vary, and more than one
counter must take its share.
"""

from __future__ import annotations

from collections import Counter as Tally

from sqlalchemy import select

from db.models import ServiceType
from hall_app.demo.simulate import HallSimulator


def test_free_desks_take_fresh_tickets_in_varying_order(hall, clock):  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        pay = s.scalars(select(ServiceType).where(ServiceType.hall_id == hall.ctx.hall.id,
                                                  ServiceType.code == "PAY")).one().id
    sim = HallSimulator(hall, seed=5)
    sim.open_counters()
    pay_desks = {d.number for d in sim.desks if pay in d.service_ids}
    assert len(pay_desks) >= 3
    callers: list[int] = []
    for _ in range(16):
        hall.tickets.issue(pay)
        sim.serve()
        busy = [d for d in sim.desks if d.ticket_id is not None]
        assert len(busy) == 1, "one ticket, one caller"
        desk = busy[0]
        assert desk.ticket_id is not None
        callers.append(desk.number)
        hall.tickets.start(desk.actor, desk.ticket_id, desk.counter_id)
        hall.tickets.finish(desk.actor, desk.ticket_id, desk.counter_id)
        desk.phase, desk.ticket_id = "idle", None
        clock.advance(seconds=60)
    tally = Tally(callers)
    assert set(tally) <= pay_desks
    # In counter order the lowest-numbered desk would have taken all 16.
    assert len(tally) >= 3, tally
    assert tally[min(pay_desks)] <= 8, tally
