"""Daily rollups: one hall's business day folded into a few rows (no Qt).

`write_day_rollups(session, hall_id, day)` computes the day's figures with the same
code as the daily report (`daily_metrics`), so a rollup can never disagree with the
report of its day, and stores them per hall (`day_rollup`), service, counter and clerk.
It replaces whatever rows that hall and day had: running it again (a backfill, a day
close that is repeated) leaves one set of rows. The day's month is summed again into
`month_rollup` in the same transaction, so a year reads twelve rows per hall. Rollups replicate to the district, whose
figures over weeks and years read them instead of tickets.

Day close (issue 13) calls it for the day it closes, in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import Session

from db.models import (
    DayRollup,
    DayRollupClerk,
    DayRollupCounter,
    DayRollupService,
    Hall,
    MonthRollup,
)
from db.types import UTCDateTime
from hall_app.config import Thresholds
from hall_app.errors import NotFound, ValidationError
from hall_app.metrics.daily import DayWindow, daily_metrics
from hall_app.metrics.model import DailyMetrics, Stats

ROLLUP_TABLES = (DayRollup, DayRollupService, DayRollupCounter, DayRollupClerk)
BUCKET_COLUMNS = ("wait_lt5", "wait_lt10", "wait_lt15", "wait_lt20", "wait_lt30",
                  "wait_lt45", "wait_lt60", "wait_ge60")


@dataclass(frozen=True)
class RollupWritten:
    hall_id: int
    day: date
    services: int
    counters: int
    clerks: int
    arrived: int


def _seconds(value: float | None) -> int:
    return int(round(value or 0.0))


def _stats(prefix: str, stats: Stats) -> dict[str, Any]:
    """count, exact integer sum (durations are whole seconds), the day's median/p90/max."""
    total = 0 if stats.mean is None else int(round(stats.mean * stats.count))
    return {f"{prefix}_count": stats.count, f"{prefix}_sum_s": total,
            f"{prefix}_median_s": stats.median, f"{prefix}_p90_s": stats.p90,
            f"{prefix}_max_s": stats.max}


def rollup_rows(m: DailyMetrics, hall_id: int, written_at: datetime) -> dict[type, list[dict]]:
    """The rows for `m` (one day's metrics), by model."""
    base = {"hall_id": hall_id, "business_day": m.day, "written_at": written_at}
    h = m.headline
    o = h.outcomes
    buckets = {col: b.count for col, b in zip(BUCKET_COLUMNS, m.wait_buckets, strict=False)}
    hall_row = {
        **base, "arrived": h.arrived, "served": o.served, "no_show": o.no_show,
        "walked_away": o.walked_away, "abandoned": o.abandoned, "cancelled": o.cancelled,
        "open_tickets": o.open, "recalls": h.recalls, "recalled_tickets": h.recalled_tickets,
        "transfers": h.transfers, **_stats("wait", h.wait), **_stats("service", h.service),
        "served_with_wait": h.served_with_wait, "within_target": h.within_target,
        "complaints": m.complaints.total, "complaints_overdue": m.complaints.overdue,
        "complaints_replied_same_day": m.complaints.replied_same_day,
        "outages": h.outages,
        "outage_seconds": _seconds(sum(i.minutes * 60 for i in m.incidents
                                       if i.kind == "outage")),
        "facility_incidents": h.facility_incidents, "cash_exchanges": h.cash_exchanges,
        "cash_received_fen": h.cash_received_fen,
        **{col: buckets.get(col, 0) for col in BUCKET_COLUMNS},
        "service_level_target_pct": h.service_level_target_pct,
        "walkaway_target_pct": h.walkaway_target_pct,
    }
    services = [{
        **base, "service_id": s.service_id, "target_wait_minutes": s.target_wait_minutes,
        "arrived": s.arrived, "served": s.outcomes.served, "no_show": s.outcomes.no_show,
        "walked_away": s.outcomes.walked_away, "abandoned": s.outcomes.abandoned,
        "cancelled": s.outcomes.cancelled, "open_tickets": s.outcomes.open,
        "transfers": s.transfers_out,
        **_stats("wait", s.wait), **_stats("service", s.service),
        "served_with_wait": s.served_with_wait, "within_target": s.within_target,
    } for s in m.services if s.arrived or s.outcomes.served or s.transfers_out]
    counters = [{
        **base, "counter_id": c.counter_id, "served": c.served, "no_show": c.no_show,
        "recalls": c.recalls, "transfers": c.transfers,
        **_stats("wait", c.wait), **_stats("service", c.service),
        "serving_s": _seconds(c.serving_seconds), "open_s": _seconds(c.open_seconds),
        "paused_s": _seconds(c.paused_seconds),
    } for c in m.counters]
    clerks = [{
        **base, "staff_id": k.staff_id, "served": k.served, "no_show": k.no_show,
        "recalls": k.recalls, "transfers": k.transfers,
        **_stats("wait", k.wait), **_stats("service", k.service),
        "serving_s": _seconds(k.serving_seconds), "signed_in_s": _seconds(k.signed_in_seconds),
        "paused_s": _seconds(k.paused_seconds),
    } for k in m.clerks]
    return {DayRollup: [hall_row], DayRollupService: services, DayRollupCounter: counters,
            DayRollupClerk: clerks}


