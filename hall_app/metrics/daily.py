"""The daily metrics of one hall: SQL aggregates → `DailyMetrics` (definitions: docs/metrics.md).

Every query is restricted to one hall and one business day through indexed columns
(`ticket.hall_id, business_day` — ix_ticket_queue; `received_at` / `at` / `started_at`
ranges for complaints, cash and sessions), so the cost does not grow with history.
Python only reshapes the grouped results (a few dozen rows), never loops over tickets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from db.models import (
    CashExchange,
    Complaint,
    Counter,
    CounterPause,
    CounterSession,
    Hall,
    Incident,
    IncidentCounter,
    OpeningHours,
    ServiceType,
    Staff,
    Ticket,
)
from hall_app.metrics.masking import mask
from hall_app.metrics.model import (
    EMPTY_STATS,
    ClerkRow,
    ComplaintRow,
    ComplaintSummary,
    CounterRow,
    DailyMetrics,
    Headline,
    HourRow,
    IncidentRow,
    Outcomes,
    PauseRow,
    ServiceRow,
    Stats,
    WaitBucket,
)
from hall_app.metrics.sqlparts import (
    clipped_seconds,
    fetch_distribution,
    hour_bucket,
    overlaps,
    seconds_between,
    ts,
)

T = Ticket
TRANSFERRED = "transferred"
WALKAWAY = ("no_show", "walked_away", "abandoned")
OPEN = ("waiting", "called", "serving")
#: Upper bounds (minutes) of the wait-distribution buckets; the last bucket is open-ended.
WAIT_BUCKET_EDGES = (5, 10, 15, 20, 30, 45, 60)
#: Sessions and pauses are closed at close of day; look this far back for ones that
#: began before the day (keeps the lookup an index range, not a scan of history).
SESSION_LOOKBACK = timedelta(hours=24)


class DayWindow:
    """The business day as UTC instants, and the hour boundaries in the hall's zone."""

    def __init__(self, day: date, tz: ZoneInfo, now: datetime) -> None:
        self.day, self.tz = day, tz
        self.start = datetime.combine(day, time(0), tz).astimezone(UTC)
        self.end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
        self.now = now
        self.as_of = min(now, self.end)
        self.hour_starts = [(h, datetime.combine(day, time(h), tz).astimezone(UTC))
                            for h in range(24)] + [(24, self.end)]

    def hour(self, col: Any) -> Any:
        return hour_bucket(col, self.hour_starts)

    def local(self, when: datetime | None) -> datetime | None:
        return None if when is None else when.astimezone(self.tz)


