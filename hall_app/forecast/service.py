"""`ForecastService`: live wait estimates for the kiosk, the counter queue and the overview.

The live estimate goes through exactly the backtest's path — today's recorded rows cut
at now (`replay.state_at`), what the earlier days and today taught (`learn.learn`), the
predictor — so the backtest measures what customers are told. What the earlier days
taught (14 days, digested once) and each counter's ratio-rule count at the start of the
day are kept per business day; everything about today is read fresh.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from hall_app.forecast.learn import HistoryPool, learn
from hall_app.forecast.model import HallState, WaitEstimate
from hall_app.forecast.predictor import Predictor, PredictorConfig
from hall_app.forecast.records import (
    DayLog,
    HallSetup,
    calls_since_at_start,
    load_days,
    load_setup,
)
from hall_app.forecast.replay import state_at

log = logging.getLogger(__name__)

HISTORY_DAYS = 14


@dataclass(frozen=True)
class _DayCache:
    hall_id: int
    day: date
    pool: HistoryPool
    ratio_counts: dict[int, int]


class ForecastService:
    def __init__(self, ctx, config: PredictorConfig | None = None) -> None:  # type: ignore[no-untyped-def]
        self.ctx = ctx
        self.predictor = Predictor(config)
        self._cache: _DayCache | None = None
        self._lock = threading.Lock()

    # -- public ------------------------------------------------------------------------
    def estimate_in(self, s: Session, ticket_ids: list[int] | None = None, *,
                    explain: bool = False) -> dict[int, WaitEstimate]:
        """Estimates at the clock's now, inside the caller's unit of work `s`.

        `ticket_ids=None`: every waiting ticket (one simulation for all of them).
        """
        state, learned = self._inputs(s)
        return self.predictor.estimate(state, learned, ticket_ids, explain=explain)

    def waiting_estimates(self) -> dict[int, WaitEstimate]:
        """Every waiting ticket's remaining-wait estimate (its own read)."""
        with self.ctx.read() as s:
            return self.estimate_in(s)

    def state_in(self, s: Session) -> HallState:
        return self._inputs(s)[0]

    # -- inputs ------------------------------------------------------------------------
    def _inputs(self, s: Session):  # type: ignore[no-untyped-def]
        now = self.ctx.now()
        day = self.ctx.business_day(now)
        setup = load_setup(s, self.ctx.hall.id)
        cache = self._day_cache(s, setup, day)
        today = load_days(s, setup, day, day, ratio_counts=False)[0]
        today.calls_since_priority_at_start = dict(cache.ratio_counts)
        state = state_at(setup, today, now)
        learned = learn(setup, cache.pool, today, now)
        return state, learned

    def _day_cache(self, s: Session, setup: HallSetup, day: date) -> _DayCache:
        with self._lock:
            cache = self._cache
            if cache is not None and cache.day == day and cache.hall_id == setup.hall_id:
                return cache
        earlier = load_days(s, setup, day - timedelta(days=HISTORY_DAYS),
                            day - timedelta(days=1), ratio_counts=False)
        pool = HistoryPool.from_days(setup, earlier)
        today = DayLog(day)
        calls_since_at_start(s, setup, {day: today})
        cache = _DayCache(setup.hall_id, day, pool, dict(today.calls_since_priority_at_start))
        with self._lock:
            self._cache = cache
        log.info("wait forecast: learned from %d earlier days for %s", pool.n_days, day)
        return cache

    def forget(self) -> None:
        """Drop what was learned from earlier days (tests; after importing history)."""
        with self._lock:
            self._cache = None
