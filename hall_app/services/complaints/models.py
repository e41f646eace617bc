"""Complaint data in and out of the service: the register form's draft, the list filter,
list rows and the full detail (history, contact log, hand-offs), the overview's alert
counts, the day summary, the analysis and 通报, the form's link choices, and
`ForbiddenPhraseFound`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from hall_app.domain.complaints import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    CLOSE_KIND_LABELS,
    CONTACT_METHOD_LABELS,
    CONTACT_PURPOSE_LABELS,
    SATISFACTION_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
    ComplaintAction,
    DeadlineStatus,
)
from hall_app.errors import ValidationError
from hall_app.scripts import ComplaintCategory, ForbiddenHit

DUE_SOON_MINUTES = 120
TOPIC = "complaints"


class ForbiddenPhraseFound(ValidationError):
    """The reply contains 服务忌语; `hits` say which phrase and where (indices into the text)."""

    def __init__(self, hits: list[ForbiddenHit]) -> None:
        phrases = "、".join(dict.fromkeys(f"「{h.phrase}」" for h in hits))
        super().__init__(f"答复中含有服务忌语{phrases},请换一种说法后再保存。", field="reply_text")
        self.hits = tuple(hits)


# -- input / output data ----------------------------------------------------------

@dataclass(frozen=True)
class ComplaintDraft:
    """What the register form collects (seed 003 §一). Links are ids chosen from lists,
    never typed."""

    channel: str
    customer_name: str
    phone: str
    category: str
    description: str
    expectation: str = ""
    address: str | None = None
    severity: str = "normal"
    ticket_id: int | None = None
    counter_id: int | None = None
    clerk_id: int | None = None
    handler_id: int | None = None
    received_at: datetime | None = None  # None = now
    company_name: str | None = None  # 公司名称 (a business customer)
    business: str | None = None  # the business the complaint is about (宽带, 手机套餐…)
    business_number: str | None = None  # its number (phone / broadband account)
    problem_onset: str | None = None  # 何时使用,问题表现状况: when it started, how it shows


@dataclass(frozen=True)
class ComplaintFilter:
    state: str | None = None  # a ComplaintState value, "open", or None for all
    category: str | None = None
    overdue: bool = False
    escalated: bool | None = None
    day_from: date | None = None
    day_to: date | None = None
    sort: str = "received_desc"  # received_desc | received_asc | due | severity | state
    limit: int = 500


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    received_at: datetime
    business_day: date
    channel: str
    customer_name: str
    phone: str  # masked unless the viewer may see it
    category: str
    category_name: str
    severity: str
    state: str
    escalated: bool
    handler_id: int | None
    handler_name: str | None
    counter_number: int | None
    ticket_code: str | None
    reply_due_at: datetime
    hard_due_at: datetime
    replied_at: datetime | None
    deadline: DeadlineStatus
    close_kind: str | None = None
    next_follow_up_at: datetime | None = None
    next_feedback_at: datetime | None = None

    @property
    def state_label(self) -> str:
        if self.close_kind == "signed_off":
            return "未满意结案"
        if self.close_kind == "nuisance":
            return "已关闭(非真实投诉)"
        return STATE_LABELS.get(self.state, self.state)

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    staff_id: int | None
    staff_name: str
    action: str
    from_state: str | None
    to_state: str
    note: str | None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


@dataclass(frozen=True)
class ContactEntry:
    """One line of the contact log: a call, fax or visit with the customer."""

    id: int
    at: datetime
    staff_name: str
    method: str
    purpose: str
    note: str

    @property
    def method_label(self) -> str:
        return CONTACT_METHOD_LABELS.get(self.method, self.method)

    @property
    def purpose_label(self) -> str:
        return {"follow_up": "回访", **CONTACT_PURPOSE_LABELS}.get(self.purpose, self.purpose)


@dataclass(frozen=True)
class HandOffEntry:
    """An action handed to a department (step 6) and whether it has been carried out."""

    id: int
    department: str
    task: str
    due_at: datetime | None
    state: str  # handed | done
    handed_at: datetime
    handed_by: str
    done_at: datetime | None
    done_by: str | None
    done_note: str | None

    @property
    def done(self) -> bool:
        return self.state == "done"


@dataclass(frozen=True)
class ComplaintDetail:
    row: ComplaintRow
    address: str | None
    description: str
    expectation: str
    clerk_name: str | None
    recorder_name: str
    compensation: str | None
    reply_text: str | None
    satisfaction: str | None
    close_reason: str | None
    closed_at: datetime | None
    history: tuple[HistoryEntry, ...]
    actions: tuple[ComplaintAction, ...]  # what the viewer may do next
    company_name: str | None = None
    business: str | None = None
    business_number: str | None = None  # masked like the phone unless the viewer may see it
    problem_onset: str | None = None
    resolution: str | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    agreement_text: str | None = None
    agreement_signer: str | None = None
    agreement_signed_at: datetime | None = None
    follow_up_method: str | None = None
    last_contact_at: datetime | None = None
    contacts: tuple[ContactEntry, ...] = ()
    hand_offs: tuple[HandOffEntry, ...] = ()
    clerk_id: int | None = None
    workflow: int = 2

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def state(self) -> str:
        return self.row.state

    @property
    def close_kind(self) -> str | None:
        return self.row.close_kind

    @property
    def close_kind_label(self) -> str | None:
        return CLOSE_KIND_LABELS.get(self.row.close_kind or "")

    @property
    def satisfaction_label(self) -> str | None:
        return SATISFACTION_LABELS.get(self.satisfaction or "", self.satisfaction)

    @property
    def open_hand_offs(self) -> int:
        return sum(1 for h in self.hand_offs if not h.done)


@dataclass(frozen=True)
class AlertCounts:
    open: int
    due_soon: int
    reply_overdue: int
    hard_overdue: int
    escalated_open: int
    awaiting_approval: int
    compensation_awaiting: int = 0  # awaiting approval with compensation in the resolution
    follow_up_due: int = 0
    feedback_due: int = 0
    near_limit: int = 0  # open, the 15-day limit within the warning days, not yet passed

    @property
    def overdue(self) -> int:
        return self.reply_overdue


@dataclass(frozen=True)
class DaySummary:
    day: date
    total: int
    by_category: tuple[tuple[str, str, int], ...]  # (code, name, count), configured order
    by_state: dict[str, int]
    by_counter: tuple[tuple[int | None, int], ...]  # (counter number or None, count)
    by_clerk: tuple[tuple[str | None, int], ...]  # (clerk name or None, count)
    by_satisfaction: dict[str, int]
    replied: int
    replied_on_time: int  # replied by the reply deadline (当日答复 by default)
    overdue: int  # replied late, or still unreplied past the deadline
    escalated: int
    nuisance: int
    signed_off: int = 0  # closed as 未满意结案 (of the complaints received that day)

    @property
    def same_day_reply_rate(self) -> float | None:
        return self.replied_on_time / self.total if self.total else None


@dataclass(frozen=True)
class CategoryShare:
    code: str
    name: str
    count: int
    survey_share: float  # the published survey's share (0..1), for comparison

    def share_of(self, total: int) -> float | None:
        return self.count / total if total else None


@dataclass(frozen=True)
class GroupCount:
    label: str  # 3号窗口 / 王芳(1001) / (未关联)
    count: int
    replied_on_time: int
    escalated: int


@dataclass(frozen=True)
class WeekRow:
    week_start: date  # Monday
    total: int
    replied_on_time: int

    @property
    def same_day_rate(self) -> float | None:
        return self.replied_on_time / self.total if self.total else None


@dataclass(frozen=True)
class SignedOffCase:
    id: int
    received_at: datetime
    category_name: str
    closed_at: datetime | None
    signed_by: str
    reason: str


@dataclass(frozen=True)
class ComplaintAnalysis:
    """The duty manager's complaint analysis over [day_from, day_to] (by received day)."""

    day_from: date
    day_to: date
    total: int
    replied_on_time: int
    target_pct: int
    by_category: tuple[CategoryShare, ...]
    by_counter: tuple[GroupCount, ...]
    by_clerk: tuple[GroupCount, ...]
    weeks: tuple[WeekRow, ...]
    escalated: int
    open: int
    closed_satisfied: int
    signed_off: int
    nuisance: int
    signed_off_cases: tuple[SignedOffCase, ...] = ()

    @property
    def same_day_rate(self) -> float | None:
        return self.replied_on_time / self.total if self.total else None

    @property
    def target_met(self) -> bool | None:
        rate = self.same_day_rate
        return None if rate is None else rate * 100 >= self.target_pct


@dataclass(frozen=True)
class NoticeInfo:
    """通报: lessons from complaints, issued to the staff."""

    id: int
    issued_at: datetime
    issued_by: str
    title: str
    lessons: str
    complaint_ids: tuple[int, ...]


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class LinkChoices:
    """What the form offers for the related ticket / counter / clerk / handler."""

    tickets: tuple[Choice, ...]
    counters: tuple[Choice, ...]
    clerks: tuple[Choice, ...]
    categories: tuple[ComplaintCategory, ...] = field(default=())
