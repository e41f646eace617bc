"""What every service needs: the database, settings, a clock, and the hall it serves.

`ServiceContext.acting(actor, permission)` is the unit of work for one staff action: one
transaction, opened with the actor re-checked against the database (`verify_actor`), that
either commits whole or leaves nothing behind. The check reads the actor's server-side
session (`hall_app.security.sessions`): live, staff active, role unchanged, PIN change
not pending, the permission granted to the role stored with the session, and, for an
action at a counter, that the session holds that counter. A failed check is
`SessionExpired` (登录已失效,请重新登录) or `PermissionDenied` and nothing is written.
`write()` is the same without an actor (the kiosk, the system's own day close: their
rows name no staff member; `SYSTEM_WORKSTATION` is the origin a system action records).
No raw driver error leaves a unit of work: a lost connection is `DatabaseUnavailable`
(Chinese message, password-free detail), a full disk `StorageFull`, a refused constraint
`DataConflict`, anything else `DatabaseError` (`hall_app.db_errors`).

`checkpoint(name)` marks the point between a transition's read and its write; tests
register a hook under that name (a barrier) to hold the transaction there while a
competing action runs. In production no hook is registered and it does nothing.
"""

from __future__ import annotations

import logging
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from db.engine import Database, redact_url
from db.notify import notify_change
from hall_app.clock import Clock, SystemClock
from hall_app.config import Settings, Thresholds
from hall_app.db_errors import translate
from hall_app.domain.roles import GRANTS, ROLE_LABELS, Actor, Permission, Role
from hall_app.errors import (
    DatabaseUnavailable,
    HallError,
    NotFound,
    PermissionDenied,
    PinChangeRequired,
    SessionExpired,
)

if TYPE_CHECKING:
    from db.models import Counter, Hall
    from hall_app.security.sessions import LiveSession

log = logging.getLogger(__name__)

# What the system's own actions (automatic day close) record as their origin.
SYSTEM_WORKSTATION = "system"


class _HeldCounter:
    """`acting(..., counter_id=HELD_COUNTER)`: at whatever counter the session holds."""

    def __repr__(self) -> str:
        return "HELD_COUNTER"


HELD_COUNTER = _HeldCounter()
# Where an action happens: a counter's key, HELD_COUNTER, or None (not at a counter).
CounterRef = int | _HeldCounter | None
_LIVE_KEY = "hall_live_session"
_COUNTER_KEY = "hall_acting_counter"


def default_workstation() -> str:
    try:
        return (socket.gethostname() or "workstation")[:64]
    except OSError:  # pragma: no cover - no host name at all
        return "workstation"


