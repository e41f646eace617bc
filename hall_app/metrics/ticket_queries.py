"""Ticket aggregates of one day: arrivals, outcomes, wait and service-time
distributions (a customer's wait is their first called hop), service level, wait
buckets, per-hour figures and serving time. Each statement returns grouped rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, literal_column, select

from db.models import ServiceType, Ticket
from hall_app.metrics.model import Stats, WaitBucket
from hall_app.metrics.sqlparts import fetch_distribution
from hall_app.metrics.window import DayScope

T = Ticket
WALKAWAY = ("no_show", "walked_away", "abandoned")
#: Upper bounds (minutes) of the wait-distribution buckets; the last bucket is open-ended.
WAIT_BUCKET_EDGES = (5, 10, 15, 20, 30, 45, 60)


class TicketQueries(DayScope):
    def arrivals(self) -> list[tuple[int, int, int]]:
        """(service, local hour, count) of hop-0 rows: one per customer."""
        hour = self.w.hour(T.issued_at).label("h")
        rows = self.s.execute(
            select(T.service_id, hour, func.count())
            .where(self.base, T.hop == 0).group_by(T.service_id, hour))
        return [(sid, int(h), int(n)) for sid, h, n in rows]

    def outcome_groups(self) -> list[tuple[Any, Any, Any, str, int, int, int]]:
        """Rows grouped by (service, counter, clerk, state): count, recalls, recalled rows.

        Each customer has exactly one row that is not `transferred` (the last hop), so
        counting non-transferred rows by state counts customers by outcome, and the
        transferred rows are the transfers.
        """
        rows = self.s.execute(
            select(T.service_id, T.counter_id, T.staff_id, T.state, func.count(),
                   func.coalesce(func.sum(T.recall_count), 0),
                   func.sum(case((T.recall_count > 0, 1), else_=0)))
            .where(self.base).group_by(T.service_id, T.counter_id, T.staff_id, T.state))
        return [(a, b, c, d, int(n), int(r or 0), int(rr or 0)) for a, b, c, d, n, r, rr in rows]

    def _first_calls(self) -> Any:
        """One row per called customer: the lowest hop that was called (their wait).

        `served` is 1 when the customer's journey ended `done` (on any hop).
        """
        customer = func.coalesce(T.origin_ticket_id, T.id)
        ranked = (
            select(T.id, T.service_id, T.counter_id, T.staff_id, T.wait_seconds,
                   T.first_called_at,
                   func.row_number().over(partition_by=customer, order_by=T.hop).label("k"),
                   func.max(case((T.state == "done", 1), else_=0))
                   .over(partition_by=customer).label("served"))
            .where(self.base, T.first_called_at.is_not(None))
            .subquery("ranked_calls"))
        return select(ranked).where(ranked.c.k == 1).subquery("first_calls")

    def wait_distributions(self) -> dict[str, dict[Any, Stats]]:
        fc = self._first_calls()
        return self._distributions(fc, fc.c.wait_seconds)

    def service_distributions(self) -> dict[str, dict[Any, Stats]]:
        episodes = (select(T.service_id, T.counter_id, T.staff_id, T.service_seconds)
                    .where(self.base, T.service_seconds.is_not(None)).subquery("episodes"))
        return self._distributions(episodes, episodes.c.service_seconds)

    def _distributions(self, src: Any, value: Any) -> dict[str, dict[Any, Stats]]:
        groups = {"all": literal_column("0"), "service": src.c.service_id,
                  "counter": src.c.counter_id, "staff": src.c.staff_id}
        out: dict[str, dict[Any, Stats]] = {}
        for name, g in groups.items():
            sub = select(g.label("g"), value.label("v")).subquery(f"d_{name}")
            out[name] = fetch_distribution(self.s, sub)
        return out

    def service_level(self) -> dict[int, tuple[int, int]]:
        """service → (served customers with a wait, of them waited ≤ the service's target)."""
        fc = self._first_calls()
        within = and_(fc.c.served == 1,
                      fc.c.wait_seconds <= ServiceType.target_wait_minutes * 60)
        rows = self.s.execute(
            select(fc.c.service_id, func.sum(fc.c.served),
                   func.sum(case((within, 1), else_=0)))
            .join(ServiceType, ServiceType.id == fc.c.service_id)
            .group_by(fc.c.service_id))
        return {sid: (int(a or 0), int(b or 0)) for sid, a, b in rows}

    def wait_buckets(self) -> tuple[WaitBucket, ...]:
        fc = self._first_calls()
        whens = [(fc.c.wait_seconds < edge * 60, i) for i, edge in enumerate(WAIT_BUCKET_EDGES)]
        bucket = case(*whens, else_=len(WAIT_BUCKET_EDGES)).label("b")
        counts = dict(self.s.execute(select(bucket, func.count()).group_by(bucket))
                      .tuples().all())
        edges = (0, *WAIT_BUCKET_EDGES)
        return tuple(
            WaitBucket(edges[i], WAIT_BUCKET_EDGES[i] if i < len(WAIT_BUCKET_EDGES) else None,
                       int(counts.get(i, 0)))
            for i in range(len(edges)))

    def hour_outcomes(self) -> dict[tuple[int, str], int]:
        """(hour, state) → customers, by the hour their journey ended (served: finish)."""
        when = func.coalesce(T.finished_at, T.ended_at)
        hour = self.w.hour(when).label("h")
        rows = self.s.execute(
            select(hour, T.state, func.count())
            .where(self.base, T.state.in_(("done", *WALKAWAY)), when.is_not(None))
            .group_by(hour, T.state))
        return {(int(h), st): int(n) for h, st, n in rows}

    def hour_waits(self) -> dict[int, float]:
        fc = self._first_calls()
        hour = self.w.hour(fc.c.first_called_at).label("h")
        rows = self.s.execute(select(hour, func.avg(fc.c.wait_seconds * 1.0)).group_by(hour))
        return {int(h): float(v) for h, v in rows if v is not None}

    def serving_seconds(self) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = {}
        for name, col in (("counter", T.counter_id), ("staff", T.staff_id)):
            rows = self.s.execute(
                select(col, func.sum(T.service_seconds))
                .where(self.base, T.service_seconds.is_not(None), col.is_not(None))
                .group_by(col))
            out[name] = {k: float(v or 0) for k, v in rows}
        return out
