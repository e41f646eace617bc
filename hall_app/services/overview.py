"""The duty manager's overview: one consistent read of the whole hall, plus acknowledging alerts.

`OverviewService.snapshot()` runs a handful of statements built once
(`hall_app.services.overview_reads`), every one restricted to today's business day or to
small live tables (counters, open incidents, open complaints, escalations), so its cost
does not grow with the years of ticket history. It returns the frozen values of
`hall_app.services.overview_model`; the alerts are derived by
`hall_app.services.overview_alerts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AlertAck, Escalation, Hall, Staff
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import DataConflict, IllegalTransition, NotFound, ValidationError
from hall_app.metrics.satisfaction import day_total_figures
from hall_app.services import overview_reads as reads
from hall_app.services.context import ServiceContext
from hall_app.services.days import DayService
from hall_app.services.overview_alerts import HallFacts, OverviewAlerts, valid_alert_key
from hall_app.services.overview_model import (
    WAIT_BUCKET_EDGES,
    AckInfo,
    ActiveIncident,
    CounterTile,
    DayFigures,
    HourFigure,
    OverviewSnapshot,
    SatisfactionToday,
    ServiceQueue,
    WaitingTicket,
    labelled_buckets,
)
from hall_app.services.ratings.follow_ups import open_follow_up_count

#: The waiting list shows the longest-waiting customers, at most this many (the counts,
#: the queues and the wait chart still count every one). A panel of 1,000 rows is not
#: read by anyone, and reading them made each refresh grow with the queue.
WAITING_SHOWN = 100
WALKAWAY_STATES = ("no_show", "walked_away", "abandoned")


class _DayGroups:
    """Today's tickets as `overview_reads.DAY_GROUPS` groups them, summed up, with the
    waiting ones added from `overview_reads.queue_groups` (`add_waiting`)."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self.by_state: dict[str, int] = {}
        self.arrived = self.wait_sum = self.wait_n = self.service_sum = self.service_n = 0
        self.arrivals = [0] * 24  # first hops issued, per hour of the day
        self.served = [0] * 24  # done, per hour of finishing
        for state, first, issued_hour, finished_hour, n, wait_sum, wait_n, service_sum, \
                service_n in rows:
            self.by_state[state] = self.by_state.get(state, 0) + n
            if first:
                self.arrived += n
                self.wait_sum += wait_sum or 0
                self.wait_n += wait_n
            if state == "done":
                self.service_sum += service_sum or 0
                self.service_n += service_n
            if issued_hour is not None:
                self.arrivals[issued_hour] += n
            if finished_hour is not None:
                self.served[finished_hour] += n

    def add_waiting(self, waiting: Sequence[tuple[int, int | None, int]]) -> None:
        """(first hop, local hour of issue, how many) of the waiting tickets; they have no
        wait or service time yet (both are set at the call)."""
        for first, issued_hour, n in waiting:
            self.by_state["waiting"] = self.by_state.get("waiting", 0) + n
            if first:
                self.arrived += n
            if issued_hour is not None:
                self.arrivals[issued_hour] += n


