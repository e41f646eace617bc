"""What every service needs: the database, settings, a clock, and the hall it serves.

`ServiceContext.acting(actor, permission)` is the unit of work for one staff action: one
transaction, opened with the actor re-checked against the database (`verify_actor`), that
either commits whole or leaves nothing behind. `write()` is the same without an actor (the
kiosk, the system's own day close). No raw driver error leaves a unit of work: a lost
connection is `DatabaseUnavailable` (Chinese message, password-free detail), a full disk
`StorageFull`, a refused constraint `DataConflict`, anything else `DatabaseError`
(`hall_app.db_errors`).

`checkpoint(name)` marks the point between a transition's read and its write; tests
register a hook under that name (a barrier) to hold the transaction there while a
competing action runs. In production no hook is registered and it does nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from db.engine import Database, redact_url
from db.models import Counter, Hall
from db.notify import notify_change
from hall_app.clock import Clock, SystemClock
from hall_app.config import Settings, Thresholds
from hall_app.db_errors import translate
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import DatabaseUnavailable, HallError, NotFound

log = logging.getLogger(__name__)


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
    ) -> None:
        self.db = database
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.hall_code = hall_code or settings.hall_code
        self._hall: HallInfo | None = None
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
               counter_id: int | None = None, read_only: bool = False) -> Iterator[Session]:
        """One unit of work on behalf of `actor`, who is re-checked first, in it.

        `counter_id` names the counter the action happens at (the actor must hold it).
        """
        unit = self.read if read_only else self.write
        with unit() as session:
            self.verify_actor(session, actor, permission, counter_id=counter_id)
            yield session

    def verify_actor(self, session: Session, actor: Actor, permission: Permission | None, *,
                     counter_id: int | None = None) -> None:
        """Refuse `actor` unless the database still lets them do this (in `session`)."""
        if permission is not None:
            actor.require(permission)

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
        row = session.scalars(select(Hall).where(Hall.code == self.hall_code)).first()
        if row is None:
            raise NotFound(f"找不到营业厅「{self.hall_code}」,请先运行 hall-app db seed-demo 或导入配置。")
        return HallInfo(row.id, row.code, row.name, row.timezone, row.hotline)

    def counter(self, session: Session, counter_id: int | None) -> Counter:
        """This hall's counter `counter_id`, or NotFound in Chinese."""
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
