"""Erlang C and Erlang A: the textbook service level of one queue with n counters.

M/M/n (Erlang C) and M/M/n+M (Erlang A, Palm's model: exponential patience, the
customer walks away when not called in time). Service level = the share of arriving
customers who are called within `t` minutes. Rates are per minute. The planner uses
these for its first guess per hour; the simulation decides (see `hall_app.staffing.plan`).
"""

from __future__ import annotations

import math

import numpy as np


def erlang_c(n: int, load: float) -> float:
    """Probability that an arriving customer has to wait (M/M/n, offered load in Erlangs)."""
    if load <= 0:
        return 0.0
    if n <= load:
        return 1.0
    b = 1.0  # Erlang B by the stable recursion
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return n * b / (n - load * (1 - b))


def service_level_c(n: int, lam: float, mu: float, t: float) -> float:
    """Share of customers called within `t` (M/M/n); 0 when the queue is unstable."""
    if lam <= 0:
        return 1.0
    if n * mu <= lam:
        return 0.0
    return 1.0 - erlang_c(n, lam / mu) * math.exp(-(n * mu - lam) * t)


def _stationary(n: int, lam: float, mu: float, theta: float) -> np.ndarray:
    """State probabilities of M/M/n+M (number in the hall), truncated where negligible."""
    logs = [k * math.log(lam / mu) - math.lgamma(k + 1) for k in range(n + 1)]
    j, log_p = 0, logs[-1]
    while True:
        j += 1
        log_p += math.log(lam / (n * mu + j * theta))
        logs.append(log_p)
        if (lam < n * mu + j * theta and log_p < max(logs) - 40) or j > 20000:
            break
    p = np.exp(np.array(logs) - max(logs))
    return p / p.sum()


def service_level_a(n: int, lam: float, mu: float, theta: float, t: float) -> float:
    """Share of customers called within `t` in M/M/n+M (patience rate `theta`)."""
    if lam <= 0:
        return 1.0
    if theta <= 0:
        return service_level_c(n, lam, mu, t)
    if n == 0:
        return 0.0
    p = _stationary(n, lam, mu, theta)
    queued = p[n:]  # an arrival finding n + j present has j customers ahead of it
    jmax = len(queued) - 1
    # Customers ahead: m = jmax..0. The front moves at rate n*mu + m*theta; the customer
    # itself walks away at rate theta. Uniformised at rate big, h[m] = P(called within the
    # jumps made so far | m ahead).
    m = np.arange(jmax + 1)
    down = n * mu + m * theta
    big = float(down[-1] + theta)
    p_down, p_stay = down / big, 1.0 - (down + theta) / big
    steps = int(big * t + 10 * math.sqrt(big * t) + 20)
    h = np.zeros(jmax + 1)
    weight = math.exp(-big * t)  # Poisson(big * t) probability of k jumps, k = 0
    total = np.zeros(jmax + 1)
    cdf = weight
    for k in range(1, steps + 1):
        prev = np.concatenate(([1.0], h[:-1]))  # m ahead -> m - 1 ahead (m = 0: called)
        h = p_down * prev + p_stay * h
        weight *= big * t / k
        total += weight * h
        cdf += weight
        if 1.0 - cdf < 1e-12 and k > big * t:
            break
    return float(p[:n].sum() + (queued * total).sum())


def required_counters(lam: float, mu: float, theta: float, t: float, target: float,
                      n_max: int = 500) -> int:
    """The fewest counters whose Erlang A (C when theta = 0) service level reaches `target`."""
    if lam <= 0:
        return 0
    n = max(1, int(lam / mu) if theta <= 0 else 1)
    while n < n_max and service_level_a(n, lam, mu, theta, t) < target:
        n += 1
    return n
