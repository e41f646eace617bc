"""Replications of hours of the hall, all at once: a discrete-event simulation in numpy.

A replication is the hall for a warm-up, the hour being planned, and a tail long enough
for the hour's customers to be called: Poisson arrivals per service, gamma service times
(coefficient of variation from history; 1 = exponential), exponential patience (a customer
not called in time walks away), and open counters that call by the hall's rule as
`hall_app.domain.priority` orders it: (priority class, the counter's rank for the service,
issue time). All replications of a batch — every hour of the day, every candidate set of
counters — advance in lock step, one event per replication per step, so a step costs a
few numpy operations however many replications there are (docs/decisions.md says why
this is not SimPy or Ciw).

Configurations of one `Group` share their random arrivals (common random numbers), so
"n counters" and "n − 1 counters" are compared on the same customers. A walked-away
customer is dropped lazily, when a counter looks at the queue's head after the
customer's deadline; that is exact for first-come-first-served queues.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hall_app.domain.priority import PriorityRule, RuleConfig

INF = np.inf


@dataclass(frozen=True)
class ServiceModel:
    """One service in one hour: demand and behaviour."""

    arrivals_per_hour: float
    mean_service_minutes: float
    target_wait_minutes: float
    service_cv: float = 1.0
    patience_minutes: float | None = None  # None: nobody walks away
    vip: bool = False


@dataclass(frozen=True)
class SimResult:
    """What the replications of one configuration showed."""

    hall_level: np.ndarray  # (R,) share of the hour's customers called within target
    service_level: np.ndarray  # (S,) pooled over replications (nan: no customers)
    mean_wait_minutes: float  # of the customers who were called
    walkaway_share: float
    customers: int  # measured customers over all replications

    def met_share(self, target: float) -> float:
        """Share of replications whose hall-wide level reached `target` (0..1)."""
        return float(np.mean(self.hall_level >= target - 1e-12))

    def worst_service(self) -> float:
        levels = self.service_level[~np.isnan(self.service_level)]
        return float(levels.min()) if levels.size else 1.0


@dataclass
class Group:
    """One hour's demand, simulated under several sets of open counters.

    A configuration is a sequence of counter indices into the hall's rank matrix (see
    `simulate`).
    """

    services: tuple[ServiceModel, ...]
    configs: list[tuple[int, ...]]
    minutes: float = 60.0
    reps: int = 200
    seed: int = 0
    warmup: float = 30.0
    results: list[SimResult] = field(default_factory=list)


def _arrivals(rng: np.random.Generator, services: tuple[ServiceModel, ...], reps: int,
              horizon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per replication, every customer sorted by arrival: time, service, service time,
    deadline. Padded with +inf times."""
    times, svc, work, deadline = [], [], [], []
    for s, m in enumerate(services):
        lam = m.arrivals_per_hour / 60.0 * horizon
        counts = rng.poisson(lam, reps) if lam > 0 else np.zeros(reps, dtype=int)
        k = int(counts.max()) if reps else 0
        if k == 0:
            continue
        t = rng.uniform(0.0, horizon, (reps, k))
        t[np.arange(k)[None, :] >= counts[:, None]] = INF
        times.append(t)
        svc.append(np.full((reps, k), s, dtype=np.int64))
        cv = max(m.service_cv, 0.05)
        shape = 1.0 / (cv * cv)
        work.append(rng.gamma(shape, m.mean_service_minutes / shape, (reps, k)))
        patience = INF if m.patience_minutes is None else m.patience_minutes
        deadline.append(t + (rng.exponential(patience, (reps, k)) if patience < INF
                             else INF))
    if not times:
        return (np.full((reps, 0), INF), np.zeros((reps, 0), dtype=np.int64),
                np.zeros((reps, 0)), np.full((reps, 0), INF))
    t_all = np.concatenate(times, axis=1)
    order = np.argsort(t_all, axis=1, kind="stable")
    width = int(np.isfinite(t_all).sum(axis=1).max())
    sort = lambda parts: np.take_along_axis(  # noqa: E731
        np.concatenate(parts, axis=1), order, 1)[:, :width]
    return sort(times), sort(svc), sort(work), sort(deadline)


