"""The daily metrics of one hall: SQL aggregates → `DailyMetrics` (definitions: docs/metrics.md).

Every query is restricted to one hall and one business day through indexed columns
(`ticket.hall_id, business_day` — ix_ticket_queue; `received_at` / `at` / `started_at`
ranges for complaints, cash and sessions), so the cost does not grow with history.
Python only reshapes the grouped results (a few dozen rows), never loops over tickets.

This module assembles the report; the statements live in `ticket_queries`,
`activity_queries` and `config_rows`, the day's bounds in `window`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BusinessDay, Hall
from hall_app.metrics.activity_queries import ActivityQueries
from hall_app.metrics.config_rows import ConfigRows
from hall_app.metrics.inspections import InspectionQueries, inspection_times
from hall_app.metrics.model import (
    EMPTY_STATS,
    ClerkRow,
    CounterRow,
    DailyMetrics,
    Headline,
    HourRow,
    Outcomes,
    PauseRow,
    ServiceRow,
)
from hall_app.metrics.satisfaction import day_satisfaction
from hall_app.metrics.ticket_queries import WALKAWAY, TicketQueries
from hall_app.metrics.window import DayWindow

TRANSFERRED = "transferred"
OPEN = ("waiting", "called", "serving")


class _Queries(ConfigRows, TicketQueries, ActivityQueries, InspectionQueries):
    """All the statements of one day: configuration rows, ticket aggregates, the rest."""


def daily_metrics(session: Session, hall_row: Hall, day: date, now: datetime,
                  service_level_target_pct: int, walkaway_target_pct: int,
                  satisfaction_target_pct: int = 90) -> DailyMetrics:
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
        k for k, _, _ in pauses["counter"]}

    def paused(cid: int, recovery: bool) -> float:
        return sum(p[1] for (c, _, rec), p in pauses["counter"].items()
                   if c == cid and rec == recovery)
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
            paused_seconds=paused(c.id, False),
            pauses=tuple(sorted(
                (PauseRow(reason, p[0], p[1], rec)
                 for (cid, reason, rec), p in pauses["counter"].items() if cid == c.id),
                key=lambda r: -r.seconds)),
            recovery_seconds=paused(c.id, True),
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
            paused_seconds=pauses["staff"].get((st.id, False), 0.0),
            recovery_seconds=pauses["staff"].get((st.id, True), 0.0),
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

    closed_at = _closed_at(session, hid, day)
    return DailyMetrics(
        hall_code=hall_row.code, hall_name=hall_row.name, day=day,
        timezone=hall_row.timezone, generated_at=now.astimezone(w.tz),
        as_of=w.as_of.astimezone(w.tz), status=status, headline=headline,
        services=services, counters=counters, clerks=clerks, hours=hours,
        wait_buckets=q.wait_buckets(), incidents=incidents, complaints=complaints,
        inspections=q.inspections(), inspection_times=inspection_times(),
        satisfaction=day_satisfaction(session, hid, w, satisfaction_target_pct),
        day_closed=closed_at is not None,
        day_closed_at=closed_at.astimezone(w.tz) if closed_at is not None else None,
    )


def _closed_at(session: Session, hall_id: int, day: date) -> datetime | None:
    """When the business day was closed (the business_day row), None while it is open."""
    row = session.execute(select(BusinessDay.state, BusinessDay.closed_at).where(
        BusinessDay.hall_id == hall_id, BusinessDay.day == day)).first()
    if row is None or row[0] != "closed":
        return None
    return row[1] or datetime.min.replace(tzinfo=UTC)


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
