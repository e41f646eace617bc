"""A simulated hall: customers arrive, counters call and serve them, some walk away.

Everything goes through the real services, so the database holds genuine tickets and
events; the simulated staff log in with the demo's PINs and act through real sessions.
After each 办结 the customer rates on the counter's pad (bound by the simulated
duty manager), through the pad's own service: most are satisfied, a few are not (some
of those ask to be contacted), and some walk off so the pad records 未评价. `HallSimulator.tick(minutes)` advances the simulation by one step at the
services' clock time; `simulate_day` drives a whole business day on a manual clock
(`hall-app db seed-demo`), and the live demo drives it on a running clock.
Deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from db.models import Counter, ServiceType, Staff, Ticket
from hall_app.clock import ManualClock
from hall_app.domain.roles import Actor
from hall_app.errors import HallError, QueueEmpty
from hall_app.services import HallServices


def demo_pins() -> dict[str, str]:
    """The demo hall's staff numbers and their default PINs (from the shipped file)."""
    from hall_app.hall_config import load_hall_config
    from hall_app.resources import resource_path

    cfg = load_hall_config(resource_path("demo", "demo_hall.toml"))
    return {m.staff_no: m.pin for m in cfg.staff if m.pin}


@dataclass
class SimParams:
    arrivals_per_hour: float = 58.0  # average over the day; peaks around 10:00 and 15:00
    no_show_rate: float = 0.04
    transfer_rate: float = 0.04
    walkaway_after_minutes: int = 25
    walkaway_per_minute: float = 0.02
    vip_share: float = 0.05
    weights: dict[str, int] = field(default_factory=dict)
    # True: the business day's curve (peaks at 10:00 and 15:00); False: the same rate at any
    # hour (the live demo, which may be started in the middle of the night).
    daily_curve: bool = True
    # Customers rate on the counter's pad after 办结 (shares of each answer; "none" = the
    # customer leaves without a tap and the pad records 未评价 once the timeout passes).
    ratings: bool = True
    rating_shares: dict[str, float] = field(default_factory=lambda: {
        "very_satisfied": 0.52, "satisfied": 0.24, "basic": 0.08, "dissatisfied": 0.05,
        "none": 0.11})
    contact_share: float = 0.5  # of the dissatisfied, how many want the manager to call


def arrival_rate(local_hour: float, per_hour: float, daily_curve: bool = True) -> float:
    """Arrivals per minute at a local time: a morning and an afternoon peak, or flat."""
    if not daily_curve:
        return per_hour / 60
    shape = (0.55 + 0.9 * math.exp(-((local_hour - 10.2) / 1.3) ** 2)
             + 0.75 * math.exp(-((local_hour - 15.3) / 1.4) ** 2))
    return per_hour / 60 * shape / 1.2


@dataclass
class _Desk:
    counter_id: int
    number: int
    actor: Actor
    service_ids: tuple[int, ...]
    phase: str = "idle"  # idle | arriving | no_show | serving | paused
    ticket_id: int | None = None
    until: datetime | None = None
    unrated: tuple[int, datetime] | None = None  # (ticket, finished) the pad must close


