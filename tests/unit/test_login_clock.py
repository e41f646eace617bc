"""The lockout clock rule: a lockout never shortens when the wall clock is moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hall_app.security.login_clock import LoginTime, remaining, start

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def test_time_passing_ends_a_lockout():
    lock = start(60, LoginTime(T0, 100.0))
    assert remaining(lock, LoginTime(T0 + timedelta(seconds=59.5), 159.5))[0] == 1
    assert remaining(lock, LoginTime(T0 + timedelta(seconds=60), 160.0))[0] == 0


def test_setting_the_wall_clock_forward_does_not_shorten_it():
    lock = start(300, LoginTime(T0, 100.0))
    assert remaining(lock, LoginTime(T0 + timedelta(hours=5), 101.0))[0] == 299


def test_setting_the_wall_clock_back_only_lengthens_it():
    lock = start(300, LoginTime(T0, 100.0))
    assert remaining(lock, LoginTime(T0 - timedelta(hours=1), 400.0))[0] == 300


def test_after_a_restart_the_lockout_starts_again_in_full():
    lock = start(300, LoginTime(T0, 5000.0))
    left, anchored = remaining(lock, LoginTime(T0 + timedelta(seconds=10), 12.0))
    assert left == 300 and anchored.started_mono == 12.0
    assert remaining(anchored, LoginTime(T0 + timedelta(seconds=310), 312.0))[0] == 0


def test_postgresql_uses_the_servers_clock_only():
    lock = start(60, LoginTime(T0, None))
    assert remaining(lock, LoginTime(T0 + timedelta(seconds=30), None))[0] == 30
    assert remaining(lock, LoginTime(T0 + timedelta(seconds=61), None))[0] == 0
