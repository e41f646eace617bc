"""Reading and writing stored staffing plans (table `staffing_plan`).

`store_plan` inserts the plan unless one with the same (hall, day, fingerprint) is there
already — two workstations that computed the same plan at the same moment leave one row
(the unique constraint decides, ON CONFLICT DO NOTHING; the row count says who won).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import StaffingPlanRecord
from db.upsert import dialect_insert

_BODY = select(StaffingPlanRecord.body)


def load_plan_body(session: Session, hall_id: int, day: date, fingerprint: str) -> str | None:
    return session.execute(_BODY.where(StaffingPlanRecord.hall_id == hall_id,
                                       StaffingPlanRecord.day == day,
                                       StaffingPlanRecord.fingerprint == fingerprint)
                           ).scalar_one_or_none()


def hall_has_plans(session: Session, hall_id: int) -> bool:
    return session.execute(select(StaffingPlanRecord.id).where(
        StaffingPlanRecord.hall_id == hall_id).limit(1)).first() is not None


def store_plan(session: Session, hall_id: int, day: date, fingerprint: str, body: str,
               now: datetime) -> bool:
    """True if this call stored the plan, False if the same plan was stored already."""
    conn = session.connection()
    result = conn.execute(
        dialect_insert(conn.dialect.name)(StaffingPlanRecord)
        .values(hall_id=hall_id, day=day, fingerprint=fingerprint, made_at=now, body=body)
        .on_conflict_do_nothing(index_elements=["hall_id", "day", "fingerprint"]))
    return result.rowcount == 1
