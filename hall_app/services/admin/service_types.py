"""Service types (业务): create and edit them; deactivating one with waiting customers
needs a decision: let the queue finish, or transfer the tickets to another service.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ServiceType, Ticket, TicketEvent
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import NotFound, ValidationError
from hall_app.services.admin.base import AdminBase
from hall_app.services.admin.models import NeedsDecision, ServiceEdit


class ServiceTypeAdmin(AdminBase):
    def save_service(self, actor: Actor, edit: ServiceEdit, *, waiting: str | None = None,
                     transfer_to: int | None = None) -> int:
        """Create (id None) or update a service type. Returns its id."""
        actor.require(Permission.ADMIN_CONFIG)
        code = edit.code.strip().upper()
        name = edit.name.strip()
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
                    is_vip=edit.is_vip, active=edit.active,
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
                               ("is_vip", edit.is_vip), ("active", edit.active)):
                self._set(s, actor, row, "service", fld, value)
            s.flush()
            if was_active and not edit.active:
                self._deactivate_service(s, actor, row, waiting, transfer_to)
            self._check_not_stranded(s, before)
            self._done(s)
            return row.id

    def _deactivate_service(self, s: Session, actor: Actor, row: ServiceType,
                            waiting: str | None, transfer_to: int | None) -> None:
        tickets = self._waiting(s, service_id=row.id)
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
        now = self.ctx.now()
        for t in tickets:
            t.state, t.ended_at = "transferred", now
            s.add(TicketEvent(hall_id=t.hall_id, ticket_id=t.id, kind="transfer",
                              from_state="waiting", to_state="transferred", at=now,
                              staff_id=actor.staff_id,
                              detail=f"业务停用→{target.name}"))
            s.flush()
            cont = Ticket(hall_id=t.hall_id, business_day=t.business_day,
                          service_id=target.id, prefix=t.prefix, number=t.number,
                          hop=t.hop + 1, code=t.code, priority=t.priority, state="waiting",
                          issued_at=t.issued_at, created_at=now,
                          origin_ticket_id=t.origin_ticket_id or t.id,
                          transferred_from_service_id=t.service_id)
            s.add(cont)
            s.flush()
            s.add(TicketEvent(hall_id=t.hall_id, ticket_id=cont.id, kind="transfer_in",
                              from_state=None, to_state="waiting", at=now,
                              staff_id=actor.staff_id, detail=f"来自{t.code}(业务停用)"))
        self._audit(s, actor, "service", row.id, "等候顾客", f"{len(tickets)}位",
                    f"转至{target.name}")
        self.ctx.notify(s, "tickets")
