"""Who holds a counter now: the clerk whose name and 工号 the rating pad shows.

The live staff session holding the counter (`staff_session.counter_id`, set by sign-in,
cleared by sign-out, a takeover, the day close, or the staff member being disabled,
demoted or their PIN reset), with the staff member still active and in the role the
session was opened with — the same facts every staff action is checked against, so the
pad never shows someone whose login has ended. The counter must be open or paused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Counter, Staff, StaffSession


@dataclass(frozen=True)
class CounterHolder:
    staff_id: int
    name: str
    staff_no: str


def counter_holder(s: Session, counter_id: int) -> CounterHolder | None:
    """The staff member signed in at `counter_id`, or None when nobody holds it."""
    row = s.execute(
        select(Staff.id, Staff.name, Staff.staff_no)
        .join(StaffSession, StaffSession.staff_id == Staff.id)
        .join(Counter, Counter.id == StaffSession.counter_id)
        .where(StaffSession.counter_id == counter_id, StaffSession.ended_at.is_(None),
               Counter.state != "closed", Staff.active.is_(True),
               Staff.role == StaffSession.role)
        .order_by(StaffSession.id.desc()).limit(1)
    ).first()
    return CounterHolder(int(row[0]), row[1], row[2]) if row else None
