"""Simulated days of several shapes for the wait-estimate benchmark.

`run_shaped_day(services, day, seed, shape)` drives the demo hall's simulator
(`hall_app.demo.simulate.HallSimulator`, through the real services) for one business
day, like `simulate_day` — the same minute loop, lunch pauses of counters 2 and 5 at
12:00 for 45 minutes, a 20-minute outage at 60 % of the day — with the shape's changes:
an arrival factor by hour (a morning rush), a counter signing out for good at a given
time, a different outage, VIP-priority tickets for ordinary services and the ratio rule,
or one service taking longer. The ordinary shape is `simulate_day` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hall_app.clock import ManualClock
from hall_app.demo.simulate import HallSimulator, SimParams, opening_hours_for, simulate_day
from hall_app.domain.priority import PriorityRule, RuleConfig
from hall_app.errors import HallError
from hall_app.services import HallServices


def _flat(_hour: float) -> float:
    return 1.0


def _morning_rush(hour: float) -> float:
    return 2.0 if 9.0 <= hour < 11.0 else 1.0


@dataclass(frozen=True)
class Shape:
    name: str
    title: str
    arrival_factor: Callable[[float], float] = _flat
    close_counter: tuple[int, time] | None = None  # counter number, local time
    outage: tuple[time, int] | None = None  # local start, minutes (None: the demo's)
    vip_share: float = 0.0  # share of ordinary-service tickets issued as VIP
    rule: RuleConfig | None = None  # set by the admin before the day opens
    service_factor: dict[str, float] = field(default_factory=dict)
    ordinary: bool = False  # True: `simulate_day` unchanged


SHAPES = (
    Shape("ordinary", "demo hall, ordinary day", ordinary=True),
    Shape("rush", "morning rush (arrivals x2, 09:00-11:00)", arrival_factor=_morning_rush),
    Shape("close11", "counter 3 closes at 11:00", close_counter=(3, time(11, 0))),
    Shape("outage", "hall-wide outage 10:30 for 45 min", outage=(time(10, 30), 45)),
    Shape("vip_ratio", "25 % VIP tickets, ratio rule 3:1", vip_share=0.25,
          rule=RuleConfig(PriorityRule.RATIO, 3, 30)),
    Shape("long_open", "开户入网 takes twice as long", service_factor={"OPEN": 2.0}),
)


class ShapedSimulator(HallSimulator):
    """The demo simulator with an arrival factor and VIP-priority tickets."""

    def __init__(self, services: HallServices, seed: int, shape: Shape) -> None:
        super().__init__(services, seed, SimParams())
        self.shape = shape
        codes = self._codes()
        for code, factor in shape.service_factor.items():
            sid = codes.get(code)
            if sid is not None:
                self.service_minutes[sid] = self.service_minutes[sid] * factor

    def _codes(self) -> dict[str, int]:
        from sqlalchemy import select

        from db.models import ServiceType

        with self.svc.ctx.read() as s:
            return {r.code: r.id for r in s.scalars(select(ServiceType).where(
                ServiceType.hall_id == self.svc.ctx.hall.id))}

    def arrivals(self, minutes: float = 1.0) -> int:
        from hall_app.demo.simulate import arrival_rate

        ctx = self.svc.ctx
        local = ctx.now().astimezone(ctx.hall.tz)
        hour = local.hour + local.minute / 60
        rate = arrival_rate(hour, self.params.arrivals_per_hour, self.params.daily_curve)
        count = self._poisson(rate * minutes * self.shape.arrival_factor(hour))
        for _ in range(count):
            service_id = self.rng.choices(self.service_ids, self.weights)[0]
            vip = (not self.service_vip[service_id] and self.shape.vip_share > 0
                   and self.rng.random() < self.shape.vip_share)
            self.svc.tickets.issue(service_id, priority="vip" if vip else "normal")
            self.issued += 1
        return count

    def close_for_good(self, number: int) -> bool:
        """Sign the counter out once it is free; it does not come back today."""
        for desk in self.desks:
            if desk.number == number and desk.phase == "idle":
                self.svc.counters.sign_out(desk.actor, desk.counter_id)
                desk.phase = "paused"  # never resumed
                return True
        return False


def run_shaped_day(services: HallServices, day: date, seed: int, shape: Shape) -> int:
    """Simulate `day` in `shape`; returns the number of tickets issued."""
    if shape.ordinary:
        return simulate_day(services, day, seed=seed).issued
    clock = services.ctx.clock
    if not isinstance(clock, ManualClock):
        raise TypeError("needs a ManualClock")
    tz = services.ctx.hall.tz
    opens, closes = opening_hours_for(services, day)
    start = datetime.combine(day, opens, tzinfo=tz)
    end = datetime.combine(day, closes, tzinfo=tz)
    clock.set(start - timedelta(minutes=30))
    if shape.rule is not None:
        admin = services.auth.login("9001", "9999")
        services.admin.set_priority_rule(admin, shape.rule)
    clock.set(start)
    sim = ShapedSimulator(services, seed, shape)
    sim.open_counters()
    total = int((end - start).total_seconds() // 60)

    def minute_of(at: time) -> int:
        return int((datetime.combine(day, at, tzinfo=tz) - start).total_seconds() // 60)

    if shape.outage is None:
        outage_start, outage_len = int(total * 0.6), 20
    else:
        outage_start, outage_len = minute_of(shape.outage[0]), shape.outage[1]
    close_at = minute_of(shape.close_counter[1]) if shape.close_counter else None
    closed = False
    outage_id = None
    lunch = {2: "用餐", 5: "用餐"}
    lunch_start = minute_of(time(12, 0))
    minute = 0
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
                if not (closed and shape.close_counter and number == shape.close_counter[0]):
                    sim.pause(number, reason)
        elif minute == lunch_start + 45:
            for number in lunch:
                if not (shape.close_counter and number == shape.close_counter[0]):
                    sim.resume(number)
        if close_at is not None and minute >= close_at and not closed and shape.close_counter:
            closed = sim.close_for_good(shape.close_counter[0])
        clock.advance(seconds=10)
        sim.serve(paused=outage_id is not None)
        clock.advance(seconds=5)
        sim.walkaways()
        minute += 1
    clock.set(end + timedelta(minutes=5))
    for desk in sim.desks:
        if desk.ticket_id is not None and desk.phase == "serving":
            try:
                services.tickets.finish(desk.actor, desk.ticket_id, desk.counter_id)
            except HallError:
                pass
    services.tickets.close_day(sim.manager, day)
    if shape.rule is not None:
        admin = services.auth.login("9001", "9999")
        clock.set(end + timedelta(minutes=10))
        services.admin.set_priority_rule(admin, RuleConfig())
    return sim.issued
