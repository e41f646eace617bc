"""What the complaint loop asks of the duty manager now, for the overview's alert list.

One reminder per complaint and thing it waits for, each with a stable key (the due time
is part of the key where it can move, so a new deadline is a new alert after an
acknowledgement):

* ``complaint:<id>:due`` / ``:overdue`` — the reply is due today / late;
* ``complaint:<id>:approval:<t>`` — a proposed resolution waits for approval (urgent after
  `complaint_approval_alert_minutes`; says when compensation is part of it);
* ``complaint:<id>:followup:<t>`` — the agreed follow-up time is near or has come;
* ``complaint:<id>:feedback:<t>`` — the customer is due an interim feedback (定期回馈);
* ``complaint:<id>:limit`` / ``:limitpassed`` — the regulatory limit (15 days) is within
  `complaint_hard_warning_days`, or has passed.

`<t>` is the due time in epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from db.models import Complaint, Counter, Hall
from hall_app.config import Thresholds
from hall_app.domain.complaints import UNREPLIED_STATES, ComplaintState
from hall_app.domain.keys import local_number
from hall_app.services.complaints import sql
from hall_app.services.complaints.base import ComplaintBase
from hall_app.services.complaints.models import DUE_SOON_MINUTES

LIMIT = 200

# Open complaints waiting for something by `:day_end`/`:soon`/`:now`/`:warn` (built once;
# the overview's refresh binds the values).
_OPEN_REMINDERS = (
    select(Complaint, Counter.number)
    .outerjoin(Counter, Counter.id == Complaint.counter_id)
    .where(Complaint.hall_id == bindparam("hall"), sql.is_open(), or_(
        and_(sql.is_unreplied(), Complaint.reply_due_at < bindparam("day_end")),
        Complaint.state == ComplaintState.AWAITING_APPROVAL.value,
        Complaint.next_follow_up_at <= bindparam("soon"),
        Complaint.next_feedback_at <= bindparam("now"),
        Complaint.hard_due_at <= bindparam("warn")))
    .order_by(Complaint.hard_due_at, Complaint.id).limit(LIMIT))


@dataclass(frozen=True)
class ComplaintReminder:
    key: str
    kind: str  # reply | approval | follow_up | feedback | limit
    urgent: bool
    title: str
    detail: str
    since: datetime


class ComplaintReminders(ComplaintBase):
    def reminders_in(self, s: Session, now: datetime, day_end: datetime,
                     thresholds: Thresholds | None = None) -> list[ComplaintReminder]:
        """Reminders as of `now` (read in the caller's session; `thresholds`: the hall's,
        when the caller has them already)."""
        th = thresholds or self.ctx.thresholds(s.get(Hall, self.ctx.hall.id))
        tz = self.ctx.hall.tz
        soon = now + timedelta(minutes=DUE_SOON_MINUTES)
        warn = now + timedelta(days=th.complaint_hard_warning_days)
        limit = th.complaint_hard_limit_days
        rows = s.execute(_OPEN_REMINDERS, {"hall": self.ctx.hall.id, "day_end": day_end,
                                           "soon": soon, "now": now, "warn": warn}).all()

        def hm(when: datetime) -> str:
            return f"{when.astimezone(tz):%m-%d %H:%M}"

        out: list[ComplaintReminder] = []
        for c, number in rows:
            name = f"投诉#{local_number(c.id)}({self._category_name(c.category)})"
            where = f"{number}号窗口," if number else ""
            if c.state in UNREPLIED_STATES and c.reply_due_at < day_end:
                late = c.reply_due_at <= now
                out.append(ComplaintReminder(
                    f"complaint:{c.id}:{'overdue' if late else 'due'}", "reply", late,
                    name + ("已超过答复时限" if late else "今日须答复"),
                    f"{where}{hm(c.received_at)}登记,答复时限 {hm(c.reply_due_at)}",
                    c.reply_due_at if late else c.received_at))
            if c.state == ComplaintState.AWAITING_APPROVAL.value:
                asked = c.approval_requested_at or c.received_at
                long_wait = now - asked >= timedelta(minutes=th.complaint_approval_alert_minutes)
                comp = "(含补偿)" if c.compensation else ""
                out.append(ComplaintReminder(
                    f"complaint:{c.id}:approval:{int(asked.timestamp())}", "approval", long_wait,
                    f"{name}处理方案{comp}待审批",
                    f"{hm(asked)}提交:{(c.resolution or '')[:60]}", asked))
            if c.next_follow_up_at is not None and c.next_follow_up_at <= soon:
                passed = c.next_follow_up_at <= now
                out.append(ComplaintReminder(
                    f"complaint:{c.id}:followup:{int(c.next_follow_up_at.timestamp())}",
                    "follow_up", passed,
                    name + ("约定的回访时间已到" if passed else "即将到约定的回访时间"),
                    f"约定 {hm(c.next_follow_up_at)} 回访客户", c.next_follow_up_at))
            if c.next_feedback_at is not None and c.next_feedback_at <= now:
                last = c.last_contact_at or c.received_at
                out.append(ComplaintReminder(
                    f"complaint:{c.id}:feedback:{int(c.next_feedback_at.timestamp())}",
                    "feedback", False, f"{name}须向客户进度回馈(定期回馈)",
                    f"上次联系客户 {hm(last)},处理时间较长,请电话告知进展", c.next_feedback_at))
            if c.hard_due_at <= warn:
                passed = c.hard_due_at <= now
                days_left = max(0, (c.hard_due_at - now).days)
                out.append(ComplaintReminder(
                    f"complaint:{c.id}:{'limitpassed' if passed else 'limit'}", "limit",
                    passed or c.hard_due_at - now <= timedelta(days=1),
                    name + (f"已超过{limit}天处理时限" if passed else
                            f"距{limit}天处理时限不足{days_left + 1}天"),
                    f"时限 {c.hard_due_at.astimezone(tz):%Y-%m-%d %H:%M},尚未结案",
                    c.hard_due_at if passed else c.hard_due_at - timedelta(
                        days=th.complaint_hard_warning_days)))
        return out
