"""The business-day row: made once per (hall, day), share-locked by issuing, locked to close.

* `day_for_issue` — issuing a ticket reads the day's row FOR SHARE (made if missing), so
  any number of kiosks issue side by side, but none can slip a ticket into a day while
  it is being closed: the close's FOR UPDATE waits for the issuers in flight, and an
  issuer that comes after it sees the day closed.
* `lock_day` — the close (and changing a day's hours) locks the row FOR UPDATE (made if
  missing); with `skip_locked` a workstation that finds another one closing the same day
  gets None at once instead of waiting — exactly one of them closes it.
* `open_days_before` — the days still open before a date, oldest first (catching up).

SQLite needs none of the locks: every write unit of work starts with BEGIN IMMEDIATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BusinessDay
from db.upsert import dialect_insert


@dataclass(frozen=True)
class DayRow:
    id: int
    day: date
    state: str
    opens_at: datetime | None
    closes_at: datetime | None
    closed_at: datetime | None

    @property
    def closed(self) -> bool:
        return self.state == "closed"


_COLUMNS = (BusinessDay.id, BusinessDay.day, BusinessDay.state, BusinessDay.opens_at,
            BusinessDay.closes_at, BusinessDay.closed_at)


def ensure_day(session: Session, hall_id: int, day: date, now: datetime) -> None:
    """Make the (hall, day) row if it does not exist yet (concurrency-safe)."""
    dialect = session.connection().dialect.name
    session.connection().execute(
        dialect_insert(dialect)(BusinessDay)
        .values(hall_id=hall_id, day=day, state="open", opened_at=now, closed_by_system=False)
        .on_conflict_do_nothing(index_elements=["hall_id", "day"]))


def _select(session: Session, hall_id: int, day: date, lock: str | None) -> DayRow | None:
    stmt = select(*_COLUMNS).where(BusinessDay.hall_id == hall_id, BusinessDay.day == day)
    if session.connection().dialect.name == "postgresql":
        if lock == "share":
            stmt = stmt.with_for_update(read=True)
        elif lock == "update":
            stmt = stmt.with_for_update()
        elif lock == "update_skip":
            stmt = stmt.with_for_update(skip_locked=True)
    row = session.connection().execute(stmt).first()
    return DayRow(*row) if row else None


def read_day(session: Session, hall_id: int, day: date) -> DayRow | None:
    """The day's row as it is (no lock), or None if nothing has made it yet."""
    return _select(session, hall_id, day, None)


def day_for_issue(session: Session, hall_id: int, day: date, now: datetime) -> DayRow:
    """The day's row, share-locked for issuing a ticket into it (made if missing)."""
    row = _select(session, hall_id, day, "share")
    if row is None:
        ensure_day(session, hall_id, day, now)
        row = _select(session, hall_id, day, "share")
    assert row is not None  # made just above (or by a concurrent issuer)
    return row


def lock_day(session: Session, hall_id: int, day: date, now: datetime, *,
             skip_locked: bool = False) -> DayRow | None:
    """The day's row locked for closing or changing it (made if missing).

    With `skip_locked`, None means another transaction holds the row right now (another
    workstation closing it, or a kiosk issuing into it): try again later.
    """
    ensure_day(session, hall_id, day, now)
    return _select(session, hall_id, day, "update_skip" if skip_locked else "update")


def open_days_before(session: Session, hall_id: int, before: date) -> list[date]:
    """Days of the hall still open before `before`, oldest first."""
    return list(session.scalars(
        select(BusinessDay.day).where(BusinessDay.hall_id == hall_id,
                                      BusinessDay.state == "open", BusinessDay.day < before)
        .order_by(BusinessDay.day)))


def closed_days(session: Session, hall_id: int, first: date, last: date) -> set[date]:
    """Days of the hall in [first, last] that are closed (their figures no longer move)."""
    return set(session.scalars(
        select(BusinessDay.day).where(BusinessDay.hall_id == hall_id,
                                      BusinessDay.state == "closed",
                                      BusinessDay.day >= first, BusinessDay.day <= last)))
