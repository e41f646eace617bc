"""The hall as it was at an instant, rebuilt from a recorded day (`state_at`).

Used for the live estimate too (with the instant = now), so the kiosk and the backtest
read the hall through the same function: a ticket is waiting at `t` if it was created
by `t` and neither called nor ended by `t`; a counter is signed in if a session covers
`t`, paused if a pause does; its customer is the ticket it called and had not released
by `t`; its ratio-rule count is the day's start value plus the calls it made by `t`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hall_app.forecast.model import CounterNow, HallState, HeldTicket, OutageNow, WaitingNow
from hall_app.forecast.records import DayLog, HallSetup, TicketRecord


def _covers(start: datetime, end: datetime | None, t: datetime) -> bool:
    return start <= t and (end is None or end > t)


def state_at(setup: HallSetup, log: DayLog, t: datetime) -> HallState:
    waiting: list[WaitingNow] = []
    held: dict[int, HeldTicket] = {}
    since = dict(log.calls_since_priority_at_start)
    calls = sorted((r for r in log.tickets if r.first_called_at is not None
                    and r.first_called_at <= t and r.counter_id is not None),
                   key=lambda r: (r.first_called_at, r.id))  # type: ignore[arg-type, return-value]
    for r in calls:
        assert r.counter_id is not None
        since[r.counter_id] = 0 if r.vip else since.get(r.counter_id, 0) + 1
    for r in log.tickets:
        if r.created_at > t:
            continue
        ended = r.ended_at is not None and r.ended_at <= t
        called = r.first_called_at is not None and r.first_called_at <= t
        if not called and not ended:
            waiting.append(WaitingNow(r.id, r.service_id, r.vip, r.issued_at,
                                      r.target_counter_id))
        elif called and not ended and r.counter_id is not None:
            assert r.first_called_at is not None
            started = r.started_at if r.started_at is not None and r.started_at <= t else None
            recalls = sum(1 for at in r.recall_times if at <= t)
            held[r.counter_id] = HeldTicket(r.id, r.service_id, r.vip, r.first_called_at,
                                            started, recalls)
    waiting.sort(key=lambda w: (w.issued_at, w.id))
    signed_in = {s.counter_id for s in log.sessions if _covers(s.started_at, s.ended_at, t)}
    paused = {p.counter_id: p for p in log.pauses if _covers(p.started_at, p.ended_at, t)}
    counters = []
    for cid, number in sorted(setup.counter_numbers.items(), key=lambda kv: kv[1]):
        pause = paused.get(cid)
        if cid not in signed_in and cid not in held:
            state = "closed"
        elif pause is not None:
            state = "paused"
        else:
            state = "open"
        counters.append(CounterNow(
            cid, number, setup.counter_services.get(cid, ()), state,
            pause.started_at if pause else None, pause.reason if pause else None,
            since.get(cid, 0), held.get(cid)))
    outages = tuple(OutageNow(o.started_at, o.counter_ids) for o in log.outages
                    if _covers(o.started_at, o.ended_at, t))
    return HallState(now=t, tz=setup.tz, rule=setup.rule_at(t), services=setup.services,
                     counters=tuple(counters), waiting=tuple(waiting), outages=outages,
                     closes_at=setup.closes_at(log.day))


def known_at_issue(log: DayLog, ticket: TicketRecord) -> DayLog:
    """The day as the kiosk saw it when issuing `ticket`: tickets issued in the same
    instant after it (a higher id) did not exist yet."""
    at = ticket.created_at
    return replace(log, tickets=[r for r in log.tickets if r.created_at < at
                                 or (r.created_at == at and r.id <= ticket.id)])
