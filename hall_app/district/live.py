"""Today's figures of many halls at once: a few grouped SQL statements, not one per hall.

Every ticket query names the halls and the business day (`hall_id IN … AND business_day
= …`, the leading columns of ix_ticket_queue), so the cost follows today's tickets, not
the years of history a district database holds. Definitions are the daily report's
(docs/metrics.md): service level counts each served customer once, at their first call.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from db.models import Complaint, Counter, Incident, ServiceType, Ticket

T = Ticket
WALKAWAY = ("no_show", "walked_away", "abandoned")


@dataclass
class TodayFigures:
    waiting: int = 0
    oldest_waiting_since: datetime | None = None
    arrived: int = 0
    served: int = 0
    walkaways: int = 0
    served_with_wait: int = 0
    within_target: int = 0
    complaints_overdue: int = 0
    outages_active: int = 0
    counters_open: int = 0

    @property
    def walkaway_rate(self) -> float | None:
        return 100.0 * self.walkaways / self.arrived if self.arrived else None

    @property
    def service_level(self) -> float | None:
        if not self.served_with_wait:
            return None
        return 100.0 * self.within_target / self.served_with_wait


def today_figures(s: Session, days: dict[int, date], now: datetime) -> dict[int, TodayFigures]:
    """hall id → today's figures; `days` gives each hall's business day (its own zone)."""
    out: dict[int, TodayFigures] = defaultdict(TodayFigures)
    by_day: dict[date, list[int]] = defaultdict(list)
    for hall_id, day in days.items():
        by_day[day].append(hall_id)
        out[hall_id] = TodayFigures()
    for day, ids in by_day.items():
        _tickets(s, ids, day, out)
        _service_level(s, ids, day, out)
    ids = list(days)
    if not ids:
        return dict(out)
    for hid, n in s.execute(
            select(Complaint.hall_id, func.count())
            .where(Complaint.hall_id.in_(ids), Complaint.replied_at.is_(None),
                   Complaint.closed_at.is_(None), Complaint.reply_due_at <= now)
            .group_by(Complaint.hall_id)):
        out[hid].complaints_overdue = int(n)
    for hid, n in s.execute(
            select(Incident.hall_id, func.count())
            .where(Incident.hall_id.in_(ids), Incident.kind == "outage",
                   Incident.ended_at.is_(None))
            .group_by(Incident.hall_id)):
        out[hid].outages_active = int(n)
    for hid, n in s.execute(
            select(Counter.hall_id, func.count())
            .where(Counter.hall_id.in_(ids), Counter.active.is_(True),
                   Counter.state == "open")
            .group_by(Counter.hall_id)):
        out[hid].counters_open = int(n)
    return dict(out)


def _tickets(s: Session, ids: list[int], day: date, out: dict[int, TodayFigures]) -> None:
    rows = s.execute(
        select(T.hall_id,
               func.sum(case((T.hop == 0, 1), else_=0)),
               func.sum(case((T.state == "done", 1), else_=0)),
               func.sum(case((T.state.in_(WALKAWAY), 1), else_=0)),
               func.sum(case((T.state == "waiting", 1), else_=0)),
               func.min(case((T.state == "waiting", T.issued_at))))
        .where(T.hall_id.in_(ids), T.business_day == day)
        .group_by(T.hall_id))
    for hid, arrived, served, walk, waiting, oldest in rows:
        f = out[hid]
        f.arrived, f.served, f.walkaways = int(arrived or 0), int(served or 0), int(walk or 0)
        f.waiting = int(waiting or 0)
        if isinstance(oldest, str):  # SQLite returns min() of a CASE as text
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        f.oldest_waiting_since = oldest


def _service_level(s: Session, ids: list[int], day: date,
                   out: dict[int, TodayFigures]) -> None:
    customer = func.coalesce(T.origin_ticket_id, T.id)
    ranked = (
        select(T.hall_id, T.service_id, T.wait_seconds,
               func.row_number().over(partition_by=customer, order_by=T.hop).label("k"),
               func.max(case((T.state == "done", 1), else_=0))
               .over(partition_by=customer).label("served"))
        .where(T.hall_id.in_(ids), T.business_day == day, T.first_called_at.is_not(None))
        .subquery("ranked_calls"))
    fc = select(ranked).where(ranked.c.k == 1).subquery("first_calls")
    within = and_(fc.c.served == 1, fc.c.wait_seconds <= ServiceType.target_wait_minutes * 60)
    rows = s.execute(
        select(fc.c.hall_id, func.sum(fc.c.served), func.sum(case((within, 1), else_=0)))
        .join(ServiceType, ServiceType.id == fc.c.service_id)
        .group_by(fc.c.hall_id))
    for hid, served, ok in rows:
        out[hid].served_with_wait = int(served or 0)
        out[hid].within_target = int(ok or 0)
