"""Complaint register and workflow (投诉登记与处理): commands, queries, reminders,
analysis and 通报.

    svc = ComplaintService(services.ctx)
    detail = svc.register(actor, ComplaintDraft(channel="counter", customer_name="王先生",
                          phone="13812345678", category="waiting", description="…"))
    svc.start(actor, detail.id)
    svc.propose_resolution(actor, detail.id, "当面致歉,改进叫号")   # → duty manager
    svc.approve(manager, detail.id); svc.reply(actor, detail.id, "…")
    svc.sign_agreement(actor, detail.id, "…", "王先生", follow_up_at)
    svc.follow_up(actor, detail.id, "satisfied", "电话回访,客户满意"); svc.close(actor, detail.id)
    svc.query(actor, ComplaintFilter(overdue=True))      # list rows, phone masked per role
    svc.alert_counts(); svc.summary_for_day(day); svc.analysis(manager, d0, d1)

Every command is one unit of work through `ctx.acting(actor, permission)` and a guarded
transition: the complaint row read under lock, the update conditional on the state (and
escalation flag) that was read with its row count checked, and one `complaint_history`
row. Phone numbers in returned data are masked unless the actor holds
Permission.VIEW_PHONE. Rules live in `hall_app.domain.complaints`.

`ComplaintService` is the one entry point (`HallServices.complaints`); its parts live
beside it: `models` (data in and out), `base` (loading, the guarded move, views), `sql`
(shared SQL definitions), `register`, `transitions` (up to the reply and the closings),
`follow_up` (agreement, hand-offs, contacts, follow-ups), `escalation` (F7 about the same
customer), `queries`, `reminders` (overview), `analysis` and `notices` (通报).
"""

from hall_app.services.complaints.analysis import ComplaintAnalysisQueries
from hall_app.services.complaints.follow_up import ComplaintFollowUp
from hall_app.services.complaints.models import (
    DUE_SOON_MINUTES,
    TOPIC,
    AlertCounts,
    CategoryShare,
    Choice,
    ComplaintAnalysis,
    ComplaintDetail,
    ComplaintDraft,
    ComplaintFilter,
    ComplaintRow,
    ContactEntry,
    DaySummary,
    ForbiddenPhraseFound,
    GroupCount,
    HandOffEntry,
    HistoryEntry,
    LinkChoices,
    NoticeInfo,
    SignedOffCase,
    WeekRow,
)
from hall_app.services.complaints.notices import ComplaintNotices
from hall_app.services.complaints.queries import ComplaintQueries
from hall_app.services.complaints.register import ComplaintRegister
from hall_app.services.complaints.reminders import ComplaintReminder, ComplaintReminders
from hall_app.services.complaints.transitions import ComplaintTransitions


class ComplaintService(ComplaintRegister, ComplaintTransitions, ComplaintFollowUp,
                       ComplaintQueries, ComplaintReminders, ComplaintAnalysisQueries,
                       ComplaintNotices):
    """Every complaint command and query on one object: `ComplaintService(ctx, book=None)`."""


__all__ = [
    "DUE_SOON_MINUTES", "TOPIC", "AlertCounts", "CategoryShare", "Choice", "ComplaintAnalysis",
    "ComplaintDetail", "ComplaintDraft", "ComplaintFilter", "ComplaintReminder", "ComplaintRow",
    "ComplaintService", "ContactEntry", "DaySummary", "ForbiddenPhraseFound", "GroupCount",
    "HandOffEntry", "HistoryEntry", "LinkChoices", "NoticeInfo", "SignedOffCase", "WeekRow",
]