class HallSimulator:
    def __init__(self, services: HallServices, seed: int = 1, params: SimParams | None = None,
                 counters: list[int] | None = None, pins: dict[str, str] | None = None) -> None:
        self.svc = services
        self.rng = random.Random(seed)
        self.params = params or SimParams()
        ctx = services.ctx
        with ctx.read() as s:
            hall_id = ctx.hall.id
            rows = s.scalars(select(ServiceType).where(ServiceType.hall_id == hall_id,
                                                       ServiceType.active.is_(True))).all()
            self.service_ids = [r.id for r in rows]
            self.service_minutes = {r.id: r.typical_service_minutes for r in rows}
            self.service_vip = {r.id: r.is_vip for r in rows}
            default_weights = {"PAY": 30, "OPEN": 12, "SIM": 14, "BB": 10, "PLAN": 14,
                               "DEV": 8, "ASK": 7, "VIP": 5}
            weights = self.params.weights or default_weights
            self.weights = [max(0, weights.get(r.code, 10)) for r in rows]
            clerks = s.scalars(select(Staff).where(Staff.hall_id == hall_id,
                                                   Staff.role == "clerk",
                                                   Staff.active.is_(True))
                               .order_by(Staff.staff_no)).all()
            manager = s.scalars(select(Staff).where(Staff.hall_id == hall_id,
                                                    Staff.role == "duty_manager")).first()
            counter_rows = s.scalars(select(Counter).where(Counter.hall_id == hall_id,
                                                           Counter.active.is_(True))
                                     .order_by(Counter.number)).all()
            desks = [(c.id, c.number, clerk.staff_no, tuple(cs.service_id for cs in c.services))
                     for c, clerk in zip(counter_rows, clerks, strict=False)
                     if counters is None or c.number in counters]
            manager_no = manager.staff_no if manager else None
        # Simulated staff log in like everybody else (each desk its own workstation), so
        # every action they take is checked against a real session.
        pins = pins if pins is not None else demo_pins()
        self.desks: list[_Desk] = []
        for counter_id, number, staff_no, service_ids in desks:
            actor = self._login(staff_no, pins, f"demo-desk-{number}")
            self.desks.append(_Desk(counter_id, number, actor, service_ids))
        if manager_no is None:
            raise HallError("演示营业厅没有值班长,无法模拟。")
        self.manager = self._login(manager_no, pins, "demo-floor")
        self.recalls = ctx.thresholds().recalls_before_no_show
        self.rating_timeout = ctx.thresholds().rating_timeout_seconds
        self.issued = 0
        self.errors = 0
        # Its own random stream, so adding ratings left the rest of a seeded day unchanged.
        self.rating_rng = random.Random(seed * 7919 + 17)
        # The order in which free clerks press 叫号 within one minute, drawn per minute:
        # in a fixed order counter 1 took every fresh ticket it serves and the VIP
        # counter, last, only what the others left.
        self.order_rng = random.Random(seed * 104729 + 3)
        self._pads: dict[int, Any] = {}
        self.rated = 0

    def _login(self, staff_no: str, pins: dict[str, str], workstation: str) -> Actor:
        if staff_no not in pins:
            raise HallError(f"模拟需要工号 {staff_no} 的密码。")
        return self.svc.auth.login(staff_no, pins[staff_no], workstation=workstation)

    # -- steps ------------------------------------------------------------------------
    def open_counters(self) -> None:
        for desk in self.desks:
            self.svc.counters.sign_in(desk.actor, desk.counter_id)

    def arrivals(self, minutes: float = 1.0) -> int:
        ctx = self.svc.ctx
        local = ctx.now().astimezone(ctx.hall.tz)
        rate = arrival_rate(local.hour + local.minute / 60, self.params.arrivals_per_hour,
                            self.params.daily_curve)
        count = self._poisson(rate * minutes)
        for _ in range(count):
            service_id = self.rng.choices(self.service_ids, self.weights)[0]
            self.svc.tickets.issue(service_id)
            self.issued += 1
        return count

    def _poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def serve(self, paused: bool = False) -> None:
        now = self.svc.ctx.now()
        desks = list(self.desks)
        self.order_rng.shuffle(desks)
        for desk in desks:
            try:
                self._serve_desk(desk, now, paused)
            except QueueEmpty:
                pass
            except HallError:
                self.errors += 1
                desk.phase, desk.ticket_id = "idle", None

    def _serve_desk(self, desk: _Desk, now: datetime, blocked: bool) -> None:
        t, a, cid = self.svc.tickets, desk.actor, desk.counter_id
        self._close_unrated(desk, now)
        if desk.phase == "paused":
            return
        if desk.phase == "idle":
            if blocked:
                return
            info = t.call_next(a, cid)
            desk.ticket_id = info.id
            desk.phase = "no_show" if self.rng.random() < self.params.no_show_rate else "arriving"
        elif desk.phase == "arriving" and desk.ticket_id is not None:
            t.start(a, desk.ticket_id, cid)
            minutes = self.service_minutes.get(self._service_of(desk.ticket_id), 8)
            desk.until = now + timedelta(minutes=max(1.0, self.rng.expovariate(1 / minutes)))
            desk.phase = "serving"
        elif desk.phase == "no_show" and desk.ticket_id is not None:
            current = t.current(cid)
            if current is not None and current.recall_count < self.recalls:
                t.recall(a, desk.ticket_id, cid)
            else:
                t.no_show(a, desk.ticket_id, cid)
                desk.phase, desk.ticket_id = "idle", None
        elif desk.phase == "serving" and desk.ticket_id is not None and desk.until is not None \
                and now >= desk.until:
            if self.rng.random() < self.params.transfer_rate:
                others = [s for s in self.service_ids
                          if s != self._service_of(desk.ticket_id) and not self.service_vip[s]]
                t.transfer(a, desk.ticket_id, to_service_id=self.rng.choice(others),
                           counter_id=cid, note="转其他业务")
            else:
                t.finish(a, desk.ticket_id, cid)
                self._customer_rates(desk, desk.ticket_id, self.svc.ctx.now())
            desk.phase, desk.ticket_id, desk.until = "idle", None, None

    # -- the customer at the rating pad ---------------------------------------------------
    def _pad(self, desk: _Desk) -> Any:
        """The counter's pad service, bound by the duty manager on first use."""
        pad = self._pads.get(desk.counter_id)
        if pad is None:
            from hall_app.services.ratings import RatingService

            credential = self.svc.pads.bind(self.manager, desk.counter_id,
                                            f"{desk.number}号窗口评价器(模拟)")
            pad = self._pads[desk.counter_id] = RatingService(self.svc.ctx, credential)
        return pad

    def _customer_rates(self, desk: _Desk, ticket_id: int, finished: datetime) -> None:
        if not self.params.ratings or self.manager.staff_id is None:
            return
        rng = self.rating_rng
        answers = list(self.params.rating_shares)
        answer = rng.choices(answers, [self.params.rating_shares[a] for a in answers])[0]
        try:
            pad = self._pad(desk)
            if answer == "none":
                desk.unrated = (ticket_id, finished)
                return
            receipt = pad.rate(ticket_id, answer)
            self.rated += 1
            if answer == "dissatisfied":
                from hall_app.domain.ratings import DissatisfiedReason

                reason = rng.choice(list(DissatisfiedReason)).value
                pad.explain(receipt.rating_id, reason, rng.random() < self.params.contact_share)
        except HallError:
            self.errors += 1

    def _close_unrated(self, desk: _Desk, now: datetime) -> None:
        """The pad's countdown ran out for a customer who left without a tap: 未评价."""
        if desk.unrated is None:
            return
        ticket_id, finished = desk.unrated
        if now < finished + timedelta(seconds=self.rating_timeout):
            return
        desk.unrated = None
        try:
            self._pad(desk).time_out(ticket_id)
        except HallError:
            pass  # the next customer's service started first: no record, still unrated

    def _service_of(self, ticket_id: int) -> int:
        with self.svc.ctx.read() as s:
            return int(s.scalar(select(Ticket.service_id).where(Ticket.id == ticket_id)) or 0)

    def walkaways(self, minutes: float = 1.0) -> int:
        ctx = self.svc.ctx
        now = ctx.now()
        cutoff = now - timedelta(minutes=self.params.walkaway_after_minutes)
        with ctx.read() as s:
            ids = s.scalars(select(Ticket.id).where(
                Ticket.hall_id == ctx.hall.id, Ticket.business_day == ctx.business_day(now),
                Ticket.state == "waiting", Ticket.issued_at <= cutoff)).all()
        left = 0
        for tid in ids:
            if self.rng.random() < self.params.walkaway_per_minute * minutes:
                try:
                    self.svc.tickets.walk_away(self.manager, tid, "值班长看到顾客离开")
                    left += 1
                except HallError:
                    pass
        return left

    def pause(self, number: int, reason: str) -> bool:
        for desk in self.desks:
            if desk.number == number and desk.phase == "idle":
                self.svc.counters.pause(desk.actor, desk.counter_id, reason)
                desk.phase = "paused"
                return True
        return False

    def resume(self, number: int) -> None:
        for desk in self.desks:
            if desk.number == number and desk.phase == "paused":
                self.svc.counters.resume(desk.actor, desk.counter_id)
                desk.phase = "idle"


