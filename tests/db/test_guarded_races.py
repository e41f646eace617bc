"""Every ticket and counter state change against call-next (and its other competitors),
with the first transaction held between its read and its write (tests/db/race_support.py).

Two workstations: `hall` (the first action, with the barrier) and `other` (the
competitor), each with its own connection pool, on SQLite and PostgreSQL. Whatever the
interleaving, the hall must end in a state a person could explain: one of the two
actions wins, the other is refused in Chinese, and nothing is half-written — no paused
or closed counter with a customer called to it, no customer both called and moved away,
no second waiting copy of a customer, one outage notice, one recorded clearer.

Each assertion names the contradiction the old (unguarded) code produced.
"""

from __future__ import annotations

from collections import Counter as Tally

import pytest
from conftest import make_hall
from race_support import race
from sqlalchemy import select

from db.models import Counter, Incident, Ticket, TicketEvent
from hall_app.errors import HallError
from hall_app.services.admin import AdminService, CounterEdit, ServiceEdit


@pytest.fixture
def other(db_url):
    """A second workstation on the same database (its own engine and pool)."""
    services = make_hall(db_url)
    yield services
    services.close()


def cid(hall, number: int) -> int:
    return hall.queries.counter_for_number(number).id


def sid(hall, code: str) -> int:
    return next(s.id for s in hall.queries.services(include_inactive=True) if s.code == code)


def tickets(hall) -> list[Ticket]:
    with hall.ctx.read() as s:
        return list(s.scalars(select(Ticket).order_by(Ticket.id)))


def events(hall, ticket_id: int) -> list[tuple[str, str]]:
    with hall.ctx.read() as s:
        return [(e.kind, e.to_state) for e in s.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
            .order_by(TicketEvent.id))]


def counter_row(hall, counter_id: int) -> Counter:
    with hall.ctx.read() as s:
        row = s.get(Counter, counter_id)
        assert row is not None
        return row


def open_at(hall, counter_id: int) -> list[str]:
    return [t.code for t in tickets(hall)
            if t.counter_id == counter_id and t.state in ("called", "serving")]


def signed_in_clerk(hall, number: int = 1):
    actor = hall.auth.login(f"100{number}", "1234")
    hall.counters.sign_in(actor, cid(hall, number))
    return actor


def assert_refused_in_chinese(outcome) -> None:
    assert isinstance(outcome.error, HallError), f"expected a refusal, got {outcome!r}"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in outcome.message()), outcome.message()


# -- 1. pausing a counter vs call-next -------------------------------------------------------
def test_pause_held_while_the_counter_calls(hall, other):
    clerk = signed_in_clerk(hall)
    c1 = cid(hall, 1)
    waiting = hall.tickets.issue(sid(hall, "PAY"))
    result = race(hall, "pause", lambda: hall.counters.pause(clerk, c1, "离席"),
                  lambda: other.tickets.call_next(clerk, c1), second_hall=other)
    state = counter_row(hall, c1).state
    at_counter = open_at(hall, c1)
    # Old code: the pause was written over a counter that had just called A001:
    # state 'paused' with A001 'called' at it.
    assert not (state == "paused" and at_counter), result.describe()
    if result.first.ok:
        assert state == "paused" and at_counter == []
        assert_refused_in_chinese(result.second)
        assert [t.state for t in tickets(hall) if t.id == waiting.id] == ["waiting"]
    else:
        assert_refused_in_chinese(result.first)
        assert state == "open" and at_counter == [waiting.code]


# -- 8. signing out vs call-next ------------------------------------------------------------
def test_sign_out_held_while_the_counter_calls(hall, other):
    clerk = signed_in_clerk(hall)
    c1 = cid(hall, 1)
    hall.tickets.issue(sid(hall, "PAY"))
    result = race(hall, "sign_out", lambda: hall.counters.sign_out(clerk, c1),
                  lambda: other.tickets.call_next(clerk, c1), second_hall=other)
    row = counter_row(hall, c1)
    at_counter = open_at(hall, c1)
    # Old code: counter 'closed' (nobody signed in) with A001 called to it.
    assert not (row.state == "closed" and at_counter), result.describe()
    assert result.first.ok != result.second.ok, result.describe()
    if result.first.ok:
        assert row.staff_id is None
        assert_refused_in_chinese(result.second)


# -- 2. closing the day vs starting service ---------------------------------------------------
def test_close_day_held_while_the_clerk_starts_service(hall, other, manager):
    clerk = signed_in_clerk(hall)
    c1 = cid(hall, 1)
    hall.tickets.issue(sid(hall, "PAY"))
    called = hall.tickets.call_next(clerk, c1)
    result = race(hall, "close_day", lambda: hall.tickets.close_day(manager),
                  lambda: other.tickets.start(clerk, called.id, c1), second_hall=other)
    (row,) = [t for t in tickets(hall) if t.id == called.id]
    kinds = [k for k, _ in events(hall, called.id)]
    # Old code: 'abandoned' with started_at set; events start called→serving, then
    # abandon called→abandoned.
    assert not (row.state == "abandoned" and row.started_at is not None), result.describe()
    assert kinds.count("start") + kinds.count("abandon") == 1, kinds
    assert result.first.ok, result.describe()
    if result.second.ok:  # started first: the close finished the service instead
        assert row.state == "done" and kinds == ["issue", "call", "start", "finish"]
    else:
        assert_refused_in_chinese(result.second)
        assert row.state == "abandoned" and kinds == ["issue", "call", "abandon"]


