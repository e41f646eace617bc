"""The wait predictor: the hall's state + what history taught -> an interval per ticket.

`Predictor(config).estimate(state, learned, ticket_ids)` runs the forward simulation
(`hall_app.forecast.engine`) from `state` and turns each target's simulated call times
into a `WaitEstimate`: the point is a quantile of them (the median by default, which is
what minimises the absolute error), the interval the 10th–90th percentiles widened to
whole minutes. A ticket whose service no signed-in counter serves gets the no-counter
state instead of numbers. `explain` adds the few lines of what was assumed.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hall_app.domain.priority import RULE_LABELS, PriorityRule
from hall_app.forecast.engine import (
    ArrivalProfile,
    Sampler,
    SimCounter,
    SimInput,
    SimTicket,
    simulate,
)
from hall_app.forecast.learn import (
    DEFAULT_OUTAGE_MIN,
    DEFAULT_PAUSE_MIN,
    HALL_WIDE,
    Learned,
    breaks_after,
    percentile,
)
from hall_app.forecast.model import Assumption, CounterNow, HallState, WaitEstimate


@dataclass(frozen=True)
class PredictorConfig:
    replications: int = 200
    point_q: float = 0.5
    # The point minimises E|error| + under_penalty × P(customer waits > 5 min longer than
    # the point), under the simulated distribution: a little above the median where the
    # spread is wide, so few customers are told much too little. One penalty for every
    # ticket (not a quantile per ticket, nor a larger one for services with few
    # counters): for calibrated distributions that is the least MAE for a given share
    # told too little, and it measured so (docs/performance.md, issue 18).
    under_penalty: float = 25.0
    # The interval's quantiles: 15 % .. 85 %, because widening to whole minutes (floor,
    # ceil) adds about 5 points of coverage; measured to land near 80 % (performance.md:
    # 14 % .. 86 % covered 80-86 % once the simulated clerks called in a fair order).
    low_q: float = 0.15
    high_q: float = 0.85
    # Scenario spread (lognormal sigma) of today's arrival rate and service speed:
    # uncertainty the history cannot remove, drawn once per replication.
    arrival_sigma: float = 0.15
    service_sigma: float = 0.08
    max_horizon_min: float = 300.0
    # Outage durations on record are few and an outage may be unlike them: an
    # exponential prior (mean: the records' mean, at least DEFAULT_OUTAGE_MIN) worth this
    # many outages is mixed in, so one outlasting every record is not assumed to end at
    # once (0: the records alone).
    outage_prior_weight: float = 2.0
    arrival_decay_min: float = 120.0  # today's arrival multiplier fades to 1 over this
    seed: int = 20261125


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60.0


class Predictor:
    def __init__(self, config: PredictorConfig | None = None) -> None:
        self.config = config or PredictorConfig()
        # The simulated call times behind the last estimates (minutes), for analysis.
        self.last_samples: dict[int, list[float]] = {}

    # -- public -----------------------------------------------------------------------
    def estimate(self, state: HallState, learned: Learned,
                 ticket_ids: Sequence[int] | None = None, *, explain: bool = False
                 ) -> dict[int, WaitEstimate]:
        """Estimates for `ticket_ids` (default: every waiting ticket) at `state.now`."""
        cfg = self.config
        waiting = {w.id: w for w in state.waiting}
        ids = list(ticket_ids) if ticket_ids is not None else list(waiting)
        out: dict[int, WaitEstimate] = {}
        targets: dict[int, int] = {}
        for tid in ids:
            w = waiting.get(tid)
            if w is None:
                continue
            if not self._has_counter(state, w.service_id, w.target_counter_id):
                out[tid] = WaitEstimate(tid, state.now, None, None, None, no_counter=True,
                                        assumptions=(self._no_counter_line(state, w.service_id),)
                                        if explain else ())
            else:
                targets[tid] = len(targets)
        if not targets:
            return out
        compiled = _Compiled(state, learned, cfg)
        seed = cfg.seed ^ (min(targets) * 7919) ^ int(state.now.timestamp())
        rng = random.Random(seed)
        samples = simulate(compiled.scenario, targets, cfg.replications, rng)
        for tid, idx in targets.items():
            values = sorted(samples[idx])
            self.last_samples[tid] = values
            horizon = compiled.horizon
            capped = [min(v, horizon) for v in values]
            point = point_estimate(capped, cfg.point_q, cfg.under_penalty)
            low = percentile(capped, cfg.low_q)
            high = percentile(capped, cfg.high_q)
            low_i = max(0, math.floor(low))
            high_i = max(low_i + 1, math.ceil(high))
            lines = self._explain(state, learned, waiting[tid], compiled) if explain else ()
            out[tid] = WaitEstimate(tid, state.now, point, low_i, high_i, False, lines)
        return out

    # -- no counter -----------------------------------------------------------------
    @staticmethod
    def _has_counter(state: HallState, service_id: int, target_counter: int | None) -> bool:
        for c in state.counters:
            if c.state == "closed" or service_id not in c.service_ids:
                continue
            if target_counter is None or target_counter == c.id:
                return True
        return False

    @staticmethod
    def _no_counter_line(state: HallState, service_id: int) -> Assumption:
        svc = state.service(service_id)
        name = svc.name if svc else str(service_id)
        return Assumption(f"当前没有已登录的窗口办理「{name}」,无法估计等候时间。",
                          f"no signed-in counter serves {svc.code if svc else service_id}: "
                          "no estimate")

    # -- explanation ---------------------------------------------------------------
    def _explain(self, state: HallState, learned: Learned, w, compiled: _Compiled  # type: ignore[no-untyped-def]
                 ) -> tuple[Assumption, ...]:
        svc = state.service(w.service_id)
        name = svc.name if svc else ""
        ahead = [x for x in state.waiting if x.service_id == w.service_id
                 and (x.issued_at, x.id) < (w.issued_at, w.id)]
        vip_other = sum(1 for x in state.waiting if x.vip and x.id != w.id
                        and any(x.service_id in c.service_ids and w.service_id in c.service_ids
                                for c in state.counters if c.state != "closed"))
        rule = state.rule
        label = RULE_LABELS.get(str(rule.rule), str(rule.rule))
        extra = ""
        if rule.rule == PriorityRule.RATIO:
            extra = f"(每{rule.ratio}个普通号穿插1个VIP)"
        elif rule.rule == PriorityRule.AGING:
            extra = f"(普通号等候{rule.aging_minutes}分钟后升级)"
        lines = [Assumption(
            f"按「{label}」{extra}叫号;前方同业务{len(ahead)}人,可插在前面的VIP {vip_other}人。",
            f"rule {rule.rule}; {len(ahead)} ahead in {svc.code if svc else w.service_id}, "
            f"{vip_other} VIP who may go first")]
        open_n, paused, shared = [], [], []
        for c in state.serving_counters(w.service_id):
            if c.state == "paused":
                paused.append(f"{c.number}号({c.pause_reason or '暂停'})")
            else:
                open_n.append(f"{c.number}号")
            rank = c.service_ids.index(w.service_id)
            if rank > 0:
                first = state.service(c.service_ids[0])
                shared.append(f"{c.number}号先办{first.name if first else ''}")
        counters_zh = "、".join(open_n) + "窗口服务中" if open_n else "暂无窗口在服务"
        if paused:
            counters_zh += ",暂停:" + "、".join(paused)
        if shared:
            counters_zh += ";" + ",".join(shared)
        lines.append(Assumption(
            f"办理「{name}」的窗口:{counters_zh}。",
            f"counters: open {len(open_n)}, paused {len(paused)}, "
            f"{len(shared)} serve it after another service"))
        mean = learned.occupancy_mean.get(w.service_id, 0.0) * learned.today_factor.get(
            w.service_id, 1.0)
        n_hist = learned.history_samples.get(w.service_id, 0)
        n_today = learned.today_samples.get(w.service_id, 0)
        if n_hist + n_today < 20 and svc is not None:
            lines.append(Assumption(
                f"记录较少({n_hist + n_today}笔),每位顾客按配置约{svc.typical_service_minutes:g}分钟估算。",
                f"few records ({n_hist + n_today}); prior of {svc.typical_service_minutes:g} "
                "min per customer"))
        else:
            factor = learned.today_factor.get(w.service_id, 1.0)
            today = ""
            if factor >= 1.1:
                today = f",今日偏慢{round((factor - 1) * 100)}%"
            elif factor <= 0.9:
                today = f",今日偏快{round((1 - factor) * 100)}%"
            lines.append(Assumption(
                f"每位顾客占用窗口约{mean:.1f}分钟(近期{n_hist + n_today}笔记录{today})。",
                f"{mean:.1f} min per customer from {n_hist + n_today} records, "
                f"today x{factor:.2f}"))
        for o in state.outages:
            if o.hall_wide or any(c.id in o.counter_ids for c in state.serving_counters(
                    w.service_id)):
                elapsed = _minutes(state.now, o.started_at)
                remain = compiled.outage_remaining_median(elapsed)
                where = "全厅" if o.hall_wide else "部分窗口"
                lines.append(Assumption(
                    f"{where}系统故障中(已{elapsed:.0f}分钟),按以往记录预计再约{remain:.0f}分钟恢复。",
                    f"outage in progress for {elapsed:.0f} min, ~{remain:.0f} min more assumed"))
                break
        m = learned.arrival_multiplier
        if m >= 1.15 or m <= 0.85:
            lines.append(Assumption(
                f"近一小时来客为平日的{m:.1f}倍,已计入之后的来客。",
                f"arrivals in the last hour x{m:.1f} of usual; carried forward"))
        soon = compiled.routine_breaks_soon(w.service_id)
        if soon:
            lines.append(Assumption(
                "按以往规律," + "、".join(soon) + "。",
                f"routine breaks expected: {len(soon)}"))
        return tuple(lines)


class _Compiled:
    """The state and what was learned, turned into engine input; `scenario` per replication."""

    def __init__(self, state: HallState, learned: Learned, cfg: PredictorConfig) -> None:
        self.state, self.learned, self.cfg = state, learned, cfg
        now = state.now
        self.index = {s.id: i for i, s in enumerate(state.services)}
        horizon = cfg.max_horizon_min
        if state.closes_at is not None:
            horizon = min(horizon, max(0.0, _minutes(state.closes_at, now)))
        self.horizon = horizon
        local = now.astimezone(state.tz)
        self.tod = local.hour * 60 + local.minute + local.second / 60.0
        self.counters = [c for c in state.counters if c.state != "closed"]
        self.waiting = [SimTicket(w.id, self.index[w.service_id], w.vip,
                                  -_minutes(now, w.issued_at), w.target_counter_id)
                        for w in state.waiting if w.service_id in self.index]
        self.counter_pos = {c.id: i for i, c in enumerate(self.counters)}
        self.counter_services = [tuple(self.index[s] for s in c.service_ids if s in self.index)
                                 for c in self.counters]
        for t in self.waiting:
            if t.target_counter is not None:
                t.target_counter = self.counter_pos.get(t.target_counter, -1)
        n = len(state.services)
        svc_ids = [s.id for s in state.services]
        self.occupancy = [Sampler(learned.occupancy.get(sid, []),
                                  learned.occupancy_mean.get(sid, 5.0)) for sid in svc_ids]
        self.serving = [Sampler(learned.serving.get(sid, []),
                                learned.occupancy_mean.get(sid, 5.0)) for sid in svc_ids]
        self.gap = Sampler(learned.gaps, 0.5)
        self.reaction = Sampler(learned.reactions, 0.3)
        first_hour = local.hour
        hours = int(horizon // 60) + 2
        self.scale = [[learned.hour_factor.get(sid, {}).get((first_hour + h) % 24, 1.0)
                       * learned.today_factor.get(sid, 1.0) for h in range(hours)]
                      for sid in svc_ids]
        self.scale_origin = local.minute + local.second / 60.0
        self.vip_share = [learned.vip_share.get(sid, 0.0) for sid in svc_ids]
        self.transfer_p = [learned.transfer_p.get(sid, 0.0) for sid in svc_ids]
        self.transfer_to = []
        for sid in svc_ids:
            dests = learned.transfer_to.get(sid, {})
            self.transfer_to.append(([self.index[d] for d in dests if d in self.index],
                                     [float(v) for d, v in dests.items() if d in self.index]))
        # Base arrival segments (15 min) before the scenario's multiplier.
        segments: list[list[tuple[float, float, float]]] = [[] for _ in range(n)]
        step = 15.0
        t0 = 0.0
        m0 = learned.arrival_multiplier
        while t0 < horizon:
            t1 = min(horizon, t0 + step)
            hour = int((self.tod + t0) // 60) % 24
            fade = max(0.0, 1.0 - t0 / cfg.arrival_decay_min)
            mult = 1.0 + (m0 - 1.0) * fade
            for i, sid in enumerate(svc_ids):
                rate = learned.arrival_rate.get(sid, {}).get(hour, 0.0) * mult
                if rate > 0:
                    segments[i].append((t0, t1, rate))
            t0 = t1
        self.arrivals = [ArrivalProfile(segs) for segs in segments]
        self.pause_all = sorted(v for vals in learned.pauses.values() for v in vals)
        edges, cum = learned.walk_edges, learned.walk_cum
        self.walk_start = next((edges[i - 1] for i in range(1, len(cum)) if cum[i] > 0),
                               math.inf)
        # Each earlier day's breaks, as down windows (minutes from now) per counter.
        # Each earlier day's breaks and outages that began later than now's time of day
        # (an outage already in progress is modelled from its own start instead).
        self.routine_windows: list[list[list[tuple[float, float]]]] = []
        end = self.tod + horizon
        for routine in learned.routines:
            hall_wide = [] if state.outages else [
                (b.start_min - self.tod, b.start_min - self.tod + b.minutes)
                for b in breaks_after(routine, HALL_WIDE, self.tod, end)]
            per_counter = []
            for c in self.counters:
                wins = list(hall_wide)
                if c.state == "open":
                    for b in breaks_after(routine, c.id, self.tod, end):
                        if b.reason == "outage" and state.outages:
                            continue
                        start = b.start_min - self.tod
                        wins.append((start, start + b.minutes))
                per_counter.append(wins)
            self.routine_windows.append(per_counter)

    # -- helpers for the explanation --------------------------------------------
    def outage_remaining_median(self, elapsed: float) -> float:
        rng = random.Random(1)
        draws = sorted(self._outage_remaining(elapsed, rng) for _ in range(101))
        return draws[50]

    def routine_breaks_soon(self, service_id: int) -> list[str]:
        routines = self.learned.routines
        if not routines:
            return []
        out = []
        for c in self.counters:
            if c.state != "open" or service_id not in c.service_ids:
                continue
            starts = []
            for routine in routines:
                b = breaks_after(routine, c.id, self.tod, self.tod + 60)
                if b:
                    starts.append(b[0])
            if len(starts) * 2 >= len(routines):
                first = sorted(starts, key=lambda b: b.start_min)[len(starts) // 2]
                hh, mm = divmod(int(first.start_min), 60)
                out.append(f"{c.number}号窗口约{hh:02d}:{mm:02d}起暂停约{first.minutes:.0f}分钟")
        return out

    # -- draws -------------------------------------------------------------------
    def _outage_remaining(self, elapsed: float, rng: random.Random) -> float:
        durations = self.learned.outages
        prior_w = self.cfg.outage_prior_weight
        mean = max(DEFAULT_OUTAGE_MIN, sum(durations) / len(durations)) if durations \
            else DEFAULT_OUTAGE_MIN
        if durations:
            # Given it has lasted `elapsed`: a record still longer, or the prior's tail.
            beyond = len(durations) - bisect_right(durations, elapsed)
            prior = prior_w * math.exp(-elapsed / mean)
            if beyond and rng.random() * (beyond + prior) < beyond:
                return Sampler(durations, mean).draw_beyond(elapsed, rng)
            if not beyond and prior <= 0:
                return Sampler(durations, mean).draw_beyond(elapsed, rng)
        # The prior (or no outage on record): exponential, memoryless.
        return rng.expovariate(1.0 / mean)

    def _pause_remaining(self, c: CounterNow, rng: random.Random) -> float:
        elapsed = _minutes(self.state.now, c.since) if c.since else 0.0
        same = self.learned.pauses.get(c.pause_reason or "", [])
        pool = same if len(same) >= 3 else self.pause_all
        if pool:
            return Sampler(pool, DEFAULT_PAUSE_MIN).draw_beyond(elapsed, rng)
        return rng.expovariate(1.0 / DEFAULT_PAUSE_MIN)

    def scenario(self, rng: random.Random) -> SimInput:
        cfg, state, learned = self.cfg, self.state, self.learned
        now = state.now
        outage_end: dict[int, float] = {}
        for o in state.outages:
            end = self._outage_remaining(_minutes(now, o.started_at), rng)
            for c in self.counters:
                if o.hall_wide or c.id in o.counter_ids:
                    outage_end[c.id] = max(outage_end.get(c.id, 0.0), end)
        routine = (self.routine_windows[int(rng.random() * len(self.routine_windows))]
                   if self.routine_windows else None)
        sims = []
        for i, c in enumerate(self.counters):
            down: list[tuple[float, float]] = []
            free_at, idle = 0.0, False
            if c.held is not None:
                h = c.held
                svc = self.index.get(h.service_id)
                factor = learned.today_factor.get(h.service_id, 1.0)
                if svc is None:
                    residual = 1.0
                elif h.started_at is not None:
                    elapsed = _minutes(now, h.started_at) / factor
                    residual = self.serving[svc].draw_beyond(elapsed, rng) * factor
                else:
                    elapsed = _minutes(now, h.called_at) / factor
                    residual = self.occupancy[svc].draw_beyond(elapsed, rng) * factor
                free_at = residual + self.gap.draw(rng)
            elif c.state == "open":
                idle = True
            if c.state == "paused":
                down.append((0.0, self._pause_remaining(c, rng)))
            if c.id in outage_end:
                down.append((0.0, outage_end[c.id]))
            if routine is not None and routine[i]:
                down.extend(routine[i])
            if len(down) > 1:
                down.sort()
            sims.append(SimCounter(i, self.counter_services[i], c.calls_since_priority, free_at, idle, down))
        a_noise = math.exp(rng.gauss(0.0, cfg.arrival_sigma)) if cfg.arrival_sigma else 1.0
        s_noise = math.exp(rng.gauss(0.0, cfg.service_sigma)) if cfg.service_sigma else 1.0
        return SimInput(
            n_services=len(self.index), counters=sims, waiting=self.waiting,
            rule=str(state.rule.rule), ratio=state.rule.ratio,
            aging_minutes=float(state.rule.aging_minutes), horizon=self.horizon,
            occupancy=self.occupancy, gap=self.gap, reaction=self.reaction,
            arrivals=self.arrivals, vip_share=self.vip_share,
            walk_edges=learned.walk_edges, walk_cum=learned.walk_cum,
            walk_start=self.walk_start,
            transfer_p=self.transfer_p, transfer_to=self.transfer_to,
            occupancy_scale=self.scale, scale_origin=self.scale_origin,
            occupancy_noise=s_noise, arrival_noise=a_noise)


def point_estimate(values: list[float], q: float, under_penalty: float,
                   margin: float = 5.0) -> float:
    """From sorted samples: the `q` quantile, or with a penalty the value p >= it that
    minimises mean|v - p| + under_penalty * share(v > p + margin)."""
    base = percentile(values, q)
    n = len(values)
    if under_penalty <= 0 or n == 0:
        return base
    prefix = [0.0]
    for v in values:
        prefix.append(prefix[-1] + v)
    best, best_cost = base, math.inf
    start = max(0, int(math.ceil(q * n)) - 1)
    for i in range(start, n):
        p = values[i]
        # mean |v - p| with v[:i+1] <= p <= v[i+1:]
        below = p * (i + 1) - prefix[i + 1]
        above = (prefix[n] - prefix[i + 1]) - p * (n - i - 1)
        mae = (below + above) / n
        under = (n - bisect_right(values, p + margin)) / n
        cost = mae + under_penalty * under
        if cost < best_cost - 1e-12:
            best, best_cost = p, cost
        if under == 0.0:
            break
    return best
