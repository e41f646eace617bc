"""The per-workstation login throttle: PIN spraying across accounts.

The per-account lockout stops guessing one PIN; it does nothing against trying one PIN
(1234) on staff 1000, 1001, 1002, … from the same keyboard. So each workstation has a
`login_throttle` row. Within a window (`security.throttle_window_minutes`, 10 by default)
it records the staff numbers tried and the wrong PINs / unknown numbers. Trying a
further staff number beyond `accounts_per_workstation` (3), or a wrong PIN beyond
`workstation_failures` (5), locks the workstation: nothing is checked for
60 s × 2^(excess − 1), at most 15 minutes; the attempt that crossed the limit is not
checked either. Staff numbers already tried in the window stay allowed (a clerk who
mistypes, then logs in, is not locked out by the throttle; the per-account lockout
handles repeated wrong PINs). The demo (`Settings.demo`) has no throttle.

Clock rules as for the account lockout (`login_clock`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import LoginThrottle
from hall_app.config import SecuritySettings
from hall_app.errors import PermissionDenied
from hall_app.security import login_clock
from hall_app.security.login_clock import Lock, LoginTime

MAX_LOCK_SECONDS = 15 * 60


def throttle_seconds(excess: int) -> int:
    return min(MAX_LOCK_SECONDS, 60 * 2 ** max(0, excess - 1))


class WorkstationThrottle:
    """Loaded (row-locked) at the start of a login; `refuse_if_locked`, then `tried`,
    then `failed` on a wrong PIN. The caller commits."""

    def __init__(self, s: Session, hall_id: int, workstation: str, now: LoginTime,
                 rules: SecuritySettings) -> None:
        self.s, self.now, self.rules = s, now, rules
        stmt = select(LoginThrottle).where(LoginThrottle.hall_id == hall_id,
                                           LoginThrottle.workstation == workstation)
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = s.scalars(stmt).first()
        if row is None:
            row = LoginThrottle(hall_id=hall_id, workstation=workstation,
                                window_started_at=now.wall, window_started_mono=now.mono,
                                accounts="", failures=0, lock_seconds=0)
            s.add(row)
            s.flush()
        self.row = row
        self._roll_window()

    def _roll_window(self) -> None:
        row = self.row
        window = Lock(self.rules.throttle_window_minutes * 60, row.window_started_at,
                      row.window_started_mono)
        left, _ = login_clock.remaining(window, self.now)
        if left == 0:
            row.window_started_at, row.window_started_mono = self.now.wall, self.now.mono
            row.accounts, row.failures = "", 0

    def _left(self) -> int:
        row = self.row
        left, lock = login_clock.remaining(
            Lock(row.lock_seconds, row.lock_started_at, row.lock_started_mono), self.now)
        row.lock_started_at, row.lock_started_mono = lock.started_at, lock.started_mono
        return left

    def _lock(self, excess: int) -> int:
        seconds = throttle_seconds(excess)
        lock = login_clock.start(seconds, self.now)
        row = self.row
        row.lock_seconds, row.lock_started_at, row.lock_started_mono = (
            lock.seconds, lock.started_at, lock.started_mono)
        return seconds

    def refuse_if_locked(self) -> None:
        left = self._left()
        if left:
            raise PermissionDenied(f"本机登录尝试过于频繁,请{left}秒后再试。")

    def tried(self, staff_no: str) -> int:
        """Count `staff_no`; the seconds this workstation must now wait (0 = go on)."""
        accounts = [a for a in self.row.accounts.split(",") if a]
        if staff_no in accounts:
            return 0
        accounts.append(staff_no[:32])
        self.row.accounts = ",".join(accounts)
        excess = len(accounts) - self.rules.accounts_per_workstation
        return self._lock(excess) if excess > 0 else 0

    def failed(self) -> int:
        self.row.failures += 1
        excess = self.row.failures - self.rules.workstation_failures
        return self._lock(excess) if excess > 0 else 0
