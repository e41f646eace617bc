"""The overview's alerts: derived afresh from the hall's facts on every refresh, each
under a stable key, with who acknowledged it.

Keys: ``longwait:<ticket_id>``, ``longwaits:<service_id>:<YYYYMMDDHH>`` (the rest of a
service's long waits, per local hour), ``escalation:<id>``, ``complaint:<id>:<what>``
(see `hall_app.services.complaints.reminders`), ``pause:<counter_id>:<state_since iso>``,
``outage:<incident_id>``, ``facility:<incident_id>``, ``rating:<rating_id>`` (a customer
tapped 不满意 on a rating pad), ``nocounter:<service_id>:<lowest waiting ticket id>``.
An acknowledgement is a row in ``alert_ack`` under that key; acknowledging an escalation
also resolves it (`OverviewService.acknowledge`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from hall_app.config import Thresholds
from hall_app.domain.ratings import reason_label
from hall_app.services import overview_reads as reads
from hall_app.services.context import ServiceContext
from hall_app.services.overview_model import (
    CRITICAL,
    HIGH,
    LOW,
    MEDIUM,
    ActiveIncident,
    Alert,
    CounterTile,
    ServiceQueue,
    WaitingTicket,
)
from hall_app.services.ratings.follow_ups import dissatisfied_ratings

#: Long waits named one by one per service (the oldest first); the rest of a service's
#: customers past its standard are one alert with their number.
LONG_WAITS_NAMED = 3
_KEY_RE = re.compile(
    r"^(?:(?:longwait|escalation|outage|facility|rating):\d+"
    r"|complaint:\d+:(?:due|overdue|limit|limitpassed|(?:approval|followup|feedback):\d+)"
    r"|pause:\d+:[0-9T:.+\-]+|nocounter:\d+:\d+|longwaits:\d+:\d{10})$")


def valid_alert_key(key: str) -> bool:
    """Whether `key` has the form of an alert key (and fits the acknowledgement's column)."""
    return len(key) <= 64 and _KEY_RE.match(key) is not None


@dataclass(frozen=True)
class HallFacts:
    """What one snapshot read, as far as the alerts need it."""

    hall_id: int
    now: datetime
    tz: Any
    day: date
    day_start: datetime
    day_end: datetime
    thresholds: Thresholds
    services: dict[int, Any]  # service id → its HALL_SERVICES row
    counters: tuple[CounterTile, ...]
    recovery: dict[int, int]  # counter id → minutes granted for a 调整情绪 break
    waiting: tuple[WaitingTicket, ...]  # the longest waits, in issue order
    queues: tuple[ServiceQueue, ...]
    # service id → (waiting, oldest issue, lowest ticket id), for services with a queue
    queue_heads: dict[int, tuple[int, datetime, int]]
    incidents: tuple[ActiveIncident, ...]


def _minutes(seconds: float) -> int:
    return max(0, int(seconds // 60))


def _hm(when: datetime, tz: Any) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def _alert_order(a: Alert) -> tuple[bool, int, datetime, str]:
    """Open before acknowledged, then the most severe, then the oldest."""
    return (a.acked_at is not None, -a.severity, a.since, a.key)


class OverviewAlerts:
    """Builds the alert list of each snapshot; keeps the previous refresh's long-wait
    alerts so a ticket whose minutes did not change is given the same object again."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._complaints: Any = None  # the ComplaintService, made on first use
        self._longwait_memo: dict[int, tuple[WaitingTicket, int, Alert]] = {}

    def alerts(self, s: Session, f: HallFacts) -> tuple[Alert, ...]:
        alerts = self._incident_alerts(f)
        esc_rows = reads.rows(s, reads.ESCALATIONS, hall=f.hall_id, day_start=f.day_start)
        alerts += self._escalation_alerts(esc_rows)
        named, long_waits = self._named_long_waits(f)
        alerts += long_waits
        alerts += self._more_long_waits(f, named)
        alerts += self._no_counter_alerts(f)
        alerts += self._complaint_alerts(s, f)
        alerts += self._rating_alerts(s, f)
        alerts += self._pause_alerts(f)
        # Escalations resolved elsewhere without an ack row are still shown as handled.
        resolved = {f"escalation:{r[0]}": r[6] for r in esc_rows if r[6] is not None}
        return self._with_acks(s, f.hall_id, alerts, resolved)

    @staticmethod
    def _incident_alerts(f: HallFacts) -> list[Alert]:
        out = []
        for inc in f.incidents:
            where = "全厅" if inc.hall_wide else "、".join(f"{n}号" for n in inc.counter_numbers) + "窗口"
            if inc.kind == "outage":
                out.append(Alert(f"outage:{inc.id}", "outage", CRITICAL,
                                 f"{where}系统故障告示中",
                                 f"{_hm(inc.started_at, f.tz)} 起:{inc.notice}", inc.started_at))
            else:
                out.append(Alert(f"facility:{inc.id}", "facility", MEDIUM,
                                 f"{inc.category or '设施'}故障未解除",
                                 f"{_hm(inc.started_at, f.tz)} 起" +
                                 (f":{inc.notice}" if inc.notice else ""), inc.started_at))
        return out

    @staticmethod
    def _escalation_alerts(esc_rows: Sequence[Any]) -> list[Alert]:
        """Open escalations, plus today's resolved ones (shown as acknowledged)."""
        out = []
        for eid, reason, raised, number, staff, code, _resolved in esc_rows:
            who = (f"{number}号窗口" if number else "") + (staff or "")
            out.append(Alert(f"escalation:{eid}", "escalation", HIGH,
                             f"{who or '窗口'}请求值班长协助" + (f"({code}号)" if code else ""),
                             reason, raised))
        return out

    def _named_long_waits(self, f: HallFacts) -> tuple[dict[int, int], list[Alert]]:
        """The first LONG_WAITS_NAMED customers of each service past its standard, one
        alert each; and how many were named, by service id."""
        previous, memo = self._longwait_memo, {}
        named: dict[int, int] = {}
        out = []
        for w in f.waiting:
            waited = (f.now - w.issued_at).total_seconds()
            if waited <= w.long_wait_minutes * 60 or \
                    named.get(w.service_id, 0) >= LONG_WAITS_NAMED:
                continue
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
            out.append(alert)
        # Replaced whole, so it holds only what is waiting now.
        self._longwait_memo = memo
        return named, out

    @staticmethod
    def _more_long_waits(f: HallFacts, named: dict[int, int]) -> list[Alert]:
        """One alert per service for its customers past the standard beyond those named.

        Keyed by the service and the local hour, so an acknowledged backlog that is
        still there an hour later is raised again."""
        out = []
        hour = f.now.astimezone(f.tz).strftime("%Y%m%d%H")
        for q in f.queues:
            rest = q.over_threshold - named.get(q.service_id, 0)
            if rest <= 0 or q.oldest_issued_at is None:
                continue
            out.append(Alert(f"longwaits:{q.service_id}:{hour}", "longwait", MEDIUM,
                             f"「{q.name}」另有{rest}人等候超过{q.long_wait_minutes}分钟",
                             f"共{q.over_threshold}人超过等候标准,最早 "
                             f"{_hm(q.oldest_issued_at, f.tz)} 取号;请增开窗口或调配营业员",
                             q.oldest_issued_at + timedelta(minutes=q.long_wait_minutes)))
        return out

    @staticmethod
    def _no_counter_alerts(f: HallFacts) -> list[Alert]:
        """Services with customers waiting and no signed-in counter serving them.

        Raised as soon as it is true (no delay): those customers have been told
        「暂无窗口办理此业务」 at the kiosk. Keyed by the lowest waiting ticket id, so a new
        episode raises a new alert after an acknowledged one.
        """
        out = []
        for sid, (waiting, oldest, first_id) in f.queue_heads.items():
            if f.services[sid].served:
                continue
            out.append(Alert(f"nocounter:{sid}:{first_id}", "nocounter", HIGH,
                             f"「{f.services[sid].name}」{waiting}人等候,暂无窗口办理",
                             f"最早 {_hm(oldest, f.tz)} 取号;请安排窗口登录办理此业务或引导顾客",
                             oldest))
        return out

    def _complaint_alerts(self, s: Session, f: HallFacts) -> list[Alert]:
        """What the complaint loop waits for: replies due today or late, resolutions
        awaiting approval, follow-ups and interim feedback due, the 15-day limit near."""
        from hall_app.services.complaints import ComplaintService

        if self._complaints is None:
            self._complaints = ComplaintService(self.ctx)
        base = {"reply": LOW, "approval": MEDIUM, "follow_up": LOW, "feedback": MEDIUM,
                "limit": MEDIUM}
        return [Alert(r.key, "complaint", HIGH if r.urgent else base[r.kind], r.title, r.detail,
                      r.since)
                for r in self._complaints.reminders_in(s, f.now, f.day_end, f.thresholds)]

    @staticmethod
    def _rating_alerts(s: Session, f: HallFacts) -> list[Alert]:
        """Today's 不满意 taps on the rating pads: ticket, clerk, reason, and the 回访 wish."""
        out = []
        for r in dissatisfied_ratings(s, f.hall_id, f.day):
            clerk = f" {r.clerk_name}({r.clerk_no})" if r.clerk_name else ""
            detail = f"原因:{reason_label(r.reason) or '未选择'}"
            if r.follow_up_id is not None:
                detail += ";顾客希望值班长联系,已建回访"
            out.append(Alert(f"rating:{r.rating_id}", "rating",
                             HIGH if r.follow_up_id is not None else MEDIUM,
                             f"{r.counter_number}号窗口{clerk} · {r.ticket_code}号顾客不满意",
                             detail, r.rated_at))
        return out

    @staticmethod
    def _pause_alerts(f: HallFacts) -> list[Alert]:
        """Counters paused past the standard; a 调整情绪 break granted by the duty manager
        alerts only once it runs over its own minutes."""
        out = []
        for c in f.counters:
            limit = f.recovery.get(c.id, f.thresholds.pause_alert_minutes)
            since = c.state_since
            if c.state != "paused" or since is None or f.now - since < timedelta(minutes=limit):
                continue
            out.append(Alert(f"pause:{c.id}:{since.astimezone(UTC).isoformat()}", "pause", LOW,
                             f"{c.number}号窗口暂停已{_minutes((f.now - since).total_seconds())}分钟",
                             f"原因:{c.pause_reason or '未说明'}" +
                             (f",营业员{c.staff_name}" if c.staff_name else ""), since))
        return out

    @staticmethod
    def _with_acks(s: Session, hall_id: int, alerts: list[Alert],
                   resolved: dict[str, datetime]) -> tuple[Alert, ...]:
        """The alerts with who acknowledged them and when, in display order."""
        acks = {k: (name, at) for k, name, at in reads.acks(s, hall_id, [a.key for a in alerts])}
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
