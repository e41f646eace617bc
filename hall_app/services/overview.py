"""The duty manager's overview: one consistent read of the whole hall, plus acknowledging alerts.

`OverviewService.snapshot()` runs a handful of statements built once
(`hall_app.services.overview_reads`), every one restricted to today's business day or to
small live tables (counters, open incidents, open complaints, escalations), so its cost
does not grow with the years of ticket history. It returns frozen dataclasses that a
worker thread can hand to the GUI thread.

Durations that tick (how long a counter has been paused, how long a customer has
waited) are carried as timestamps, so a window can keep them current without
asking the database and redraw a section only when its data really changed.

Alerts are derived from the facts each time and identified by a stable key:
``longwait:<ticket_id>``, ``escalation:<id>``, ``complaint:<id>:<what>`` (see
`hall_app.services.complaints.reminders`), ``pause:<counter_id>:<state_since iso>``,
``outage:<incident_id>``, ``facility:<incident_id>``, ``rating:<rating_id>`` (a customer
tapped 不满意 on a rating pad). An acknowledgement is a row in
``alert_ack`` under that key; acknowledging an escalation also resolves it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AlertAck, Escalation, Hall, Staff
from hall_app.config import Thresholds
from hall_app.domain.ratings import reason_label
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import DataConflict, IllegalTransition, NotFound, ValidationError
from hall_app.metrics.satisfaction import SatisfactionFigures, day_total_figures
from hall_app.services import overview_reads as reads
from hall_app.services.context import ServiceContext
from hall_app.services.days import DayService, DayStatus
from hall_app.services.ratings.follow_ups import dissatisfied_ratings, open_follow_up_count

# Severity: higher is more urgent; the alert list is sorted by it.
CRITICAL, HIGH, MEDIUM, LOW = 4, 3, 2, 1
SEVERITY_LABELS = {CRITICAL: "紧急", HIGH: "高", MEDIUM: "中", LOW: "低"}
ALERT_KIND_LABELS = {
    "outage": "系统故障",
    "escalation": "窗口求助",
    "longwait": "等候超时",
    "complaint": "投诉跟进",
    "pause": "窗口暂停过久",
    "facility": "设施故障",
    "rating": "顾客不满意",
    "nocounter": "无窗口办理",
}
# Current-wait distribution buckets, in minutes: [0,5), [5,10), ... [30, ∞).
WAIT_BUCKET_EDGES = (0, 5, 10, 15, 20, 30)
#: The waiting list shows the longest-waiting customers, at most this many (the counts,
#: the queues and the wait chart still count every one). A panel of 1,000 rows is not
#: read by anyone, and reading them made each refresh grow with the queue.
WAITING_SHOWN = 100
#: Long waits named one by one per service (the oldest first); the rest of a service's
#: customers past its standard are one alert with their number.
LONG_WAITS_NAMED = 3
WALKAWAY_STATES = ("no_show", "walked_away", "abandoned")
_KEY_RE = re.compile(
    r"^(?:(?:longwait|escalation|outage|facility|rating):\d+"
    r"|complaint:\d+:(?:due|overdue|limit|limitpassed|(?:approval|followup|feedback):\d+)"
    r"|pause:\d+:[0-9T:.+\-]+|nocounter:\d+:\d+|longwaits:\d+:\d{10})$")


@dataclass(frozen=True)
class CounterTile:
    id: int
    number: int
    name: str
    state: str  # open | serving | paused | closed (serving = a customer is at the counter)
    state_since: datetime | None
    pause_reason: str | None
    staff_name: str | None
    is_vip: bool
    ticket_code: str | None = None
    ticket_state: str | None = None  # called | serving
    ticket_service: str | None = None
    ticket_since: datetime | None = None  # started (serving) or first called (called)
    in_outage: bool = False


@dataclass(frozen=True)
class ServiceQueue:
    service_id: int
    code: str
    name: str
    prefix: str
    waiting: int
    oldest_issued_at: datetime | None
    long_wait_minutes: int
    over_threshold: int


@dataclass(frozen=True)
class DayFigures:
    arrived: int
    served: int
    walkaways: int
    no_shows: int
    walked_away: int
    waiting: int
    in_service: int
    avg_wait_seconds: int | None
    avg_service_seconds: int | None


@dataclass(frozen=True)
class WaitingTicket:
    id: int
    code: str
    service_name: str
    priority: str
    issued_at: datetime
    long_wait_minutes: int
    service_id: int


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str
    severity: int
    title: str
    detail: str
    since: datetime
    acked_by: str | None = None
    acked_at: datetime | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acked_at is not None

    @property
    def kind_label(self) -> str:
        return ALERT_KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class ActiveIncident:
    id: int
    kind: str  # outage | facility
    category: str | None
    notice: str
    started_at: datetime
    ended_at: datetime | None
    counter_numbers: tuple[int, ...]
    declared_by: str | None

    @property
    def hall_wide(self) -> bool:
        return not self.counter_numbers


@dataclass(frozen=True)
class HourFigure:
    hour: int  # local hour of day
    arrivals: int
    served: int


@dataclass(frozen=True)
class WaitBucket:
    label: str
    low_minutes: int
    count: int


@dataclass(frozen=True)
class SatisfactionToday:
    """Today's rating-pad figures for the hall, the target, and the 回访 still open."""

    figures: SatisfactionFigures
    target_pct: int
    open_follow_ups: int


