"""Hypothesis drives random sequences of hall operations through the real services and
checks after every step that the invariants a hall relies on still hold:

* at most one open (called/serving) ticket per counter, and it belongs to that counter;
* every ticket's state equals the to_state of its last event, and its events replay
  through the state machine from `waiting`;
* timestamps are ordered: issued ≤ first called ≤ last called ≤ started ≤ finished;
* nothing is lost: every issued customer is in exactly one live or terminal ticket.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

import hypothesis.strategies as st
from conftest import make_hall
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select

from db.models import BusinessDay, Ticket, TicketEvent
from hall_app.domain.tickets import TRANSITIONS, TicketAction, TicketState
from hall_app.errors import DayClosed, HallError

_ACTION_OF_KIND = {a.value: a for a in TicketAction}


class HallMachine(RuleBasedStateMachine):
    url: str = ""

    @initialize()
    def setup(self) -> None:
        self.hall = make_hall(self.url)
        # Each run starts from an empty queue.
        from sqlalchemy import delete

        from db.history_chain import suspended_guards

        with self.hall.ctx.write() as s, suspended_guards(s.connection()):
            s.execute(delete(TicketEvent))
            s.execute(delete(Ticket).where(Ticket.origin_ticket_id.is_not(None)))
            s.execute(delete(Ticket))
            s.execute(delete(BusinessDay))
        self.clerks = []
        self.counter_ids = []
        for staff_no, number in (("1001", 1), ("1002", 2), ("1003", 3)):
            actor = self.hall.auth.login(staff_no, "1234")
            cid = self.hall.queries.counter_for_number(number).id
            self.hall.counters.sign_in(actor, cid)
            self.clerks.append(actor)
            self.counter_ids.append(cid)
        self.manager = self.hall.auth.login("2001", "2468")
        self.services = [s.id for s in self.hall.queries.services() if s.code in
                         ("PAY", "SIM", "PLAN", "OPEN")]
        self.customers = 0

    def teardown(self) -> None:
        if hasattr(self, "hall"):
            self.hall.close()

    def _try(self, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        try:
            fn(*args, **kwargs)
        except HallError:
            pass  # refused with a message: allowed, as long as the invariants hold

    def _open_ticket(self, i: int) -> int | None:
        current = self.hall.tickets.current(self.counter_ids[i])
        return current.id if current else None

    @rule(service=st.integers(0, 3), vip=st.booleans(), count=st.integers(1, 4))
    def issue(self, service: int, vip: bool, count: int) -> None:
        for _ in range(count):
            try:
                self.hall.tickets.issue(self.services[service],
                                        priority="vip" if vip else "normal")
            except DayClosed:
                return  # outside opening hours, or the day is closed: nothing was issued
            self.customers += 1

    @rule(seconds=st.integers(1, 900))
    def time_passes(self, seconds: int) -> None:
        self.hall.ctx.clock.advance(seconds)

    @rule(i=st.integers(0, 2))
    def call_next(self, i: int) -> None:
        self._try(self.hall.tickets.call_next, self.clerks[i], self.counter_ids[i])

    @rule(i=st.integers(0, 2))
    def advance_current(self, i: int) -> None:
        current = self.hall.tickets.current(self.counter_ids[i])
        if current is not None:
            step = self.hall.tickets.start if current.state == "called" else self.hall.tickets.finish
            self._try(step, self.clerks[i], current.id, self.counter_ids[i])

    @rule(i=st.integers(0, 2), action=st.sampled_from(["recall", "no_show", "start", "finish"]))
    def act_on_current(self, i: int, action: str) -> None:
        tid = self._open_ticket(i)
        if tid is not None:
            self._try(getattr(self.hall.tickets, action), self.clerks[i], tid,
                      self.counter_ids[i])

    @rule(i=st.integers(0, 2), service=st.integers(0, 3))
    def transfer_current(self, i: int, service: int) -> None:
        tid = self._open_ticket(i)
        if tid is not None:
            self._try(self.hall.tickets.transfer, self.clerks[i], tid,
                      to_service_id=self.services[service], counter_id=self.counter_ids[i])

    @rule(i=st.integers(0, 2), dice=st.integers(0, 3))
    def pause_or_resume(self, i: int, dice: int) -> None:
        if dice == 0:  # pauses are short: resuming is three times as likely
            self._try(self.hall.counters.pause, self.clerks[i], self.counter_ids[i], "离席")
        else:
            self._try(self.hall.counters.resume, self.clerks[i], self.counter_ids[i])

    @rule(pick=st.integers(0, 50), cancel=st.booleans())
    def waiting_customer_leaves(self, pick: int, cancel: bool) -> None:
        with self.hall.ctx.read() as s:
            ids = s.scalars(select(Ticket.id).where(Ticket.state == "waiting")
                            .order_by(Ticket.id)).all()
        if ids:
            fn = self.hall.tickets.cancel if cancel else self.hall.tickets.walk_away
            self._try(fn, self.manager, ids[pick % len(ids)])

    @rule(dice=st.integers(0, 9))
    def close_day(self, dice: int) -> None:
        if dice:
            return  # closing is rare: one draw in ten
        self.hall.tickets.close_day(self.manager)
        # The next business day begins: 09:30 local the day after.
        tz = self.hall.ctx.hall.tz
        today = self.hall.ctx.business_day()
        self.hall.ctx.clock.set(datetime.combine(today + timedelta(days=1), time(9, 30), tz))
        # The close ended every login (issue 14): the next morning everyone logs in again.
        self.clerks = [self.hall.auth.login(no, "1234") for no in ("1001", "1002", "1003")]
        self.manager = self.hall.auth.login("2001", "2468")
        for actor, cid in zip(self.clerks, self.counter_ids, strict=True):
            self.hall.counters.sign_in(actor, cid)

    @invariant()
    def invariants_hold(self) -> None:
        if not hasattr(self, "hall"):
            return
        with self.hall.ctx.read() as s:
            tickets = s.scalars(select(Ticket)).all()
            events = defaultdict(list)
            for e in s.scalars(select(TicketEvent).order_by(TicketEvent.id)):
                events[e.ticket_id].append(e)
        open_by_counter: dict[int, list[str]] = defaultdict(list)
        chains: dict[int, int] = defaultdict(int)
        for t in tickets:
            if t.state in ("called", "serving"):
                open_by_counter[t.counter_id].append(t.code)
            evs = events[t.id]
            assert evs, f"{t.code} has no events"
            assert evs[-1].to_state == t.state, f"{t.code}: {t.state} vs last event"
            state = None
            for e in evs:
                if e.kind in ("issue", "transfer_in"):
                    assert state is None
                    state = "waiting"
                    continue
                allowed, target = TRANSITIONS[_ACTION_OF_KIND[e.kind]]
                assert state in {a.value for a in allowed}, f"{t.code}: {e.kind} from {state}"
                assert e.from_state == state
                state = target.value
            assert state == t.state
            stamps = [t.issued_at, t.first_called_at, t.last_called_at, t.started_at,
                      t.finished_at]
            present = [x for x in stamps if x is not None]
            assert present == sorted(present), f"{t.code}: timestamps out of order"
            if t.state != TicketState.TRANSFERRED:
                chains[t.origin_ticket_id or t.id] += 1
        assert all(len(codes) <= 1 for codes in open_by_counter.values()), open_by_counter
        # Every customer (chain) ends in exactly one non-transferred ticket.
        roots = [t for t in tickets if t.hop == 0]
        assert len(roots) == self.customers
        assert all(chains[r.id] == 1 for r in roots)


def _run(url: str, examples: int) -> None:
    HallMachine.url = url
    HallMachine.TestCase.settings = settings(
        max_examples=examples, stateful_step_count=40, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    HallMachine.TestCase().runTest()


def test_random_operation_sequences_keep_invariants(db_url):
    _run(db_url, 40 if db_url.startswith("sqlite") else 15)
