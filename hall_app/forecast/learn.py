"""What the hall's history says about the future: distributions and rates the simulation draws from.

`HistoryPool.from_days(setup, days)` digests earlier days once (per business day);
`learn(pool, today, cut)` adds what today has shown up to the instant `cut` — and only
that, so the backtest sees exactly what the kiosk would have seen.

Learned per service: the occupancy of a counter per customer (call to release, so
recalls, no-shows and transfers are in it) with an hour-of-day factor and today's factor
(a service running slow today), the serving time (start to release, for the customer at
the counter now), arrival rates per hour, the VIP share, transfer probability and
destinations. Hall-wide: the gap between a release and the next call, an idle counter's
reaction time, the walk-away hazard by time waited, pause and outage durations, and each
counter's breaks on earlier days (routines such as lunch). With little data the service
time falls back on the configuration's typical minutes (a prior worth 10 customers).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from hall_app.forecast.engine import Sampler
from hall_app.forecast.records import DayLog, HallSetup, TicketRecord

PRIOR_WEIGHT = 10  # pseudo-customers behind the configured typical service time
HOUR_SHRINK = 10  # customers behind the all-day mean in an hour's factor
TODAY_SHRINK = 6  # customers behind the historical mean in today's factor
GAP_LIMIT_MIN = 3.0  # a longer release -> next call gap is idleness, not turnaround
WALK_BIN_MIN = 5.0
WALK_MAX_MIN = 120.0
ARRIVAL_WINDOW_MIN = 60.0
ARRIVAL_SHRINK = 8.0  # arrivals behind the historical rate in today's multiplier
VIP_SHRINK = 5.0  # tickets behind history's VIP share in today's (20 lagged a VIP-heavy day)
DEFAULT_PAUSE_MIN = 15.0
DEFAULT_OUTAGE_MIN = 20.0
OPEN_MINUTES_FLOOR = 10.0  # an hour's summed open minutes behind an arrival rate, at least


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60.0


@dataclass
class ServiceHistory:
    occupancy: list[float] = field(default_factory=list)  # call -> release
    occupancy_hour: dict[int, list[float]] = field(default_factory=dict)
    serving: list[float] = field(default_factory=list)  # start -> release
    arrivals_by_hour: dict[int, int] = field(default_factory=dict)
    issued: int = 0
    vip_issued: int = 0
    released: int = 0
    transferred_to: dict[int, int] = field(default_factory=dict)
    # Minutes the customers still at a counter at the cut have been there (call -> cut):
    # time at risk without a release yet, for today's service speed.
    in_progress: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Break:
    start_min: float  # minutes after local midnight
    minutes: float
    reason: str


@dataclass
class HistoryPool:
    """Earlier days, digested once."""

    services: dict[int, ServiceHistory]
    gaps: list[float]
    reactions: list[float]
    walk_exposure: list[float]  # minutes waited in each walk bin
    walk_events: list[int]
    pauses: dict[str, list[float]]
    outages: list[float]
    routines: list[dict[int, list[Break]]]  # per earlier day: counter id -> breaks
    n_days: int
    days: tuple[date, ...] = ()
    # Minutes the hall was open in each local hour, summed over the days: the exposure
    # behind the arrival counts (a weekend closing at 17:00 adds nothing to hour 17).
    open_minutes: dict[int, float] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> HistoryPool:
        n = int(WALK_MAX_MIN // WALK_BIN_MIN)
        return cls({}, [], [], [0.0] * n, [0] * n, {}, [], [], 0)

    @classmethod
    def from_days(cls, setup: HallSetup, days: list[DayLog]) -> HistoryPool:
        pool = cls.empty()
        for log in days:
            if not log.tickets:
                continue
            end = max((t.ended_at or t.issued_at) for t in log.tickets) + timedelta(days=1)
            _digest(pool, setup, log, end, with_arrivals=True)
            pool.routines.append(_routines(setup, log))
            _add_open_minutes(pool.open_minutes, setup, log)
            pool.n_days += 1
            pool.days = (*pool.days, log.day)
        return pool


def _add_open_minutes(acc: dict[int, float], setup: HallSetup, log: DayLog) -> None:
    """Add the day's open minutes per local hour to `acc`: opening hours, stretched to
    the first and last issue (extended hours)."""
    issued = [t.issued_at for t in log.tickets if t.hop == 0]
    if not issued:
        return
    opens, closes = setup.opens_at(log.day), setup.closes_at(log.day)
    start = min(issued) if opens is None else min(opens, min(issued))
    end = max(issued) if closes is None else max(closes, max(issued))
    at = start.astimezone(setup.tz)
    end = end.astimezone(setup.tz)
    while at < end:
        nxt = min(end, at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        acc[at.hour] = acc.get(at.hour, 0.0) + _minutes(nxt, at)
        at = nxt


def _svc(pool: HistoryPool, sid: int) -> ServiceHistory:
    sh = pool.services.get(sid)
    if sh is None:
        sh = pool.services[sid] = ServiceHistory()
    return sh


def _digest(pool: HistoryPool, setup: HallSetup, log: DayLog, cut: datetime,
            with_arrivals: bool) -> None:
    """Add the facts of `log` known at `cut` to `pool`."""
    tz = setup.tz
    by_origin: dict[tuple[int, int], TicketRecord] = {}
    for t in log.tickets:
        by_origin[(t.origin_id or t.id, t.hop)] = t
    calls_by_counter: dict[int, list[TicketRecord]] = defaultdict(list)
    for t in log.tickets:
        if t.created_at > cut:
            continue
        sh = _svc(pool, t.service_id)
        if t.hop == 0 and with_arrivals:
            sh.issued += 1
            sh.vip_issued += t.vip
            hour = t.issued_at.astimezone(tz).hour
            sh.arrivals_by_hour[hour] = sh.arrivals_by_hour.get(hour, 0) + 1
        if t.first_called_at is not None and t.first_called_at <= cut and t.counter_id:
            calls_by_counter[t.counter_id].append(t)
            if t.ended_at is None or t.ended_at > cut:
                sh.in_progress.append(_minutes(cut, t.first_called_at))
        if t.released and t.ended_at is not None and t.ended_at <= cut:
            assert t.first_called_at is not None
            occ = max(0.05, _minutes(t.ended_at, t.first_called_at))
            sh.occupancy.append(occ)
            sh.occupancy_hour.setdefault(t.first_called_at.astimezone(tz).hour, []).append(occ)
            sh.released += 1
            if t.started_at is not None:
                sh.serving.append(max(0.05, _minutes(t.ended_at, t.started_at)))
            if t.state == "transferred":
                nxt = by_origin.get((t.origin_id or t.id, t.hop + 1))
                if nxt is not None:
                    sh.transferred_to[nxt.service_id] = sh.transferred_to.get(nxt.service_id, 0) + 1
        if t.hop == 0:
            _walk_exposure(pool, t, cut)
    for rows in calls_by_counter.values():
        rows.sort(key=lambda r: r.first_called_at)  # type: ignore[arg-type, return-value]
        for prev, cur in zip(rows, rows[1:], strict=False):
            if prev.ended_at is None or prev.ended_at > cut:
                continue
            assert cur.first_called_at is not None
            gap = _minutes(cur.first_called_at, prev.ended_at)
            if cur.created_at <= prev.ended_at:
                # Someone was waiting when the counter got free: turnaround.
                if 0 <= gap <= GAP_LIMIT_MIN:
                    pool.gaps.append(gap)
            else:
                # The counter was idle when this ticket appeared: reaction time.
                react = _minutes(cur.first_called_at, cur.created_at)
                if 0 <= react <= GAP_LIMIT_MIN:
                    pool.reactions.append(react)
    for p in log.pauses:
        if p.ended_at is not None and p.ended_at <= cut:
            pool.pauses.setdefault(p.reason or "", []).append(_minutes(p.ended_at, p.started_at))
    for o in log.outages:
        if o.ended_at is not None and o.ended_at <= cut:
            pool.outages.append(_minutes(o.ended_at, o.started_at))


def _walk_exposure(pool: HistoryPool, t: TicketRecord, cut: datetime) -> None:
    end = t.first_called_at or t.ended_at
    left = t.state == "walked_away" and t.ended_at is not None and t.ended_at <= cut
    if end is None or end > cut:
        end = cut
        left = False
    waited = max(0.0, _minutes(end, t.created_at))
    n = len(pool.walk_exposure)
    i = 0
    while waited > 0 and i < n:
        span = min(WALK_BIN_MIN, waited)
        pool.walk_exposure[i] += span
        waited -= span
        i += 1
    if left:
        pool.walk_events[min(i - 1, n - 1) if i else 0] += 1


HALL_WIDE = 0  # routine key of the hall-wide outages of a day (no counter has id 0)


def _routines(setup: HallSetup, log: DayLog) -> dict[int, list[Break]]:
    """Each counter's breaks on that day: pauses, sign-out gaps inside opening hours and
    outages naming it; hall-wide outages under `HALL_WIDE`."""
    tz = setup.tz
    out: dict[int, list[Break]] = defaultdict(list)
    midnight = datetime.combine(log.day, datetime.min.time(), tzinfo=tz)

    def tod(at: datetime) -> float:
        return _minutes(at.astimezone(tz), midnight)

    for p in log.pauses:
        if p.ended_at is not None:
            out[p.counter_id].append(Break(tod(p.started_at), _minutes(p.ended_at, p.started_at),
                                           p.reason or ""))
    for o in log.outages:
        if o.ended_at is not None:
            for cid in o.counter_ids or (HALL_WIDE,):
                out[cid].append(Break(tod(o.started_at), _minutes(o.ended_at, o.started_at),
                                      "outage"))
    closes = setup.closes_at(log.day)
    by_counter: dict[int, list] = defaultdict(list)
    for s in log.sessions:
        by_counter[s.counter_id].append(s)
    for cid, sessions in by_counter.items():
        sessions.sort(key=lambda s: s.started_at)
        for cur, nxt in zip(sessions, [*sessions[1:], None], strict=True):
            if cur.ended_at is None or closes is None or cur.ended_at >= closes:
                continue
            back = nxt.started_at if nxt is not None else closes
            if back > cur.ended_at:
                out[cid].append(Break(tod(cur.ended_at), _minutes(back, cur.ended_at), "signed_out"))
    return {cid: sorted(items, key=lambda b: b.start_min) for cid, items in out.items()}


@dataclass(frozen=True)
class Learned:
    """Everything the simulation needs from history, as of `cut`."""

    cut: datetime
    occupancy: dict[int, list[float]]  # sorted samples, minutes (prior included)
    occupancy_mean: dict[int, float]
    hour_factor: dict[int, dict[int, float]]
    today_factor: dict[int, float]
    today_samples: dict[int, int]
    history_samples: dict[int, int]
    serving: dict[int, list[float]]
    gaps: list[float]
    reactions: list[float]
    arrival_rate: dict[int, dict[int, float]]  # service -> local hour -> per minute
    arrival_multiplier: float
    vip_share: dict[int, float]
    transfer_p: dict[int, float]
    transfer_to: dict[int, dict[int, int]]
    walk_edges: list[float]
    walk_cum: list[float]
    pauses: dict[str, list[float]]
    outages: list[float]
    routines: list[dict[int, list[Break]]]
    history_days: int


def _prior(mean: float, n: int) -> list[float]:
    """`n` evenly spread quantiles of an exponential distribution with this mean."""
    return [-mean * math.log(1 - (i + 0.5) / n) for i in range(n)]


def learn(setup: HallSetup, pool: HistoryPool, today: DayLog | None, cut: datetime) -> Learned:
    hist = pool
    now_pool = HistoryPool.empty()
    if today is not None:
        _digest(now_pool, setup, today, cut, with_arrivals=True)
    all_gaps = sorted(hist.gaps + now_pool.gaps)
    all_reactions = sorted(hist.reactions + now_pool.reactions)
    # The walk from the call to the counter, for the prior: the hall's median call->start.
    occupancy: dict[int, list[float]] = {}
    means: dict[int, float] = {}
    hour_factor: dict[int, dict[int, float]] = {}
    today_factor: dict[int, float] = {}
    today_n: dict[int, int] = {}
    hist_n: dict[int, int] = {}
    serving: dict[int, list[float]] = {}
    arrival_rate: dict[int, dict[int, float]] = {}
    vip_share: dict[int, float] = {}
    transfer_p: dict[int, float] = {}
    transfer_to: dict[int, dict[int, int]] = {}
    gap_mean = sum(all_gaps) / len(all_gaps) if all_gaps else 0.5
    for svc in setup.services:
        hs = hist.services.get(svc.id, ServiceHistory())
        ts = now_pool.services.get(svc.id, ServiceHistory())
        samples = hs.occupancy + ts.occupancy
        prior_mean = svc.typical_service_minutes + gap_mean
        if len(samples) < 2 * PRIOR_WEIGHT:
            samples = samples + _prior(prior_mean, PRIOR_WEIGHT)
        samples.sort()
        occupancy[svc.id] = samples
        mean = sum(samples) / len(samples)
        means[svc.id] = mean
        # Hour of day: shrink each hour's mean towards the all-day mean.
        factors: dict[int, float] = {}
        by_hour: dict[int, list[float]] = defaultdict(list)
        for src in (hs.occupancy_hour, ts.occupancy_hour):
            for hour, vals in src.items():
                by_hour[hour].extend(vals)
        for hour, vals in by_hour.items():
            factors[hour] = (sum(vals) + HOUR_SHRINK * mean) / (len(vals) + HOUR_SHRINK) / mean
        hour_factor[svc.id] = factors
        # Today: a service running slower or faster than its history (weighing
        # TODAY_SHRINK customers). A customer still at a counter counts too, with the
        # occupancy expected of one who has been there that long (what the samples longer
        # than that took; far out, the exponential tail of `Sampler`): an ordinary one
        # adds about the usual time, one there far longer than usual shows at once
        # instead of only once released.
        hist_mean = (sum(hs.occupancy) / len(hs.occupancy)) if hs.occupancy else None
        if hist_mean and (ts.occupancy or ts.in_progress):
            sampler = Sampler(samples, mean)
            held = [e + sampler.mean_beyond(e) for e in ts.in_progress]
            today_mean = (sum(ts.occupancy) + sum(held) + TODAY_SHRINK * hist_mean) / (
                len(ts.occupancy) + len(held) + TODAY_SHRINK)
            today_factor[svc.id] = today_mean / hist_mean
        else:
            today_factor[svc.id] = 1.0
        today_n[svc.id] = len(ts.occupancy)
        hist_n[svc.id] = len(hs.occupancy)
        serving[svc.id] = sorted(hs.serving + ts.serving) or _prior(svc.typical_service_minutes, 10)
        # VIP share: today's tickets, shrunk towards history's share (worth 20 tickets).
        hist_share = hs.vip_issued / hs.issued if hs.issued else 0.0
        vip_share[svc.id] = 1.0 if svc.is_vip else (
            (ts.vip_issued + VIP_SHRINK * hist_share) / (ts.issued + VIP_SHRINK)
            if (ts.issued or hs.issued) else 0.0)
        released = hs.released + ts.released
        dests: dict[int, int] = defaultdict(int)
        for moved_to in (hs.transferred_to, ts.transferred_to):
            for k, v in moved_to.items():
                dests[k] += v
        moved = sum(dests.values())
        transfer_p[svc.id] = moved / (released + 5) if released else 0.0
        transfer_to[svc.id] = dict(dests)
        if hist.n_days:
            # Per minute the hall was open in that hour (not per clock minute: an hour
            # open on some days only, or half an hour, is not diluted); at least 10
            # minutes, so a ticket issued just past closing does not make a rate.
            open_min = hist.open_minutes
            arrival_rate[svc.id] = {
                hour: n / max(open_min.get(hour, hist.n_days * 60.0), OPEN_MINUTES_FLOOR)
                for hour, n in hs.arrivals_by_hour.items()}
        else:
            arrival_rate[svc.id] = {}
    multiplier = 1.0
    if today is not None:
        multiplier, today_rates = _today_arrivals(setup, hist, today, cut, arrival_rate)
        if not hist.n_days:
            for sid, rate in today_rates.items():
                arrival_rate[sid] = dict.fromkeys(range(24), rate)
            multiplier = 1.0
    exposure = [a + b for a, b in zip(hist.walk_exposure, now_pool.walk_exposure, strict=True)]
    left = [a + b for a, b in zip(hist.walk_events, now_pool.walk_events, strict=True)]
    edges, cum = [0.0], [0.0]
    for i, (exp_min, ev) in enumerate(zip(exposure, left, strict=True)):
        rate = ev / exp_min if exp_min > 0 else 0.0
        edges.append((i + 1) * WALK_BIN_MIN)
        cum.append(cum[-1] + rate * WALK_BIN_MIN)
    pauses: dict[str, list[float]] = defaultdict(list)
    for pause_src in (hist.pauses, now_pool.pauses):
        for reason, vals in pause_src.items():
            pauses[reason].extend(vals)
    return Learned(
        cut=cut, occupancy=occupancy, occupancy_mean=means, hour_factor=hour_factor,
        today_factor=today_factor, today_samples=today_n, history_samples=hist_n,
        serving=serving, gaps=all_gaps, reactions=all_reactions, arrival_rate=arrival_rate,
        arrival_multiplier=multiplier, vip_share=vip_share, transfer_p=transfer_p,
        transfer_to=transfer_to, walk_edges=edges, walk_cum=cum,
        pauses={k: sorted(v) for k, v in pauses.items()},
        outages=sorted(hist.outages + now_pool.outages), routines=hist.routines,
        history_days=hist.n_days)


def _today_arrivals(setup: HallSetup, hist: HistoryPool, today: DayLog, cut: datetime,
                    rates: dict[int, dict[int, float]]) -> tuple[float, dict[int, float]]:
    """Today's arrivals in the last hour against history's rate: a multiplier; and
    today's own per-service rates (used when there is no history)."""
    tz = setup.tz
    opens = setup.opens_at(today.day)
    first = min((t.issued_at for t in today.tickets if t.hop == 0), default=None)
    start = opens if opens is not None else first
    if first is not None and start is not None:
        start = min(start, first)
    if start is None or cut <= start:
        return 1.0, {}
    window_start = max(start, cut - timedelta(minutes=ARRIVAL_WINDOW_MIN))
    span = max(_minutes(cut, window_start), 1.0)
    counts: dict[int, int] = defaultdict(int)
    for t in today.tickets:
        if t.hop == 0 and window_start <= t.issued_at <= cut:
            counts[t.service_id] += 1
    observed = sum(counts.values())
    expected = 0.0
    if hist.n_days:
        step = window_start
        while step < cut:
            nxt = min(cut, step + timedelta(minutes=5))
            hour = step.astimezone(tz).hour
            for per_hour in rates.values():
                expected += per_hour.get(hour, 0.0) * _minutes(nxt, step)
            step = nxt
    multiplier = (observed + ARRIVAL_SHRINK) / (expected + ARRIVAL_SHRINK)
    span = max(span, 20.0)
    own = {sid: n / span for sid, n in counts.items()}
    return multiplier, own


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return math.nan
    i = min(len(sorted_values) - 1, max(0, int(math.ceil(q * len(sorted_values))) - 1))
    return sorted_values[i]


