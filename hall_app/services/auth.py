"""Staff login with staff number + PIN, server-side sessions, PIN changes.

PINs are kept only as salted scrypt hashes. A login opens a `staff_session` row
(`hall_app.security.sessions`) and returns an `Actor` carrying its token; every later
service call re-checks that session in the database.

Guessing is slowed two ways, both on the database's clock (`hall_app.security.
login_clock`: PostgreSQL's own; on SQLite the workstation's, never shortened by moving
it): after 3 wrong PINs in a row an account waits a growing delay before the next try is
even checked, and a workstation trying many staff numbers or many wrong PINs waits too
(`hall_app.security.throttle`). A disabled account is refused.

A PIN has `security.pin_length` digits at least (6 recommended, 4 allowed) and at most 8.
A PIN that is shorter than that, was reset by an administrator, or came in clear from a
configuration file (the demo's defaults) must be changed before anything else can be
done; in the demo itself (`Settings.demo`) only an administrator's reset forces it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Staff, StaffSession
from hall_app.domain.roles import Actor, Role
from hall_app.errors import PermissionDenied, ValidationError
from hall_app.security import login_clock, sessions
from hall_app.security.login_clock import Lock, LoginTime
from hall_app.security.sessions import EndReason
from hall_app.security.throttle import WorkstationThrottle
from hall_app.services.context import ServiceContext

_N, _R, _P = 2**14, 8, 1
FREE_ATTEMPTS = 3
MAX_PIN_DIGITS = 8


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


def validate_pin_format(pin: str, field: str = "pin", *, min_digits: int = 4) -> None:
    if not pin.isdigit() or not min_digits <= len(pin) <= MAX_PIN_DIGITS:
        if min_digits == MAX_PIN_DIGITS:
            raise ValidationError(f"密码应为{MAX_PIN_DIGITS}位数字。", field=field)
        raise ValidationError(f"密码应为{min_digits}到{MAX_PIN_DIGITS}位数字。", field=field)


def lockout_seconds(failures: int) -> int:
    """Delay before the next attempt is checked, after `failures` wrong PINs in a row."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(300, 5 * 2 ** (failures - FREE_ATTEMPTS))


