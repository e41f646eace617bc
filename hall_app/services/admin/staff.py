"""Staff: create and edit members, (de)activate them, reset a PIN. The hall always keeps
at least one active admin.

Disabling a member, changing their role or resetting their PIN ends their live sessions
in the same transaction (`hall_app.security.sessions`): their windows are refused at
the next action with 登录已失效,请重新登录. Their sessions are locked before their staff
row (the order each of their own actions locks the two in), so an action in flight
finishes first and the change then waits for nothing else. The checkpoint `staff.revoked` lies between
those writes and the commit (race tests hold it there).
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Staff
from hall_app.domain.roles import Actor, Permission, Role
from hall_app.errors import NotFound, ValidationError
from hall_app.security import sessions
from hall_app.security.sessions import EndReason
from hall_app.services.admin.base import AdminBase
from hall_app.services.admin.models import StaffEdit
from hall_app.services.auth import AuthService, hash_pin


class StaffAdmin(AdminBase):
    def save_staff(self, actor: Actor, edit: StaffEdit, *, pin: str | None = None) -> int:
        """Create (id None, needs a one-time `pin`) or update a staff member."""
        actor.require(Permission.ADMIN_CONFIG)
        staff_no = edit.staff_no.strip()
        name = edit.name.strip()
        if not re.fullmatch(r"[0-9A-Za-z]{1,32}", staff_no):
            raise ValidationError("工号应为1到32位数字或字母。", field="staff_no")
        if not name or len(name) > 64:
            raise ValidationError("请填写姓名(不超过64个字)。", field="name")
        if edit.role not in {r.value for r in Role}:
            raise ValidationError("请选择角色。", field="role")
        if edit.id is None:
            if not pin:
                raise ValidationError("新员工需要设置一次性密码。", field="pin")
            AuthService(self.ctx).validate_new_pin(pin, "pin")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall_id = self.ctx.hall.id
            clash = s.scalar(select(Staff.name).where(
                Staff.hall_id == hall_id, Staff.staff_no == staff_no,
                Staff.id != (edit.id or -1)))
            if clash:
                raise ValidationError(f"工号「{staff_no}」已被{clash}使用。", field="staff_no")
            if edit.id is None:
                created = Staff(hall_id=hall_id, staff_no=staff_no, name=name, role=edit.role,
                                pin_hash=hash_pin(pin or ""), active=edit.active,
                                must_change_pin=True)
                s.add(created)
                s.flush()
                self._audit(s, actor, "staff", created.id, "新建", None,
                            f"{staff_no} {name} {edit.role}")
                self._done(s)
                return created.id
            sessions.lock_live(s, hall_id, staff_id=edit.id)  # sessions before the staff row
            row = s.get(Staff, edit.id)
            if row is None or row.hall_id != hall_id:
                raise NotFound("找不到该员工。")
            was_role, was_active = row.role, row.active
            for fld, value in (("staff_no", staff_no), ("name", name), ("role", edit.role),
                               ("active", edit.active)):
                self._set(s, actor, row, "staff", fld, value)
            self._check_admin_left(s, "active" if not edit.active else "role")
            if was_active and not row.active:
                self._revoke(s, row.id, EndReason.DISABLED)
            elif row.role != was_role:
                self._revoke(s, row.id, EndReason.ROLE_CHANGED)
            self._done(s)
            return row.id

    def set_staff_active(self, actor: Actor, staff_id: int, active: bool) -> None:
        actor.require(Permission.ADMIN_CONFIG)
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            sessions.lock_live(s, self.ctx.hall.id, staff_id=staff_id)  # before the staff row
            row = s.get(Staff, staff_id)
            if row is None or row.hall_id != self.ctx.hall.id:
                raise NotFound("找不到该员工。")
            was_active = row.active
            self._set(s, actor, row, "staff", "active", active)
            self._check_admin_left(s, "active")
            if was_active and not active:
                self._revoke(s, row.id, EndReason.DISABLED)
            self._done(s)

    def _check_admin_left(self, s: Session, field: str) -> None:
        s.flush()
        admins = s.scalar(select(func.count(Staff.id)).where(
            Staff.hall_id == self.ctx.hall.id, Staff.role == "admin", Staff.active.is_(True)))
        if not admins:
            raise ValidationError("这是最后一名在职的管理员,不能停用或改为其他角色。", field=field)

    def reset_pin(self, actor: Actor, staff_id: int, pin: str) -> None:
        """Set a one-time PIN; the staff member must change it at the next login."""
        actor.require(Permission.ADMIN_CONFIG)
        AuthService(self.ctx).validate_new_pin(pin, "pin")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            sessions.lock_live(s, self.ctx.hall.id, staff_id=staff_id)  # before the staff row
            row = s.get(Staff, staff_id)
            if row is None or row.hall_id != self.ctx.hall.id:
                raise NotFound("找不到该员工。")
            row.pin_hash = hash_pin(pin)
            row.must_change_pin = True
            row.failed_logins, row.lock_seconds = 0, 0
            row.locked_until = row.lock_started_at = row.lock_started_mono = None
            self._audit(s, actor, "staff", row.id, "pin", "******", "已重置(下次登录须修改)")
            self._revoke(s, row.id, EndReason.PIN_RESET)
            self._done(s)

    def _revoke(self, s: Session, staff_id: int, reason: EndReason) -> None:
        """End the member's live sessions (in this transaction), then the checkpoint."""
        s.flush()
        sessions.end_sessions(s, self.ctx.hall.id, reason, self.ctx.now(), staff_id=staff_id)
        self.ctx.checkpoint("staff.revoked")
