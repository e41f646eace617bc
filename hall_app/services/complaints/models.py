"""Complaint data in and out of the service: the register form's draft, the list filter,
list rows and the full detail with history, the overview's alert counts, the day
summary, the form's link choices, and `ForbiddenPhraseFound`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from hall_app.domain.complaints import (
    ACTION_LABELS,
    CHANNEL_LABELS,
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
    """What the register form collects. Links are ids chosen from lists, never typed."""

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

    @property
    def state_label(self) -> str:
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

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def state(self) -> str:
        return self.row.state

    @property
    def satisfaction_label(self) -> str | None:
        return SATISFACTION_LABELS.get(self.satisfaction or "", self.satisfaction)


@dataclass(frozen=True)
class AlertCounts:
    open: int
    due_soon: int
    reply_overdue: int
    hard_overdue: int
    escalated_open: int
    awaiting_approval: int

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
    replied_on_time: int  # replied by the reply deadline (same business day by default)
    overdue: int  # replied late, or still unreplied past the deadline
    escalated: int
    nuisance: int

    @property
    def same_day_reply_rate(self) -> float | None:
        return self.replied_on_time / self.total if self.total else None


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