# -- 3. deactivating a service with "transfer waiting" vs call-next ----------------------------
def test_service_deactivation_transfer_held_while_a_counter_calls(hall, other, admin):
    clerk = signed_in_clerk(hall)
    c1 = cid(hall, 1)  # serves PAY first, then PLAN
    plan = next(s for s in AdminService(hall.ctx).snapshot(admin).services if s.code == "PLAN")
    issued = [hall.tickets.issue(plan.id) for _ in range(2)]
    edit = ServiceEdit(plan.id, plan.code, plan.name, plan.prefix, plan.target_wait_minutes,
                       plan.long_wait_minutes, plan.typical_service_minutes, plan.is_vip,
                       active=False)
    result = race(hall, "deactivate_service",
                  lambda: AdminService(hall.ctx).save_service(
                      admin, edit, waiting="transfer", transfer_to=sid(hall, "PAY")),
                  lambda: other.tickets.call_next(clerk, c1), second_hall=other)
    rows = tickets(hall)
    live = Tally(t.code for t in rows if t.state != "transferred")
    # Old code: the ticket counter 1 had just called became 'transferred' and a second,
    # waiting copy of the customer was made (two live rows with one code).
    assert all(n == 1 for n in live.values()), (live, result.describe())
    assert {t.code for t in rows} == {t.code for t in issued}
    for t in rows:
        kinds = [k for k, _ in events(hall, t.id)]
        assert not ("call" in kinds and "transfer" in kinds and t.state == "transferred"
                    and kinds.index("call") < kinds.index("transfer")), kinds
    assert result.first.ok, result.describe()


# -- 4. deactivating a counter vs call-next -------------------------------------------------------
def test_counter_deactivation_held_while_it_calls(hall, other, admin):
    clerk = signed_in_clerk(hall)
    c1 = cid(hall, 1)
    hall.tickets.issue(sid(hall, "PAY"))
    info = hall.queries.counter_for_number(1)
    services = tuple(s for s in (sid(hall, "PAY"), sid(hall, "PLAN")))
    edit = CounterEdit(c1, info.number, info.name, services, active=False)
    result = race(hall, "deactivate_counter",
                  lambda: AdminService(hall.ctx).save_counter(admin, edit),
                  lambda: other.tickets.call_next(clerk, c1), second_hall=other)
    row = counter_row(hall, c1)
    at_counter = open_at(hall, c1)
    # Old code: counter 1 inactive and closed with A001 called to it.
    assert not ((not row.active or row.state == "closed") and at_counter), result.describe()
    assert result.first.ok != result.second.ok, result.describe()


# -- 5. clearing an outage twice -----------------------------------------------------------------
def test_clearing_an_outage_twice(hall, other, manager, admin):
    outage = hall.incidents.declare_outage(manager)
    result = race(hall, "clear_incident", lambda: hall.incidents.clear(manager, outage.id),
                  lambda: other.incidents.clear(admin, outage.id), second_hall=other)
    with hall.ctx.read() as s:
        row = s.get(Incident, outage.id)
        assert row is not None
        cleared_by = row.cleared_by
    # Old code: both succeeded and the second overwrote who cleared it.
    assert result.first.ok and not result.second.ok, result.describe()
    assert_refused_in_chinese(result.second)
    assert cleared_by == manager.staff_id


# -- 6. declaring one outage twice ---------------------------------------------------------------
def test_declaring_the_same_outage_twice(hall, other, manager, admin):
    result = race(hall, "declare_outage", lambda: hall.incidents.declare_outage(manager),
                  lambda: other.incidents.declare_outage(admin), second_hall=other)
    with hall.ctx.read() as s:
        active = s.scalars(select(Incident).where(Incident.ended_at.is_(None))).all()
    # Old code: two active hall-wide outages.
    assert len(active) == 1, result.describe()
    assert result.first.ok and not result.second.ok, result.describe()
    assert_refused_in_chinese(result.second)


# -- 7. a manager transferring a ticket a counter has just called ---------------------------------
def test_manager_transfer_held_while_a_counter_calls(hall, other, manager):
    clerk = signed_in_clerk(hall)
    c1 = cid(hall, 1)
    waiting = hall.tickets.issue(sid(hall, "PAY"))
    result = race(hall, "transfer",
                  lambda: hall.tickets.transfer(manager, waiting.id,
                                                to_service_id=sid(hall, "PLAN")),
                  lambda: other.tickets.call_next(clerk, c1), second_hall=other)
    rows = tickets(hall)
    first_row = next(t for t in rows if t.id == waiting.id)
    live = [t for t in rows if t.state != "transferred"]
    assert len(live) == 1, result.describe()  # one customer, one live ticket
    # The customer the loudspeaker called is the one at counter 1; nobody moved them.
    if result.second.ok:
        assert result.second.value.id == live[0].id and live[0].state == "called"
    assert not (first_row.state == "transferred" and first_row.first_called_at is not None)


def test_manager_transfer_of_a_ticket_just_called_is_refused(hall, manager):
    """The duty manager's screen showed A001 waiting; counter 1 called it before the
    manager's click arrived. Old code moved the called customer away from counter 1."""
    clerk = signed_in_clerk(hall)
    c1 = cid(hall, 1)
    shown = hall.tickets.issue(sid(hall, "PAY"))  # what the overview listed as waiting
    hall.tickets.call_next(clerk, c1)
    with pytest.raises(HallError, match="刚被1号窗口叫号"):
        hall.tickets.transfer(manager, shown.id, to_service_id=sid(hall, "PLAN"))
    (row,) = tickets(hall)
    assert (row.state, row.counter_id) == ("called", c1)
    assert [k for k, _ in events(hall, row.id)] == ["issue", "call"]
