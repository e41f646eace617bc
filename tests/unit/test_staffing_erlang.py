"""One service, Poisson arrivals, exponential service: the plan's counters against the
textbook Erlang C / Erlang A answer, computed here from the formulas independently."""

from __future__ import annotations

import math
from datetime import date
from datetime import time as T
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from hall_app.domain.priority import RuleConfig
from hall_app.staffing.behaviour import Behaviour
from hall_app.staffing.erlang import service_level_a, service_level_c
from hall_app.staffing.forecast import Forecast, slots_for
from hall_app.staffing.history import CounterInfo, HallLayout, ServiceInfo
from hall_app.staffing.plan import make_plan


def textbook_erlang_c_sl(n: int, lam: float, mu: float, t: float) -> float:
    """SL = 1 - C(n, a) e^{-(n mu - lam) t}, C from the factorial sums."""
    a = lam / mu
    if n <= a:
        return 0.0
    top = a ** n / math.factorial(n) * n / (n - a)
    c = top / (sum(a ** k / math.factorial(k) for k in range(n)) + top)
    return 1 - c * math.exp(-(n * mu - lam) * t)


def textbook_erlang_a_sl(n: int, lam: float, mu: float, theta: float, t: float) -> float:
    """Palm's M/M/n+M: stationary law by the birth-death product formula; the chance of
    being called within t by integrating the queue-position chain (forward Euler)."""
    p = [lam ** k / (mu ** k * math.factorial(k)) for k in range(n + 1)]
    j = 0
    while p[-1] > 1e-15 * sum(p) or j < 5:
        j += 1
        p.append(p[-1] * lam / (n * mu + j * theta))
    p = np.array(p) / sum(p)
    J = len(p) - n - 1
    # x[m] = probability of being at m customers ahead (m = 0..J) and still waiting.
    dt, steps = 1e-3, int(round(t / 1e-3))
    x = p[n:].copy()
    called = float(p[:n].sum())
    down = n * mu + np.arange(J + 1) * theta
    for _ in range(steps):
        flow = down * x * dt
        called += flow[0]
        x = x - flow - theta * x * dt
        x[:-1] += flow[1:]
    return called


def textbook_counters(sl, target: float = 0.8) -> int:
    n = 1
    while sl(n) < target:
        n += 1
    return n


def one_service_hall(counters: int, minutes: float, target_wait: int) -> HallLayout:
    service = ServiceInfo(1, "ONE", "单一业务", target_wait, int(minutes), None, False)
    return HallLayout(1, "T", "测试厅", ZoneInfo("Asia/Shanghai"), {2: (T(9), T(10))},
                      (service,), tuple(CounterInfo(10 + k, k + 1, f"{k + 1}号", (1,))
                                        for k in range(counters)), RuleConfig())


def plan_one(per_hour: float, minutes: float, target_wait: int, patience: float | None) -> int:
    layout = one_service_hall(30, minutes, target_wait)
    day = date(2026, 12, 2)
    fc = Forecast(day, slots_for((T(9), T(10))), {1: [per_hour]}, "history")
    plan = make_plan(layout, fc, {1: Behaviour(minutes, 1.0, patience, True)}, reps=400,
                     search_reps=200, lunch_minutes=0)
    hour = plan.hours[0]
    assert hour.meets and hour.minimal, "the built-in validation must hold"
    assert hour.validation is not None and hour.validation.met_share >= 0.9
    assert hour.fewer is not None and hour.fewer.met_share < 0.9
    return hour.n


@pytest.mark.parametrize("per_hour,minutes,wait", [(60, 6, 10), (120, 4, 5), (30, 10, 15)])
def test_no_walkaways_matches_erlang_c_within_one_counter(per_hour, minutes, wait):
    lam, mu = per_hour / 60, 1 / minutes
    expected = textbook_counters(lambda n: textbook_erlang_c_sl(n, lam, mu, wait))
    assert abs(plan_one(per_hour, minutes, wait, None) - expected) <= 1


@pytest.mark.parametrize("per_hour,minutes,wait,patience", [(60, 6, 10, 20), (90, 5, 8, 10)])
def test_walkaways_match_erlang_a_within_one_counter(per_hour, minutes, wait, patience):
    lam, mu, theta = per_hour / 60, 1 / minutes, 1 / patience
    expected = textbook_counters(lambda n: textbook_erlang_a_sl(n, lam, mu, theta, wait))
    assert abs(plan_one(per_hour, minutes, wait, patience) - expected) <= 1


def test_erlang_module_agrees_with_the_textbook():
    for n in (5, 7, 9):
        assert service_level_c(n, 1.0, 1 / 6, 10) == pytest.approx(
            textbook_erlang_c_sl(n, 1.0, 1 / 6, 10), abs=1e-9)
        assert service_level_a(n, 1.0, 1 / 6, 1 / 20, 10) == pytest.approx(
            textbook_erlang_a_sl(n, 1.0, 1 / 6, 1 / 20, 10), abs=2e-3)