def write_day_rollups(session: Session, hall_id: int, day: date, *,
                      now: datetime | None = None,
                      thresholds: Thresholds | None = None) -> RollupWritten:
    """Replace hall `hall_id`'s rollup rows for `day` with the day's figures as of `now`.

    Runs in the caller's transaction (`session`). `now` defaults to the wall clock; day
    close passes its clock. A day that has not begun is refused.
    """
    now = now or datetime.now(UTC)
    hall = session.get(Hall, hall_id)
    if hall is None:
        raise NotFound("找不到营业厅。")
    from zoneinfo import ZoneInfo

    if DayWindow(day, ZoneInfo(hall.timezone), now).start > now:
        raise ValidationError(f"{day} 尚未开始,不能生成日汇总。", field="date")
    th = thresholds or Thresholds()
    metrics = daily_metrics(session, hall, day, now, th.service_level_target_pct,
                            th.walkaway_rate_target_pct)
    rows = rollup_rows(metrics, hall_id, now)
    for model in reversed(ROLLUP_TABLES):
        session.execute(delete(model).where(model.hall_id == hall_id,
                                            model.business_day == day))
    for model in ROLLUP_TABLES:
        if rows[model]:
            session.execute(insert(model), rows[model])
    write_month_rollup(session, hall_id, day, now)
    return RollupWritten(hall_id, day, len(rows[DayRollupService]),
                         len(rows[DayRollupCounter]), len(rows[DayRollupClerk]),
                         metrics.headline.arrived)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def write_month_rollup(session: Session, hall_id: int | None, day: date,
                       now: datetime) -> None:
    """Replace the month rows of `day`'s month with the sums of its day rows.

    `hall_id` None: every hall (a bulk load of day rows, e.g. the benchmark's).
    """
    first, after = month_start(day), next_month(day)
    gone = delete(MonthRollup).where(MonthRollup.month == first)
    days = select(DayRollup).where(DayRollup.business_day >= first,
                                   DayRollup.business_day < after)
    if hall_id is not None:
        gone = gone.where(MonthRollup.hall_id == hall_id)
        days = days.where(DayRollup.hall_id == hall_id)
    session.execute(gone)
    d = days.subquery()
    sums = select(
        d.c.hall_id, literal(first), func.count(), func.sum(d.c.arrived), func.sum(d.c.served),
        func.sum(d.c.no_show), func.sum(d.c.walked_away), func.sum(d.c.abandoned),
        func.sum(d.c.served_with_wait), func.sum(d.c.within_target), func.sum(d.c.wait_count),
        func.sum(d.c.wait_sum_s), func.sum(d.c.wait_lt45 + d.c.wait_lt60 + d.c.wait_ge60),
        func.sum(d.c.complaints), func.sum(d.c.complaints_overdue),
        func.sum(d.c.outage_seconds), literal(now, UTCDateTime()),
    ).group_by(d.c.hall_id)
    session.execute(insert(MonthRollup).from_select(
        ["hall_id", "month", "days", "arrived", "served", "no_show", "walked_away",
         "abandoned", "served_with_wait", "within_target", "wait_count", "wait_sum_s",
         "long_waits", "complaints", "complaints_overdue", "outage_seconds", "written_at"],
        sums))


def hall_ids(session: Session, code: str | None = None) -> list[tuple[int, str]]:
    """(id, code) of every hall in this database, or of the one with `code`."""
    q = select(Hall.id, Hall.code).order_by(Hall.code)
    if code:
        q = q.where(Hall.code == code)
    return [(int(i), str(c)) for i, c in session.execute(q).all()]
