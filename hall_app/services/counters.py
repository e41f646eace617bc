"""Counter use cases: sign in / out, pause with a reason, resume.

Sign-in opens a counter session (for utilisation); pause opens a counter_pause row
(paused time with reasons). A counter with a customer at it cannot be paused or left.
"""

from __future__ import annotations

from sqlalchemy import select

from db.models import Counter, CounterPause, CounterSession, Ticket
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, ValidationError
from hall_app.services.context import ServiceContext

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

    def sign_out(self, actor: Actor, counter_id: int) -> None:
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            counter = self.ctx.counter(s, counter_id)
            busy = self._open_ticket(s, counter_id)
            if busy:
                raise IllegalTransition(f"请先处理完当前顾客{busy}号再退出。")
            now = self.ctx.now()
            for session_row in s.scalars(select(CounterSession).where(
                    CounterSession.counter_id == counter_id, CounterSession.ended_at.is_(None))):
                session_row.ended_at = now
            for pause_row in s.scalars(select(CounterPause).where(
                    CounterPause.counter_id == counter_id, CounterPause.ended_at.is_(None))):
                pause_row.ended_at = now
            counter.state, counter.staff_id, counter.pause_reason = "closed", None, None
            counter.state_since = now
            self.ctx.notify(s, "counters")

    def pause(self, actor: Actor, counter_id: int, reason: str) -> None:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("请选择或填写暂停原因。", field="reason")
        if len(reason) > 100:
            raise ValidationError("暂停原因不能超过100个字。", field="reason")
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            counter = self.ctx.counter(s, counter_id)
            if counter.state != "open":
                raise IllegalTransition(f"{counter.number}号窗口当前不在服务状态,无法暂停。")
            busy = self._open_ticket(s, counter_id)
            if busy:
                raise IllegalTransition(f"请先处理完当前顾客{busy}号再暂停。")
            now = self.ctx.now()
            counter.state, counter.pause_reason, counter.state_since = "paused", reason, now
            s.add(CounterPause(hall_id=counter.hall_id, counter_id=counter_id,
                               staff_id=actor.staff_id, reason=reason, started_at=now))
            self.ctx.notify(s, "counters")

    def resume(self, actor: Actor, counter_id: int) -> None:
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            counter = self.ctx.counter(s, counter_id)
            if counter.state != "paused":
                raise IllegalTransition(f"{counter.number}号窗口没有暂停。")
            now = self.ctx.now()
            for row in s.scalars(select(CounterPause).where(
                    CounterPause.counter_id == counter_id, CounterPause.ended_at.is_(None))):
                row.ended_at = now
            counter.state, counter.pause_reason, counter.state_since = "open", None, now
            self.ctx.notify(s, "counters")