@dataclass(frozen=True)
class OverviewSnapshot:
    now: datetime
    business_day: date
    hall_name: str
    pause_alert_minutes: int
    counters: tuple[CounterTile, ...]
    queues: tuple[ServiceQueue, ...]
    figures: DayFigures
    alerts: tuple[Alert, ...]
    incidents: tuple[ActiveIncident, ...]
    hourly: tuple[HourFigure, ...]
    wait_buckets: tuple[WaitBucket, ...]
    waiting: tuple[WaitingTicket, ...]
    satisfaction: SatisfactionToday | None = None
    # The business day's lifecycle: open until…, or closed (when, by whom, abandoned).
    day_status: DayStatus | None = None

    @property
    def outages(self) -> tuple[ActiveIncident, ...]:
        return tuple(i for i in self.incidents if i.kind == "outage")

    @property
    def open_alerts(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if not a.acknowledged)


@dataclass(frozen=True)
class AckInfo:
    alert_key: str
    acked_by: str
    acked_at: datetime


def _minutes(seconds: float) -> int:
    return max(0, int(seconds // 60))


def _hm(when: datetime, tz) -> str:  # type: ignore[no-untyped-def]
    return when.astimezone(tz).strftime("%H:%M")


def wait_buckets(now: datetime, issued: list[datetime]) -> tuple[WaitBucket, ...]:
    edges = WAIT_BUCKET_EDGES
    counts = [0] * len(edges)
    for at in issued:
        minutes = (now - at).total_seconds() / 60
        # The last edge at or below `minutes` (a wait "from the future" counts as 0).
        counts[bisect_right(edges, minutes) - 1 if minutes >= 0 else 0] += 1
    return _labelled_buckets(counts)


def _labelled_buckets(counts: Sequence[int]) -> tuple[WaitBucket, ...]:
    """The wait chart's bars: 「0-5分」… 「30分以上」 with their counts."""
    edges = WAIT_BUCKET_EDGES
    labels = [f"{lo}-{hi}分" for lo, hi in zip(edges, edges[1:], strict=False)]
    labels.append(f"{edges[-1]}分以上")
    return tuple(WaitBucket(label, lo, n) for label, lo, n in zip(labels, edges, counts,
                                                                   strict=True))


class _DayGroups:
    """Today's tickets as `overview_reads.DAY_GROUPS` groups them, summed up."""

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


def _alert_order(a: Alert) -> tuple[bool, int, datetime, str]:
    """Open before acknowledged, then the most severe, then the oldest."""
    return (a.acked_at is not None, -a.severity, a.since, a.key)


class OverviewService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._complaints: Any = None  # the ComplaintService, made on first use
        # The waiting tickets and their long-wait alerts of the previous refresh, by ticket
        # id: a ticket still waiting with the same row (and, for its alert, the same
        # minutes waited) is given the same immutable objects again instead of new ones.
        # Replaced whole at the end of each refresh, so it holds only what is waiting now.
        self._waiting_memo: dict[int, WaitingTicket] = {}
        self._longwait_memo: dict[int, tuple[WaitingTicket, int, Alert]] = {}

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
            waiting, queues, oldest, buckets = self._waiting(s, info.id, day, services,
                                                             long_wait, now)
            groups = _DayGroups(reads.rows(s, reads.DAY_GROUPS, hall=info.id, day=day,
                                           **reads.hour_params(
                                               [day_start + timedelta(hours=h)
                                                for h in range(25)])))
            weekdays = reads.rows(s, reads.OPENING_HOURS, hall=info.id)
            figures, hourly = self._figures(groups, day, day_start, tz, weekdays)
            alerts = self._alerts(s, info.id, now, tz, thresholds, counters, recovery,
                                  waiting, incidents, day_start, day_end, day, services,
                                  oldest, queues)
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
            wait_buckets=_labelled_buckets(buckets),
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
                 long_wait: dict[int, int], now: datetime,
                 ) -> tuple[tuple[WaitingTicket, ...], tuple[ServiceQueue, ...],
                            dict[int, tuple[int, datetime, int]], list[int]]:
        """The longest-waiting tickets in issue order (at most WAITING_SHOWN); per service
        the queue counted in the database; (waiting, oldest issue, lowest ticket id) by
        service id, for the 无窗口办理 alerts; and every waiting ticket per wait bucket."""
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
        if services:
            params: dict[str, Any] = {}
            for i, (sid, minutes) in enumerate(long_wait.items()):
                params[f"s{i}"], params[f"c{i}"] = sid, now - timedelta(minutes=minutes)
            for k, low in enumerate(WAIT_BUCKET_EDGES[1:], start=1):
                params[f"w{k}"] = now - timedelta(minutes=low)
            stmt = reads.queue_groups(len(long_wait), len(WAIT_BUCKET_EDGES))
            for sid, bucket, n, first_issued, low_id, n_over in reads.rows(
                    s, stmt, hall=hall_id, day=day, **params):
                buckets[bucket] += n
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
        return tuple(waiting), queues, groups, buckets

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

    def _alerts(self, s: Session, hall_id: int, now: datetime, tz,  # type: ignore[no-untyped-def]
                thresholds: Thresholds, counters: tuple[CounterTile, ...],
                recovery: dict[int, int],
                waiting: tuple[WaitingTicket, ...], incidents: tuple[ActiveIncident, ...],
                day_start: datetime, day_end: datetime, day: date,
                services: dict[int, Any], queue_heads: dict[int, tuple[int, datetime, int]],
                queues: tuple[ServiceQueue, ...],
                ) -> tuple[Alert, ...]:
        alerts: list[Alert] = []
        for inc in incidents:
            where = "全厅" if inc.hall_wide else "、".join(f"{n}号" for n in inc.counter_numbers) + "窗口"
            if inc.kind == "outage":
                alerts.append(Alert(f"outage:{inc.id}", "outage", CRITICAL,
                                    f"{where}系统故障告示中",
                                    f"{_hm(inc.started_at, tz)} 起:{inc.notice}", inc.started_at))
            else:
                alerts.append(Alert(f"facility:{inc.id}", "facility", MEDIUM,
                                    f"{inc.category or '设施'}故障未解除",
                                    f"{_hm(inc.started_at, tz)} 起" +
                                    (f":{inc.notice}" if inc.notice else ""), inc.started_at))
        # Escalations: open ones, plus today's resolved ones (shown as acknowledged).
        esc_rows = reads.rows(s, reads.ESCALATIONS, hall=hall_id, day_start=day_start)
        for eid, reason, raised, number, staff, code, _resolved in esc_rows:
            who = (f"{number}号窗口" if number else "") + (staff or "")
            alerts.append(Alert(f"escalation:{eid}", "escalation", HIGH,
                                f"{who or '窗口'}请求值班长协助" + (f"({code}号)" if code else ""),
                                reason, raised))
        previous, memo = self._longwait_memo, {}
        named: dict[int, int] = {}  # long waits named so far, by service id
        for w in waiting:
            waited = (now - w.issued_at).total_seconds()
            if waited > w.long_wait_minutes * 60 and \
                    named.get(w.service_id, 0) < LONG_WAITS_NAMED:
                named[w.service_id] = named.get(w.service_id, 0) + 1
                minutes = _minutes(waited)
                known = previous.get(w.id)
                if known is not None and known[0] is w and known[1] == minutes:
                    alert = known[2]
                else:
                    alert = Alert(f"longwait:{w.id}", "longwait", MEDIUM,
                                  f"{w.code}号已等候{minutes}分钟",
                                  f"{w.service_name},超过{w.long_wait_minutes}分钟等候标准",
                                  w.issued_at + timedelta(minutes=w.long_wait_minutes))
                memo[w.id] = (w, minutes, alert)
                alerts.append(alert)
        self._longwait_memo = memo
        alerts.extend(self._more_long_waits(now, tz, queues, named))
        alerts.extend(self._no_counter_alerts(tz, services, queue_heads))
        alerts.extend(self._complaint_alerts(s, now, day_end, thresholds))
        alerts.extend(self._rating_alerts(s, hall_id, day))
        for c in counters:
            # A 调整情绪 break granted by the duty manager alerts only once it runs over.
            limit = recovery.get(c.id, thresholds.pause_alert_minutes)
            if c.state == "paused" and c.state_since is not None and \
                    now - c.state_since >= timedelta(minutes=limit):
                since = c.state_since
                alerts.append(Alert(f"pause:{c.id}:{since.astimezone(UTC).isoformat()}", "pause",
                                    LOW, f"{c.number}号窗口暂停已{_minutes((now - since).total_seconds())}分钟",
                                    f"原因:{c.pause_reason or '未说明'}" +
                                    (f",营业员{c.staff_name}" if c.staff_name else ""), since))
        acks = {k: (name, at) for k, name, at in reads.acks(s, hall_id, [a.key for a in alerts])}
        # Escalations resolved elsewhere without an ack row are still shown as handled.
        resolved = {f"escalation:{r[0]}": r[6] for r in esc_rows if r[6] is not None}
        done = []
        for a in alerts:
            ack = acks.get(a.key)
            if ack is not None:
                a = Alert(a.key, a.kind, a.severity, a.title, a.detail, a.since, *ack)
            elif a.key in resolved:
                a = Alert(a.key, a.kind, a.severity, a.title, a.detail, a.since, "—",
                          resolved[a.key])
            done.append(a)
        done.sort(key=_alert_order)
        return tuple(done)

    def _more_long_waits(self, now: datetime, tz,  # type: ignore[no-untyped-def]
                         queues: tuple[ServiceQueue, ...], named: dict[int, int],
                         ) -> list[Alert]:
        """One alert per service for its customers past the standard beyond those named.

        Keyed by the service and the local hour, so an acknowledged backlog that is
        still there an hour later is raised again."""
        out = []
        hour = now.astimezone(tz).strftime("%Y%m%d%H")
        for q in queues:
            rest = q.over_threshold - named.get(q.service_id, 0)
            if rest <= 0 or q.oldest_issued_at is None:
                continue
            out.append(Alert(f"longwaits:{q.service_id}:{hour}", "longwait", MEDIUM,
                             f"「{q.name}」另有{rest}人等候超过{q.long_wait_minutes}分钟",
                             f"共{q.over_threshold}人超过等候标准,最早 "
                             f"{_hm(q.oldest_issued_at, tz)} 取号;请增开窗口或调配营业员",
                             q.oldest_issued_at + timedelta(minutes=q.long_wait_minutes)))
        return out

    def _no_counter_alerts(self, tz,  # type: ignore[no-untyped-def]
                           services: dict[int, Any],
                           queue_heads: dict[int, tuple[int, datetime, int]]) -> list[Alert]:
        """Services with customers waiting and no signed-in counter serving them.

        Raised as soon as it is true (no delay): those customers have been told
        「暂无窗口办理此业务」 at the kiosk. Keyed by the lowest waiting ticket id, so a new
        episode raises a new alert after an acknowledged one.
        """
        out = []
        for sid, (waiting, oldest, first_id) in queue_heads.items():
            if services[sid].served:
                continue
            out.append(Alert(f"nocounter:{sid}:{first_id}", "nocounter", HIGH,
                             f"「{services[sid].name}」{waiting}人等候,暂无窗口办理",
                             f"最早 {_hm(oldest, tz)} 取号;请安排窗口登录办理此业务或引导顾客",
                             oldest))
        return out

    def _complaint_alerts(self, s: Session, now: datetime, day_end: datetime,
                          thresholds: Thresholds) -> list[Alert]:
        """What the complaint loop waits for: replies due today or late, resolutions
        awaiting approval, follow-ups and interim feedback due, the 15-day limit near."""
        from hall_app.services.complaints import ComplaintService

        if self._complaints is None:
            self._complaints = ComplaintService(self.ctx)
        base = {"reply": LOW, "approval": MEDIUM, "follow_up": LOW, "feedback": MEDIUM,
                "limit": MEDIUM}
        return [Alert(r.key, "complaint", HIGH if r.urgent else base[r.kind], r.title, r.detail,
                      r.since)
                for r in self._complaints.reminders_in(s, now, day_end, thresholds)]

    def _rating_alerts(self, s: Session, hall_id: int, day: date) -> list[Alert]:
        """Today's 不满意 taps on the rating pads: ticket, clerk, reason, and the 回访 wish."""
        out = []
        for r in dissatisfied_ratings(s, hall_id, day):
            clerk = f" {r.clerk_name}({r.clerk_no})" if r.clerk_name else ""
            detail = f"原因:{reason_label(r.reason) or '未选择'}"
            if r.follow_up_id is not None:
                detail += ";顾客希望值班长联系,已建回访"
            out.append(Alert(f"rating:{r.rating_id}", "rating",
                             HIGH if r.follow_up_id is not None else MEDIUM,
                             f"{r.counter_number}号窗口{clerk} · {r.ticket_code}号顾客不满意",
                             detail, r.rated_at))
        return out

    # -- acknowledging ---------------------------------------------------------------------
    def acknowledge(self, actor: Actor, alert_key: str) -> AckInfo:
        """Record who acknowledged an alert; an escalation is resolved in the same transaction."""
        actor.require(Permission.ACK_ALERT)
        alert_key = (alert_key or "").strip()
        if not _KEY_RE.match(alert_key) or len(alert_key) > 64:
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
