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


# -- the complaint and inspection twins of the ticket oracle ---------------------------

_CLOSE_KIND = {"close": "satisfied", "sign_off": "signed_off", "close_nuisance": "nuisance"}
_ESCALATING = {"escalate", "reopen"}


@dataclass
class LoopReport:
    """What the complaint (or inspection) replay found."""

    checked: int = 0
    legacy: int = 0  # complaints recorded before migration 0010 (old rules, not replayed)
    rows: int = 0
    by_state: Tally = field(default_factory=Tally)
    by_action: Tally = field(default_factory=Tally)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.checked} checked ({self.legacy} legacy), {self.rows} history rows, "
                f"states {dict(self.by_state)}, problems {len(self.problems)}")


def check_complaint_history(database: Database, hall_code: str | None = None) -> LoopReport:
    """Replay every complaint's `complaint_history` through the complaint state machine
    (hall_app.domain.complaints) and compare with the stored row:

    * the history starts with `register` (→ registered); every later row is a legal move
      from the replayed state (`is_legal_move`);
    * the replayed state is the stored state; the stored `escalated` flag is set exactly
      when an `escalate` or `reopen` row exists (a rejection, a 不满意 follow-up and F7
      all write one of these);
    * no `close_nuisance` after an escalating row (never a nuisance once escalated);
    * a closed complaint's `close_kind` is that of its last closing row (close →
      satisfied with the customer's answer 满意/基本满意, sign_off → signed_off with a
      reason, close_nuisance → nuisance); an open one has none;
    * hand-offs: one row per `hand_off`, done exactly as many as `hand_off_done`, and
      all done before a satisfied close.
    """
    from db.models import Complaint, ComplaintHandOff, ComplaintHistory
    from hall_app.domain.complaints import SATISFIED, is_legal_move

    report = LoopReport()
    with database.read() as s:
        stmt = select(Complaint)
        if hall_code:
            stmt = stmt.where(Complaint.hall_id == s.scalar(
                select(Hall.id).where(Hall.code == hall_code)))
        complaints = {c.id: c for c in s.scalars(stmt)}
        history: dict[int, list[Any]] = defaultdict(list)
        for h in s.scalars(select(ComplaintHistory).order_by(ComplaintHistory.id)):
            if h.complaint_id in complaints:
                history[h.complaint_id].append(h)
        hand_offs: dict[int, list[Any]] = defaultdict(list)
        for ho in s.scalars(select(ComplaintHandOff)):
            hand_offs[ho.complaint_id].append(ho)
    for cid, c in complaints.items():
        if c.workflow != 2:
            report.legacy += 1
            continue
        report.checked += 1
        report.by_state[c.state] += 1
        rows = history.get(cid, [])
        report.rows += len(rows)
        name = f"complaint #{cid}"
        if not rows or rows[0].action != "register" or rows[0].to_state != "registered":
            report.problems.append(f"{name} does not start with register")
            continue
        state, escalated, last_close = "registered", False, None
        counts: Tally = Tally()
        for h in rows[1:]:
            report.by_action[h.action] += 1
            counts[h.action] += 1
            if h.from_state != state or not is_legal_move(h.action, h.from_state, h.to_state):
                report.problems.append(f"{name}: {h.action} {h.from_state}->{h.to_state} "
                                       f"while replayed state was {state}")
            if h.action == "close_nuisance" and escalated:
                report.problems.append(f"{name}: closed as nuisance after an escalation")
            if h.action in _CLOSE_KIND:
                last_close = h
            if h.action == "reopen":
                last_close = None
            escalated = escalated or h.action in _ESCALATING
            state = h.to_state
        if state != c.state:
            report.problems.append(f"{name}: stored state {c.state}, history says {state}")
        if bool(c.escalated) != escalated:
            report.problems.append(f"{name}: stored escalated={c.escalated}, history says "
                                   f"{escalated}")
        kind = _CLOSE_KIND[last_close.action] if state == "closed" and last_close else None
        if c.close_kind != kind:
            report.problems.append(f"{name}: stored close kind {c.close_kind}, history says "
                                   f"{kind}")
        if kind == "satisfied" and c.satisfaction not in SATISFIED:
            report.problems.append(f"{name}: closed satisfied, customer said {c.satisfaction}")
        if kind == "signed_off" and not (c.close_reason or "").strip():
            report.problems.append(f"{name}: signed off without a reason")
        items = hand_offs.get(cid, [])
        done = [ho for ho in items if ho.state == "done"]
        if len(items) != counts["hand_off"] or len(done) != counts["hand_off_done"]:
            report.problems.append(f"{name}: {len(items)} hand-offs ({len(done)} done) for "
                                   f"{counts['hand_off']} hand_off / {counts['hand_off_done']} "
                                   "done rows")
        if kind == "satisfied" and len(done) != len(items):
            report.problems.append(f"{name}: closed satisfied with open hand-offs")
    return report


