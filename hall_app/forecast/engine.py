"""The forward simulation: the hall from now on, many times over, in the real call order.

Input is a `SimInput` (times in minutes from now, services and counters as small ints);
`simulate(inp, targets, reps, rng)` returns for every target ticket the minute at which
it was called in each replication (`inf` when it was not called before the horizon).

One replication is a discrete-event simulation: each counter, when free, calls the next
ticket by the hall's rule exactly as `hall_app.domain.priority` orders it — priority
class (strict / ratio with this counter's count / aging at the moment of the call), then
the counter's rank for the service, then issue time and id; a ticket transferred to one
counter is only seen by that counter. The counter is then busy for an occupancy drawn
from the service's distribution (call to release: recalls, no-shows and transfers
included) plus the gap before its next call. Customers ahead may walk away (hazard by
time waited); future customers arrive as a Poisson process per service; a served
customer may be transferred and re-enter another queue with their original issue time.
Paused counters resume, outages end, and routine breaks start at times drawn per
replication by the caller. A target that would have walked away still gets the call
time it would have had (a "ghost" that takes no counter time), so every target's wait is
the wait of a customer who stays — the only wait that can be measured.

Pure Python on purpose: each step is a handful of list operations, and a general
simulation framework would add an event object and a generator switch per step (see
docs/decisions.md for the measurement).
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field

INF = math.inf
# Samples in a distribution's tail: beyond the (TAIL_SAMPLES + 1)th longest, a remaining
# time is drawn from an exponential tail (`Sampler.draw_beyond`).
TAIL_SAMPLES = 20

# Ticket record used inside one replication (a list for speed):
# [issued, id, service, vip, target_counter, walk_time, target_index, alive]
_ISSUED, _ID, _SVC, _VIP, _TGT, _WALK, _TIDX, _ALIVE = range(8)


@dataclass
class Sampler:
    """An empirical distribution in minutes (sorted), with a fallback mean."""

    values: list[float]
    mean: float

    def draw(self, rng: random.Random) -> float:
        v = self.values
        if not v:
            return rng.expovariate(1.0 / self.mean) if self.mean > 0 else 0.0
        return v[int(rng.random() * len(v))]

    def draw_beyond(self, elapsed: float, rng: random.Random) -> float:
        """Remaining time of something that has already lasted `elapsed` minutes.

        From the samples longer than `elapsed` while there are more than `TAIL_SAMPLES`
        of them (at most half the samples); past that, in the tail, the few longest
        samples would say it ends almost at once (and nothing past the longest): the
        remaining time is exponential there, with the tail's own mean excess (the mean
        of the longest samples over the one just below them), so a customer at the
        counter longer than nearly everyone on record is given what customers that far
        out took beyond that point, not a minute or two. At least 0.3 × the mean.
        """
        v = self.values
        i = bisect_right(v, elapsed)
        if len(v) - i > self._tail_k():
            return v[i + int(rng.random() * (len(v) - i))] - elapsed
        return rng.expovariate(1.0 / self._tail_mean())

    def mean_beyond(self, elapsed: float) -> float:
        """The expected remaining time of `draw_beyond(elapsed)`."""
        v = self.values
        i = bisect_right(v, elapsed)
        if len(v) - i > self._tail_k():
            return sum(v[i:]) / (len(v) - i) - elapsed
        return self._tail_mean()

    def _tail_k(self) -> int:
        return min(TAIL_SAMPLES, len(self.values) // 2)

    def _tail_mean(self) -> float:
        v, k = self.values, self._tail_k()
        tail = max(0.5, 0.3 * self.mean)
        if k:
            tail = max(tail, sum(v[-k:]) / k - v[-k - 1])
        return tail


@dataclass
class SimCounter:
    index: int
    services: tuple[int, ...]  # service indices in rank order
    calls_since_priority: int = 0
    free_at: float = 0.0  # when it can call next (after its current customer and gap)
    idle: bool = False  # open, nobody at it now: its first call waits only the reaction
    # Windows in which it cannot call (pause, outage, routine break), sorted by start.
    down: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class SimTicket:
    id: int
    service: int
    vip: bool
    issued: float  # minutes from now (negative: issued before now)
    target_counter: int | None = None
    walk_time: float = INF  # when this customer would leave if still waiting


@dataclass
class SimInput:
    n_services: int
    counters: list[SimCounter]
    waiting: list[SimTicket]
    rule: str  # strict | ratio | aging
    ratio: int
    aging_minutes: float
    horizon: float
    occupancy: list[Sampler]  # per service: call -> release, minutes
    gap: Sampler  # release -> next call at the same counter
    reaction: Sampler  # an idle counter: ticket appears -> it is called
    arrivals: list[ArrivalProfile]  # future arrivals per service
    vip_share: list[float]
    # Walk-away: cumulative hazard at waited-minute edges (piecewise linear between).
    walk_edges: list[float] = field(default_factory=list)
    walk_cum: list[float] = field(default_factory=list)
    walk_start: float = INF  # nobody leaves before waiting this long (first hazard > 0)
    # Transfers: per service, probability and destination services with weights.
    transfer_p: list[float] = field(default_factory=list)
    transfer_to: list[tuple[list[int], list[float]]] = field(default_factory=list)
    # Per-service multiplier of occupancy by future minute (e.g. hour of day), optional.
    occupancy_scale: list[list[float]] | None = None  # [service][hour offset]
    scale_origin: float = 0.0  # minutes from the start of the first scale hour to now
    occupancy_noise: float = 1.0  # this replication's common service-speed factor
    arrival_noise: float = 1.0  # this replication's common arrival-rate factor


def walk_wait(inp: SimInput, waited: float, rng: random.Random) -> float:
    """How long (from now) a customer who has waited `waited` minutes stays, drawn."""
    edges, cum = inp.walk_edges, inp.walk_cum
    if not edges or cum[-1] <= 0:
        return INF
    h0 = _cum_at(edges, cum, waited)
    target = h0 + rng.expovariate(1.0)
    if target >= cum[-1]:
        # Beyond the last edge: the last bin's hazard continues.
        last_rate = (cum[-1] - cum[-2]) / (edges[-1] - edges[-2]) if len(edges) > 1 else 0.0
        if last_rate <= 0:
            return INF
        return edges[-1] + (target - cum[-1]) / last_rate - waited
    i = bisect_left(cum, target)
    lo_e, hi_e, lo_c, hi_c = edges[i - 1], edges[i], cum[i - 1], cum[i]
    at = lo_e + (target - lo_c) / (hi_c - lo_c) * (hi_e - lo_e)
    return max(0.0, at - waited)


def _cum_at(edges: list[float], cum: list[float], waited: float) -> float:
    if waited >= edges[-1]:
        last_rate = (cum[-1] - cum[-2]) / (edges[-1] - edges[-2]) if len(edges) > 1 else 0.0
        return cum[-1] + (waited - edges[-1]) * last_rate
    i = bisect_right(edges, waited)
    if i == 0:
        return 0.0
    lo_e, hi_e = edges[i - 1], edges[i]
    return cum[i - 1] + (waited - lo_e) / (hi_e - lo_e) * (cum[i] - cum[i - 1])


class ArrivalProfile:
    """One service's arrival rate over the horizon: piecewise constant, integrated once.

    Arrivals are drawn on demand by inverting the integrated rate: the next one is where
    it has grown by another Exp(1) (divided by the replication's rate factor).
    """

    __slots__ = ("starts", "cum", "rates", "total")

    def __init__(self, segments: list[tuple[float, float, float]]) -> None:
        self.starts: list[float] = []
        self.cum: list[float] = []  # integrated rate at each segment start
        self.rates: list[float] = []
        total = 0.0
        for start, end, rate in segments:
            if rate <= 0 or end <= start:
                continue
            self.starts.append(start)
            self.cum.append(total)
            self.rates.append(rate)
            total += rate * (end - start)
        self.total = total

    def time_at(self, integrated: float) -> float:
        """When the integrated rate reaches `integrated` (INF beyond the horizon)."""
        if integrated >= self.total or not self.rates:
            return INF
        i = bisect_right(self.cum, integrated) - 1
        return self.starts[i] + (integrated - self.cum[i]) / self.rates[i]


def simulate(scenario: Callable[[random.Random], SimInput], targets: dict[int, int],
             reps: int, rng: random.Random) -> list[list[float]]:
    """Call times (minutes from now) per target, one list of `reps` values each.

    `scenario(rng)` gives one replication's input (what is uncertain beyond the
    simulation itself — when a pause or an outage ends, today's arrival rate — is drawn
    there); `targets` maps ticket id -> its index in the returned list.
    """
    out: list[list[float]] = [[] for _ in targets]
    for _ in range(reps):
        calls = _replicate(scenario(rng), targets, rng)
        for i, value in enumerate(calls):
            out[i].append(value)
    return out


def _replicate(inp: SimInput, targets: dict[int, int], rng: random.Random) -> list[float]:
    n_targets = len(targets)
    calls = [INF] * n_targets
    remaining = n_targets
    horizon = inp.horizon
    n_svc = inp.n_services
    # queues[service][0] = VIP tickets, [1] = normal, each sorted by (issued, id);
    # heads[service][k] = index of the first ticket that may still be waiting.
    queues: list[list[list[list]]] = [[[], []] for _ in range(n_svc)]
    heads = [[0, 0] for _ in range(n_svc)]
    has_walk = bool(inp.walk_edges) and inp.walk_cum[-1] > 0
    # Walk-away times are drawn when first needed (-1: not drawn yet); never without a
    # hazard.
    unknown = -1.0 if has_walk else INF
    for t in inp.waiting:
        tidx = targets.get(t.id, -1)
        queues[t.service][0 if t.vip else 1].append(
            [t.issued, t.id, t.service, t.vip, t.target_counter, unknown, tidx, True])
    # Future arrivals as (time, seq, ticket) in a heap, one pending per service (the next
    # is drawn when it is taken); transfers join the same heap with a service of -1.
    incoming: list[tuple[float, int, list]] = []
    profiles = inp.arrivals
    integrated = [0.0] * n_svc
    per_noise = 1.0 / inp.arrival_noise if inp.arrival_noise > 0 else INF
    seq = 0

    def push_next(svc: int) -> None:
        nonlocal seq
        integrated[svc] += rng.expovariate(1.0) * per_noise
        at = profiles[svc].time_at(integrated[svc])
        if at < horizon:
            share = inp.vip_share[svc]
            vip = share >= 1.0 or (share > 0 and rng.random() < share)
            seq -= 1
            heapq.heappush(incoming, (at, seq, [at, seq, svc, vip, None, unknown, -1, True]))

    for svc in range(n_svc):
        push_next(svc)

    counters = inp.counters
    since = [c.calls_since_priority for c in counters]
    serving: list[list[int]] = [[] for _ in range(n_svc)]
    for c in counters:
        for svc in c.services:
            serving[svc].append(c.index)
    events: list[tuple[float, int, int]] = []  # (time, order, counter index)
    order = 0
    idle: set[int] = set()  # counters with nothing to call, waiting for work
    for c in counters:
        start = c.free_at + inp.reaction.draw(rng) if c.idle else c.free_at
        events.append((start, order, c.index))
        order += 1
    heapq.heapify(events)

    rule = inp.rule
    ratio = inp.ratio
    aging = inp.aging_minutes
    occupancy = inp.occupancy
    gap = inp.gap
    reaction = inp.reaction
    scale = inp.occupancy_scale
    transfer_p = inp.transfer_p
    noise = inp.occupancy_noise
    walk_start = inp.walk_start

    while remaining:
        next_call = events[0][0] if events else INF
        if incoming and incoming[0][0] <= next_call:
            # A customer arrives (or is transferred) before the next call: join the queue
            # and wake the idle counters that serve it.
            at, kind, ticket = heapq.heappop(incoming)
            if at > horizon:
                break
            svc = ticket[_SVC]
            if kind < 0:
                push_next(svc)  # a new arrival (not a transfer): draw the next one
            k = 0 if ticket[_VIP] else 1
            lst = queues[svc][k]
            if lst and lst[-1][_ISSUED] > ticket[_ISSUED]:
                insort(lst, ticket, lo=heads[svc][k], key=lambda r: (r[_ISSUED], r[_ID]))
            else:
                lst.append(ticket)
            if idle:
                for other in serving[svc]:
                    if other in idle:
                        idle.discard(other)
                        heapq.heappush(events, (at + reaction.draw(rng), order, other))
                        order += 1
            continue
        if not events:
            break
        now, _, ci = heapq.heappop(events)
        if now > horizon:
            break
        counter = counters[ci]
        blocked_until = _blocked(counter.down, now)
        if blocked_until is not None:
            heapq.heappush(events, (blocked_until, order, ci))
            order += 1
            continue
        picked = _pick(queues, heads, counter, ci, now, rule, ratio, aging, since[ci],
                       inp, rng)
        if picked is None:
            idle.add(ci)
            continue
        picked[_ALIVE] = False
        since[ci] = 0 if picked[_VIP] else since[ci] + 1
        tidx = picked[_TIDX]
        if tidx >= 0 and calls[tidx] == INF:
            calls[tidx] = now
            remaining -= 1
        if now - picked[_ISSUED] >= walk_start and _walk(picked, inp, rng) <= now:
            # A ghost (a target who would have left): it takes no counter time.
            heapq.heappush(events, (now, order, ci))
            order += 1
            continue
        svc = picked[_SVC]
        occ = occupancy[svc].draw(rng) * noise
        if scale is not None:
            hour = int((now + inp.scale_origin) // 60)
            row = scale[svc]
            occ *= row[hour] if hour < len(row) else row[-1]
        release = now + occ
        if transfer_p and transfer_p[svc] > 0 and rng.random() < transfer_p[svc]:
            dests, weights = inp.transfer_to[svc]
            if dests:
                to = rng.choices(dests, weights)[0]
                heapq.heappush(incoming, (release, 0, [
                    picked[_ISSUED], picked[_ID] + 0.5, to, picked[_VIP], None,
                    picked[_WALK], -1, True]))
        heapq.heappush(events, (release + gap.draw(rng), order, ci))
        order += 1
    return calls


def _blocked(down: list[tuple[float, float]], now: float) -> float | None:
    for start, end in down:
        if start <= now < end:
            return end
        if start > now:
            break
    return None


def _walk(r: list, inp: SimInput, rng: random.Random) -> float:
    """The ticket's walk-away time, drawn on first use."""
    w = r[_WALK]
    if w < 0:
        issued = r[_ISSUED]
        if issued < 0:
            w = walk_wait(inp, -issued, rng)
        else:
            w = issued + walk_wait(inp, 0.0, rng)
        r[_WALK] = w
    return w  # type: ignore[no-any-return]


