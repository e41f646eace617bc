"""The headline figures of every group of a scope, one statement per kind of fact.

`headlines(scope, targets, pause_kinds)` → {group: Headline}. Each statement groups by
`grp.g`, so the report's period, the seven days of its trend and its comparison days
cost the same dozen statements as the period alone (docs/performance.md). Definitions:
docs/metrics.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from db.models import (
    CashExchange,
    Complaint,
    CounterPause,
    CounterSession,
    Escalation,
    Incident,
    IncidentCounter,
    Ticket,
)
from hall_app.metrics.journeys import journeys, own_queue_wait
from hall_app.metrics.model import EMPTY_STATS, Headline, Outcomes, Stats
from hall_app.metrics.pause_kinds import PauseKinds
from hall_app.metrics.scope import Scope
from hall_app.metrics.sqlparts import clipped_seconds, fetch_distribution, overlaps, ts
from hall_app.services.complaints import sql as complaint_sql

T = Ticket
#: Sessions and pauses are closed at close of day; look this far back for ones that
#: began before the day (keeps the lookup an index range, not a scan of history).
SESSION_LOOKBACK = timedelta(hours=24)
OPEN_STATES = ("waiting", "called", "serving")


@dataclass(frozen=True)
class Targets:
    service_level_pct: int
    walkaway_pct: int
    satisfaction_pct: int = 90


@dataclass(frozen=True)
class IncidentSpan:
    """An incident overlapping the scope: [start, end or now), whether it is hall-wide."""

    id: int
    kind: str
    start: datetime
    end: datetime | None
    hall_wide: bool


def incident_spans(scope: Scope) -> list[IncidentSpan]:
    """Incidents overlapping the scope's days (a handful of rows)."""
    named = select(IncidentCounter.id).where(IncidentCounter.incident_id == Incident.id)
    rows = scope.s.execute(
        select(Incident.id, Incident.kind, Incident.started_at, Incident.ended_at,
               ~named.exists())
        .where(Incident.hall_id == scope.hid,
               overlaps(Incident.started_at, Incident.ended_at, scope.lo, scope.as_of))
        .order_by(Incident.started_at, Incident.id)).all()
    return [IncidentSpan(int(i), k, s, e, bool(w)) for i, k, s, e, w in rows]


def hall_outage_intervals(spans: list[IncidentSpan], now: datetime) -> list[tuple[datetime, datetime]]:
    """The union of hall-wide system outages as disjoint intervals (open ones until now)."""
    pieces = sorted((sp.start, sp.end or now) for sp in spans
                    if sp.kind == "outage" and sp.hall_wide)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in pieces:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def clipped(start: datetime, end: datetime | None, windows: list[tuple[datetime, datetime]],
            now: datetime) -> int:
    """Whole seconds of [start, end or now) inside the windows (a group's days)."""
    stop = end or now
    total = 0.0
    for lo, hi in windows:
        total += max(0.0, (min(stop, hi) - max(start, lo)).total_seconds())
    return int(round(total))