@dataclass(frozen=True)
class HallInfo:
    id: int
    code: str
    name: str
    timezone: str
    hotline: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ServiceContext:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        clock: Clock | None = None,
        hall_code: str | None = None,
        workstation: str | None = None,
    ) -> None:
        self.db = database
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.hall_code = hall_code or settings.hall_code
        # Recorded with every session and login attempt made through this context.
        self.workstation = (workstation or settings.security.workstation
                            or default_workstation())[:64]
        self._hall: HallInfo | None = None
        self.role = ""  # the window's role on this workstation (HallServices.set_role)
        # Test hooks by checkpoint name (see `checkpoint`); empty in production.
        self.hooks: dict[str, Callable[[], None]] = {}

    # -- units of work -------------------------------------------------------------
    @contextmanager
    def _connection_guard(self) -> Iterator[None]:
        """Every database error leaves as the core's own error (`hall_app.db_errors`):
        a lost or busy database as DatabaseUnavailable (Chinese, no password), a full disk
        as StorageFull, a refused constraint as DataConflict, anything else the database
        refused as DatabaseError. A HallError raised inside passes through unchanged."""
        try:
            yield
        except HallError:
            raise
        except (SQLAlchemyError, sqlite3.Error, UnicodeEncodeError) as exc:
            error = translate(exc, where=redact_url(self.db.url))
            if isinstance(error, DatabaseUnavailable):
                log.warning("database unavailable (%s): %s", redact_url(self.db.url),
                            type(exc.orig if isinstance(exc, DBAPIError) else exc).__name__)
            raise error from exc

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Database work outside a unit of work (migrations, feeds): errors as in one."""
        with self._connection_guard():
            yield

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: the unit of work for one user action."""
        with self._connection_guard(), self.db.write() as session:
            yield session

    @contextmanager
    def acting(self, actor: Actor, permission: Permission | None, *,
               counter_id: CounterRef = None, read_only: bool = False,
               allow_pin_change: bool = False) -> Iterator[Session]:
        """One unit of work on behalf of `actor`, who is re-checked first, in it.

        `counter_id` names the counter the action happens at (the actor's session must
        hold it); `HELD_COUNTER` means "the counter the session holds" (one is needed).
        After the check, `live_session(session)` and `acting_counter(session)` say who
        and where, as the database has it.
        """
        unit = self.read if read_only else self.write
        with unit() as session:
            self.verify_actor(session, actor, permission, counter_id=counter_id,
                              read_only=read_only, allow_pin_change=allow_pin_change)
            yield session

    def verify_actor(self, session: Session, actor: Actor, permission: Permission | None, *,
                     counter_id: CounterRef = None, read_only: bool = False,
                     allow_pin_change: bool = False) -> LiveSession:
        """Refuse `actor` unless the database still lets them do this (in `session`).

        On PostgreSQL a write unit locks the session and staff rows (FOR NO KEY UPDATE)
        until it ends, so disabling, demoting or a PIN reset (which update them) waits for
        an action already past this check, and an action after it is refused.
        """
        from hall_app.security import sessions  # the mapped models: not before a first paint

        live = sessions.check(session, hall_id=self.hall.id, actor=actor,
                              lock=self.db.is_postgres and not read_only)
        if live.pin_change_required and not allow_pin_change:
            raise PinChangeRequired("请先修改密码后再操作。")
        role = Role(live.role)
        if permission is not None and permission not in GRANTS[role]:
            Actor(live.staff_id, role).require(permission)
        if actor.role != role:
            # An Actor edited to claim another role than its login's: the services that
            # read `actor.role` (the complaint loop's rules) must never see a false one.
            raise SessionExpired(detail="the Actor's role differs from its session's")
        at = self._check_counter(session, live, role, permission, counter_id)
        if not read_only:
            sessions.touch(session, live, self.now())
            if permission is Permission.ADMIN_CONFIG:
                # Every audit writer takes the hall's audit-chain lock before any row lock
                # (db/history_chain.py), so two of them can never deadlock.
                self.lock_audit_chain(session)
        session.info[_LIVE_KEY] = live
        session.info[_COUNTER_KEY] = at
        return live

    def _check_counter(self, session: Session, live: LiveSession, role: Role,
                       permission: Permission | None,
                       counter_id: CounterRef) -> int | None:
        """The counter the action happens at, if the session may act there."""
        if counter_id is HELD_COUNTER:
            if live.counter_id is None:
                raise PermissionDenied("请先在窗口签到,再办理业务。")
            return live.counter_id
        if counter_id is None:
            if permission is not Permission.SERVE:
                return None
            # Serving without a counter named: at the one the session holds. A clerk
            # must hold one; a duty manager holding none acts from the floor.
            if live.counter_id is None and role is Role.CLERK:
                raise PermissionDenied("请先在窗口签到,再办理业务。")
            return live.counter_id
        assert isinstance(counter_id, int)
        if live.counter_id == counter_id:
            return counter_id
        if permission is Permission.SERVE or role is Role.CLERK:
            counter = self.counter(session, counter_id)
            raise PermissionDenied(
                f"{ROLE_LABELS[role.value]}{live.name}未在{counter.number}号窗口签到,"
                "不能在该窗口操作。")
        return counter_id

    @staticmethod
    def live_session(session: Session) -> LiveSession:
        """The session `acting` verified for this unit of work."""
        return session.info[_LIVE_KEY]  # type: ignore[no-any-return]

    @staticmethod
    def acting_counter(session: Session) -> int | None:
        """The counter `acting` verified the action at (None: not at a counter)."""
        value = session.info.get(_COUNTER_KEY)
        return value if isinstance(value, int) else None

    def lock_audit_chain(self, session: Session) -> None:
        """PostgreSQL: this hall's audit-chain lock, until the transaction ends (the
        audit_log trigger takes it too; taking it first avoids lock-order deadlocks)."""
        if self.db.is_postgres:
            from db.history_chain import audit_lock_key_sql

            session.execute(text(f"SELECT pg_advisory_xact_lock({audit_lock_key_sql(':h')})"),
                            {"h": self.hall.id})

    def checkpoint(self, name: str) -> None:
        """Between a transition's read and its write: run the test hook `name`, if any."""
        hook = self.hooks.get(name)
        if hook is not None:
            hook()

    @contextmanager
    def single_statement(self) -> Iterator[Connection]:
        """An autocommit connection for one self-contained statement (see Database)."""
        with self._connection_guard(), self.db.single_statement() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._connection_guard(), self.db.read() as session:
            yield session

    def notify(self, session: Session, topic: str) -> None:
        notify_change(session, self.hall.id, topic)

    # -- the hall -----------------------------------------------------------------
    @property
    def hall(self) -> HallInfo:
        if self._hall is None:
            with self.read() as session:
                self._hall = self.load_hall(session)
        return self._hall

    def load_hall(self, session: Session) -> HallInfo:
        # A text statement: a display or kiosk paints its first screen before the
        # mapped models are imported (≈ 90 ms of a window's start).
        row = session.execute(text("SELECT id, code, name, timezone, hotline FROM hall "
                                   "WHERE code = :code"), {"code": self.hall_code}).first()
        if row is None:
            raise NotFound(f"找不到营业厅「{self.hall_code}」,请先运行 hall-app db seed-demo 或导入配置。")
        return HallInfo(row.id, row.code, row.name, row.timezone, row.hotline)

    def counter(self, session: Session, counter_id: int | None) -> Counter:
        """This hall's counter `counter_id`, or NotFound in Chinese."""
        from db.models import Counter

        counter = session.get(Counter, counter_id) if counter_id is not None else None
        if counter is None or counter.hall_id != self.hall.id:
            raise NotFound("找不到该窗口。")
        return counter

    def forget_hall(self) -> None:
        self._hall = None

    # -- time -----------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def business_day(self, when: datetime | None = None) -> date:
        when = when or self.now()
        return when.astimezone(self.hall.tz).date()

    def thresholds(self, hall_row: Hall | None = None) -> Thresholds:
        """Settings-file thresholds with the admin's database values on top."""
        base = self.settings.thresholds
        if hall_row is None:
            return base
        overrides = {
            name: getattr(hall_row, name)
            for name in (
                "recalls_before_no_show",
                "refresh_interval_ms",
                "pause_alert_minutes",
                "closing_prompt_minutes",
                "crowded_per_counter",
                "complaint_reply_hours",
            )
            if getattr(hall_row, name) is not None
        }
        from dataclasses import replace

        return replace(base, **overrides)