class AuthService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @property
    def pin_length(self) -> int:
        return self.ctx.settings.security.pin_length

    def validate_new_pin(self, pin: str, field: str = "pin") -> None:
        """A PIN an administrator or the staff member sets now (configured length)."""
        validate_pin_format(pin, field, min_digits=self.pin_length)

    def login(self, staff_no: str, pin: str, *, workstation: str | None = None) -> Actor:
        staff_no = (staff_no or "").strip()
        if not staff_no:
            raise ValidationError("请输入工号。", field="staff_no")
        if not pin:
            raise ValidationError("请输入密码。", field="pin")
        ws = (workstation or self.ctx.workstation)[:64]
        demo = self.ctx.settings.demo
        with self.ctx.write() as s:
            now = login_clock.read(s, self.ctx.clock)
            throttle = None if demo else WorkstationThrottle(
                s, self.ctx.hall.id, ws, now, self.ctx.settings.security)
            if throttle is not None:
                throttle.refuse_if_locked()
                wait = throttle.tried(staff_no)
                if wait:
                    self._refuse(s, f"本机登录尝试过于频繁,请{wait}秒后再试。")
            staff = self._staff_row(s, staff_no)
            if staff is None:
                wait = throttle.failed() if throttle is not None else 0
                self._refuse(s, "工号或密码错误。" + (f"请{wait}秒后再试。" if wait else ""))
            left = self._locked_for(staff, now)
            if left:
                self._refuse(s, f"密码错误次数过多,请{left}秒后再试。")
            if not verify_pin(pin, staff.pin_hash):
                self._wrong_pin(s, staff, now, throttle)
            if not staff.active:
                self._refuse(s, "该工号已停用,请联系管理员。")
            staff.failed_logins, staff.lock_seconds = 0, 0
            staff.locked_until = staff.lock_started_at = staff.lock_started_mono = None
            must_change = staff.must_change_pin or (not demo and (
                staff.default_pin or len(pin) < self.pin_length))
            token, _row = sessions.open_session(
                s, hall_id=self.ctx.hall.id, staff=staff, workstation=ws, now=self.ctx.now(),
                pin_change_required=must_change)
            return Actor(staff_id=staff.id, role=Role(staff.role), name=staff.name,
                         staff_no=staff.staff_no, session_token=token)

    def _staff_row(self, s: Session, staff_no: str) -> Staff | None:
        stmt = select(Staff).where(Staff.hall_id == self.ctx.hall.id, Staff.staff_no == staff_no)
        if self.ctx.db.is_postgres:
            stmt = stmt.with_for_update()  # concurrent wrong PINs count one after another
        return s.scalars(stmt).first()

    @staticmethod
    def _refuse(s: Session, message: str) -> NoReturn:
        """Keep the counters written so far (failures, throttle), then refuse."""
        s.commit()
        raise PermissionDenied(message)

    @staticmethod
    def _locked_for(staff: Staff, now: LoginTime) -> int:
        left, lock = login_clock.remaining(
            Lock(staff.lock_seconds, staff.lock_started_at, staff.lock_started_mono), now)
        staff.lock_started_at, staff.lock_started_mono = lock.started_at, lock.started_mono
        return left

    def _wrong_pin(self, s: Session, staff: Staff, now: LoginTime,
                   throttle: WorkstationThrottle | None) -> NoReturn:
        from datetime import timedelta

        staff.failed_logins += 1
        delay = lockout_seconds(staff.failed_logins)
        lock = login_clock.start(delay, now)
        staff.lock_seconds, staff.lock_started_at, staff.lock_started_mono = (
            lock.seconds, lock.started_at, lock.started_mono)
        staff.locked_until = now.wall + timedelta(seconds=delay) if delay else None
        wait = max(delay, throttle.failed() if throttle is not None else 0)
        self._refuse(s, "工号或密码错误。" + (f"请{wait}秒后再试。" if wait else ""))

    def must_change_pin(self, actor: Actor) -> bool:
        """True if this session may do nothing before the PIN is changed."""
        with self.ctx.read() as s:
            live = sessions.check(s, hall_id=self.ctx.hall.id, actor=actor, lock=False)
            return live.pin_change_required

    def change_pin(self, actor: Actor, old_pin: str, new_pin: str) -> None:
        """The staff member sets a new PIN; their other sessions end (they must log in
        again there), this one may now act."""
        self.validate_new_pin(new_pin, "new_pin")
        if old_pin == new_pin:
            raise ValidationError("新密码不能与原密码相同。", field="new_pin")
        new_hash = hash_pin(new_pin)  # scrypt before the write lock
        with self.ctx.write() as s:
            if actor.staff_id is not None:  # sessions before the staff row (lock order)
                sessions.lock_live(s, self.ctx.hall.id, staff_id=actor.staff_id)
            live = sessions.check(s, hall_id=self.ctx.hall.id, actor=actor,
                                  lock=self.ctx.db.is_postgres)
            staff = s.get(Staff, live.staff_id)
            if staff is None or not verify_pin(old_pin, staff.pin_hash):
                raise PermissionDenied("原密码错误。")
            # Between the check of the old PIN and the new one's write: a login with the
            # old PIN waits here (PostgreSQL: it reads the staff row FOR UPDATE; SQLite:
            # BEGIN IMMEDIATE) and then checks against the new hash.
            self.ctx.checkpoint("pin.change")
            staff.pin_hash = new_hash
            staff.must_change_pin = False
            staff.default_pin = False
            now = self.ctx.now()
            sessions.end_sessions(s, self.ctx.hall.id, EndReason.PIN_CHANGED, now,
                                  staff_id=staff.id, keep_session_id=live.id)
            row = s.get(StaffSession, live.id)
            if row is not None:
                row.pin_change_required = False

    def logout(self, actor: Actor) -> None:
        """End this session (a window closing, 退出登录). Nothing happens if it had ended."""
        if not actor.session_token:
            return
        with self.ctx.write() as s:
            row = s.scalars(select(StaffSession).where(
                StaffSession.token_hash == sessions.token_hash(actor.session_token))).first()
            if row is not None:
                sessions.end_sessions(s, row.hall_id, EndReason.LOGOUT, self.ctx.now(),
                                      session_id=row.id)
