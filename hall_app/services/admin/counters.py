"""Counters (窗口): create and edit them, with the services they call in rank order.
Deactivating one closes its session and pause; tickets pinned to a counter that can no
longer call them go back to the common queue once the admin confirms.

Deactivation is a guarded counter transition (`db.counter_writes`): the counter row is
locked against call-next before its open ticket is checked, and the write is
conditional on the state read; pinned tickets are released by guarded ticket writes.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.counter_writes import LockedCounter, lock_counter, write_counter
from db.models import (
    Counter,
    CounterPause,
    CounterService,
    CounterSession,
    ServiceType,
    Ticket,
)
from db.ticket_writes import event_values, lock_tickets, write_transition
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import NotFound, StaleState, ValidationError
from hall_app.services.admin.base import AdminBase
from hall_app.services.admin.models import CounterEdit, NeedsDecision
from hall_app.text import clean_text


class CounterAdmin(AdminBase):
    def save_counter(self, actor: Actor, edit: CounterEdit, *, waiting: str | None = None) -> int:
        actor.require(Permission.ADMIN_CONFIG)
        name = clean_text(edit.name, "name", label="窗口名称")
        if not 1 <= edit.number <= 999:
            raise ValidationError("窗口号应在 1 到 999 之间。", field="number")
        if not name or len(name) > 64:
            raise ValidationError("请填写窗口名称(不超过64个字)。", field="name")
        if not edit.service_ids:
            raise ValidationError("窗口至少要办理一种业务。", field="services")
        if len(set(edit.service_ids)) != len(edit.service_ids):
            raise ValidationError("同一业务不能重复添加。", field="services")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall_id = self.ctx.hall.id
            valid = {sv.id: sv for sv in s.scalars(
                select(ServiceType).where(ServiceType.hall_id == hall_id))}
            if any(sid not in valid for sid in edit.service_ids):
                raise ValidationError("所选业务不存在。", field="services")
            if edit.active and not any(valid[sid].active for sid in edit.service_ids):
                raise ValidationError("窗口至少要办理一种启用中的业务。", field="services")
            clash = s.scalar(select(Counter.name).where(
                Counter.hall_id == hall_id, Counter.number == edit.number,
                Counter.id != (edit.id or -1)))
            if clash:
                raise ValidationError(f"窗口号 {edit.number} 已被「{clash}」使用。", field="number")
            codes = "、".join(valid[sid].code for sid in edit.service_ids)
            if edit.id is None:
                created = Counter(hall_id=hall_id, number=edit.number, name=name,
                                  is_vip=edit.is_vip, active=edit.active, state="closed")
                created.services = [CounterService(service_id=sid, rank=rank)
                                    for rank, sid in enumerate(edit.service_ids)]
                s.add(created)
                s.flush()
                self._audit(s, actor, "counter", created.id, "新建", None,
                            f"{edit.number} {name} [{codes}]")
                self._done(s)
                return created.id
            seen = lock_counter(s, hall_id, edit.id)
            if seen is None:
                raise NotFound("找不到该窗口。")
            counter = self.ctx.counter(s, edit.id)
            was_active = counter.active
            before = self.stuck_waiting(s)
            if was_active and not edit.active:
                self._deactivate_counter(s, actor, counter, seen)
            for fld, value in (("number", edit.number), ("name", name),
                               ("is_vip", edit.is_vip), ("active", edit.active)):
                self._set(s, actor, counter, "counter", fld, value)
            old_ids = tuple(cs.service_id for cs in counter.services)
            if old_ids != tuple(edit.service_ids):
                self._audit(s, actor, "counter", counter.id, "services",
                            "、".join(valid[i].code for i in old_ids if i in valid), codes)
                by_service = {cs.service_id: cs for cs in counter.services}
                for sid in old_ids:
                    if sid not in edit.service_ids:
                        counter.services.remove(by_service[sid])
                s.flush()
                for rank, sid in enumerate(edit.service_ids):
                    if sid in by_service:
                        by_service[sid].rank = rank
                    else:
                        counter.services.append(CounterService(service_id=sid, rank=rank))
            s.flush()
            self._release_pinned(s, actor, counter, waiting)
            self._check_not_stranded(s, before)
            self._done(s)
            return counter.id

    def _deactivate_counter(self, s: Session, actor: Actor, counter: Counter,
                            seen: LockedCounter) -> None:
        """Sign the counter out and mark it inactive, unless a customer is at it."""
        if seen.busy_code:
            raise ValidationError(
                f"{seen.number}号窗口正在接待{seen.busy_code}号,请办理完毕后再停用。",
                field="active")
        self.ctx.checkpoint("deactivate_counter")
        now = self.ctx.now()
        if not write_counter(s, seen, {"state": "closed", "staff_id": None,
                                       "pause_reason": None, "state_since": now,
                                       "active": False}):
            busy = s.scalar(select(Ticket.code).where(
                Ticket.counter_id == seen.id, Ticket.state.in_(("called", "serving"))))
            raise StaleState(
                f"{seen.number}号窗口刚叫到{busy}号,未停用,请办理完毕后再停用。" if busy
                else f"{seen.number}号窗口的状态已被其他操作改变,未停用,请刷新后再试。")
        # The row was written above; the ORM copy learns it, so only the audit remains.
        s.expire(counter, ["state", "staff_id", "pause_reason", "state_since", "active"])
        for model in (CounterSession, CounterPause):
            s.execute(update(model).where(model.counter_id == seen.id,
                                          model.ended_at.is_(None)).values(ended_at=now)
                      .execution_options(synchronize_session=False))
        self._audit(s, actor, "counter", seen.id, "active", True, False)
        self.ctx.notify(s, "counters")

    def _release_pinned(self, s: Session, actor: Actor, counter: Counter,
                        waiting: str | None) -> None:
        """Tickets pinned to this counter that it can no longer call go to the common queue."""
        served = {cs.service_id for cs in counter.services} if counter.active else set()
        pinned = [t for t in self._waiting(s, target_counter_id=counter.id)
                  if t.service_id not in served]
        if not pinned:
            return
        if waiting != "transfer":
            raise NeedsDecision(
                f"有 {len(pinned)} 位顾客被指定到{counter.number}号窗口等候,"
                "修改后将转入其他窗口的公共队列继续等候。", count=len(pinned),
                options=("transfer",))
        locked = lock_tickets(s, counter.hall_id, Ticket.id.in_([t.id for t in pinned]))
        self.ctx.checkpoint("release_pinned")
        now = self.ctx.now()
        for t in locked:
            event = event_values(t, kind="reassign", to_state="waiting", at=now,
                                 counter_id=counter.id, staff_id=actor.staff_id,
                                 detail=f"{counter.number}号窗口调整→公共队列")
            if t.state != "waiting" or not write_transition(
                    s, ticket_id=t.id, from_state="waiting", values={"target_counter_id": None},
                    event=event, notify_payload=f"{t.hall_id}:tickets"):
                raise StaleState(f"{t.code}号已被叫号或处理,未调整,请刷新后再试。")
        self._audit(s, actor, "counter", counter.id, "指定等候顾客", f"{len(pinned)}位",
                    "转入公共队列")
        self.ctx.notify(s, "tickets")
