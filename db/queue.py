"""The concurrency-critical queries: claiming the next ticket and numbering new ones.

Claim: one statement picks the best waiting ticket for a counter (order documented in
hall_app.domain.priority). On PostgreSQL it locks that row with FOR UPDATE SKIP LOCKED,
so a second counter skips it instead of waiting or taking it too. On SQLite the unit of
work began with BEGIN IMMEDIATE, so no one else can read-then-write in between. In both
cases the caller then runs a conditional UPDATE ... WHERE state = 'waiting' and checks
the row count, inside the same transaction.

Numbering: an atomic upsert on ticket_sequence (INSERT ... ON CONFLICT DO UPDATE
... RETURNING), never max(number) + 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import (
    Counter,
    CounterService,
    Hall,
    ServiceType,
    Ticket,
    TicketEvent,
    TicketSequence,
)


@dataclass(frozen=True)
class CounterCallState:
    number: int
    state: str
    active: bool
    calls_since_priority: int
    busy_code: str | None
    rule: str
    ratio: int
    aging_minutes: int


@dataclass(frozen=True)
class Candidate:
    id: int
    code: str
    service_id: int
    service_name: str
    priority: str
    issued_at: datetime


def counter_call_state(session: Session, hall_id: int, counter_id: int) -> CounterCallState | None:
    """The counter, its open ticket (if any) and the hall's priority rule, in one query."""
    busy = (
        select(Ticket.code)
        .where(Ticket.counter_id == counter_id, Ticket.state.in_(("called", "serving")))
        .limit(1)
        .scalar_subquery()
    )
    row = session.execute(
        select(Counter.number, Counter.state, Counter.active, Counter.calls_since_priority,
               busy, Hall.priority_rule, Hall.priority_ratio, Hall.priority_aging_minutes)
        .join(Hall, Hall.id == Counter.hall_id)
        .where(Counter.id == counter_id, Counter.hall_id == hall_id)
    ).first()
    return CounterCallState(*row) if row else None


def after_call(session: Session, counter_id: int, called_vip: bool) -> None:
    """Keep the ratio rule's count: normal calls since the last VIP one at this counter."""
    session.execute(
        update(Counter).where(Counter.id == counter_id)
        .values(calls_since_priority=0 if called_vip else Counter.calls_since_priority + 1)
        .execution_options(synchronize_session=False)
    )


def add_event(session: Session, **values: object) -> None:
    session.execute(insert(TicketEvent).values(**values))


def claim_candidate(
    session: Session,
    *,
    hall_id: int,
    day: date,
    counter_id: int,
    rule: str,
    prefer_vip: bool,
    aging_cutoff: datetime | None,
) -> Candidate | None:
    """The ticket this counter should call next (row locked on PostgreSQL)."""
    is_vip = Ticket.priority == "vip"
    if rule == "aging" and aging_cutoff is not None:
        pclass = case((or_(is_vip, Ticket.issued_at <= aging_cutoff), 0), else_=1)
    elif rule == "ratio":
        pclass = case((is_vip, 0 if prefer_vip else 1), else_=1 if prefer_vip else 0)
    else:
        pclass = case((is_vip, 0), else_=1)
    stmt = (
        select(Ticket.id, Ticket.code, Ticket.service_id, ServiceType.name, Ticket.priority,
               Ticket.issued_at)
        .join(ServiceType, ServiceType.id == Ticket.service_id)
        .join(
            CounterService,
            and_(CounterService.service_id == Ticket.service_id,
                 CounterService.counter_id == counter_id),
        )
        .where(
            Ticket.hall_id == hall_id,
            Ticket.business_day == day,
            Ticket.state == "waiting",
            or_(Ticket.target_counter_id.is_(None), Ticket.target_counter_id == counter_id),
        )
        .order_by(pclass, CounterService.rank, Ticket.issued_at, Ticket.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Ticket)
    row = session.execute(stmt).first()
    return Candidate(*row) if row else None


def mark_called(session: Session, ticket_id: int, values: dict[str, object]) -> bool:
    """Conditional claim: True only if the ticket was still waiting."""
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.state == "waiting")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def next_number(session: Session, hall_id: int, day: date, prefix: str) -> int:
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    insert_stmt = dialect_insert(TicketSequence).values(
        hall_id=hall_id, business_day=day, prefix=prefix, last_number=1
    )
    stmt = insert_stmt.on_conflict_do_update(
        index_elements=["hall_id", "business_day", "prefix"],
        set_={"last_number": TicketSequence.last_number + 1},
    ).returning(TicketSequence.last_number)
    return int(session.execute(stmt).scalar_one())
