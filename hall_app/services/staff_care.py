"""Staff care (seed 002): after a hard complaint the duty manager grants the clerk a short
recovery break (调整情绪).

The break pauses the clerk's counter like any pause, with a pause row of kind "recovery"
and a `recovery_break` row saying who granted it, for which complaint and for how long.
The daily report does not count it as idle time; the overview's pause alert waits until
the granted minutes have run out. The clerk resumes as after any pause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from db.models import (
    Complaint,
    ComplaintHistory,
    Counter,
    CounterPause,
    RecoveryBreak,
    Staff,
    Ticket,
)
from hall_app.domain.complaints import ComplaintAction
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, NotFound, ValidationError
from hall_app.services.context import ServiceContext
from hall_app.services.guard import rows_updated

RECOVERY_REASON = "调整情绪"


@dataclass(frozen=True)
class RecoveryInfo:
    id: int
    staff_name: str
    counter_number: int
    minutes: int
    granted_at: datetime
    complaint_id: int | None


class StaffCareService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def grant_recovery_break(self, actor: Actor, staff_id: int, minutes: int | None = None,
                             complaint_id: int | None = None) -> RecoveryInfo:
        """Pause the counter `staff_id` is signed in at for a 调整情绪 break."""
        if minutes is None:
            minutes = self.ctx.settings.thresholds.recovery_break_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 60:
            raise ValidationError("调整情绪的时间应为1到60分钟。", field="minutes")
        with self.ctx.acting(actor, Permission.GRANT_RECOVERY_BREAK) as s:
            hall_id = self.ctx.hall.id
            clerk = s.get(Staff, staff_id)
            if clerk is None or clerk.hall_id != hall_id:
                raise NotFound("找不到该员工。")
            counter = s.scalars(select(Counter).where(
                Counter.hall_id == hall_id, Counter.staff_id == staff_id,
                Counter.state != "closed").with_for_update()).first()
            if counter is None:
                raise IllegalTransition(f"{clerk.name}当前没有在窗口签到,无需安排调整情绪。")
            if counter.state != "open":
                raise IllegalTransition(f"{counter.number}号窗口已暂停,请等营业员恢复后再安排。")
            busy = s.scalar(select(Ticket.code).where(
                Ticket.counter_id == counter.id, Ticket.state.in_(("called", "serving"))))
            if busy:
                raise IllegalTransition(f"{counter.number}号窗口正在接待{busy}号,请办结后再安排调整情绪。")
            if complaint_id is not None:
                complaint = s.get(Complaint, complaint_id)
                if complaint is None or complaint.hall_id != hall_id:
                    raise NotFound("找不到该投诉记录。")
            now = self.ctx.now()
            number = counter.number
            self.ctx.checkpoint("counter.recovery_break")
            changed = rows_updated(s, update(Counter)
                .where(Counter.id == counter.id, Counter.state == "open",
                       Counter.staff_id == staff_id)
                .values(state="paused", pause_reason=RECOVERY_REASON, state_since=now))
            if changed != 1:
                raise IllegalTransition(f"{number}号窗口的状态刚刚变化,请刷新后重试。")
            pause = CounterPause(hall_id=hall_id, counter_id=counter.id, staff_id=staff_id,
                                 reason=RECOVERY_REASON, started_at=now, kind="recovery")
            s.add(pause)
            s.flush()
            grant = RecoveryBreak(hall_id=hall_id, pause_id=pause.id, staff_id=staff_id,
                                  complaint_id=complaint_id, granted_by=actor.staff_id,
                                  granted_at=now, minutes=minutes)
            s.add(grant)
            if complaint_id is not None:
                state = s.scalar(select(Complaint.state).where(Complaint.id == complaint_id)
                                 .with_for_update())
                s.add(ComplaintHistory(
                    complaint_id=complaint_id, at=now, staff_id=actor.staff_id,
                    action=ComplaintAction.RECOVERY_BREAK.value, from_state=state,
                    to_state=state, note=f"为{clerk.name}({number}号窗口)安排调整情绪{minutes}分钟"))
            s.flush()
            s.expire(counter)
            self.ctx.notify(s, "counters")
            if complaint_id is not None:
                self.ctx.notify(s, "complaints")
            return RecoveryInfo(grant.id, clerk.name, number, minutes, now, complaint_id)
