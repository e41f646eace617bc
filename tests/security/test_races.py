"""Barrier tests for the pairs of issue 14 that can meet (both databases).

One transaction is held at its checkpoint (`ctx.hooks`, tests/db/race_support.py: between
its read and its write) while another workstation's action runs; the barrier opens when
the competitor has finished or is provably waiting on the held transaction. No sleeps.

* an administrator disabling clerk 1001 (held after ending his sessions) while 1001's
  counter calls the next customer (PostgreSQL: the one-statement call-next);
* a PIN reset held while 1001 finishes his customer;
* the day close held while 1001 asks for help at his counter;
* 1001 changing his PIN (held after checking the old one) while another workstation
  logs in with the old PIN;
* two clerks signing in at the same free counter.
"""

from __future__ import annotations

import pytest
from conftest import make_hall
from sqlalchemy import func, select

from db.models import Escalation, StaffSession, Ticket
from hall_app.errors import CounterOccupied, PermissionDenied, SessionExpired
from tests.db.race_support import race
from tests.security.support import counter_id, service_id, staff_id

SESSION_ENDED = "登录已失效,请重新登录"


@pytest.fixture
def other(db_url):  # type: ignore[no-untyped-def]
    """Another workstation on the same database and clock (bound per test)."""
    services = make_hall(db_url)
    yield services
    services.close()


@pytest.fixture
def at_counter(hall, clerk, other):  # type: ignore[no-untyped-def]
    """1001 signed in at counter 1, a customer waiting for it; `other` shares the clock."""
    other.ctx.clock = hall.ctx.clock
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    hall.tickets.issue(service_id(hall, "PAY"))
    return c1


def _states(hall) -> set[str]:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        return set(s.scalars(select(Ticket.state)))


def test_disable_held_while_the_clerk_calls_next(hall, other, clerk, admin, at_counter):
    result = race(hall, "staff.revoked",
                  lambda: hall.admin.set_staff_active(admin, staff_id(hall, "1001"), False),
                  lambda: other.tickets.call_next(clerk, at_counter), second_hall=other)
    assert result.first.ok and result.second_waited, result.describe()
    # The call ran against the disable: it waited for it, then claimed nothing.
    assert isinstance(result.second.error, SessionExpired), result.describe()
    assert SESSION_ENDED in result.second.message()
    assert _states(hall) == {"waiting"}


def test_pin_reset_held_while_the_clerk_finishes(hall, other, clerk, admin, at_counter):
    called = hall.tickets.call_next(clerk, at_counter)
    hall.tickets.start(clerk, called.id, at_counter)
    result = race(hall, "staff.revoked",
                  lambda: hall.admin.reset_pin(admin, staff_id(hall, "1001"), "135799"),
                  lambda: other.tickets.finish(clerk, called.id, at_counter),
                  second_hall=other)
    assert result.first.ok and result.second_waited, result.describe()
    assert isinstance(result.second.error, SessionExpired), result.describe()
    assert _states(hall) == {"serving"}


def test_day_close_held_while_the_clerk_asks_for_help(hall, other, clerk, at_counter):
    result = race(hall, "close_day", lambda: hall.days.close(None),
                  lambda: other.desk.escalate(clerk, at_counter, "顾客情绪激动"),
                  second_hall=other)
    assert result.first.ok and result.second_waited, result.describe()
    # The close ended his session: nothing is recorded in a closed day by an old login.
    assert isinstance(result.second.error, SessionExpired), result.describe()
    with hall.ctx.read() as s:
        assert s.scalar(select(func.count(Escalation.id))) == 0


def test_pin_change_held_while_the_old_pin_logs_in(hall, other, clerk):
    result = race(hall, "pin.change", lambda: hall.auth.change_pin(clerk, "1234", "135799"),
                  lambda: other.auth.login("1001", "1234"), second_hall=other)
    assert result.first.ok and result.second_waited, result.describe()
    assert isinstance(result.second.error, PermissionDenied), result.describe()
    assert "工号或密码错误" in result.second.message()
    with hall.ctx.read() as s:
        live = s.scalar(select(func.count(StaffSession.id)).where(
            StaffSession.staff_id == staff_id(hall, "1001"), StaffSession.ended_at.is_(None)))
    assert live == 1  # only the session that changed the PIN
    assert other.auth.login("1001", "135799").staff_no == "1001"


def test_two_clerks_signing_in_at_one_free_counter(hall, other, clerk):
    c2 = counter_id(hall, 2)
    second = other.auth.login("1003", "1234")
    result = race(hall, "sign_in", lambda: hall.counters.sign_in(clerk, c2),
                  lambda: other.counters.sign_in(second, c2), second_hall=other)
    assert result.first.ok and result.second_waited, result.describe()
    assert isinstance(result.second.error, CounterOccupied), result.describe()
    assert "工号1001" in result.second.message()
    with hall.ctx.read() as s:
        holders = s.scalars(select(StaffSession.staff_id).where(
            StaffSession.counter_id == c2, StaffSession.ended_at.is_(None))).all()
    assert holders == [staff_id(hall, "1001")]
