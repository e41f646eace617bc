"""The clock PIN lockouts and the login throttle run on, and the rule that a lockout never
shortens when a workstation's clock is moved.

A lockout is stored as a duration (`lock_seconds`) from a recorded point: the wall time
(`lock_started_at`) and, on SQLite, a monotonic reading (`lock_started_mono`).

* PostgreSQL: the wall time is the database server's `clock_timestamp()`. No
  workstation's clock takes part, so moving one changes nothing.
* SQLite (one workstation, embedded): the wall time is the workstation's, so the elapsed
  time is the smaller of the wall-clock and the monotonic elapsed time. Moving the wall
  clock forward does not move the monotonic clock (the lockout keeps running at the real
  rate); moving it back only lengthens the wait. After a reboot the monotonic clock
  starts again lower than the recorded point: the lockout then starts again in full
  from now (re-anchored), it never ends early.

Every process of a workstation shares one monotonic clock (CLOCK_MONOTONIC on Linux, the
performance counter on Windows). Tests use a ManualClock, whose `set()` moves the wall
clock only and `advance()` moves both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from hall_app.clock import Clock


@dataclass(frozen=True)
class LoginTime:
    wall: datetime
    mono: float | None  # None on PostgreSQL (the server's clock is the only one)


def read(s: Session, clock: Clock) -> LoginTime:
    if s.get_bind().dialect.name == "postgresql":
        wall = s.execute(text("SELECT clock_timestamp()")).scalar_one()
        return LoginTime(wall, None)
    mono = getattr(clock, "monotonic", time.monotonic)
    return LoginTime(clock.now(), float(mono()))


@dataclass
class Lock:
    """A lock's stored state (the columns of a staff or login_throttle row)."""

    seconds: int
    started_at: datetime | None
    started_mono: float | None


def remaining(lock: Lock, now: LoginTime) -> tuple[int, Lock]:
    """Whole seconds still to wait (0 = free), and the lock to store (re-anchored after a
    reboot on SQLite)."""
    if lock.seconds <= 0 or lock.started_at is None:
        return 0, lock
    wall_elapsed = max(0.0, (now.wall - lock.started_at).total_seconds())
    elapsed = wall_elapsed
    if now.mono is not None:
        if lock.started_mono is None or now.mono < lock.started_mono:
            # No reading to compare (or the workstation restarted): start again from now.
            lock = Lock(lock.seconds, now.wall, now.mono)
            elapsed = 0.0
        else:
            elapsed = min(wall_elapsed, now.mono - lock.started_mono)
    left = lock.seconds - elapsed
    if left <= 0:
        return 0, lock
    return int(left) + (0 if left == int(left) else 1), lock


def start(seconds: int, now: LoginTime) -> Lock:
    return Lock(seconds, now.wall, now.mono)