def breaks_after(routine: dict[int, list[Break]], counter_id: int, start_min: float,
                 end_min: float) -> list[Break]:
    """The counter's routine breaks that begin in (start_min, end_min] (minutes of day)."""
    items = routine.get(counter_id, [])
    starts = [b.start_min for b in items]
    i = bisect_left(starts, start_min)
    return [b for b in items[i:] if b.start_min <= end_min and b.start_min > start_min]


def fixed_learned(cut: datetime, occupancy: dict[int, float], *, gap: float = 0.0,
                  reaction: float = 0.0, pauses: dict[str, float] | None = None,
                  outage_minutes: float | None = None) -> Learned:
    """Deterministic 'history' (every customer of a service takes the same time, no
    arrivals, nobody walks away): hand-checkable cases and examples."""
    return Learned(
        cut=cut, occupancy={k: [v] for k, v in occupancy.items()},
        occupancy_mean=dict(occupancy), hour_factor={}, today_factor={},
        today_samples={}, history_samples={k: 100 for k in occupancy},
        serving={k: [v] for k, v in occupancy.items()}, gaps=[gap], reactions=[reaction],
        arrival_rate={}, arrival_multiplier=1.0, vip_share={}, transfer_p={},
        transfer_to={}, walk_edges=[], walk_cum=[],
        pauses={k: [v] for k, v in (pauses or {}).items()},
        outages=[outage_minutes] if outage_minutes is not None else [], routines=[],
        history_days=1)