def _gone(r: list, now: float, inp: SimInput, rng: random.Random) -> bool:
    """Called already, or walked away by `now` (targets never: they stay as ghosts)."""
    if not r[_ALIVE]:
        return True
    if r[_TIDX] >= 0 or now - r[_ISSUED] < inp.walk_start:
        return False
    return _walk(r, inp, rng) <= now


def _head(lst: list[list], heads: list[int], k: int, counter: int, now: float,
          inp: SimInput, rng: random.Random) -> list | None:
    """The first ticket of `lst` still waiting and visible to `counter` at `now`."""
    i = heads[k]
    n = len(lst)
    while i < n and _gone(lst[i], now, inp, rng):
        i += 1
    heads[k] = i
    j = i
    while j < n:
        r = lst[j]
        if r[_ISSUED] <= now and not _gone(r, now, inp, rng):
            tgt = r[_TGT]
            if tgt is None or tgt == counter:
                return r
        elif r[_ISSUED] > now:
            return None
        j += 1
    return None


def _pick(queues: list[list[list[list]]], heads: list[list[int]], counter: SimCounter,
          ci: int, now: float, rule: str, ratio: int, aging: float,
          since: int, inp: SimInput, rng: random.Random) -> list | None:
    """The ticket `counter` calls at `now`: the order of hall_app.domain.priority."""
    services = counter.services
    if rule == "aging":
        cutoff = now - aging
        # Class 0: VIP tickets and normal ones issued at or before the cutoff.
        for svc in services:
            vip = _head(queues[svc][0], heads[svc], 0, ci, now, inp, rng)
            normal = _head(queues[svc][1], heads[svc], 1, ci, now, inp, rng)
            aged = normal if normal is not None and normal[_ISSUED] <= cutoff else None
            if vip is not None and aged is not None:
                return vip if (vip[_ISSUED], vip[_ID]) <= (aged[_ISSUED], aged[_ID]) else aged
            if vip is not None:
                return vip
            if aged is not None:
                return aged
        for svc in services:
            normal = _head(queues[svc][1], heads[svc], 1, ci, now, inp, rng)
            if normal is not None:
                return normal
        return None
    if rule == "ratio":
        first = 0 if since >= ratio else 1
    else:
        first = 0
    for k in (first, 1 - first):
        for svc in services:
            r = _head(queues[svc][k], heads[svc], k, ci, now, inp, rng)
            if r is not None:
                return r
    return None