def keep_demo_day_open(services: HallServices) -> date:
    """The live demo runs at any hour: make today's hours the whole day.

    Recorded like an administrator's "extend today's hours" (by the demo hall's admin), so
    the kiosk issues at night and the day closes itself at 00:30 the next day. Returns the
    business day. A day already closed (e.g. by the duty manager) stays closed.
    """
    from hall_app.domain.hours import day_end, day_start

    ctx = services.ctx
    tz = ctx.hall.tz
    day = ctx.business_day()
    status = services.days.status(day)
    whole = (day_start(day, tz), day_end(day, tz))
    if status.closed or (status.hours is not None
                         and (status.hours.opens, status.hours.closes) == whole):
        return day
    with ctx.read() as s:
        admin = s.scalars(select(Staff).where(Staff.hall_id == ctx.hall.id,
                                              Staff.role == "admin",
                                              Staff.active.is_(True))).first()
    if admin is None:
        raise HallError("演示营业厅缺少管理员,无法全天营业。")
    pin = demo_pins().get(admin.staff_no)
    if pin is None:
        raise HallError(f"演示营业厅缺少管理员 {admin.staff_no} 的密码,无法全天营业。")
    actor = services.auth.login(admin.staff_no, pin, workstation="demo-admin")
    try:
        services.days.extend_hours(actor, whole[1], opens_at=whole[0], day=day)
    finally:
        services.auth.logout(actor)
    return day


