"""Counter use cases: sign in / out, pause with a reason, resume.

Sign-in opens a counter session (for utilisation); pause opens a counter_pause row
(paused time with reasons). A counter with a customer at it cannot be paused or left.
Pause, resume and sign-out are guarded transitions (`db.counter_writes`): the counter row
is locked against call-next while it is read, and the update is conditional on the state
read and on no ticket being open at it, so a customer called at that instant is never
left at a paused or closed counter.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.counter_writes import LockedCounter, lock_counter, write_counter
from db.models import Counter, CounterPause, CounterSession, Ticket
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, NotFound, StaleState, ValidationError
from hall_app.services.context import ServiceContext
from hall_app.text import clean_text

PAUSE_REASONS = ("离席", "暂停服务", "用餐", "培训", "设备故障", "其他")


class CounterService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _open_ticket(self, s, counter_id: int) -> str | None:  # type: ignore[no-untyped-def]
        return s.scalar(select(Ticket.code).where(
            Ticket.counter_id == counter_id, Ticket.state.in_(["called", "serving"])))

    def sign_in(self, actor: Actor, counter_id: int) -> None:
        with self.ctx.acting(actor, Permission.SERVE) as s:
            counter = self.ctx.counter(s, counter_id)
            if not counter.active:
                raise IllegalTransition(f"{counter.number}号窗口已停用。")
            now = self.ctx.now()
            # Close this clerk's sessions elsewhere and whatever session this counter had.
            for sess in s.scalars(select(CounterSession).where(
                    CounterSession.ended_at.is_(None),
                    (CounterSession.counter_id == counter_id)
                    | (CounterSession.staff_id == actor.staff_id))).all():
                sess.ended_at = now
                other = s.get(Counter, sess.counter_id)
                if other is not None and other.id != counter_id and other.state != "closed":
                    if self._open_ticket(s, other.id) is None:
                        other.state, other.staff_id, other.state_since = "closed", None, now
            s.add(CounterSession(hall_id=counter.hall_id, counter_id=counter_id,
                                 staff_id=actor.staff_id, started_at=now))
            if counter.state != "paused":
                counter.state = "open"
                counter.state_since = now
            counter.staff_id = actor.staff_id
            self.ctx.notify(s, "counters")

    def _locked(self, s: Session, counter_id: int) -> LockedCounter:
        row = lock_counter(s, self.ctx.hall.id, counter_id)
        if row is None:
            raise NotFound("找不到该窗口。")
        return row

    @staticmethod
    def _end_open(s: Session, counter_id: int, now: datetime, *, sessions: bool) -> None:
        models: tuple[type[CounterPause] | type[CounterSession], ...] = (
            (CounterSession, CounterPause) if sessions else (CounterPause,))
        for model in models:
            s.execute(update(model).where(model.counter_id == counter_id,
                                          model.ended_at.is_(None)).values(ended_at=now)
                      .execution_options(synchronize_session=False))

    def sign_out(self, actor: Actor, counter_id: int) -> None:
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            counter = self._locked(s, counter_id)
            if counter.busy_code:
                raise IllegalTransition(f"请先处理完当前顾客{counter.busy_code}号再退出。")
            self.ctx.checkpoint("sign_out")
            now = self.ctx.now()
            if not write_counter(s, counter, {"state": "closed", "staff_id": None,
                                              "pause_reason": None, "state_since": now}):
                raise StaleState(self._moved(s, counter, "退出"))
            self._end_open(s, counter_id, now, sessions=True)
            self.ctx.notify(s, "counters")

    def pause(self, actor: Actor, counter_id: int, reason: str) -> None:
        reason = clean_text(reason, "reason", label="暂停原因",
                            required="请选择或填写暂停原因。")
        if len(reason) > 100:
            raise ValidationError("暂停原因不能超过100个字。", field="reason")
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            counter = self._locked(s, counter_id)
            if counter.state != "open":
                raise IllegalTransition(f"{counter.number}号窗口当前不在服务状态,无法暂停。")
            if counter.busy_code:
                raise IllegalTransition(f"请先处理完当前顾客{counter.busy_code}号再暂停。")
            self.ctx.checkpoint("pause")
            now = self.ctx.now()
            if not write_counter(s, counter, {"state": "paused", "pause_reason": reason,
                                              "state_since": now}):
                raise StaleState(self._moved(s, counter, "暂停"))
            s.add(CounterPause(hall_id=counter.hall_id, counter_id=counter_id,
                               staff_id=actor.staff_id, reason=reason, started_at=now))
            self.ctx.notify(s, "counters")

    def resume(self, actor: Actor, counter_id: int) -> None:
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            counter = self._locked(s, counter_id)
            if counter.state != "paused":
                raise IllegalTransition(f"{counter.number}号窗口没有暂停。")
            self.ctx.checkpoint("resume")
            now = self.ctx.now()
            if not write_counter(s, counter, {"state": "open", "pause_reason": None,
                                              "state_since": now}, require_idle=False):
                raise StaleState(self._moved(s, counter, "恢复服务"))
            self._end_open(s, counter_id, now, sessions=False)
            self.ctx.notify(s, "counters")

    def _moved(self, s: Session, seen: LockedCounter, what: str) -> str:
        """Why the guarded write found the counter changed (the Chinese message)."""
        busy = self._open_ticket(s, seen.id)
        if busy:
            return f"{seen.number}号窗口刚叫到{busy}号,未{what},请先处理该顾客。"
        return f"{seen.number}号窗口的状态已被其他操作改变,未{what},请刷新后再试。"
