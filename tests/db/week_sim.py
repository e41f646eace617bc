"""A simulated week (ISO week 2026-W47, Mon 11-16 … Sun 11-22) through the real services.

Each day: counters 1, 2, 4, 6 and 8 open, four hours of random arrivals served by the
demo simulator (no-shows, transfers, walkaways) in 3-minute steps, then two late
customers left waiting (abandoned at the close) and, on some days, a customer still
being served at the close. Around it, the things every headline figure needs:
pauses of each kind (用餐, 离席, 调整情绪), a hall-wide outage while people wait, a counter
outage, a facility fault running past midnight, a 30-second outage, cancellations,
complaints registered and answered through the complaint service, F7 escalations (some
handled), and cash exchanges. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from db.models import Incident, Ticket
from hall_app.demo.simulate import HallSimulator, SimParams, opening_hours_for
from hall_app.errors import HallError
from hall_app.metrics import Period
from hall_app.services.complaints import ComplaintDraft, ComplaintService

WEEK = Period.parse_week("2026-W47")
DESKS = [1, 2, 4, 6, 8]
STEP_MINUTES = 3
BUSY_MINUTES = 240
CATEGORIES = ("attitude", "fees", "waiting", "pushy_selling", "technique", "other")


def _waiting_ids(hall, day: date) -> list[int]:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        return list(s.scalars(select(Ticket.id).where(
            Ticket.hall_id == hall.ctx.hall.id, Ticket.business_day == day,
            Ticket.state == "waiting").order_by(Ticket.id)))


def simulate_week(hall, seed: int = 5) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    complaints = ComplaintService(hall.ctx)
    carry: list[tuple[datetime, int]] = []  # complaints to answer on a later day
    for index, day in enumerate(WEEK.days):
        _simulate_day(hall, index, day, rng, complaints, carry)


def _simulate_day(hall, index: int, day: date, rng: random.Random,  # type: ignore[no-untyped-def]
                  complaints: ComplaintService, carry: list[tuple[datetime, int]]) -> None:
    clock = hall.ctx.clock
    tz = hall.ctx.hall.tz
    opens, closes = opening_hours_for(hall, day)
    start = datetime.combine(day, opens, tzinfo=tz)
    close = datetime.combine(day, closes, tzinfo=tz)
    clock.set(start)
    params = SimParams(arrivals_per_hour=16, no_show_rate=0.08, transfer_rate=0.12,
                       walkaway_after_minutes=12, walkaway_per_minute=0.04)
    sim = HallSimulator(hall, seed=rng.randrange(1 << 30), params=params, counters=DESKS)
    sim.open_counters()
    mgr = sim.manager
    desk = {d.number: d for d in sim.desks}
    outage_id: int | None = None
    counter_outage: int | None = None
    paused: dict[int, int] = {}  # counter number → minute to resume
    for minute in range(0, BUSY_MINUTES, STEP_MINUTES):
        now = start + timedelta(minutes=minute)
        clock.set(now)
        for when, cid in [c for c in carry if c[0] <= now]:
            _reply(complaints, mgr, cid)
            carry.remove((when, cid))
        sim.arrivals(STEP_MINUTES)
        if index in (0, 4) and minute == 60:
            outage_id = hall.incidents.declare_outage(mgr).id
        if outage_id is not None and minute == 84:
            hall.incidents.clear(mgr, outage_id)
            outage_id = None
        if index in (1, 5) and minute == 30:
            counter_outage = hall.incidents.declare_outage(
                desk[4].actor, "本窗口暂停办理", counter_ids=[desk[4].counter_id]).id
        if counter_outage is not None and minute == 45:
            hall.incidents.clear(desk[4].actor, counter_outage)
            counter_outage = None
        if index == 3 and minute == 60:  # the printer fault of the evening before is fixed
            for iid in _open_facility(hall):
                hall.incidents.clear(mgr, iid)
        if index == 3 and minute == 99:
            short = hall.incidents.declare_outage(mgr).id
            clock.set(now + timedelta(seconds=30))
            hall.incidents.clear(mgr, short)
            clock.set(now)
        for number, at_minute, length, reason in ((2, 120, 30, "用餐"), (6, 90, 6, "离席"),
                                                    (8, 150, 12, "调整情绪")):
            if minute == at_minute and sim.pause(number, reason):
                paused[number] = minute + length
        for number, until in list(paused.items()):
            if minute >= until:
                sim.resume(number)
                del paused[number]
        clock.advance(seconds=20)
        sim.serve(paused=outage_id is not None)
        clock.advance(seconds=20)
        sim.walkaways(STEP_MINUTES)
        if minute in (36, 162):
            _extras(hall, sim, rng, complaints, carry, day)
        if minute == 201:
            waiting = _waiting_ids(hall, day)
            if waiting:
                hall.tickets.cancel(mgr, waiting[-1], "客户改日再来")
        if minute in (105, 189):  # a waiting customer sent to another queue
            waiting = _waiting_ids(hall, day)
            if waiting:
                _transfer_waiting(hall, mgr, waiting[0], sim)
    for number in list(paused):
        sim.resume(number)
    end = start + timedelta(minutes=BUSY_MINUTES)
    clock.set(end)
    # Finish what is in hand; on the last day counter 1 keeps its customer past the close.
    last = index == len(WEEK.days) - 1
    for d in sim.desks:
        if d.ticket_id is None:
            continue
        try:
            if d.phase == "serving" and not (last and d.number == 1):
                hall.tickets.finish(d.actor, d.ticket_id, d.counter_id)
            elif d.phase in ("arriving", "no_show"):
                hall.tickets.start(d.actor, d.ticket_id, d.counter_id)
                hall.tickets.finish(d.actor, d.ticket_id, d.counter_id)
        except HallError:
            pass
    if last and desk[1].ticket_id is None:  # a customer still at counter 1 at the close
        hall.tickets.issue(sim.service_ids[0])
        info = hall.tickets.call_next(desk[1].actor, desk[1].counter_id)
        hall.tickets.start(desk[1].actor, info.id, desk[1].counter_id)
    for d in sim.desks:
        if d.number != 1 or not last:
            try:
                hall.counters.sign_out(d.actor, d.counter_id)
            except HallError:
                pass
    late = [s for s in sim.service_ids if not sim.service_vip[s]]
    clock.set(end + timedelta(minutes=5))
    for _ in range(2):
        hall.tickets.issue(rng.choice(late))
    if index == 2:
        clock.set(datetime.combine(day, closes, tzinfo=tz) - timedelta(minutes=30))
        hall.incidents.record_facility(mgr, "打印机", "打印机故障,待修")
    clock.set(close)
    hall.tickets.close_day(mgr, day)


def _transfer_waiting(hall, mgr, ticket_id: int, sim: HallSimulator) -> None:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        service = s.scalar(select(Ticket.service_id).where(Ticket.id == ticket_id))
    others = [x for x in sim.service_ids if x != service and not sim.service_vip[x]]
    hall.tickets.transfer(mgr, ticket_id, to_service_id=others[0], note="转其他业务")


def _open_facility(hall) -> list[int]:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        return list(s.scalars(select(Incident.id).where(
            Incident.hall_id == hall.ctx.hall.id, Incident.ended_at.is_(None),
            Incident.kind == "facility")))


def _reply(complaints: ComplaintService, mgr, cid: int) -> None:  # type: ignore[no-untyped-def]
    complaints.start(mgr, cid)
    complaints.propose_resolution(mgr, cid, "致歉并说明处理办法")
    complaints.approve(mgr, cid)
    complaints.reply(mgr, cid, "已为您核实处理,感谢您提出宝贵意见。")


def _extras(hall, sim: HallSimulator, rng: random.Random,  # type: ignore[no-untyped-def]
            complaints: ComplaintService, carry: list[tuple[datetime, int]], day: date) -> None:
    """A complaint, an escalation, a cash exchange or two."""
    mgr = sim.manager
    clock = hall.ctx.clock
    now = clock.now()
    detail = complaints.register(mgr, ComplaintDraft(
        channel=rng.choice(("counter", "phone")), customer_name="李四",
        phone=f"139{rng.randrange(10**8):08d}", category=rng.choice(CATEGORIES),
        description="办理等候时间太长"))
    roll = rng.random()
    if roll < 0.4:
        clock.set(now + timedelta(minutes=40))
        _reply(complaints, mgr, detail.id)
        clock.set(now)
    elif roll < 0.8:
        carry.append((now + timedelta(days=1), detail.id))
    desk = next((d for d in sim.desks if d.number == 4), None)
    if desk is not None:
        esc = hall.desk.escalate(desk.actor, desk.counter_id, "客户咨询资费,请值班长协助",
                                 ticket_id=desk.ticket_id)
        if rng.random() < 0.6:
            clock.set(now + timedelta(minutes=rng.choice((2, 5, 9))))
            hall.desk.resolve_escalation(mgr, esc.id)
            clock.set(now)
    for number in (1, 2):
        d = next((x for x in sim.desks if x.number == number), None)
        if d is not None:
            due = rng.choice((2850, 5000, 12000))
            hall.desk.record_cash(d.actor, due_fen=due, received_fen=due + rng.choice(
                (0, 150, 5000)), counter_id=d.counter_id)
