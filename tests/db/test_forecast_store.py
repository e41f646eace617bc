"""Wait estimates on both databases: stored at issue, replayed by the backtest, reported.

The backtest claims to give, for every past ticket, the estimate the predictor would
have given at issue from what was known then. The live kiosk stores what it did give;
so replaying a simulated stretch must reproduce every stored estimate exactly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import Counter, ServiceType, Ticket
from hall_app.demo.simulate import HallSimulator, SimParams
from hall_app.forecast.backtest import backtest
from hall_app.forecast.records import load_setup
from hall_app.metrics.wait_accuracy import accuracy_lines, wait_estimate_accuracy


def ids(hall, model, attr):  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        return {getattr(r, attr): r.id for r in s.scalars(select(model))}


def row(hall, ticket_id):  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        t = s.get(Ticket, ticket_id)
        s.expunge(t)
        return t


def test_issue_stores_the_estimate_it_gave(hall, clerk):
    services, counters = ids(hall, ServiceType, "code"), ids(hall, Counter, "number")
    hall.counters.sign_in(clerk, counters[1])  # 1号: 缴费充值, 套餐变更
    for _ in range(3):
        info = hall.tickets.issue(services["PAY"])
    assert not info.no_counter
    assert info.wait_low_minutes is not None and info.wait_high_minutes is not None
    assert info.wait_low_minutes < info.wait_high_minutes
    # Two customers ahead at one counter, 3 minutes each by the configuration's prior.
    assert 1 <= info.estimated_wait_minutes <= info.wait_high_minutes
    t = row(hall, info.id)
    assert (t.est_wait_low_min, t.est_wait_high_min) == (info.wait_low_minutes,
                                                          info.wait_high_minutes)
    assert t.est_wait_seconds is not None and t.est_no_counter is False
    assert t.est_naive_min is not None  # the people-ahead estimate, kept for comparison


def test_no_counter_is_stored_and_raises_the_overview_alert_at_once(hall, clerk):
    services, counters = ids(hall, ServiceType, "code"), ids(hall, Counter, "number")
    hall.counters.sign_in(clerk, counters[1])  # serves PAY and PLAN, not 开户入网
    info = hall.tickets.issue(services["OPEN"])
    assert info.no_counter and info.wait_low_minutes is None
    t = row(hall, info.id)
    assert t.est_no_counter is True and t.est_wait_seconds is None
    alerts = [a for a in hall.overview.snapshot().alerts if a.kind == "nocounter"]
    assert [a.title for a in alerts] == ["「开户入网」1人等候,暂无窗口办理"]
    assert alerts[0].key == f"nocounter:{services['OPEN']}:{info.id}"
    # A counter that serves it signs in: the alert is gone.
    other = hall.auth.login("1003", "1234")
    hall.counters.sign_in(other, counters[3])  # 3号: 开户入网 first
    assert not [a for a in hall.overview.snapshot().alerts if a.kind == "nocounter"]


def _simulate_stretch(hall, minutes: int) -> None:  # type: ignore[no-untyped-def]
    """Two counters (1: PAY, PLAN; 2: PAY, SIM) and customers for 开户入网 too."""
    params = SimParams(arrivals_per_hour=40, daily_curve=False, walkaway_after_minutes=15,
                       weights={"PAY": 6, "PLAN": 2, "SIM": 2, "OPEN": 1, "BB": 0, "DEV": 0,
                                "ASK": 0, "VIP": 0})
    sim = HallSimulator(hall, seed=5, params=params, counters=[1, 2])
    sim.open_counters()
    for _ in range(minutes):
        hall.ctx.clock.advance(seconds=20)
        sim.arrivals()
        hall.ctx.clock.advance(seconds=20)
        sim.serve()
        hall.ctx.clock.advance(seconds=20)
        sim.walkaways()


def test_backtest_reproduces_every_estimate_given_at_issue(hall):
    _simulate_stretch(hall, 75)
    day = hall.ctx.business_day()
    with hall.ctx.read() as s:
        setup = load_setup(s, hall.ctx.hall.id)
        result = backtest(s, setup, day, day)
        stored = {t.id: t for t in s.scalars(select(Ticket).where(Ticket.hop == 0))}
    assert len(result.outcomes) == len(stored) > 30
    open_id = ids(hall, ServiceType, "code")["OPEN"]
    for o in result.outcomes:
        t = stored[o.ticket_id]
        assert o.no_counter == bool(t.est_no_counter) == (o.service_id == open_id)
        assert (o.low, o.high) == (t.est_wait_low_min, t.est_wait_high_min)
        if o.point is not None:
            assert round(o.point * 60) == t.est_wait_seconds
        assert o.naive == t.est_naive_min
    scored = result.scored()
    assert scored and all(o.real is not None and o.real >= 0 for o in scored)
    assert result.predictor.n == result.naive.n == result.recent.n == len(scored)
    # The daily summary's figures come from the stored estimates: the same numbers.
    with hall.ctx.read() as s:
        acc = wait_estimate_accuracy(s, hall.ctx.hall.id, day)
    assert acc.scored == len(scored)
    assert abs(acc.predictor.mae - result.predictor.mae) < 0.01  # seconds rounding
    assert acc.naive.mae == pytest.approx(result.naive.mae)
    assert acc.no_counter == result.no_counter > 0
    lines = accuracy_lines(acc)
    assert f"计入 {acc.scored} 位已叫号顾客" in lines[1]
    assert f"按前方人数估计:{acc.naive.mae:.1f} 分钟" in lines[2]


def test_backtest_command_prints_the_three_estimators(hall):
    _simulate_stretch(hall, 40)
    day = hall.ctx.business_day()
    env = dict(os.environ, HALL_DATABASE_URL=hall.ctx.db.url)
    env.pop("HALL_CONFIG", None)
    out = subprocess.run([sys.executable, "-m", "hall_app", "forecast", "backtest",
                          "--from", str(day - timedelta(days=1)), "--to", str(day)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    for label in ("本预测", "按前方人数", "近期等候", "平均绝对误差", "80%区间覆盖"):
        assert label in out.stdout
    bad = subprocess.run([sys.executable, "-m", "hall_app", "forecast", "backtest",
                          "--from", str(day), "--to", str(day - timedelta(days=3))],
                         capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 2 and "结束日期不能早于起始日期" in bad.stderr
