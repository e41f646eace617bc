"""Helpers shared by the reliability tests: a many-counter test hall, and the checker that
replays every ticket's event history against the lifecycle state machine.

The checker is the oracle of the soak and crash tests. For one hall it verifies:
  * every ticket's history starts with `issue` or `transfer_in` (state waiting);
  * every later event is a legal transition (hall_app.domain.tickets.TRANSITIONS): its
    from_state is the replayed state and its to_state is the action's target;
  * the replayed state equals the stored ticket.state (nothing half-applied);
  * no ticket row was called twice, no counter holds two open tickets;
  * every `transferred` ticket has exactly one continuation row (nothing lost).
"""

from __future__ import annotations

from collections import Counter as Tally
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from db.engine import Database
from db.models import Hall, Ticket, TicketEvent
from hall_app.domain.tickets import TRANSITIONS, TicketAction, TicketState
from hall_app.hall_config import create_hall, parse_hall_config

SOAK_HALL = "SOAK"
SERVICE_CODES = ("PAY", "OPEN", "SIM", "BB", "PLAN", "DEV")
CLERK_PIN = "2580"
MANAGER = ("8001", "1357")


def soak_hall_document(counters: int = 16) -> dict[str, Any]:
    """A hall with `counters` counters and one clerk per counter (staff 3001…)."""
    services = [
        {"code": code, "name": f"业务{code}", "prefix": chr(ord("A") + i)}
        for i, code in enumerate(SERVICE_CODES)
    ]
    rows = []
    for n in range(1, counters + 1):
        # Each counter serves two or three services, overlapping its neighbours'.
        picks = [SERVICE_CODES[(n + k) % len(SERVICE_CODES)] for k in range(2 + n % 2)]
        rows.append({"number": n, "services": picks})
    staff = [{"staff_no": str(3000 + n), "name": f"营业员{n}", "role": "clerk",
              "pin": CLERK_PIN} for n in range(1, counters + 1)]
    staff += [{"staff_no": MANAGER[0], "name": "值班长", "role": "duty_manager",
               "pin": MANAGER[1]},
              {"staff_no": "8999", "name": "管理员", "role": "admin", "pin": "9999"}]
    return {"hall": {"code": SOAK_HALL, "name": "压力测试营业厅", "recalls_before_no_show": 1},
            "services": services, "counters": rows, "staff": staff}


def create_soak_hall(url: str, counters: int = 16) -> None:
    cfg = parse_hall_config(soak_hall_document(counters), "<soak>")
    database = Database(url)
    try:
        with database.write() as s:
            if s.scalar(select(Hall.id).where(Hall.code == SOAK_HALL)) is None:
                create_hall(s, cfg)
    finally:
        database.dispose()


@dataclass
class HistoryReport:
    tickets: int = 0
    events: int = 0
    by_state: Tally = field(default_factory=Tally)
    by_kind: Tally = field(default_factory=Tally)
    problems: list[str] = field(default_factory=list)
    events_by_staff: Tally = field(default_factory=Tally)

    def summary(self) -> str:
        return (f"{self.tickets} tickets, {self.events} events, states {dict(self.by_state)}, "
                f"events {dict(self.by_kind)}, problems {len(self.problems)}")


_BY_KIND = {a.value: a for a in TicketAction}


def check_history(database: Database, hall_code: str | None = None) -> HistoryReport:
    """Replay every ticket's events (of one hall, or all halls) and report disagreements."""
    report = HistoryReport()
    with database.read() as s:
        stmt = select(Ticket)
        if hall_code:
            hall_id = s.scalar(select(Hall.id).where(Hall.code == hall_code))
            stmt = stmt.where(Ticket.hall_id == hall_id)
        tickets = {t.id: t for t in s.scalars(stmt)}
        events: dict[int, list[TicketEvent]] = defaultdict(list)
        for e in s.scalars(select(TicketEvent).order_by(TicketEvent.id)):
            if e.ticket_id in tickets:
                events[e.ticket_id].append(e)
        report.tickets = len(tickets)
        open_at_counter: Tally = Tally()
        continuations: Tally = Tally()
        for tid, t in tickets.items():
            report.by_state[t.state] += 1
            if t.state in (TicketState.CALLED, TicketState.SERVING):
                open_at_counter[t.counter_id] += 1
            if t.hop > 0:
                continuations[(t.business_day, t.prefix, t.number, t.hop - 1)] += 1
            history = events.get(tid, [])
            report.events += len(history)
            if not history:
                report.problems.append(f"ticket {t.code}#{tid} has no events")
                continue
            first = history[0]
            if first.kind not in ("issue", "transfer_in") or first.to_state != "waiting":
                report.problems.append(f"ticket {t.code}#{tid} starts with {first.kind}")
            state = TicketState.WAITING
            calls = 0
            for e in history:
                report.by_kind[e.kind] += 1
                if e.staff_id is not None:
                    report.events_by_staff[e.staff_id] += 1
                if e is first:
                    continue
                action = _BY_KIND.get(e.kind)
                if action is None or action == TicketAction.ISSUE:
                    report.problems.append(f"ticket {t.code}#{tid}: unexpected event {e.kind}")
                    continue
                allowed, target = TRANSITIONS[action]
                if e.from_state != state or state not in allowed or e.to_state != target:
                    report.problems.append(
                        f"ticket {t.code}#{tid}: {e.kind} {e.from_state}->{e.to_state} "
                        f"while replayed state was {state}")
                state = TicketState(e.to_state)
                calls += action == TicketAction.CALL
            if calls > 1:
                report.problems.append(f"ticket {t.code}#{tid} called {calls} times")
            if state != t.state:
                report.problems.append(
                    f"ticket {t.code}#{tid}: stored state {t.state}, history says {state}")
            if t.state in (TicketState.CALLED, TicketState.SERVING) and t.counter_id is None:
                report.problems.append(f"ticket {t.code}#{tid} is {t.state} at no counter")
        for counter_id, n in open_at_counter.items():
            if n > 1:
                report.problems.append(f"counter #{counter_id} holds {n} open tickets")
        for tid, t in tickets.items():
            if t.state == TicketState.TRANSFERRED:
                n = continuations[(t.business_day, t.prefix, t.number, t.hop)]
                if n != 1:
                    report.problems.append(
                        f"transferred ticket {t.code}#{tid} has {n} continuations")
    return report
