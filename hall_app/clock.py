"""Clocks: every service takes one, so tests can move time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Seconds on a clock nobody can set (PIN lockouts on SQLite, login_clock)."""
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to (tests, simulations).

    `advance()` is time passing (the wall clock and the monotonic reading both move);
    `set()` is someone setting the wall clock (the monotonic reading stays).
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float = 0, *, minutes: float = 0) -> datetime:
        step = timedelta(seconds=seconds, minutes=minutes)
        self._now += step
        self._mono += step.total_seconds()
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)