def _tail(services: tuple[ServiceModel, ...]) -> float:
    targets = [m.target_wait_minutes for m in services if m.arrivals_per_hour > 0]
    return min(60.0, max(targets, default=0.0)) + 1.0


def simulate(groups: list[Group], ranks: np.ndarray, rule: RuleConfig) -> list[Group]:
    """Run every configuration of every group; fills and returns `groups[i].results`.

    `ranks` is the hall's (counters × services) matrix: the counter's rank for the
    service (0 = its first choice), +inf where it does not serve it.
    """
    ranks = np.asarray(ranks, dtype=float)
    S = ranks.shape[1]
    # Each counter's services in its order of preference, padded with -1.
    served = [[int(x) for x in np.argsort(row, kind="stable") if np.isfinite(row[x])]
              for row in ranks]
    K = max([len(x) for x in served] + [1])
    menu = np.full((ranks.shape[0] + 1, K), S, dtype=np.int64)  # S = "no service"
    for c, lst in enumerate(served):
        menu[c, : len(lst)] = lst
    rank_of = np.vstack([ranks, np.full((1, S), INF)])  # last row: a closed slot
    closed = ranks.shape[0]

    blocks = []
    for g in groups:
        rng = np.random.default_rng(g.seed)
        horizon = g.warmup + g.minutes + _tail(g.services)
        arr = _arrivals(rng, g.services, g.reps, horizon)
        for ci, counters in enumerate(g.configs):
            blocks.append((g, ci, arr, tuple(counters), horizon))
    if not blocks:
        return groups
    N = max(b[2][0].shape[1] for b in blocks) + 1
    C = max(max(len(b[3]) for b in blocks), 1)
    R = sum(b[0].reps for b in blocks)

    t_arr = np.full((R, N), INF)
    svc = np.full((R, N), S, dtype=np.int64)
    work = np.zeros((R, N))
    deadline = np.full((R, N), INF)
    cid = np.full((R, C), closed, dtype=np.int64)
    end = np.zeros(R)
    lo = np.zeros(R)
    hi = np.zeros(R)
    pos = 0
    spans = []
    for g, ci, (t, sv, w, d), counters, horizon in blocks:
        n, width = g.reps, t.shape[1]
        sl = slice(pos, pos + n)
        t_arr[sl, :width], svc[sl, :width], work[sl, :width], deadline[sl, :width] = t, sv, w, d
        cid[sl, : len(counters)] = counters
        end[sl], lo[sl], hi[sl] = horizon, g.warmup, g.warmup + g.minutes
        spans.append((g, ci, sl))
        pos += n

    targets = np.array([m.target_wait_minutes for m in groups[0].services] + [0.0])
    vip = np.array([m.vip for m in groups[0].services] + [False], dtype=bool)
    rows = np.arange(R)
    # Service-major layout: each service's customers sit in adjacent columns in arrival
    # order, so a queue is a column range [head, tail) and its head is read directly.
    cols = np.arange(N)
    perm = np.argsort(svc * N + cols[None, :], axis=1, kind="stable")
    t_arr = np.take_along_axis(t_arr, perm, 1)
    svc = np.take_along_axis(svc, perm, 1)
    work = np.take_along_axis(work, perm, 1)
    deadline = np.take_along_axis(deadline, perm, 1)
    arrival_col = np.empty_like(perm)  # column of the i-th arrival
    by_time = np.argsort(t_arr, axis=1, kind="stable")
    arrival_col[:] = by_time
    counts = np.stack([(svc == s).sum(axis=1) for s in range(S + 1)], axis=1)
    head = np.concatenate([np.zeros((R, 1), dtype=np.int64),
                           np.cumsum(counts, axis=1)[:, :-1]], axis=1)
    tail = head.copy()  # one past the last arrived customer of each service
    nxt = np.zeros(R, dtype=np.int64)
    busy = np.full((R, C), INF)  # when each counter is free; inf = idle
    since = np.zeros((R, C), dtype=np.int64)
    wait = np.full((R, N), np.nan)
    ratio, aging = rule.ratio, float(rule.aging_minutes)
    pos_rank = np.arange(K, dtype=float)[None, :] * 1e6

    def start(r: np.ndarray, c: np.ndarray, col: np.ndarray, now: np.ndarray) -> None:
        wait[r, col] = now - t_arr[r, col]
        busy[r, c] = now + work[r, col]
        since[r, c] = np.where(vip[svc[r, col]], 0, since[r, c] + 1)

    while True:
        col_a = arrival_col[rows, np.minimum(nxt, N - 1)]
        t_a = np.where(nxt < N, t_arr[rows, col_a], INF)
        c_d = np.argmin(busy, axis=1)
        t_d = busy[rows, c_d]
        is_arr = t_a <= t_d
        active = np.where(is_arr, t_a, t_d) < end
        if not active.any():
            break
        r = np.flatnonzero(active & is_arr)
        if r.size:
            col = col_a[r]
            s = svc[r, col]
            tail[r, s] += 1
            nxt[r] += 1
            cost = np.where(np.isinf(busy[r]), rank_of[cid[r], s[:, None]], INF)
            c = np.argmin(cost, axis=1)
            ok = np.isfinite(cost[np.arange(r.size), c])
            if ok.any():
                r2, s2 = r[ok], s[ok]
                head[r2, s2] = tail[r2, s2]  # anyone still listed had walked away
                start(r2, c[ok], col[ok], t_a[r2])
        r = np.flatnonzero(active & ~is_arr)
        if r.size:
            c = c_d[r]
            now = t_d[r]
            sv = menu[cid[r, c]]  # (k, K) this counter's services, best first
            rr = r[:, None]
            h = head[rr, sv]
            has = h < tail[rr, sv]
            hc = np.minimum(h, N - 1)
            expired = has & (deadline[rr, hc] < now[:, None])
            while expired.any():
                h = h + expired
                has = h < tail[rr, sv]
                hc = np.minimum(h, N - 1)
                expired = has & (deadline[rr, hc] < now[:, None])
            head[rr, sv] = h
            issue = t_arr[rr, hc]
            v = vip[sv]
            if rule.rule == PriorityRule.STRICT:
                cls = np.where(v, 0.0, 1.0)
            elif rule.rule == PriorityRule.AGING:
                cls = np.where(v | (now[:, None] - issue >= aging), 0.0, 1.0)
            else:
                prefer = since[r, c] >= ratio
                cls = np.where(v == prefer[:, None], 0.0, 1.0)
            key = np.where(has, cls * 1e8 + pos_rank + issue, INF)
            j = np.argmin(key, axis=1)
            k = np.arange(r.size)
            found = np.isfinite(key[k, j])
            if found.any():
                r2, j2 = r[found], j[found]
                s2 = sv[k[found], j2]
                head[r2, s2] += 1
                start(r2, c[found], hc[k[found], j2], now[found])
            idle = ~found
            busy[r[idle], c[idle]] = INF

    measured = (t_arr >= lo[:, None]) & (t_arr < hi[:, None])
    within = measured & (wait <= targets[svc] + 1e-9)
    called = measured & ~np.isnan(wait)
    walked = measured & np.isnan(wait) & (deadline < end[:, None])
    for g in groups:
        g.results = [None] * len(g.configs)  # type: ignore[list-item]
    for g, ci, sl in spans:
        m, w = measured[sl], within[sl]
        per_rep = m.sum(axis=1)
        hall_level = np.where(per_rep > 0, w.sum(axis=1) / np.maximum(per_rep, 1), 1.0)
        levels = np.full(S, np.nan)
        sv_ = svc[sl]
        for s in range(S):
            ms = m & (sv_ == s)
            n = int(ms.sum())
            if n:
                levels[s] = float((w & ms).sum() / n)
        cl = called[sl]
        total = int(m.sum())
        g.results[ci] = SimResult(
            hall_level, levels,
            float(wait[sl][cl].mean()) if cl.any() else 0.0,
            float(walked[sl].sum() / total) if total else 0.0, total)
    return groups


def simulate_hour(services: tuple[ServiceModel, ...], ranks: np.ndarray, rule: RuleConfig,
                  *, minutes: float = 60.0, reps: int = 200, seed: int = 0,
                  warmup: float = 30.0) -> SimResult:
    """All counters of `ranks` open for one hour (see `simulate`)."""
    ranks = np.asarray(ranks, dtype=float).reshape(-1, len(services))
    group = Group(services, [tuple(range(ranks.shape[0]))], minutes, reps, seed, warmup)
    return simulate([group], ranks, rule)[0].results[0]
