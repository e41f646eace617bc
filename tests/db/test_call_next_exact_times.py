"""Call-next at sub-second edges, on SQLite and PostgreSQL.

SQLite's call-next computes the wait and the aging cutoff inside its one UPDATE, from
the timestamps as stored (text with microseconds), where SQLite's own date functions
keep only milliseconds. What the clerk and the reports see must still be exactly what
Python's arithmetic says: the wait in whole seconds, truncated, and a normal ticket
counted as aged from the very microsecond it has waited the configured minutes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import Ticket, TicketEvent
from hall_app.domain.priority import PriorityRule, RuleConfig
from hall_app.services.admin import AdminService


def _ids(hall) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {s.code: s.id for s in hall.queries.services()}


def test_the_wait_is_whole_seconds_truncated_across_a_second_boundary(hall, clock, clerk):
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    clock.advance(seconds=59.9)               # issued at 10:00:59.900000
    first = hall.tickets.issue(_ids(hall)["PAY"])
    second = hall.tickets.issue(_ids(hall)["PAY"])
    clock.advance(seconds=0.2)                # called at 10:01:00.100000: 0.2 s later
    called = hall.tickets.call_next(clerk, c1)
    assert (called.id, called.wait_seconds) == (first.id, 0)
    hall.tickets.start(clerk, called.id, c1)
    hall.tickets.finish(clerk, called.id, c1)
    clock.advance(seconds=61.7)               # 61.9 s after the issue
    again = hall.tickets.call_next(clerk, c1)
    assert (again.id, again.wait_seconds) == (second.id, 61)
    with hall.ctx.read() as s:
        stored = dict(s.execute(select(Ticket.id, Ticket.wait_seconds)).tuples().all())
        calls = s.scalars(select(TicketEvent.ticket_id).where(TicketEvent.kind == "call")
                          .order_by(TicketEvent.id)).all()
    assert stored == {first.id: 0, second.id: 61}
    assert calls == [first.id, second.id]


def test_aging_counts_a_ticket_from_the_exact_microsecond(hall, clock, admin, clerk):
    """Counter 1 serves PAY before PLAN. A PLAN ticket aged under the 30-minute rule
    comes before a younger PAY one; one microsecond earlier it is not aged yet."""
    AdminService(hall.ctx).set_priority_rule(admin, RuleConfig(PriorityRule.AGING,
                                                               aging_minutes=30))
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    ids = _ids(hall)
    clock.advance(seconds=0.5)
    old_plan = hall.tickets.issue(ids["PLAN"])          # 10:00:00.500000
    clock.advance(seconds=1)
    pay = hall.tickets.issue(ids["PAY"])                # 10:00:01.500000
    aged_at = old_plan.issued_at + timedelta(minutes=30)
    clock.set(aged_at - timedelta(microseconds=1))      # not aged yet: rank decides
    first = hall.tickets.call_next(clerk, c1)
    assert first.code == pay.code
    hall.tickets.start(clerk, first.id, c1)
    hall.tickets.finish(clerk, first.id, c1)
    later_pay = hall.tickets.issue(ids["PAY"])
    clock.set(aged_at)                                  # aged: ahead of the PAY ticket
    second = hall.tickets.call_next(clerk, c1)
    assert second.code == old_plan.code
    assert second.id != later_pay.id