class OverviewService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._alerts = OverviewAlerts(ctx)
        # The waiting tickets of the previous refresh, by ticket id: a ticket still waiting
        # with the same row is given the same immutable object again instead of a new one.
        # Replaced whole at the end of each refresh, so it holds only what is waiting now.
        self._waiting_memo: dict[int, WaitingTicket] = {}

    # -- the outage notice text ----------------------------------------------------------
    def default_outage_notice(self) -> str:
        """The hall's scripted outage phrase (editable data; the shipped one if broken)."""
        from hall_app.scripts import outage_text

        return outage_text(self.ctx.settings.scripts_path)

    # -- the snapshot -------------------------------------------------------------------
    def snapshot(self) -> OverviewSnapshot:
        info = self.ctx.hall
        tz = info.tz
        with self.ctx.read() as s:
            now = self.ctx.now()
            day = self.ctx.business_day(now)
            day_start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
            day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
            hall = reads.rows(s, reads.HALL, hall=info.id)
            if not hall:
                raise NotFound("找不到营业厅。")
            # The row carries every column of the hall by name, as the model would.
            thresholds = self.ctx.thresholds(cast(Hall, hall[0]))
            services = {r[0]: r for r in reads.rows(s, reads.HALL_SERVICES, hall=info.id)}
            long_wait = self._long_wait_minutes(services)

            incidents = self._incidents(s, info.id)
            outage_counters = {n for i in incidents if i.kind == "outage" for n in i.counter_numbers}
            hall_outage = any(i.kind == "outage" and i.hall_wide for i in incidents)
            counters, recovery = self._counters(s, info.id, services, hall_outage,
                                                outage_counters)
            hours = reads.hour_params([day_start + timedelta(hours=h) for h in range(25)])
            waiting, queues, heads, buckets, by_hour = self._waiting(
                s, info.id, day, services, long_wait, now, hours)
            groups = _DayGroups(reads.rows(s, reads.DAY_GROUPS, hall=info.id, day=day,
                                           **hours))
            groups.add_waiting(by_hour)
            weekdays = reads.rows(s, reads.OPENING_HOURS, hall=info.id)
            figures, hourly = self._figures(groups, day, day_start, tz, weekdays)
            alerts = self._alerts.alerts(s, HallFacts(
                hall_id=info.id, now=now, tz=tz, day=day, day_start=day_start,
                day_end=day_end, thresholds=thresholds, services=services,
                counters=counters, recovery=recovery, waiting=waiting, queues=queues,
                queue_heads=heads, incidents=incidents))
            satisfaction = SatisfactionToday(
                day_total_figures(s, info.id, day, served=groups.by_state.get("done", 0)),
                thresholds.satisfaction_target_pct, open_follow_up_count(s, info.id))
            day_status = DayService(self.ctx).status_in(
                s, day, weekdays=weekdays, state_counts=groups.by_state, issued=groups.arrived)
        return OverviewSnapshot(
            now=now, business_day=day, hall_name=info.name,
            pause_alert_minutes=thresholds.pause_alert_minutes,
            counters=counters, queues=queues, figures=figures, alerts=alerts,
            incidents=incidents, hourly=hourly,
            wait_buckets=labelled_buckets(buckets),
            waiting=waiting, satisfaction=satisfaction, day_status=day_status)

    def _incidents(self, s: Session, hall_id: int) -> tuple[ActiveIncident, ...]:
        found: dict[int, Any] = {}
        numbers: dict[int, list[int]] = {}
        for r in reads.rows(s, reads.INCIDENTS, hall=hall_id):  # one row per named counter
            if r[0] not in found:
                found[r[0]], numbers[r[0]] = r, []
            if r[7] is not None:
                numbers[r[0]].append(r[7])
        return tuple(ActiveIncident(r[0], r[1], r[2], r[3], r[4], r[5],
                                    tuple(sorted(numbers[r[0]])), r[6]) for r in found.values())

    def _counters(self, s: Session, hall_id: int, services: dict[int, Any],
                  hall_outage: bool, outage_numbers: set[int],
                  ) -> tuple[tuple[CounterTile, ...], dict[int, int]]:
        """The active counters' tiles, and counter id → granted minutes for those on a
        调整情绪 break."""
        tiles = []
        recovery: dict[int, int] = {}
        for (cid, number, name, state, since, reason, staff, vip, code, t_state, t_service,
             called, started, recovery_minutes) in reads.rows(s, reads.COUNTERS, hall=hall_id):
            if recovery_minutes is not None:
                recovery[cid] = int(recovery_minutes)
            open_ticket = t_state is not None
            tiles.append(CounterTile(
                cid, number, name, "serving" if open_ticket else state, since,
                reason if state == "paused" else None, staff, bool(vip),
                ticket_code=code if open_ticket else None,
                ticket_state=t_state,
                ticket_service=services[t_service].name if open_ticket else None,
                ticket_since=(started or called) if open_ticket else None,
                in_outage=hall_outage or number in outage_numbers))
        return tuple(tiles), recovery

    def _waiting(self, s: Session, hall_id: int, day: date, services: dict[int, Any],
                 long_wait: dict[int, int], now: datetime, hours: dict[str, datetime],
                 ) -> tuple[tuple[WaitingTicket, ...], tuple[ServiceQueue, ...],
                            dict[int, tuple[int, datetime, int]], list[int],
                            list[tuple[int, int | None, int]]]:
        """The longest-waiting tickets in issue order (at most WAITING_SHOWN); per service
        the queue counted in the database; (waiting, oldest issue, lowest ticket id) by
        service id, for the 无窗口办理 alerts; every waiting ticket per wait bucket; and
        (first hop, local hour of issue, how many) for the day's counts."""
        names = {sid: sv.name for sid, sv in services.items()}
        waiting = []
        previous, memo = self._waiting_memo, {}
        for tid, code, sid, priority, issued in reads.rows(s, reads.WAITING, hall=hall_id,
                                                           day=day, shown=WAITING_SHOWN):
            w = previous.get(tid)
            if w is None or (w.code, w.service_name, w.priority, w.issued_at,
                             w.long_wait_minutes, w.service_id) != (
                                 code, names[sid], priority, issued, long_wait[sid], sid):
                w = WaitingTicket(tid, code, names[sid], priority, issued, long_wait[sid], sid)
            memo[tid] = w
            waiting.append(w)
        self._waiting_memo = memo
        count: dict[int, int] = {}
        over: dict[int, int] = {}
        oldest: dict[int, datetime] = {}
        first_id: dict[int, int] = {}
        buckets = [0] * len(WAIT_BUCKET_EDGES)
        by_hour: list[tuple[int, int | None, int]] = []
        if services:
            params: dict[str, Any] = {}
            for i, (sid, minutes) in enumerate(long_wait.items()):
                params[f"s{i}"], params[f"c{i}"] = sid, now - timedelta(minutes=minutes)
            for k, low in enumerate(WAIT_BUCKET_EDGES[1:], start=1):
                params[f"w{k}"] = now - timedelta(minutes=low)
            stmt = reads.queue_groups(len(long_wait), len(WAIT_BUCKET_EDGES))
            for sid, bucket, first, issued_hour, n, first_issued, low_id, n_over in reads.rows(
                    s, stmt, hall=hall_id, day=day, **params, **hours):
                buckets[bucket] += n
                by_hour.append((first, issued_hour, n))
                if sid in count:
                    count[sid] += n
                    over[sid] += n_over
                    oldest[sid] = min(oldest[sid], first_issued)
                    first_id[sid] = min(first_id[sid], low_id)
                else:
                    count[sid], over[sid] = n, n_over
                    oldest[sid], first_id[sid] = first_issued, low_id
        queues = tuple(
            ServiceQueue(sid, sv.code, sv.name, sv.prefix, count.get(sid, 0), oldest.get(sid),
                         long_wait[sid], over.get(sid, 0))
            for sid, sv in services.items() if sv.active or sid in count)
        groups = {sid: (n, oldest[sid], first_id[sid]) for sid, n in count.items()}
        return tuple(waiting), queues, groups, buckets, by_hour

    def waiting_tickets(self) -> tuple[WaitingTicket, ...]:
        """Every customer waiting now, longest first (the list in the snapshot stops at
        WAITING_SHOWN): what the 标记顾客离开 dialog offers."""
        info = self.ctx.hall
        with self.ctx.read() as s:
            day = self.ctx.business_day(self.ctx.now())
            services = {r[0]: r for r in reads.rows(s, reads.HALL_SERVICES, hall=info.id)}
            long_wait = self._long_wait_minutes(services)
            return tuple(
                WaitingTicket(tid, code, services[sid].name, priority, issued, long_wait[sid],
                              sid)
                for tid, code, sid, priority, issued in reads.rows(
                    s, reads.WAITING_ALL, hall=info.id, day=day))

    def _long_wait_minutes(self, services: dict[int, Any]) -> dict[int, int]:
        """Each service's long-wait standard in minutes: the settings' override by code,
        else the service's own."""
        overrides = self.ctx.settings.long_wait_minutes
        return {sid: overrides.get(sv.code, sv.long_wait_minutes)
                for sid, sv in services.items()}

    def _figures(self, groups: _DayGroups, day: date, day_start: datetime, tz,  # type: ignore[no-untyped-def]
                 weekdays: Sequence[Any]) -> tuple[DayFigures, tuple[HourFigure, ...]]:
        state = groups.by_state
        figures = DayFigures(
            arrived=groups.arrived, served=state.get("done", 0),
            walkaways=sum(state.get(k, 0) for k in WALKAWAY_STATES),
            no_shows=state.get("no_show", 0), walked_away=state.get("walked_away", 0),
            waiting=state.get("waiting", 0),
            in_service=state.get("called", 0) + state.get("serving", 0),
            avg_wait_seconds=(round(groups.wait_sum / groups.wait_n) if groups.wait_n
                              else None),
            avg_service_seconds=(round(groups.service_sum / groups.service_n)
                                 if groups.service_n else None))
        arrivals, served = groups.arrivals, groups.served
        # Local hour labels (on a DST day a label may repeat; the bars stay in order).
        labels = [(day_start + timedelta(hours=h)).astimezone(tz).hour for h in range(24)]
        opening = next((w for w in weekdays if w.weekday == day.weekday()), None)
        lo_h, hi_h = 8, 18
        if opening is not None and opening.opens and opening.closes:
            lo_h, hi_h = opening.opens.hour, opening.closes.hour - (opening.closes.minute == 0)
        used = [i for i in range(24) if arrivals[i] or served[i]]
        first_i = min([labels.index(lo_h)] + used) if lo_h in labels else min(used or [0])
        last_i = max([labels.index(hi_h)] + used) if hi_h in labels else max(used or [23])
        hourly = tuple(HourFigure(labels[i], arrivals[i], served[i])
                       for i in range(first_i, last_i + 1))
        return figures, hourly

    # -- acknowledging ---------------------------------------------------------------------
    def acknowledge(self, actor: Actor, alert_key: str) -> AckInfo:
        """Record who acknowledged an alert; an escalation is resolved in the same transaction."""
        actor.require(Permission.ACK_ALERT)
        alert_key = (alert_key or "").strip()
        if not valid_alert_key(alert_key):
            raise ValidationError("告警标识无效。", field="alert_key")
        try:
            with self.ctx.acting(actor, Permission.ACK_ALERT) as s:
                hall_id = self.ctx.hall.id
                existing = s.execute(
                    select(Staff.name).join(AlertAck, AlertAck.acknowledged_by == Staff.id)
                    .where(AlertAck.hall_id == hall_id, AlertAck.alert_key == alert_key)).first()
                if existing is not None:
                    raise IllegalTransition(f"该告警已由{existing[0]}确认。")
                now = self.ctx.now()
                if alert_key.startswith("escalation:"):
                    esc = s.get(Escalation, int(alert_key.split(":")[1]))
                    if esc is None or esc.hall_id != hall_id:
                        raise NotFound("找不到该求助记录。")
                    if esc.resolved_at is None:
                        esc.resolved_at, esc.resolved_by = now, actor.staff_id
                s.add(AlertAck(hall_id=hall_id, alert_key=alert_key,
                               acknowledged_by=actor.staff_id, acknowledged_at=now))
                s.flush()
                self.ctx.notify(s, "alerts")
        except DataConflict as exc:  # another workstation acknowledged it at the same instant
            raise IllegalTransition("该告警已被其他值班长确认。") from exc
        return AckInfo(alert_key, actor.name, now)