def check_inspection_history(database: Database, hall_code: str | None = None) -> LoopReport:
    """Replay every inspection round's `inspection_event` rows (hall_app.inspection.rules):
    the round starts open and may only finish once; each item moves from its replayed
    result (pending first) to ok/problem; an incident only from a problem, once; the
    stored round state, item results and incident links equal the replay."""
    from db.models import InspectionEvent, InspectionItem, InspectionRound
    from hall_app.inspection.rules import ITEM_MOVES, PENDING, ROUND_MOVES

    report = LoopReport()
    with database.read() as s:
        stmt = select(InspectionRound)
        if hall_code:
            stmt = stmt.where(InspectionRound.hall_id == s.scalar(
                select(Hall.id).where(Hall.code == hall_code)))
        rounds = {r.id: r for r in s.scalars(stmt)}
        items: dict[int, dict[str, Any]] = defaultdict(dict)
        for it in s.scalars(select(InspectionItem)):
            if it.round_id in rounds:
                items[it.round_id][it.item_key] = it
        events: dict[int, list[Any]] = defaultdict(list)
        for e in s.scalars(select(InspectionEvent).order_by(InspectionEvent.id)):
            if e.round_id in rounds:
                events[e.round_id].append(e)
    for rid, r in rounds.items():
        report.checked += 1
        report.by_state[r.state] += 1
        rows = events.get(rid, [])
        report.rows += len(rows)
        name = f"round #{rid} ({r.slot})"
        state: str | None = None
        results = dict.fromkeys(items[rid], PENDING)
        incidents: Tally = Tally()
        for e in rows:
            report.by_action[e.action] += 1
            if e.item_key is None:
                move = ROUND_MOVES.get(e.action)
                if move is None or e.from_state != state or move != (state, e.to_state):
                    report.problems.append(f"{name}: {e.action} {e.from_state}->{e.to_state} "
                                           f"while the round was {state}")
                state = e.to_state
                continue
            allowed = ITEM_MOVES.get(e.action)
            seen = results.get(e.item_key)
            if (state != "open" or allowed is None or e.from_state != seen
                    or seen not in allowed[0] or e.to_state not in allowed[1]):
                report.problems.append(f"{name}: {e.item_key} {e.action} {e.from_state}->"
                                       f"{e.to_state} while it was {seen}, round {state}")
            if e.action == "incident":
                incidents[e.item_key] += 1
            results[e.item_key] = e.to_state
        if state != r.state:
            report.problems.append(f"{name}: stored state {r.state}, events say {state}")
        for key, it in items[rid].items():
            replayed = None if results[key] == PENDING else results[key]
            if it.result != replayed:
                report.problems.append(f"{name}: {key} stored {it.result}, events say {replayed}")
            if incidents[key] > 1 or (incidents[key] == 1) != (it.incident_id is not None):
                report.problems.append(f"{name}: {key} incident link disagrees with events")
    return report
