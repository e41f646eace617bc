"""Staff login with staff number + PIN. PINs are kept only as salted scrypt hashes.

After 3 wrong PINs in a row the account waits a short, growing delay before the next
try is even checked (so retry spam cannot guess a PIN); a disabled account is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select

from db.models import Staff
from hall_app.domain.roles import Actor, Role
from hall_app.errors import PermissionDenied, ValidationError
from hall_app.services.context import ServiceContext

_N, _R, _P = 2**14, 8, 1
FREE_ATTEMPTS = 3


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt_hex, digest_hex = stored.split("$")
        if algo != "scrypt":
            return False
        digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r),
                                p=int(p), dklen=len(digest_hex) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def validate_pin_format(pin: str, field: str = "pin") -> None:
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise ValidationError("密码应为4到8位数字。", field=field)


def lockout_seconds(failures: int) -> int:
    """Delay before the next attempt is checked, after `failures` wrong PINs in a row."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(300, 5 * 2 ** (failures - FREE_ATTEMPTS))


class AuthService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def login(self, staff_no: str, pin: str) -> Actor:
        staff_no = (staff_no or "").strip()
        if not staff_no:
            raise ValidationError("请输入工号。", field="staff_no")
        if not pin:
            raise ValidationError("请输入密码。", field="pin")
        with self.ctx.write() as s:
            staff = s.scalars(select(Staff).where(
                Staff.hall_id == self.ctx.hall.id, Staff.staff_no == staff_no)).first()
            now = self.ctx.now()
            if staff is None:
                raise PermissionDenied("工号或密码错误。")
            if staff.locked_until is not None and staff.locked_until > now:
                wait = int((staff.locked_until - now).total_seconds()) + 1
                raise PermissionDenied(f"密码错误次数过多,请{wait}秒后再试。")
            if not verify_pin(pin, staff.pin_hash):
                staff.failed_logins += 1
                delay = lockout_seconds(staff.failed_logins)
                staff.locked_until = now + timedelta(seconds=delay) if delay else None
                extra = f"请{delay}秒后再试。" if delay else ""
                # Commit the failure count, then refuse.
                s.commit()
                raise PermissionDenied(f"工号或密码错误。{extra}")
            if not staff.active:
                raise PermissionDenied("该工号已停用,请联系管理员。")
            staff.failed_logins = 0
            staff.locked_until = None
            return Actor(staff_id=staff.id, role=Role(staff.role), name=staff.name,
                         staff_no=staff.staff_no)

    def must_change_pin(self, actor: Actor) -> bool:
        with self.ctx.read() as s:
            staff = s.get(Staff, actor.staff_id)
            return bool(staff and staff.must_change_pin)

    def change_pin(self, actor: Actor, old_pin: str, new_pin: str) -> None:
        validate_pin_format(new_pin, "new_pin")
        if old_pin == new_pin:
            raise ValidationError("新密码不能与原密码相同。", field="new_pin")
        with self.ctx.write() as s:
            staff = s.get(Staff, actor.staff_id)
            if staff is None or not verify_pin(old_pin, staff.pin_hash):
                raise PermissionDenied("原密码错误。")
            staff.pin_hash = hash_pin(new_pin)
            staff.must_change_pin = False
