"""What the day close does for security, for the day-close code (or the lead) to call
after the close itself has committed:

    after_day_close(ctx)            # or the three steps on their own:
    end_sessions(session, hall_id, EndReason.DAY_CLOSED, now)   # sessions.end_sessions
    purge_complaints(session, hall_id, now, months)             # privacy
    seal_history(session, hall_id, now)                         # history

Each step runs in its own unit of work (`ctx.write()`: the system acts, no staff
member is named). Ending the sessions means every window asks for a login the next
morning; the purge anonymises complaints past their retention; the seal closes the
day's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from db.models import AuditLog
from hall_app.security.history import seal_history
from hall_app.security.privacy import purge_complaints
from hall_app.security.sessions import EndReason, end_sessions
from hall_app.services.context import SYSTEM_WORKSTATION, ServiceContext

__all__ = ["DayCloseSecurity", "after_day_close", "end_sessions", "purge_complaints",
           "record_system_action", "seal_history"]


def record_system_action(s: Session, ctx: ServiceContext, what: str, detail: str,
                         now: datetime) -> None:
    """An audit row for something the system did by itself (the automatic day close):
    no staff member, the origin is the workstation that ran it (never a forged admin)."""
    s.add(AuditLog(hall_id=ctx.hall.id, staff_id=None, at=now, entity="system", field=what,
                   old_value=f"{SYSTEM_WORKSTATION}@{ctx.workstation}", new_value=detail))


@dataclass(frozen=True)
class DayCloseSecurity:
    sessions_ended: int
    complaints_anonymised: int
    sealed_rows: int


def after_day_close(ctx: ServiceContext, now: datetime | None = None) -> DayCloseSecurity:
    now = now or ctx.now()
    hall_id = ctx.hall.id
    with ctx.write() as s:
        ended = end_sessions(s, hall_id, EndReason.DAY_CLOSED, now)
    with ctx.write() as s:
        purged = purge_complaints(s, hall_id, now,
                                  ctx.settings.security.complaint_retention_months)
    with ctx.write() as s:
        seal = seal_history(s, hall_id, now)
    return DayCloseSecurity(ended, purged.anonymised, seal.rows if seal else 0)
