"""Ticket aggregates of the report's period for its tables: by service, counter, clerk and
hour, the wait distribution and the ten longest waits. Each statement returns grouped
rows; the scope has one group (0), the period (definitions: docs/metrics.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from db.models import Counter, ServiceType, Staff, Ticket
from hall_app.domain.tickets import STATE_LABELS
from hall_app.metrics.journeys import customer_key, journeys, own_queue_wait
from hall_app.metrics.model import LongWaitRow, Stats, WaitBucket
from hall_app.metrics.scope import Scope
from hall_app.metrics.sqlparts import fetch_distribution
from hall_app.metrics.window import DayWindow

T = Ticket
WALKAWAY = ("no_show", "walked_away", "abandoned")
#: Upper bounds (minutes) of the wait-distribution buckets; the last bucket is open-ended.
WAIT_BUCKET_EDGES = (5, 10, 15, 20, 30, 45, 60)
LONGEST_WAITS = 10


class TicketQueries:
    def __init__(self, scope: Scope, hall_outages: list[tuple[datetime, datetime]]) -> None:
        self.scope, self.s = scope, scope.s
        self.outages = hall_outages
        self._memo: dict[tuple[str, str], Any] = {}

    def _by(self, what: str, kind: str) -> Any:
        """`what` (queue_waits, service_times, serving_seconds) grouped by `kind`
        (service, counter, staff), computed once."""
        key = (what, kind)
        if key not in self._memo:
            col = {"service": T.service_id, "counter": T.counter_id, "staff": T.staff_id}[kind]
            self._memo[key] = getattr(self, what)(col)
        return self._memo[key]

    def queue_waits_cache(self, kind: str) -> dict[Any, Stats]:
        return self._by("queue_waits", kind)  # type: ignore[no-any-return]

    def service_times_cache(self, kind: str) -> dict[Any, Stats]:
        return self._by("service_times", kind)  # type: ignore[no-any-return]

    def serving_seconds_cache(self, kind: str) -> dict[int, float]:
        return self._by("serving_seconds", kind)  # type: ignore[no-any-return]

    def _rows(self, *cols: Any) -> Any:
        sc = self.scope
        return (select(*cols).select_from(T).join(sc.grp, sc.tickets())
                .where(sc.joined_ticket_range()))

    def _journeys(self) -> Any:
        return journeys(self.scope, self.outages)

    # -- per row: outcomes, recalls and transfers by service / counter / clerk ------------
    def outcome_groups(self) -> list[tuple[Any, Any, Any, str, int, int, int]]:
        """Rows grouped by (service, counter, clerk, state): count, recalls, recalled rows.

        Each customer has exactly one row that is not `transferred` (the last hop), so
        counting non-transferred rows by state counts customers by outcome, and the
        transferred rows are the transfers.
        """
        rows = self.s.execute(
            self._rows(T.service_id, T.counter_id, T.staff_id, T.state, func.count(),
                       func.coalesce(func.sum(T.recall_count), 0),
                       func.sum(case((T.recall_count > 0, 1), else_=0)))
            .group_by(T.service_id, T.counter_id, T.staff_id, T.state))
        return [(a, b, c, d, int(n), int(r or 0), int(rr or 0)) for a, b, c, d, n, r, rr in rows]

    def arrivals_by_service(self) -> dict[int, int]:
        j = self._journeys()
        rows = self.s.execute(select(j.c.first_service, func.count()).group_by(j.c.first_service))
        return {int(sid): int(n) for sid, n in rows}

    # -- distributions ---------------------------------------------------------------------
    def _dist(self, src: Any) -> dict[Any, Stats]:
        return fetch_distribution(self.s, src.subquery())

    def total_waits_by_service(self) -> dict[Any, Stats]:
        j = self._journeys()
        return self._dist(select(j.c.service_id.label("g"), j.c.total_wait.label("v"))
                          .where(j.c.called == 1))

    def queue_waits(self, col: Any) -> dict[Any, Stats]:
        return self._dist(self._rows(col.label("g"), own_queue_wait().label("v"))
                          .where(T.first_called_at.is_not(None)))

    def service_times(self, col: Any) -> dict[Any, Stats]:
        return self._dist(self._rows(col.label("g"), T.service_seconds.label("v"))
                          .where(T.service_seconds.is_not(None)))

    # -- service levels ---------------------------------------------------------------------
    def customer_levels(self) -> dict[int, tuple[int, int, int]]:
        """final service → (served customers, within its target, within with outages out)."""
        j = self._journeys()
        target = j.c.target * 60
        done = j.c.state == "done"
        rows = self.s.execute(
            select(j.c.service_id, func.sum(case((done, 1), else_=0)),
                   func.sum(case((and_(done, j.c.total_wait <= target), 1), else_=0)),
                   func.sum(case((and_(done, j.c.total_wait - j.c.outage_wait <= target), 1),
                                 else_=0)))
            .group_by(j.c.service_id))
        return {int(sid): (int(a or 0), int(b or 0), int(c or 0)) for sid, a, b, c in rows}

    def queue_levels(self) -> dict[int, tuple[int, int]]:
        """row service → (rows whose service began, of them called within the target)."""
        started = T.started_at.is_not(None)
        within = and_(started, own_queue_wait() <= ServiceType.target_wait_minutes * 60)
        rows = self.s.execute(
            self._rows(T.service_id, func.sum(case((started, 1), else_=0)),
                       func.sum(case((within, 1), else_=0)))
            .join(ServiceType, ServiceType.id == T.service_id)
            .where(T.first_called_at.is_not(None)).group_by(T.service_id))
        return {int(sid): (int(a or 0), int(b or 0)) for sid, a, b in rows}

    # -- wait distribution and the longest waits --------------------------------------------
    def wait_buckets(self) -> tuple[WaitBucket, ...]:
        j = self._journeys()
        whens = [(j.c.total_wait < edge * 60, i) for i, edge in enumerate(WAIT_BUCKET_EDGES)]
        bucket = case(*whens, else_=len(WAIT_BUCKET_EDGES)).label("b")
        counts = dict(self.s.execute(select(bucket, func.count()).where(j.c.called == 1)
                                     .group_by(bucket)).tuples().all())
        edges = (0, *WAIT_BUCKET_EDGES)
        return tuple(
            WaitBucket(edges[i], WAIT_BUCKET_EDGES[i] if i < len(WAIT_BUCKET_EDGES) else None,
                       int(counts.get(i, 0)))
            for i in range(len(edges)))

    def longest_waits(self) -> tuple[LongWaitRow, ...]:
        j = self._journeys()
        top = self.s.execute(
            select(j.c.cust, j.c.issued_at, j.c.called_at, j.c.total_wait, j.c.state,
                   Counter.number, Staff.name)
            .select_from(j).outerjoin(Counter, Counter.id == j.c.counter_id)
            .outerjoin(Staff, Staff.id == j.c.staff_id)
            .where(j.c.called == 1)
            .order_by(j.c.total_wait.desc(), j.c.issued_at, j.c.cust)
            .limit(LONGEST_WAITS)).all()
        if not top:
            return ()
        ids = [r[0] for r in top]
        path: dict[int, list[str]] = {}
        code: dict[int, str] = {}
        for cust, _hop, c, name in self.s.execute(
                select(customer_key(), T.hop, T.code, ServiceType.name)
                .join(ServiceType, ServiceType.id == T.service_id)
                .where(self.scope.ticket_range(),
                       or_(T.id.in_(ids), T.origin_ticket_id.in_(ids)))
                .order_by(customer_key(), T.hop)):
            path.setdefault(cust, []).append(name)
            code.setdefault(cust, c)
        sc = self.scope
        return tuple(
            LongWaitRow(code=code.get(cust, ""), services=tuple(path.get(cust, ())),
                        issued_at=sc.local(issued),  # type: ignore[arg-type]
                        called_at=sc.local(called),  # type: ignore[arg-type]
                        wait_seconds=int(wait or 0), counter_number=number,
                        clerk_name=clerk, outcome=STATE_LABELS.get(state, state))
            for cust, issued, called, wait, state, number, clerk in top)

    # -- hours (a single day) -----------------------------------------------------------
    def hours(self, w: DayWindow) -> tuple[dict[int, dict[str, int]], dict[int, tuple[int, int]]]:
        """hour → {arrived, done, no_show, walked_away, abandoned}; hour → (Σ wait, n)."""
        counts: dict[int, dict[str, int]] = {}
        j = self._journeys()
        issued = w.hour(j.c.issued_at).label("h")
        for h, n, total, called in self.s.execute(
                select(issued, func.count(),
                       func.sum(case((j.c.called == 1, j.c.total_wait), else_=0)),
                       func.sum(j.c.called)).group_by(issued)):
            counts.setdefault(int(h), {})["arrived"] = int(n or 0)
            counts[int(h)]["wait_total"] = int(total or 0)
            counts[int(h)]["wait_count"] = int(called or 0)
        when = func.coalesce(j.c.finished_at, j.c.ended_at)
        ended = w.hour(when).label("h")
        for h, state, n in self.s.execute(
                select(ended, j.c.state, func.count())
                .where(j.c.state.in_(("done", *WALKAWAY)), when.is_not(None))
                .group_by(ended, j.c.state)):
            counts.setdefault(int(h), {})[state] = int(n)
        waits = {h: (v.get("wait_total", 0), v.get("wait_count", 0)) for h, v in counts.items()}
        return counts, waits

    def serving_seconds(self, col: Any) -> dict[int, float]:
        rows = self.s.execute(
            self._rows(col, func.sum(T.service_seconds))
            .where(T.service_seconds.is_not(None), col.is_not(None)).group_by(col))
        return {k: float(v or 0) for k, v in rows}