class HeadlineQueries:
    def __init__(self, scope: Scope, targets: Targets, kinds: PauseKinds) -> None:
        self.scope, self.targets, self.kinds = scope, targets, kinds
        self.spans = incident_spans(scope)
        self.outages = hall_outage_intervals(self.spans, scope.now)
        self._counts: dict[int, dict[str, int]] | None = None

    # -- tickets ---------------------------------------------------------------------
    def _customers(self) -> dict[int, dict[str, int]]:
        c = journeys(self.scope, self.outages)
        target = c.c.target * 60
        done = c.c.state == "done"
        called = c.c.called == 1

        def n(cond: Any) -> Any:
            return func.sum(case((cond, 1), else_=0))

        cols = {
            "arrived": func.count(),
            "served": n(done), "no_show": n(c.c.state == "no_show"),
            "walked_away": n(c.c.state == "walked_away"),
            "abandoned": n(c.c.state == "abandoned"), "cancelled": n(c.c.state == "cancelled"),
            "open_waiting": n(c.c.state == "waiting"), "open_called": n(c.c.state == "called"),
            "open_serving": n(c.c.state == "serving"),
            "within": n(and_(done, c.c.total_wait <= target)),
            "within_excl": n(and_(done, c.c.total_wait - c.c.outage_wait <= target)),
            "wait_n": n(called), "wait_sum": func.sum(case((called, c.c.total_wait), else_=0)),
            "queue_wait_n": func.sum(c.c.queue_wait_n),
            "queue_wait_sum": func.sum(c.c.queue_wait_sum),
            "started": func.sum(c.c.started), "queue_within": func.sum(c.c.queue_within),
            "recalls": func.sum(c.c.recalls), "recalled": func.sum(c.c.recalled_rows),
            "transfers": func.sum(c.c.transfers), "serving": func.sum(c.c.serving),
            "episodes": func.sum(c.c.episodes),
        }
        rows = self.scope.s.execute(
            select(c.c.g, *[v.label(k) for k, v in cols.items()]).group_by(c.c.g)
        ).mappings().all()
        return {int(r["g"]): {k: int(r[k] or 0) for k in cols} for r in rows}

    def _distributions(self, groups: set[int]) -> dict[str, dict[int, Stats]]:
        """Total waits, own queue waits and service times of `groups`, with percentiles."""
        if not groups:
            return {"wait": {}, "queue_wait": {}, "service": {}}
        sc = self.scope
        sub = Scope(sc.s, sc.hid, sc.tz, sc.now, {g: sc.groups[g] for g in groups})
        c = journeys(sub, self.outages)
        waits = fetch_distribution(sc.s, select(c.c.g.label("g"), c.c.total_wait.label("v"))
                                   .where(c.c.called == 1).subquery("total_waits"))

        def rows(value: Any, cond: Any) -> dict[int, Stats]:
            src = (select(sub.grp.c.g.label("g"), value.label("v")).select_from(T)
                   .join(sub.grp, sub.tickets()).where(sub.joined_ticket_range(), cond))
            return fetch_distribution(sc.s, src.subquery("row_values"))

        return {"wait": waits,
                "queue_wait": rows(own_queue_wait(), T.first_called_at.is_not(None)),
                "service": rows(T.service_seconds, T.service_seconds.is_not(None))}

    # -- counters ------------------------------------------------------------------------
    def _interval_rows(self, model: Any, *extra: Any) -> Any:
        sc = self.scope
        g = sc.grp
        secs = func.sum(clipped_seconds(model.started_at, func.coalesce(model.ended_at, g.c.asof),
                                        g.c.lo, g.c.asof))
        return (select(g.c.g, *extra, secs).select_from(model)
                .join(g, overlaps(model.started_at, model.ended_at, g.c.lo, g.c.asof))
                .where(model.hall_id == sc.hid,
                       model.started_at >= ts(sc.lo - SESSION_LOOKBACK),
                       overlaps(model.started_at, model.ended_at, sc.lo, sc.as_of))
                .group_by(g.c.g, *extra))

    def _staffing(self) -> dict[int, tuple[int, int]]:
        """group → (signed-in seconds, staffed seconds)."""
        signed = {int(g): int(round(float(v or 0)))
                  for g, v in self.scope.s.execute(self._interval_rows(CounterSession))}
        away: dict[int, int] = defaultdict(int)
        for g, reason, kind, v in self.scope.s.execute(
                self._interval_rows(CounterPause, CounterPause.reason, CounterPause.kind)):
            if not self.kinds.in_staffed_time(reason, kind):
                away[int(g)] += int(round(float(v or 0)))
        return {g: (secs, max(0, secs - away.get(g, 0))) for g, secs in signed.items()}

    # -- the rest ----------------------------------------------------------------------
    def _complaints(self) -> dict[int, tuple[int, int]]:
        sc, g = self.scope, self.scope.grp
        # One definition with the complaint service: replied by the reply deadline.
        same_day = complaint_sql.replied_on_time()
        rows = sc.s.execute(
            select(g.c.g, func.count(), func.sum(case((same_day, 1), else_=0)))
            .select_from(Complaint).join(g, sc.at(Complaint.received_at))
            .where(Complaint.hall_id == sc.hid, sc.at_range(Complaint.received_at))
            .group_by(g.c.g))
        return {int(k): (int(n), int(sd or 0)) for k, n, sd in rows}

    def _cash(self) -> dict[int, tuple[int, int, int, int]]:
        sc, g = self.scope, self.scope.grp
        rows = sc.s.execute(
            select(g.c.g, func.count(), func.sum(CashExchange.due_fen),
                   func.sum(CashExchange.received_fen), func.sum(CashExchange.change_fen))
            .select_from(CashExchange).join(g, sc.at(CashExchange.at))
            .where(CashExchange.hall_id == sc.hid, sc.at_range(CashExchange.at))
            .group_by(g.c.g))
        return {int(k): (int(n), int(d or 0), int(r or 0), int(c or 0)) for k, n, d, r, c in rows}

    def _escalations(self) -> dict[int, tuple[int, int]]:
        sc, g = self.scope, self.scope.grp
        still_open = or_(Escalation.resolved_at.is_(None), Escalation.resolved_at > g.c.asof)
        rows = sc.s.execute(
            select(g.c.g, func.count(), func.sum(case((still_open, 1), else_=0)))
            .select_from(Escalation).join(g, sc.at(Escalation.raised_at))
            .where(Escalation.hall_id == sc.hid, sc.at_range(Escalation.raised_at))
            .group_by(g.c.g))
        return {int(k): (int(n), int(o or 0)) for k, n, o in rows}

    def _incidents(self, g: int) -> tuple[int, int, int]:
        """(outages, outage seconds inside the group's days, facility incidents)."""
        windows = self.scope.group_bounds(g)
        now = self.scope.now
        outages = seconds = facility = 0
        for sp in self.spans:
            inside = any(sp.start < hi and (sp.end is None or sp.end > lo) for lo, hi in windows)
            if not inside:
                continue
            if sp.kind == "outage":
                outages += 1
                seconds += clipped(sp.start, sp.end, windows, now)
            else:
                facility += 1
        return outages, seconds, facility

    def customer_counts(self) -> dict[int, dict[str, int]]:
        """The customer sums of every group (cheap; computed once)."""
        if self._counts is None:
            self._counts = self._customers()
        return self._counts

    def headlines(self, full: set[int] | None = None) -> dict[int, Headline]:
        """Every group's headline; medians, P90 and maxima only for the groups in `full`
        (default: all). Elsewhere a Stats carries count, sum and mean only."""
        customers = self.customer_counts()
        dists = self._distributions(set(self.scope.groups) if full is None else full)
        staffing = self._staffing()
        complaints = self._complaints()
        cash = self._cash()
        escalations = self._escalations()
        out = {}
        for g in self.scope.groups:
            c = customers.get(g, {})
            arrived = c.get("arrived", 0)
            o = Outcomes(
                served=c.get("served", 0), no_show=c.get("no_show", 0),
                walked_away=c.get("walked_away", 0), abandoned=c.get("abandoned", 0),
                cancelled=c.get("cancelled", 0),
                open=c.get("open_waiting", 0) + c.get("open_called", 0) + c.get("open_serving", 0),
                open_waiting=c.get("open_waiting", 0), open_called=c.get("open_called", 0),
                open_serving=c.get("open_serving", 0))
            served, within = o.served, c.get("within", 0)
            outages, outage_secs, facility = self._incidents(g)
            n_cash, due, received, change = cash.get(g, (0, 0, 0, 0))
            signed, staffed = staffing.get(g, (0, 0))
            out[g] = Headline(
                arrived=arrived, outcomes=o,
                walkaway_rate=(100.0 * o.walkaways / arrived) if arrived else None,
                walkaway_target_pct=self.targets.walkaway_pct,
                wait=dists["wait"].get(g) or _mean_only(c, "wait_sum", "wait_n"),
                service=dists["service"].get(g) or _mean_only(c, "serving", "episodes"),
                served_with_wait=served, within_target=within,
                service_level=(100.0 * within / served) if served else None,
                service_level_target_pct=self.targets.service_level_pct,
                recalls=c.get("recalls", 0), recalled_tickets=c.get("recalled", 0),
                transfers=c.get("transfers", 0),
                complaints=complaints.get(g, (0, 0))[0],
                outages=outages, outage_minutes=outage_secs / 60.0,
                facility_incidents=facility,
                cash_exchanges=n_cash, cash_received_fen=received,
                queue_wait=(dists["queue_wait"].get(g)
                            or _mean_only(c, "queue_wait_sum", "queue_wait_n")),
                within_target_excl_outage=c.get("within_excl", 0),
                queue_started=c.get("started", 0), queue_within_target=c.get("queue_within", 0),
                outage_seconds=outage_secs,
                complaints_replied_same_day=complaints.get(g, (0, 0))[1],
                cash_due_fen=due, cash_change_fen=change,
                escalations=escalations.get(g, (0, 0))[0],
                escalations_open=escalations.get(g, (0, 0))[1],
                serving_seconds=c.get("serving", 0), signed_in_seconds=signed,
                staffed_seconds=staffed)
        return out


def _mean_only(c: dict[str, int], total: str, count: str) -> Stats:
    n = c.get(count, 0)
    if not n:
        return EMPTY_STATS
    return Stats(count=n, mean=c.get(total, 0) / n, total=c.get(total, 0))
