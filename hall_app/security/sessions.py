"""Server-side staff sessions (`staff_session`): open at login, checked on every action,
ended (with a reason) by logout, disable, demotion, PIN reset or change, a takeover of
the counter, or the day's close.

The token goes to the workstation inside the `Actor`; only its SHA-256 is stored, so a
database copy cannot be used to act as someone. `check` is the one query every staff
action runs in its own transaction (`ServiceContext.verify_actor`): session live, staff
member active, role unchanged since login. On PostgreSQL it locks the session and staff
rows FOR NO KEY UPDATE, so a disable (which updates both) waits for an action already
past its check, and an action that comes after the disable sees it; SQLite's BEGIN
IMMEDIATE serialises the two anyway. (Not FOR SHARE: two actions of one session would
both hold the share lock and then deadlock upgrading it to record `last_seen_at`. NO
KEY UPDATE does not block the key-share locks of foreign-key checks, so other staff's
rows referencing this member are not held up.)

Ending sessions is a conditional transition: `UPDATE … WHERE ended_at IS NULL`, the row
count says how many were live.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from db.models import Staff, StaffSession
from hall_app.domain.roles import Actor
from hall_app.errors import SessionExpired


class EndReason(StrEnum):
    LOGOUT = "logout"
    DISABLED = "disabled"
    ROLE_CHANGED = "role_changed"
    PIN_RESET = "pin_reset"
    PIN_CHANGED = "pin_changed"
    TAKEN_OVER = "taken_over"
    DAY_CLOSED = "day_closed"


END_REASON_LABELS = {
    EndReason.LOGOUT: "已退出登录", EndReason.DISABLED: "工号已停用",
    EndReason.ROLE_CHANGED: "角色已变更", EndReason.PIN_RESET: "密码已被管理员重置",
    EndReason.PIN_CHANGED: "密码已在其他地方修改", EndReason.TAKEN_OVER: "窗口已被值班长接管",
    EndReason.DAY_CLOSED: "营业日已结束",
}


@dataclass(frozen=True)
class LiveSession:
    """A session that passed `check`: what the database says about the actor now."""

    id: int
    staff_id: int
    staff_no: str
    name: str
    role: str
    workstation: str
    counter_id: int | None
    pin_change_required: bool
    last_seen_at: datetime | None = None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def open_session(s: Session, *, hall_id: int, staff: Staff, workstation: str, now: datetime,
                 pin_change_required: bool) -> tuple[str, StaffSession]:
    token = new_token()
    row = StaffSession(hall_id=hall_id, staff_id=staff.id, token_hash=token_hash(token),
                       role=staff.role, workstation=workstation[:64], counter_id=None,
                       pin_change_required=pin_change_required, started_at=now,
                       last_seen_at=now)
    s.add(row)
    s.flush()
    return token, row


def _check_stmt(lock: bool) -> Any:
    stmt = (select(StaffSession.id, StaffSession.staff_id, StaffSession.role,
                   StaffSession.workstation, StaffSession.counter_id,
                   StaffSession.pin_change_required, StaffSession.last_seen_at,
                   StaffSession.ended_at, StaffSession.end_reason, Staff.staff_no, Staff.name,
                   Staff.active, Staff.role)
            .join(Staff, Staff.id == StaffSession.staff_id)
            .where(StaffSession.token_hash == bindparam("token_hash"),
                   StaffSession.hall_id == bindparam("hall_id")))
    if lock:
        stmt = stmt.with_for_update(key_share=True, of=[StaffSession, Staff])
    return stmt


# Built once: this runs in every staff action (Core, no ORM objects: the hot path).
_CHECK = {True: _check_stmt(True), False: _check_stmt(False)}


def check(s: Session, *, hall_id: int, actor: Actor, lock: bool) -> LiveSession:
    """The actor's live session, or SessionExpired (with the reason in `detail`)."""
    if not actor.session_token or actor.staff_id is None:
        raise SessionExpired(detail="no session")
    row = s.connection().execute(_CHECK[lock], {
        "token_hash": token_hash(actor.session_token), "hall_id": hall_id}).first()
    if row is None:
        raise SessionExpired(detail="unknown session")
    (session_id, staff_id, role, workstation, counter_id, pin_change, last_seen, ended,
     reason, staff_no, name, active, staff_role) = row
    if ended is not None:
        raise SessionExpired(detail=f"ended: {reason}")
    if staff_id != actor.staff_id:
        raise SessionExpired(detail="session of another staff member")
    if not active:
        raise SessionExpired(detail="staff disabled")
    if staff_role != role:
        raise SessionExpired(detail="role changed")
    return LiveSession(session_id, staff_id, staff_no, name, role, workstation, counter_id,
                       bool(pin_change), last_seen)


