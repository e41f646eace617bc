"""Counter use cases: sign in / out (and a duty manager's takeover), pause with a
reason, resume.

Sign-in makes the staff member's session hold the counter (`staff_session.counter_id`:
only the holder may act there) and opens a counter session (for utilisation); pause opens
a counter_pause row (paused time with reasons). A counter with a customer at it cannot
be paused or left. Pause, resume and sign-out are guarded transitions
(`db.counter_writes`): the counter row is locked against call-next while it is read, and
the update is conditional on the state read and on no ticket being open at it, so a
customer called at that instant is never left at a paused or closed counter.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.counter_writes import LockedCounter, lock_counter, write_counter
from db.models import AuditLog, Counter, CounterPause, CounterSession, Ticket
from hall_app.domain.roles import GRANTS, Actor, Permission, Role
from hall_app.errors import (
    CounterOccupied,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    StaleState,
    ValidationError,
)
from hall_app.security import sessions
from hall_app.security.sessions import EndReason
from hall_app.services.context import ServiceContext
from hall_app.text import clean_text

PAUSE_REASONS = ("离席", "暂停服务", "用餐", "培训", "设备故障", "其他")


class CounterService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _open_ticket(self, s, counter_id: int) -> str | None:  # type: ignore[no-untyped-def]
        return s.scalar(select(Ticket.code).where(
            Ticket.counter_id == counter_id, Ticket.state.in_(["called", "serving"])))

    def sign_in(self, actor: Actor, counter_id: int, *, take_over: bool = False) -> None:
        """The actor's session takes `counter_id` (signed in there).

        A counter held by another staff member's live session is refused, naming who
        holds it; a duty manager (or admin) may take it over with `take_over=True`, which
        ends the holder's session (their window asks them to log in again) and is
        audited. Signing in again where one already holds the counter is fine.
        """
        with self.ctx.acting(actor, None) as s:
            live = self.ctx.live_session(s)
            role = Role(live.role)
            if Permission.SERVE not in GRANTS[role]:  # pragma: no cover - every role serves
                Actor(live.staff_id, role).require(Permission.SERVE)
            # The holder's session before the counter row: the order its own actions
            # (call-next, pause…) lock the two in, so a takeover never deadlocks with them.
            held = sessions.holder_of(s, counter_id, lock=self.ctx.db.is_postgres)
            counter = self._locked_counter(s, counter_id)
            if not counter.active:
                raise IllegalTransition(f"{counter.number}号窗口已停用。")
            again = sessions.holder_of(s, counter_id, lock=False)
            if (again[0].id if again else None) != (held[0].id if held else None):
                # Someone signed in there between the two reads (their sign-in committed):
                # refused below naming them; a takeover asks to look again first.
                if take_over:
                    raise StaleState(f"{counter.number}号窗口刚有人签到,请刷新后再试。")
                held = again
            self.ctx.checkpoint("sign_in")
            now = self.ctx.now()
            if held is not None and held[0].staff_id != live.staff_id:
                holder_session, holder = held
                if not take_over:
                    who = f"{holder.name}(工号{holder.staff_no})"
                    raise CounterOccupied(
                        f"{counter.number}号窗口已由{who}签到使用,请选择其他窗口,或请值班长接管。",
                        holder=who)
                if role not in (Role.DUTY_MANAGER, Role.ADMIN):
                    raise PermissionDenied("只有值班长可以接管窗口。")
                self.ctx.lock_audit_chain(s)
                sessions.end_sessions(s, counter.hall_id, EndReason.TAKEN_OVER, now,
                                      session_id=holder_session.id)
                s.add(AuditLog(hall_id=counter.hall_id, staff_id=live.staff_id, at=now,
                               entity="counter", entity_id=counter.id, field="接管窗口",
                               old_value=f"{holder.name}({holder.staff_no})",
                               new_value=f"{live.name}({live.staff_no})"))
            # Close this staff member's sessions elsewhere and whatever session this
            # counter had (its holder, if any, has just been ended or is this person).
            for sess in s.scalars(select(CounterSession).where(
                    CounterSession.ended_at.is_(None),
                    (CounterSession.counter_id == counter_id)
                    | (CounterSession.staff_id == live.staff_id))).all():
                sess.ended_at = now
                other = s.get(Counter, sess.counter_id)
                if other is not None and other.id != counter_id and other.state != "closed":
                    if self._open_ticket(s, other.id) is None:
                        other.state, other.staff_id, other.state_since = "closed", None, now
            sessions.hold_counter(s, live.id, live.staff_id, counter_id)
            s.add(CounterSession(hall_id=counter.hall_id, counter_id=counter_id,
                                 staff_id=live.staff_id, started_at=now))
            if counter.state != "paused":
                counter.state = "open"
                counter.state_since = now
            counter.staff_id = live.staff_id
            self.ctx.notify(s, "counters")

    def take_over(self, actor: Actor, counter_id: int) -> None:
        """A duty manager takes a counter another staff member holds (audited)."""
        self.sign_in(actor, counter_id, take_over=True)

    def _locked_counter(self, s: Session, counter_id: int) -> Counter:
        """This hall's counter, row-locked on PostgreSQL (two sign-ins queue up)."""
        stmt = select(Counter).where(Counter.id == counter_id,
                                     Counter.hall_id == self.ctx.hall.id)
        if self.ctx.db.is_postgres:
            stmt = stmt.with_for_update()
        counter = s.scalars(stmt).first()
        if counter is None:
            raise NotFound("找不到该窗口。")
        return counter

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
            sessions.release_counter(s, counter_id)
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
