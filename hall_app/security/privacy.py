"""PIPL: customer data is kept only as long as needed, then anonymised; figures stay.

`purge_complaints` replaces a complaint's name, phone and address once it was received
more than `security.complaint_retention_months` (24 by default) months ago, and scrubs
phone and ID numbers out of its free-text fields (description, expectation, reply,
compensation, problem onset, resolution, agreement, close reason) and its contacts'
notes; the agreement's signer and the business number are cleared. Category, severity,
dates, state, satisfaction and the links to ticket/counter/clerk stay, so every report
keeps its figures. Each run that changes something leaves one audit row (how many, up
to when). `hall-app privacy purge` runs it; the day close runs it as an after-close step
in its own unit of work (`hall_app.services.days.steps.privacy_step`). The complaint's
history rows are append-only (hash-chained) and keep their notes: the services write no
customer data into them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import AuditLog, Complaint, ComplaintContact
from hall_app.security.redaction import redact

ANONYMOUS_NAME = "(已匿名)"
_FREE_TEXT = ("description", "expectation", "reply_text", "compensation",
              # the complaint loop's (issue 12) free text the customer may have dictated
              "problem_onset", "resolution", "agreement_text", "close_reason")
# Who signed the agreement, the customer's account or business number: cleared.
_CLEARED = ("agreement_signer", "business_number")


def months_before(when: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (clamped to month end)."""
    import calendar

    year, month = divmod(when.year * 12 + (when.month - 1) - months, 12)
    month += 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class PurgeResult:
    anonymised: int
    cutoff: datetime

    def summary(self, hall_code: str) -> str:
        return (f"营业厅 {hall_code}:{self.cutoff:%Y-%m-%d} 之前受理的投诉,"
                f"已匿名化 {self.anonymised} 条(姓名、电话、地址);统计数字不变。")


def purge_complaints(s: Session, hall_id: int, now: datetime, months: int,
                     staff_id: int | None = None) -> PurgeResult:
    cutoff = months_before(now, months)
    rows = s.scalars(select(Complaint).where(
        Complaint.hall_id == hall_id, Complaint.received_at < cutoff,
        or_(Complaint.customer_name != ANONYMOUS_NAME, Complaint.phone != "",
            Complaint.address.is_not(None)))).all()
    for row in rows:
        row.customer_name, row.phone, row.address = ANONYMOUS_NAME, "", None
        for name in _FREE_TEXT:
            value = getattr(row, name)
            if value:
                setattr(row, name, redact(value))
        for name in _CLEARED:
            setattr(row, name, None)
    if rows:
        # The contacts' notes may quote the customer too (phone numbers, ID numbers).
        for contact in s.scalars(select(ComplaintContact).where(
                ComplaintContact.complaint_id.in_([r.id for r in rows]))):
            if contact.note:
                contact.note = redact(contact.note)
    if rows:
        s.add(AuditLog(hall_id=hall_id, staff_id=staff_id, at=now, entity="complaint",
                       field="个人信息匿名化", old_value=f"{cutoff:%Y-%m-%d} 之前受理",
                       new_value=f"{len(rows)} 条"))
    s.flush()
    return PurgeResult(len(rows), cutoff)
