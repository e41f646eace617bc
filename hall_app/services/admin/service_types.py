"""Service types (业务): create and edit them; deactivating one with waiting customers
needs a decision: let the queue finish, or transfer the tickets to another service.

The transfer locks the waiting tickets it read (call-next skips them meanwhile) and moves
each with the one continuation-ticket routine (`db.ticket_writes.write_transfer`),
conditional on it still waiting: a customer a counter has just called stays called.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ServiceType, Ticket
from db.ticket_writes import lock_tickets, write_transfer
from hall_app.commitment import parse_commitment
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import NotFound, StaleState, ValidationError
from hall_app.services.admin.base import AdminBase
from hall_app.services.admin.models import NeedsDecision, ServiceEdit
from hall_app.text import clean_text


class ServiceTypeAdmin(AdminBase):
    def save_service(self, actor: Actor, edit: ServiceEdit, *, waiting: str | None = None,
                     transfer_to: int | None = None) -> int:
        """Create (id None) or update a service type. Returns its id."""
        actor.require(Permission.ADMIN_CONFIG)
        code = edit.code.strip().upper()
        name = clean_text(edit.name, "name", label="业务名称")
        prefix = edit.prefix.strip().upper()
        if not re.fullmatch(r"[A-Z0-9_]{1,32}", code):
            raise ValidationError("业务代码应为1到32位英文字母、数字或下划线。", field="code")
        if not name or len(name) > 64:
            raise ValidationError("请填写业务名称(不超过64个字)。", field="name")
        if not re.fullmatch(r"[A-Z]", prefix):
            raise ValidationError("号票字母应为一个英文字母(A–Z)。", field="prefix")
        for fld, label in (("target_wait_minutes", "目标等候时间"),
                           ("long_wait_minutes", "长时等候阈值"),
                           ("typical_service_minutes", "平均办理时长")):
            if not 1 <= getattr(edit, fld) <= 600:
                raise ValidationError(f"{label}应在 1 到 600 分钟之间。", field=fld)
        if edit.long_wait_minutes < edit.target_wait_minutes:
            raise ValidationError("长时等候阈值不能小于目标等候时间。", field="long_wait_minutes")
        try:
            commitment = parse_commitment(edit.commitment)
        except ValueError as exc:
            raise ValidationError(str(exc), field="commitment") from exc
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall_id = self.ctx.hall.id
            others = s.scalars(select(ServiceType).where(ServiceType.hall_id == hall_id)).all()
            for o in others:
                if o.id == edit.id:
                    continue
                if o.code == code:
                    raise ValidationError(f"业务代码「{code}」已被「{o.name}」使用。", field="code")
                if o.prefix == prefix:
                    raise ValidationError(
                        f"号票字母「{prefix}」已被「{o.name}」使用,请换一个字母。", field="prefix")
            if edit.id is None:
                created = ServiceType(
                    hall_id=hall_id, code=code, name=name, prefix=prefix,
                    target_wait_minutes=edit.target_wait_minutes,
                    long_wait_minutes=edit.long_wait_minutes,
                    typical_service_minutes=edit.typical_service_minutes,
                    is_vip=edit.is_vip, active=edit.active, commitment=commitment,
                    sort_order=max((o.sort_order for o in others), default=-1) + 1)
                s.add(created)
                s.flush()
                self._audit(s, actor, "service", created.id, "新建", None,
                            f"{code} {name} {prefix}")
                self._done(s)
                return created.id
            row = next((o for o in others if o.id == edit.id), None)
            if row is None:
                raise NotFound("找不到该业务类型。")
            was_active = row.active
            before = self.stuck_waiting(s)
            for fld, value in (("code", code), ("name", name), ("prefix", prefix),
                               ("target_wait_minutes", edit.target_wait_minutes),
                               ("long_wait_minutes", edit.long_wait_minutes),
                               ("typical_service_minutes", edit.typical_service_minutes),
                               ("is_vip", edit.is_vip), ("active", edit.active),
                               ("commitment", commitment)):
                self._set(s, actor, row, "service", fld, value)
            s.flush()
            if was_active and not edit.active:
                self._deactivate_service(s, actor, row, waiting, transfer_to)
            self._check_not_stranded(s, before)
            self._done(s)
            return row.id

    def _deactivate_service(self, s: Session, actor: Actor, row: ServiceType,
                            waiting: str | None, transfer_to: int | None) -> None:
        tickets = lock_tickets(s, row.hall_id, Ticket.business_day == self.ctx.business_day(),
                               Ticket.state == "waiting", Ticket.service_id == row.id)
        if not tickets:
            return
        if waiting is None:
            raise NeedsDecision(
                f"「{row.name}」还有 {len(tickets)} 位顾客在等候:请选择转到其他业务,"
                "或停止取号、让已取号的顾客办完。", count=len(tickets),
                options=("finish", "transfer"))
        if waiting == "finish":
            return
        if waiting != "transfer":
            raise ValidationError("请选择如何处理等候中的顾客。", field="waiting")
        target = s.get(ServiceType, transfer_to) if transfer_to is not None else None
        if target is None or target.hall_id != row.hall_id or not target.active \
                or target.id == row.id:
            raise ValidationError("请选择一个启用中的其他业务来接收等候的顾客。",
                                  field="transfer_to")
        self.ctx.checkpoint("deactivate_service")
        now = self.ctx.now()
        for t in tickets:
            moved = write_transfer(s, t, to_service_id=target.id, to_counter_id=None, at=now,
                                   staff_id=actor.staff_id, counter_id=None,
                                   detail=f"业务停用→{target.name}", in_detail=f"来自{t.code}(业务停用)")
            if moved is None:  # pragma: no cover - the rows are locked (or BEGIN IMMEDIATE)
                raise StaleState(f"{t.code}号的状态已被其他窗口改变,未停用业务,请重试。")
        self._audit(s, actor, "service", row.id, "等候顾客", f"{len(tickets)}位",
                    f"转至{target.name}")
        self.ctx.notify(s, "tickets")