def daily_metrics(session: Session, hall_row: Hall, day: date, now: datetime,
                  service_level_target_pct: int, walkaway_target_pct: int) -> DailyMetrics:
    """All figures of `day` for `hall_row`, as of `now` (UTC, aware)."""
    w = DayWindow(day, ZoneInfo(hall_row.timezone), now)
    hid = hall_row.id
    if w.start > now:
        return _empty(hall_row, w, "future", service_level_target_pct, walkaway_target_pct)
    q = _Queries(session, hid, w)
    outcome_groups = q.outcome_groups()
    arrivals = q.arrivals()
    if not outcome_groups and not arrivals and not q.any_activity():
        status = "empty"
    else:
        status = "ok"

    waits = q.wait_distributions()
    service_times = q.service_distributions()
    sl = q.service_level()
    serving = q.serving_seconds()
    sessions = q.session_seconds()
    pauses = q.pauses()
    incidents = q.incidents()
    complaints = q.complaints()
    cash_count, cash_fen = q.cash()

    # -- reshape the grouped rows ----------------------------------------------------
    by_service: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # Tickets that never reached a counter group under None (skipped when listing below).
    by_counter: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_staff: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for service_id, counter_id, staff_id, state, n, recalls, recalled in outcome_groups:
        for target in (by_service[service_id], by_counter[counter_id], by_staff[staff_id],
                       totals):
            target[state] += n
            target["recalls"] += recalls
            target["recalled"] += recalled

    def outcomes(counts: dict[str, int]) -> Outcomes:
        return Outcomes(served=counts.get("done", 0), no_show=counts.get("no_show", 0),
                        walked_away=counts.get("walked_away", 0),
                        abandoned=counts.get("abandoned", 0),
                        cancelled=counts.get("cancelled", 0),
                        open=sum(counts.get(s, 0) for s in OPEN))

    arrived_by_service: dict[int, int] = defaultdict(int)
    arrived_by_hour: dict[int, int] = defaultdict(int)
    for service_id, hour, n in arrivals:
        arrived_by_service[service_id] += n
        arrived_by_hour[hour] += n
    arrived = sum(arrived_by_service.values())
    total_outcomes = outcomes(totals)
    sl_total = (sum(v[0] for v in sl.values()), sum(v[1] for v in sl.values()))

    headline = Headline(
        arrived=arrived,
        outcomes=total_outcomes,
        walkaway_rate=(100.0 * total_outcomes.walkaways / arrived) if arrived else None,
        walkaway_target_pct=walkaway_target_pct,
        wait=waits["all"].get(0, EMPTY_STATS),
        service=service_times["all"].get(0, EMPTY_STATS),
        served_with_wait=sl_total[0],
        within_target=sl_total[1],
        service_level=(100.0 * sl_total[1] / sl_total[0]) if sl_total[0] else None,
        service_level_target_pct=service_level_target_pct,
        recalls=totals["recalls"],
        recalled_tickets=totals["recalled"],
        transfers=totals[TRANSFERRED],
        complaints=complaints.total,
        outages=sum(1 for i in incidents if i.kind == "outage"),
        outage_minutes=round(sum(i.minutes for i in incidents if i.kind == "outage"), 1),
        facility_incidents=sum(1 for i in incidents if i.kind == "facility"),
        cash_exchanges=cash_count,
        cash_received_fen=cash_fen,
    )

    services = tuple(
        ServiceRow(
            service_id=sv.id, code=sv.code, name=sv.name,
            target_wait_minutes=sv.target_wait_minutes,
            arrived=arrived_by_service.get(sv.id, 0),
            outcomes=outcomes(by_service.get(sv.id, {})),
            transfers_out=by_service.get(sv.id, {}).get(TRANSFERRED, 0),
            wait=waits["service"].get(sv.id, EMPTY_STATS),
            service=service_times["service"].get(sv.id, EMPTY_STATS),
            served_with_wait=sl.get(sv.id, (0, 0))[0],
            within_target=sl.get(sv.id, (0, 0))[1],
        )
        for sv in q.services()
        if sv.active or sv.id in arrived_by_service or sv.id in by_service
    )

    counter_ids = {k for k in by_counter if k is not None} | set(sessions["counter"]) | {
        k for k, _ in pauses["counter"]}
    counters = tuple(
        CounterRow(
            counter_id=c.id, number=c.number, name=c.name,
            served=by_counter.get(c.id, {}).get("done", 0),
            no_show=by_counter.get(c.id, {}).get("no_show", 0),
            recalls=by_counter.get(c.id, {}).get("recalls", 0),
            transfers=by_counter.get(c.id, {}).get(TRANSFERRED, 0),
            wait=waits["counter"].get(c.id, EMPTY_STATS),
            service=service_times["counter"].get(c.id, EMPTY_STATS),
            serving_seconds=serving["counter"].get(c.id, 0.0),
            open_seconds=sessions["counter"].get(c.id, 0.0),
            paused_seconds=sum(p[1] for (cid, _), p in pauses["counter"].items() if cid == c.id),
            pauses=tuple(sorted(
                (PauseRow(reason, p[0], p[1]) for (cid, reason), p in pauses["counter"].items()
                 if cid == c.id), key=lambda r: -r.seconds)),
        )
        for c in q.counters(counter_ids)
    )

    staff_ids = {k for k in by_staff if k is not None} | set(sessions["staff"])
    clerks = tuple(
        ClerkRow(
            staff_id=st.id, staff_no=st.staff_no, name=st.name,
            served=by_staff.get(st.id, {}).get("done", 0),
            no_show=by_staff.get(st.id, {}).get("no_show", 0),
            recalls=by_staff.get(st.id, {}).get("recalls", 0),
            transfers=by_staff.get(st.id, {}).get(TRANSFERRED, 0),
            wait=waits["staff"].get(st.id, EMPTY_STATS),
            service=service_times["staff"].get(st.id, EMPTY_STATS),
            serving_seconds=serving["staff"].get(st.id, 0.0),
            signed_in_seconds=sessions["staff"].get(st.id, 0.0),
            paused_seconds=pauses["staff"].get(st.id, 0.0),
        )
        for st in q.staff(staff_ids)
    )

    hour_outcomes = q.hour_outcomes()
    hour_waits = q.hour_waits()
    active_hours = set(arrived_by_hour) | {h for h, _ in hour_outcomes} | set(hour_waits)
    active_hours |= q.opening_hours_range()
    hours = tuple(
        HourRow(hour=h, arrived=arrived_by_hour.get(h, 0),
                served=hour_outcomes.get((h, "done"), 0),
                walkaways=sum(hour_outcomes.get((h, s), 0) for s in WALKAWAY),
                mean_wait=hour_waits.get(h))
        for h in (range(min(active_hours), max(active_hours) + 1) if active_hours else ())
    )

    return DailyMetrics(
        hall_code=hall_row.code, hall_name=hall_row.name, day=day,
        timezone=hall_row.timezone, generated_at=now.astimezone(w.tz),
        as_of=w.as_of.astimezone(w.tz), status=status, headline=headline,
        services=services, counters=counters, clerks=clerks, hours=hours,
        wait_buckets=q.wait_buckets(), incidents=incidents, complaints=complaints,
    )


