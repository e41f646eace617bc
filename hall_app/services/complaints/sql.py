"""SQL forms of the complaint definitions, shared by the service, the overview and the
daily report so that each figure has exactly one definition (docs/complaints.md):

* replied on time (当日答复 by default): replied, and by the stored reply deadline, which
  is the close of the business day (or the configured hours) — a reply after closing is
  late, even before midnight;
* overdue: replied after the deadline, or not replied and the deadline has passed;
* open: not closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_

from db.models import Complaint
from hall_app.domain.complaints import UNREPLIED_STATES, ComplaintState


def is_open() -> Any:
    return Complaint.state != ComplaintState.CLOSED.value


def is_unreplied() -> Any:
    return Complaint.state.in_([s.value for s in UNREPLIED_STATES])


def replied_on_time() -> Any:
    return and_(Complaint.replied_at.is_not(None), Complaint.replied_at <= Complaint.reply_due_at)


def overdue(now: datetime | Any) -> Any:
    """Replied late, or still waiting for the reply past its deadline at `now` (a
    datetime or a SQL expression)."""
    return or_(Complaint.replied_at > Complaint.reply_due_at,
               and_(Complaint.replied_at.is_(None), is_open(), Complaint.reply_due_at < now))


def open_and_overdue(now: datetime) -> Any:
    """For the list's "overdue only": open and the reply or the regulatory limit passed."""
    return or_(and_(is_unreplied(), Complaint.reply_due_at < now),
               and_(is_open(), Complaint.hard_due_at < now))


def count_if(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)