def opening_hours_for(services: HallServices, day: date) -> tuple[time, time]:
    from db.models import Hall

    with services.ctx.read() as s:
        hall = s.get(Hall, services.ctx.hall.id)
        assert hall is not None
        for row in hall.opening_hours:
            if row.weekday == day.weekday() and row.opens and row.closes:
                return row.opens, row.closes
    return time(9, 0), time(17, 0)


@dataclass(frozen=True)
class DayResult:
    day: date
    issued: int
    abandoned: int


def simulate_day(services: HallServices, day: date, seed: int = 1,
                 params: SimParams | None = None) -> DayResult:
    """Run a whole business day on `services` (whose clock must be a ManualClock)."""
    clock = services.ctx.clock
    if not isinstance(clock, ManualClock):
        raise TypeError("simulate_day needs services built with a ManualClock")
    tz = services.ctx.hall.tz
    opens, closes = opening_hours_for(services, day)
    start = datetime.combine(day, opens, tzinfo=tz)
    end = datetime.combine(day, closes, tzinfo=tz)
    clock.set(start)
    sim = HallSimulator(services, seed, params)
    sim.open_counters()
    minute = 0
    total = int((end - start).total_seconds() // 60)
    outage_start, outage_len = int(total * 0.6), 20
    outage_id = None
    lunch = {2: "用餐", 5: "用餐"}
    lunch_start = int((datetime.combine(day, time(12, 0), tzinfo=tz) - start).total_seconds() // 60)
    while minute < total:
        clock.set(start + timedelta(minutes=minute, seconds=sim.rng.randint(0, 20)))
        sim.arrivals()
        clock.advance(seconds=15)
        if minute == outage_start:
            outage_id = services.incidents.declare_outage(sim.manager).id
        if outage_id is not None and minute == outage_start + outage_len:
            services.incidents.clear(sim.manager, outage_id)
            outage_id = None
        if lunch_start <= minute < lunch_start + 45:
            for number, reason in lunch.items():
                sim.pause(number, reason)
        elif minute == lunch_start + 45:
            for number in lunch:
                sim.resume(number)
        clock.advance(seconds=10)
        sim.serve(paused=outage_id is not None)
        clock.advance(seconds=5)
        sim.walkaways()
        minute += 1
    clock.set(end + timedelta(minutes=5))
    # Customers still being served at closing are finished; the rest are abandoned.
    for desk in sim.desks:
        if desk.ticket_id is not None:
            try:
                if desk.phase == "serving":
                    services.tickets.finish(desk.actor, desk.ticket_id, desk.counter_id)
            except HallError:
                pass
    result = services.tickets.close_day(sim.manager, day)
    return DayResult(day, sim.issued, result.abandoned)