def _empty(hall_row: Hall, w: DayWindow, status: str, sl_target: int,
           walk_target: int) -> DailyMetrics:
    headline = Headline(
        arrived=0, outcomes=Outcomes(), walkaway_rate=None, walkaway_target_pct=walk_target,
        wait=EMPTY_STATS, service=EMPTY_STATS, served_with_wait=0, within_target=0,
        service_level=None, service_level_target_pct=sl_target, recalls=0,
        recalled_tickets=0, transfers=0, complaints=0, outages=0, outage_minutes=0.0,
        facility_incidents=0, cash_exchanges=0, cash_received_fen=0)
    return DailyMetrics(
        hall_code=hall_row.code, hall_name=hall_row.name, day=w.day,
        timezone=hall_row.timezone, generated_at=w.now.astimezone(w.tz),
        as_of=w.as_of.astimezone(w.tz), status=status, headline=headline)


class _Queries:
    """The individual SQL statements; each returns grouped rows or small dicts."""

    def __init__(self, s: Session, hall_id: int, w: DayWindow) -> None:
        self.s, self.hid, self.w = s, hall_id, w
        self.base = and_(T.hall_id == hall_id, T.business_day == w.day)

    # -- configuration rows ------------------------------------------------------------
    def services(self) -> list[ServiceType]:
        return list(self.s.scalars(select(ServiceType).where(ServiceType.hall_id == self.hid)
                                   .order_by(ServiceType.sort_order, ServiceType.id)))

    def counters(self, ids: Iterable[int]) -> list[Counter]:
        ids = list(ids)
        if not ids:
            return []
        return list(self.s.scalars(select(Counter).where(Counter.id.in_(ids))
                                   .order_by(Counter.number)))

    def staff(self, ids: Iterable[int]) -> list[Staff]:
        ids = list(ids)
        if not ids:
            return []
        return list(self.s.scalars(select(Staff).where(Staff.id.in_(ids))
                                   .order_by(Staff.staff_no)))

    def opening_hours_range(self) -> set[int]:
        row = self.s.scalars(select(OpeningHours).where(
            OpeningHours.hall_id == self.hid,
            OpeningHours.weekday == self.w.day.weekday())).first()
        if row is None or row.opens is None or row.closes is None:
            return set()
        last = row.closes.hour - (1 if row.closes.minute == 0 else 0)
        return set(range(row.opens.hour, last + 1))

    # -- tickets -----------------------------------------------------------------------
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

    def any_activity(self) -> bool:
        """Sessions, incidents or complaints on a day without tickets still make a report."""
        w = self.w
        checks = [
            select(CounterSession.id).where(
                CounterSession.hall_id == self.hid,
                overlaps(CounterSession.started_at, CounterSession.ended_at, w.start, w.end),
                CounterSession.started_at >= ts(w.start - SESSION_LOOKBACK)).limit(1),
            select(Incident.id).where(
                Incident.hall_id == self.hid,
                overlaps(Incident.started_at, Incident.ended_at, w.start, w.end)).limit(1),
            select(Complaint.id).where(Complaint.hall_id == self.hid,
                                       Complaint.received_at >= ts(w.start),
                                       Complaint.received_at < ts(w.end)).limit(1),
        ]
        return any(self.s.scalar(c) is not None for c in checks)

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

    # -- counters: sessions and pauses ---------------------------------------------------
    def _interval_filter(self, model: Any) -> Any:
        w = self.w
        return and_(model.hall_id == self.hid,
                    model.started_at >= ts(w.start - SESSION_LOOKBACK),
                    overlaps(model.started_at, model.ended_at, w.start, w.end))

    def _clipped(self, model: Any) -> Any:
        w = self.w
        end = func.coalesce(model.ended_at, ts(w.as_of))
        return clipped_seconds(model.started_at, end, w.start, w.as_of)

    def session_seconds(self) -> dict[str, dict[int, float]]:
        secs = func.sum(self._clipped(CounterSession))
        out: dict[str, dict[int, float]] = {}
        for name, col in (("counter", CounterSession.counter_id),
                          ("staff", CounterSession.staff_id)):
            rows = self.s.execute(select(col, secs).where(self._interval_filter(CounterSession))
                                  .group_by(col))
            out[name] = {k: max(0.0, round(float(v or 0))) for k, v in rows}
        return out

    def pauses(self) -> dict[str, Any]:
        secs = func.sum(self._clipped(CounterPause))
        rows = self.s.execute(
            select(CounterPause.counter_id, CounterPause.reason, func.count(), secs)
            .where(self._interval_filter(CounterPause))
            .group_by(CounterPause.counter_id, CounterPause.reason))
        by_counter = {(cid, reason): (int(n), max(0.0, round(float(v or 0))))
                      for cid, reason, n, v in rows}
        staff_rows = self.s.execute(
            select(CounterPause.staff_id, secs)
            .where(self._interval_filter(CounterPause), CounterPause.staff_id.is_not(None))
            .group_by(CounterPause.staff_id))
        return {"counter": by_counter,
                "staff": {k: max(0.0, round(float(v or 0))) for k, v in staff_rows}}

    # -- incidents, complaints, cash -------------------------------------------------------
    def incidents(self) -> tuple[IncidentRow, ...]:
        w = self.w
        inc_end = func.coalesce(Incident.ended_at, ts(w.as_of))
        # A row is waiting from its creation (continuations: the transfer) until it is
        # first called, or until it ends without a call, or until the report time.
        wait_end = func.coalesce(T.first_called_at, T.ended_at, ts(w.as_of))
        customer = func.coalesce(T.origin_ticket_id, T.id)
        waiting = (
            select(func.count(func.distinct(customer)))
            .where(self.base, T.created_at < inc_end, wait_end > Incident.started_at)
            .scalar_subquery())
        minutes = seconds_between(Incident.started_at, inc_end) / 60.0
        rows = self.s.execute(
            select(Incident.id, Incident.kind, Incident.category, Incident.notice,
                   Incident.started_at, Incident.ended_at, minutes, waiting)
            .where(Incident.hall_id == self.hid,
                   overlaps(Incident.started_at, Incident.ended_at, w.start, w.end))
            .order_by(Incident.started_at)).all()
        numbers: dict[int, list[int]] = defaultdict(list)
        if rows:
            for iid, num in self.s.execute(
                    select(IncidentCounter.incident_id, Counter.number)
                    .join(Counter, Counter.id == IncidentCounter.counter_id)
                    .where(IncidentCounter.incident_id.in_([r[0] for r in rows]))
                    .order_by(Counter.number)):
                numbers[iid].append(num)
        return tuple(
            IncidentRow(id=iid, kind=kind, category=cat, notice=notice or "",
                        started_at=w.local(start), ended_at=w.local(end),  # type: ignore[arg-type]
                        minutes=round(max(0.0, float(mins or 0)), 1),
                        counter_numbers=tuple(numbers.get(iid, ())),
                        waiting_customers=int(n or 0))
            for iid, kind, cat, notice, start, end, mins, n in rows)

    def complaints(self) -> ComplaintSummary:
        w = self.w
        day_filter = and_(Complaint.hall_id == self.hid, Complaint.received_at >= ts(w.start),
                          Complaint.received_at < ts(w.end))
        same_day = and_(Complaint.replied_at.is_not(None), Complaint.replied_at < ts(w.end))
        overdue = or_(and_(Complaint.replied_at.is_(None), Complaint.reply_due_at < ts(w.now)),
                      Complaint.replied_at > Complaint.reply_due_at)
        total, n_overdue, n_same = self.s.execute(
            select(func.count(), func.sum(case((overdue, 1), else_=0)),
                   func.sum(case((same_day, 1), else_=0))).where(day_filter)).one()
        if not total:
            return ComplaintSummary()
        by_cat = self.s.execute(
            select(Complaint.category, func.count()).where(day_filter)
            .group_by(Complaint.category).order_by(func.count().desc(), Complaint.category)).all()
        by_state = self.s.execute(
            select(Complaint.state, func.count()).where(day_filter)
            .group_by(Complaint.state).order_by(func.count().desc(), Complaint.state)).all()
        listed = self.s.execute(
            select(Complaint.id, Complaint.received_at, Complaint.channel, Complaint.category,
                   Complaint.state, Complaint.customer_name, Complaint.phone, Counter.number,
                   case((same_day, 1), else_=0), case((overdue, 1), else_=0))
            .outerjoin(Counter, Counter.id == Complaint.counter_id)
            .where(day_filter).order_by(Complaint.received_at, Complaint.id)).all()
        rows = tuple(
            ComplaintRow(id=cid, received_at=w.local(at),  # type: ignore[arg-type]
                         channel=ch, category=cat, state=st,
                         customer_name=_mask_name(name), phone_masked=mask(phone),
                         counter_number=num, replied_same_day=bool(sd), overdue=bool(od))
            for cid, at, ch, cat, st, name, phone, num, sd, od in listed)
        return ComplaintSummary(
            total=int(total), by_category=tuple((c, int(n)) for c, n in by_cat),
            by_state=tuple((st, int(n)) for st, n in by_state),
            overdue=int(n_overdue or 0), replied_same_day=int(n_same or 0), rows=rows)

    def cash(self) -> tuple[int, int]:
        n, fen = self.s.execute(
            select(func.count(), func.coalesce(func.sum(CashExchange.received_fen), 0))
            .where(CashExchange.hall_id == self.hid, CashExchange.at >= ts(self.w.start),
                   CashExchange.at < ts(self.w.end))).one()
        return int(n), int(fen or 0)


def _mask_name(name: str | None) -> str:
    """王芳 → 王*, 欧阳娜娜 → 欧***: the surname is enough on paper."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
