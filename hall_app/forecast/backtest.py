"""Replaying recorded days: what each estimator would have said at every issue, vs the real wait.

`backtest(session, setup, first, last)` walks the business days first..last. For every
customer's ticket (hop 0) it rebuilds the hall at the instant of issue from the recorded
rows (`replay.state_at`), learns from the days before and from today up to that instant
(`learn.learn`), and asks the predictor, the naive people-ahead estimate and the
recent-waits estimate. A ticket counts in the figures when it was really called (its
own first call; a customer who walked away or was transferred unseen has no real wait)
and the predictor gave numbers (not the no-counter state); all three estimators are
scored on the same tickets.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from hall_app.forecast.accuracy import Accuracy, Estimate, accuracy
from hall_app.forecast.baselines import (
    naive_minutes,
    people_ahead,
    recent_waits_minutes,
)
from hall_app.forecast.learn import HistoryPool, learn
from hall_app.forecast.predictor import Predictor, PredictorConfig
from hall_app.forecast.records import DayLog, HallSetup, TicketRecord, load_days
from hall_app.forecast.replay import known_at_issue, state_at

HISTORY_DAYS = 14


@dataclass(frozen=True)
class TicketOutcome:
    ticket_id: int
    day: date
    service_id: int
    real: float | None  # minutes from issue to first call, None if never called
    point: float | None
    low: int | None
    high: int | None
    no_counter: bool
    naive: float
    recent: float


@dataclass
class BacktestResult:
    outcomes: list[TicketOutcome] = field(default_factory=list)

    def scored(self) -> list[TicketOutcome]:
        return [o for o in self.outcomes if o.real is not None and o.point is not None]

    @property
    def predictor(self) -> Accuracy:
        return accuracy(Estimate(o.point, o.real, o.low, o.high)  # type: ignore[arg-type]
                        for o in self.scored())

    @property
    def naive(self) -> Accuracy:
        return accuracy(Estimate(o.naive, o.real) for o in self.scored())  # type: ignore[arg-type]

    @property
    def recent(self) -> Accuracy:
        return accuracy(Estimate(o.recent, o.real) for o in self.scored())  # type: ignore[arg-type]

    @property
    def no_counter(self) -> int:
        return sum(1 for o in self.outcomes if o.no_counter)

    @property
    def uncalled(self) -> int:
        return sum(1 for o in self.outcomes if o.real is None)


def _minutes_between(later, earlier) -> float:  # type: ignore[no-untyped-def]
    return (later - earlier).total_seconds() / 60.0


def backtest(session: Session, setup: HallSetup, first: date, last: date,
             config: PredictorConfig | None = None, history_days: int = HISTORY_DAYS,
             progress=None) -> BacktestResult:  # type: ignore[no-untyped-def]
    logs = load_days(session, setup, first - timedelta(days=history_days), last)
    return backtest_logs(setup, logs, first, last, config, history_days, progress)


def backtest_logs(setup: HallSetup, logs: list[DayLog], first: date, last: date,
                  config: PredictorConfig | None = None, history_days: int = HISTORY_DAYS,
                  progress=None) -> BacktestResult:  # type: ignore[no-untyped-def]
    predictor = Predictor(config)
    result = BacktestResult()
    by_day = {log.day: log for log in logs}
    for log in logs:
        if not first <= log.day <= last or not log.tickets:
            continue
        earlier = [by_day[d] for d in sorted(by_day)
                   if log.day - timedelta(days=history_days) <= d < log.day]
        pool = HistoryPool.from_days(setup, earlier)
        result.outcomes.extend(replay_day(setup, pool, earlier, log, predictor))
        if progress is not None:
            progress(log.day)
    return result


def replay_day(setup: HallSetup, pool: HistoryPool, earlier: list[DayLog], log: DayLog,
               predictor: Predictor) -> list[TicketOutcome]:
    # Done tickets per service (earlier days and today), by release time, for the naive
    # estimate; today's called hop-0 tickets by call time, for the recent-waits one.
    done: dict[int, list[TicketRecord]] = defaultdict(list)
    for day_log in [*earlier, log]:
        for t in day_log.tickets:
            if t.state == "done" and t.ended_at is not None and t.started_at is not None:
                done[t.service_id].append(t)
    done_keys: dict[int, list] = {}
    for sid, rows in done.items():
        rows.sort(key=lambda t: t.ended_at)  # type: ignore[arg-type, return-value]
        done_keys[sid] = [t.ended_at for t in rows]
    called: dict[int, list[TicketRecord]] = defaultdict(list)
    for t in log.tickets:
        if t.hop == 0 and t.first_called_at is not None:
            called[t.service_id].append(t)
    called_keys: dict[int, list] = {}
    for sid, rows in called.items():
        rows.sort(key=lambda t: t.first_called_at)  # type: ignore[arg-type, return-value]
        called_keys[sid] = [t.first_called_at for t in rows]

    out = []
    for t in log.tickets:
        if t.hop != 0:
            continue
        at = t.issued_at
        known = known_at_issue(log, t)
        state = state_at(setup, known, at)
        learned = learn(setup, pool, known, at)
        est = predictor.estimate(state, learned, [t.id])[t.id]
        ahead = people_ahead(state, t.service_id, t.id, at)
        i = bisect_right(done_keys.get(t.service_id, []), at)
        finished = list(reversed(done.get(t.service_id, [])[max(0, i - 20):i]))
        naive = float(naive_minutes(state, t.service_id, ahead, finished))
        j = bisect_right(called_keys.get(t.service_id, []), at)
        recent_rows = list(reversed(called.get(t.service_id, [])[max(0, j - 5):j]))
        recent = recent_waits_minutes(recent_rows, naive)
        real = (_minutes_between(t.first_called_at, t.issued_at)
                if t.first_called_at is not None else None)
        out.append(TicketOutcome(t.id, log.day, t.service_id, real, est.point_minutes,
                                 est.low_minutes, est.high_minutes, est.no_counter, naive,
                                 recent))
    return out
