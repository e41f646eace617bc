"""One hall's figures for a period: SQL aggregates → `DailyMetrics` (docs/metrics.md).

    period_metrics(session, hall_row, Period.day(d), now, targets, category_names)
    daily_metrics(session, hall_row, d, now, sl_target, walkaway_target)   # a day

The headline of the period, of each day of its trend and of the periods it is compared
with come from one `HeadlineQueries` pass over numbered groups of days (scope.Scope);
the tables (services, counters, clerks, hours, incidents, complaints, inspections,
ratings …) from a second scope holding the period alone. Whether the figures are final
is the business day's close (the `business_day` table, hall_app.services.days). Every statement is restricted to one hall and to the
days it needs through indexed columns, so the cost does not grow with history. Python
only reshapes grouped results (a few dozen rows), never loops over tickets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BusinessDay, Hall
from hall_app.metrics.activity_queries import ActivityQueries
from hall_app.metrics.config_rows import ConfigRows
from hall_app.metrics.headline_queries import HeadlineQueries, Targets, hall_outage_intervals
from hall_app.metrics.inspections import InspectionQueries, inspection_times
from hall_app.metrics.model import (
    EMPTY_STATS,
    ClerkRow,
    Comparison,
    CounterRow,
    DailyMetrics,
    DayFigures,
    Headline,
    HourRow,
    Outcomes,
    PauseRow,
    ServiceRow,
)
from hall_app.metrics.pause_kinds import PauseKinds, load_pause_kinds
from hall_app.metrics.period import Period
from hall_app.metrics.satisfaction import day_satisfaction, period_satisfaction
from hall_app.metrics.scope import Scope, day_bounds
from hall_app.metrics.ticket_queries import WALKAWAY, TicketQueries
from hall_app.metrics.window import DayWindow

__all__ = ["DayWindow", "daily_metrics", "period_metrics"]

TRANSFERRED = "transferred"
OPEN = ("waiting", "called", "serving")
TREND_DAYS = 7


def daily_metrics(session: Session, hall_row: Hall, day: date, now: datetime,
                  service_level_target_pct: int, walkaway_target_pct: int,
                  category_names: Mapping[str, str] | None = None,
                  satisfaction_target_pct: int = 90) -> DailyMetrics:
    """All figures of business day `day` for `hall_row`, as of `now` (UTC, aware)."""
    return period_metrics(session, hall_row, Period.day(day), now,
                          Targets(service_level_target_pct, walkaway_target_pct,
                                  satisfaction_target_pct),
                          category_names or {})


def period_metrics(session: Session, hall_row: Hall, period: Period, now: datetime,
                   targets: Targets, category_names: Mapping[str, str],
                   kinds: PauseKinds | None = None) -> DailyMetrics:
    tz = ZoneInfo(hall_row.timezone)
    kinds = kinds or load_pause_kinds()
    start, end = day_bounds(period.first, tz)[0], day_bounds(period.last, tz)[1]
    if start > now:
        return _empty(hall_row, period, tz, now, min(now, end), targets)
    config = ConfigRows(session, hall_row.id)

    # -- headlines: the period, its trend days, its comparisons ------------------------
    groups, trend_groups, compare = _groups(period)
    head_scope = Scope(session, hall_row.id, tz, now, groups)
    heads = HeadlineQueries(head_scope, targets, kinds)
    chosen = _compared_groups(period, compare, heads.customer_counts(), config)
    # Medians, P90 and maxima for the period and the periods it is compared with; the
    # trend's other days need only counts and means.
    headlines = heads.headlines(full={0, *chosen.values()})
    comparisons = _comparisons(period, chosen, headlines)
    trend = tuple(DayFigures(groups[g][0], headlines[g]) for g in trend_groups)
    headline = headlines[0]

    # -- the period's tables ---------------------------------------------------------------
    scope = Scope(session, hall_row.id, tz, now, {0: period.days})
    tq = TicketQueries(scope, hall_outage_intervals(heads.spans, now))
    aq = ActivityQueries(scope)
    o = headline.outcomes
    busy = headline.arrived or o.served or o.open or headline.transfers
    status = "ok" if busy or aq.any_activity() else "empty"

    outcome_groups = tq.outcome_groups()
    by_service: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # Tickets that never reached a counter group under None (skipped when listing below).
    by_counter: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_staff: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for service_id, counter_id, staff_id, state, n, recalls, _recalled in outcome_groups:
        for target in (by_service[service_id], by_counter[counter_id], by_staff[staff_id]):
            target[state] += n
            target["recalls"] += recalls

    arrivals = tq.arrivals_by_service()
    total_waits = tq.total_waits_by_service()
    customer_levels = tq.customer_levels()
    queue_levels = tq.queue_levels()
    services = tuple(
        ServiceRow(
            service_id=sv.id, code=sv.code, name=sv.name,
            target_wait_minutes=sv.target_wait_minutes,
            arrived=arrivals.get(sv.id, 0),
            outcomes=_outcomes(by_service.get(sv.id, {})),
            transfers_out=by_service.get(sv.id, {}).get(TRANSFERRED, 0),
            wait=total_waits.get(sv.id, EMPTY_STATS),
            service=tq.service_times_cache("service").get(sv.id, EMPTY_STATS),
            served_with_wait=customer_levels.get(sv.id, (0, 0, 0))[0],
            within_target=customer_levels.get(sv.id, (0, 0, 0))[1],
            queue_wait=tq.queue_waits_cache("service").get(sv.id, EMPTY_STATS),
            within_target_excl_outage=customer_levels.get(sv.id, (0, 0, 0))[2],
            queue_started=queue_levels.get(sv.id, (0, 0))[0],
            queue_within_target=queue_levels.get(sv.id, (0, 0))[1],
        )
        for sv in config.services()
        if sv.active or sv.id in arrivals or sv.id in by_service
    )

    sessions = aq.session_seconds()
    pauses = aq.pauses()

    def pause_rows(who: str, key: int) -> tuple[PauseRow, ...]:
        rows = [PauseRow(reason, n, secs, kinds.in_staffed_time(reason, kind), kind)
                for (k, reason, kind), (n, secs) in pauses[who].items() if k == key]
        return tuple(sorted(rows, key=lambda r: (-r.seconds, r.reason, r.kind)))

    def staffed(signed: float, rows: tuple[PauseRow, ...]) -> float:
        return max(0.0, signed - sum(p.seconds for p in rows if not p.in_staffed_time))

    serving_by_counter = tq.serving_seconds_cache("counter")
    counter_ids = {k for k in by_counter if k is not None} | set(sessions["counter"]) | {
        k for k, _, _ in pauses["counter"]}
    counters = []
    for c in config.counters(counter_ids):
        rows = pause_rows("counter", c.id)
        signed = sessions["counter"].get(c.id, 0.0)
        counters.append(CounterRow(
            counter_id=c.id, number=c.number, name=c.name,
            served=by_counter.get(c.id, {}).get("done", 0),
            no_show=by_counter.get(c.id, {}).get("no_show", 0),
            recalls=by_counter.get(c.id, {}).get("recalls", 0),
            transfers=by_counter.get(c.id, {}).get(TRANSFERRED, 0),
            wait=tq.queue_waits_cache("counter").get(c.id, EMPTY_STATS),
            service=tq.service_times_cache("counter").get(c.id, EMPTY_STATS),
            serving_seconds=serving_by_counter.get(c.id, 0.0), open_seconds=signed,
            paused_seconds=sum(p.seconds for p in rows), pauses=rows,
            staffed_seconds=staffed(signed, rows)))

    serving_by_staff = tq.serving_seconds_cache("staff")
    staff_ids = {k for k in by_staff if k is not None} | set(sessions["staff"])
    clerks = []
    for st in config.staff(staff_ids):
        rows = pause_rows("staff", st.id)
        signed = sessions["staff"].get(st.id, 0.0)
        clerks.append(ClerkRow(
            staff_id=st.id, staff_no=st.staff_no, name=st.name,
            served=by_staff.get(st.id, {}).get("done", 0),
            no_show=by_staff.get(st.id, {}).get("no_show", 0),
            recalls=by_staff.get(st.id, {}).get("recalls", 0),
            transfers=by_staff.get(st.id, {}).get(TRANSFERRED, 0),
            wait=tq.queue_waits_cache("staff").get(st.id, EMPTY_STATS),
            service=tq.service_times_cache("staff").get(st.id, EMPTY_STATS),
            serving_seconds=serving_by_staff.get(st.id, 0.0), signed_in_seconds=signed,
            paused_seconds=sum(p.seconds for p in rows), pauses=rows,
            staffed_seconds=staffed(signed, rows)))

    hours: tuple[HourRow, ...] = ()
    if period.is_day:
        hours = _hours(tq, config, DayWindow(period.first, tz, now))

    if period.is_day:
        satisfaction = day_satisfaction(session, hall_row.id, DayWindow(period.first, tz, now),
                                        targets.satisfaction_pct)
    else:
        satisfaction = period_satisfaction(session, hall_row.id, period.first, period.last,
                                           targets.satisfaction_pct)
    trafficked = _days_with_traffic(period, groups, heads.customer_counts())
    closing = _closing(session, hall_row.id, period, now, trafficked, over=now >= end)

    return DailyMetrics(
        hall_code=hall_row.code, hall_name=hall_row.name, day=period.first,
        timezone=hall_row.timezone, generated_at=now.astimezone(tz),
        as_of=scope.as_of.astimezone(tz), status=status, headline=headline,
        services=services, counters=tuple(counters), clerks=tuple(clerks), hours=hours,
        wait_buckets=tq.wait_buckets(), incidents=aq.incidents(),
        complaints=aq.complaints(category_names), period=period,
        comparisons=comparisons, trend=trend, escalations=aq.escalations(),
        longest_waits=tq.longest_waits(), cash=aq.cash(),
        inspections=InspectionQueries(scope).inspections(),
        inspection_times=inspection_times(), satisfaction=satisfaction,
        day_closed=closing.final,
        day_closed_at=closing.closed_at.astimezone(tz) if closing.closed_at else None,
        days_not_closed=closing.not_closed, finished_at_close=closing.finished_at_close)


def _days_with_traffic(period: Period, groups: Mapping[int, tuple[date, ...]],
                       counts: Mapping[int, Mapping[str, int]]) -> set[date]:
    """The period's days on which customers took tickets (from the headline pass: a
    week's or month's groups 1… are its single days)."""
    if period.is_day:
        return {period.first} if counts.get(0, {}).get("arrived") else set()
    inside = set(period.days)
    return {days[0] for g, days in groups.items()
            if g and len(days) == 1 and days[0] in inside and counts.get(g, {}).get("arrived")}


@dataclass(frozen=True)
class _Closing:
    final: bool  # the day closed; a week or month over with each of its days closed
    closed_at: datetime | None  # a single day's close
    not_closed: tuple[date, ...]
    finished_at_close: int  # customers still being served whom the close finished


def _closing(session: Session, hall_id: int, period: Period, now: datetime,
             trafficked: set[date], *, over: bool) -> _Closing:
    """Whether the figures are final, from `business_day` (hall_app.services.days).

    A day is closed when its row says so (and the close is not later than `now`). A week
    or month is final once it is over and each of its days that opened (a row) or had
    customers is closed.
    """
    rows = {d: (state, at, n) for d, state, at, n in session.execute(
        select(BusinessDay.day, BusinessDay.state, BusinessDay.closed_at,
               BusinessDay.finished_at_close)
        .where(BusinessDay.hall_id == hall_id, BusinessDay.day >= period.first,
               BusinessDay.day <= period.last))}

    def closed(d: date) -> datetime | None:
        state, at, _ = rows.get(d, (None, None, None))
        if state != "closed":
            return None
        at = at or datetime.min.replace(tzinfo=UTC)
        return at if at <= now else None

    finished = sum(int(n or 0) for d, (_, _, n) in rows.items() if closed(d) is not None)
    if period.is_day:
        at = closed(period.first)
        return _Closing(at is not None, at, () if at is not None else (period.first,), finished)
    opened = (set(rows) | trafficked) & set(period.days)
    missing = tuple(sorted(d for d in opened if closed(d) is None))
    return _Closing(over and not missing, None, missing, finished)


def _outcomes(counts: Mapping[str, int]) -> Outcomes:
    return Outcomes(served=counts.get("done", 0), no_show=counts.get("no_show", 0),
                    walked_away=counts.get("walked_away", 0),
                    abandoned=counts.get("abandoned", 0),
                    cancelled=counts.get("cancelled", 0),
                    open=sum(counts.get(s, 0) for s in OPEN),
                    open_waiting=counts.get("waiting", 0), open_called=counts.get("called", 0),
                    open_serving=counts.get("serving", 0))


def _groups(period: Period) -> tuple[dict[int, tuple[date, ...]], list[int], dict[str, int]]:
    """Groups of days for the headline pass: (groups, trend groups in date order, comparisons).

    A day: group k (0…7) is the day k days before; the trend is the last seven days; the
    previous business day is chosen among groups 1…7 once their figures are known.
    A week or month: group 0 the period, 1… each of its days, then the previous period.
    """
    groups: dict[int, tuple[date, ...]]
    if period.is_day:
        d = period.first
        groups = {k: (d - timedelta(days=k),) for k in range(TREND_DAYS + 1)}
        return groups, list(range(TREND_DAYS - 1, -1, -1)), {"上周同日": TREND_DAYS}
    groups = {0: period.days}
    trend: list[int] = []
    for i, d in enumerate(period.days, start=1):
        groups[i] = (d,)
        trend.append(i)
    prev = len(groups)
    groups[prev] = period.previous().days
    return groups, trend, {"上周" if period.kind == "week" else "上月": prev}


def _compared_groups(period: Period, compare: dict[str, int],
                     counts: Mapping[int, Mapping[str, int]], config: ConfigRows) -> dict[str, int]:
    """Label → group of each period the report compares with, in print order."""
    if not period.is_day:
        return dict(compare)
    d = period.first
    # The previous business day: the latest of the seven days before with any ticket;
    # without one, the latest day the opening hours say the hall opens; else yesterday.
    prev = next((k for k in range(1, TREND_DAYS + 1) if counts.get(k, {}).get("arrived")),
                None)
    if prev is None:
        prev = next((k for k in range(1, TREND_DAYS + 1)
                     if config.opens_on(d - timedelta(days=k))), 1)
    return {"上一营业日": prev, **compare}


def _comparisons(period: Period, chosen: dict[str, int],
                 heads: Mapping[int, Headline]) -> tuple[Comparison, ...]:
    out = []
    for label, g in chosen.items():
        if period.is_day:
            span = Period.day(period.first - timedelta(days=g))
        else:
            span = period.previous()
        out.append(Comparison(label, span, heads[g]))
    return tuple(out)


def _hours(tq: TicketQueries, config: ConfigRows, w: DayWindow) -> tuple[HourRow, ...]:
    counts, waits = tq.hours(w)
    active = {h for h, v in counts.items() if any(v.values())}
    active |= config.opening_hours_range(w.day)
    if not active:
        return ()
    rows = []
    for h in range(min(active), max(active) + 1):
        v = counts.get(h, {})
        total, n = waits.get(h, (0, 0))
        rows.append(HourRow(
            hour=h, arrived=v.get("arrived", 0), served=v.get("done", 0),
            walkaways=sum(v.get(s, 0) for s in WALKAWAY),
            mean_wait=(total / n) if n else None,
            no_show=v.get("no_show", 0), walked_away=v.get("walked_away", 0),
            abandoned=v.get("abandoned", 0), wait_total=total, wait_count=n))
    return tuple(rows)


def _empty(hall_row: Hall, period: Period, tz: ZoneInfo, now: datetime, as_of: datetime,
           targets: Targets) -> DailyMetrics:
    headline = empty_headline(targets)
    return DailyMetrics(
        hall_code=hall_row.code, hall_name=hall_row.name, day=period.first,
        timezone=hall_row.timezone, generated_at=now.astimezone(tz),
        as_of=as_of.astimezone(tz), status="future", headline=headline, period=period)


def empty_headline(targets: Targets) -> Headline:
    return Headline(
        arrived=0, outcomes=Outcomes(), walkaway_rate=None, walkaway_target_pct=targets.walkaway_pct,
        wait=EMPTY_STATS, service=EMPTY_STATS, served_with_wait=0, within_target=0,
        service_level=None, service_level_target_pct=targets.service_level_pct, recalls=0,
        recalled_tickets=0, transfers=0, complaints=0, outages=0, outage_minutes=0.0,
        facility_incidents=0, cash_exchanges=0, cash_received_fen=0)
