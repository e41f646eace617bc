"""Plain frozen data the rating services hand out (safe to pass between threads).

The pad's `PadBoard` holds only what the customer at the counter may see: the counter,
the clerk's name and 工号, the service promise, and the ticket being served or just
finished there (its number and service). No phone, no name, no other counter's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hall_app.services.ratings.holder import CounterHolder

TOPIC = "ratings"


@dataclass(frozen=True)
class PadTicket:
    """The ticket at the counter now (called or being served)."""

    ticket_id: int
    code: str
    service_name: str
    state: str  # called | serving


@dataclass(frozen=True)
class PendingRating:
    """The counter's last finished ticket, not rated yet; `deadline` ends the question."""

    ticket_id: int
    code: str
    service_name: str
    finished_at: datetime
    deadline: datetime


@dataclass(frozen=True)
class PadBoard:
    now: datetime
    bound: bool
    hall_name: str
    counter_number: int
    counter_open: bool
    holder: CounterHolder | None
    promise: str
    timeout_seconds: int
    current: PadTicket | None = None
    pending: PendingRating | None = None

    def expired(self, pending: PendingRating, now: datetime | None = None) -> bool:
        return (now or self.now) >= pending.deadline


@dataclass(frozen=True)
class RatingReceipt:
    rating_id: int
    ticket_id: int
    level: str
    follow_up_id: int | None = None


@dataclass(frozen=True)
class DissatisfiedRating:
    """A 不满意 rating of the day, for the duty manager's alert."""

    rating_id: int
    rated_at: datetime
    ticket_code: str
    counter_number: int
    clerk_name: str | None
    clerk_no: str | None
    reason: str | None
    wants_contact: bool | None
    follow_up_id: int | None


@dataclass(frozen=True)
class FollowUpRow:
    """One 回访 for the duty manager: who was unhappy with what, and where it stands."""

    id: int
    rating_id: int
    ticket_id: int
    ticket_code: str
    service_name: str
    counter_id: int
    counter_number: int
    clerk_id: int | None
    clerk_name: str | None
    clerk_no: str | None
    reason: str | None
    opened_at: datetime
    state: str  # open | done | complaint (a complaint was registered for the ticket)
    complaint_id: int | None
    handled_by: str | None
    handled_at: datetime | None
    note: str | None

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True)
class ComplaintPrefill:
    """What the complaint form starts with when a follow-up becomes a complaint."""

    follow_up_id: int
    ticket_id: int
    ticket_code: str
    counter_id: int
    clerk_id: int | None
    clerk_label: str | None
    category: str | None
    description: str