TOUCH_EVERY_SECONDS = 60


def touch(s: Session, live: LiveSession, now: datetime,
          every_seconds: int = TOUCH_EVERY_SECONDS) -> None:
    """Record that the session is in use: at most once a minute (no write, not even a
    statement, on most actions)."""
    from datetime import timedelta

    if live.last_seen_at is not None and now - live.last_seen_at < timedelta(
            seconds=every_seconds):
        return
    session_id = live.id
    s.execute(update(StaffSession)
              .where(StaffSession.id == session_id,
                     StaffSession.last_seen_at < now - timedelta(seconds=every_seconds))
              .values(last_seen_at=now).execution_options(synchronize_session=False))


def lock_live(s: Session, hall_id: int, *, staff_id: int | None = None) -> None:
    """PostgreSQL: lock the hall's (or one member's) live sessions, in key order, before
    anything else a transaction changes. Every staff action locks its own session before
    the rows it writes (`check`, call-next's `actor_ok`), so a transaction that will end
    sessions (disable, demotion, PIN reset, config import, the day close) takes them in
    the same order and the two can only queue up, never deadlock. SQLite: nothing to do
    (BEGIN IMMEDIATE serialises the writers)."""
    if s.connection().dialect.name != "postgresql":
        return
    stmt = (select(StaffSession.id)
            .where(StaffSession.hall_id == hall_id, StaffSession.ended_at.is_(None))
            .order_by(StaffSession.id).with_for_update(key_share=True))
    if staff_id is not None:
        stmt = stmt.where(StaffSession.staff_id == staff_id)
    s.execute(stmt).all()


def end_sessions(session: Session, hall_id: int, reason: str, now: datetime, *,
                 staff_id: int | None = None, session_id: int | None = None,
                 keep_session_id: int | None = None) -> int:
    """End every live session of the hall (or of `staff_id`, or the one `session_id`).

    The day close calls `end_sessions(session, hall_id, EndReason.DAY_CLOSED, now)` in its
    own transaction. Returns how many sessions were live and are now ended.
    """
    stmt = update(StaffSession).where(StaffSession.hall_id == hall_id,
                                      StaffSession.ended_at.is_(None))
    if staff_id is not None:
        stmt = stmt.where(StaffSession.staff_id == staff_id)
    if session_id is not None:
        stmt = stmt.where(StaffSession.id == session_id)
    if keep_session_id is not None:
        stmt = stmt.where(StaffSession.id != keep_session_id)
    result = session.execute(stmt.values(ended_at=now, end_reason=str(reason), counter_id=None)
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def holder_of(s: Session, counter_id: int, *, lock: bool) -> tuple[StaffSession, Staff] | None:
    """The live session holding `counter_id` (signed in there), with its staff member."""
    stmt = (select(StaffSession, Staff).join(Staff, Staff.id == StaffSession.staff_id)
            .where(StaffSession.counter_id == counter_id, StaffSession.ended_at.is_(None))
            .order_by(StaffSession.id.desc()).limit(1))
    if lock:
        stmt = stmt.with_for_update(of=StaffSession)
    found = s.execute(stmt).first()
    return (found[0], found[1]) if found else None


def hold_counter(s: Session, session_id: int, staff_id: int, counter_id: int) -> None:
    """Session `session_id` now holds `counter_id`; no other session of its staff member
    holds any counter (a clerk is at one counter at a time)."""
    s.execute(update(StaffSession)
              .where(StaffSession.staff_id == staff_id, StaffSession.ended_at.is_(None),
                     StaffSession.id != session_id, StaffSession.counter_id.is_not(None))
              .values(counter_id=None).execution_options(synchronize_session=False))
    s.execute(update(StaffSession).where(StaffSession.id == session_id)
              .values(counter_id=counter_id).execution_options(synchronize_session=False))


def release_counter(s: Session, counter_id: int) -> None:
    """Nobody holds `counter_id` any more (signed out)."""
    s.execute(update(StaffSession)
              .where(StaffSession.counter_id == counter_id, StaffSession.ended_at.is_(None))
              .values(counter_id=None).execution_options(synchronize_session=False))
