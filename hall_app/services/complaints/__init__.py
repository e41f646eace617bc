"""Complaint register and workflow (投诉登记与处理): commands, queries and day aggregates.

    svc = ComplaintService(services.ctx)
    detail = svc.register(actor, ComplaintDraft(channel="counter", customer_name="王先生",
                          phone="13812345678", category="waiting", description="…"))
    svc.start(actor, detail.id); svc.reply(actor, detail.id, "…")
    svc.query(actor, ComplaintFilter(overdue=True))      # list rows, phone masked per role
    svc.alert_counts()                                   # overview: due soon / overdue
    svc.summary_for_day(day)                             # report: SQL aggregates

Every command is one unit of work that also appends a `complaint_history` row (who,
when, what, note). Phone numbers in returned data are masked unless the actor holds
Permission.VIEW_PHONE. Rules live in `hall_app.domain.complaints`.

`ComplaintService` is the one entry point (`HallServices.complaints`); its parts live
beside it: `models` (data in and out), `base` (shared loading and views), `register`,
`transitions` (the workflow commands) and `queries`.
"""

from hall_app.services.complaints.models import (
    DUE_SOON_MINUTES,
    TOPIC,
    AlertCounts,
    Choice,
    ComplaintDetail,
    ComplaintDraft,
    ComplaintFilter,
    ComplaintRow,
    DaySummary,
    ForbiddenPhraseFound,
    HistoryEntry,
    LinkChoices,
)
from hall_app.services.complaints.queries import ComplaintQueries
from hall_app.services.complaints.register import ComplaintRegister
from hall_app.services.complaints.transitions import ComplaintTransitions


class ComplaintService(ComplaintRegister, ComplaintTransitions, ComplaintQueries):
    """Every complaint command and query on one object: `ComplaintService(ctx, book=None)`."""


__all__ = [
    "DUE_SOON_MINUTES", "TOPIC", "AlertCounts", "Choice", "ComplaintDetail", "ComplaintDraft",
    "ComplaintFilter", "ComplaintRow", "ComplaintService", "DaySummary", "ForbiddenPhraseFound",
    "HistoryEntry", "LinkChoices",
]
