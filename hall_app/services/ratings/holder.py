"""Who holds a counter now: the clerk whose name and 工号 the rating pad shows.

Until the server-side staff sessions (issue 14) are merged this reads `counter.staff_id`,
which sign-in sets and sign-out / day close clear. It is the ONE place the pad learns
who serves at a counter: switch it to the live staff session at merge.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Counter, Staff


@dataclass(frozen=True)
class CounterHolder:
    staff_id: int
    name: str
    staff_no: str


def counter_holder(s: Session, counter_id: int) -> CounterHolder | None:
    """The clerk signed in at `counter_id`, or None when nobody holds it."""
    row = s.execute(
        select(Staff.id, Staff.name, Staff.staff_no)
        .join(Counter, Counter.staff_id == Staff.id)
        .where(Counter.id == counter_id, Counter.state != "closed", Staff.active.is_(True))
    ).first()
    return CounterHolder(int(row[0]), row[1], row[2]) if row else None
