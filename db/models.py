"""SQLAlchemy 2 typed models: the whole hall schema.

Every row carries its hall, so a chain of halls can share one PostgreSQL schema.
Timestamps are UTC (see `db.types.UTCDateTime`); business days are dates in the hall's
time zone. Money is stored as integer fen. State columns hold the string values of the
enums in `hall_app.domain`; the database enforces what must never happen twice:
one ticket number per hall/day/prefix, one open ticket per counter.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import IdType, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Hall(Base):
    __tablename__ = "hall"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    hotline: Mapped[str] = mapped_column(String(32), default="10000")
    # Thresholds edited by the admin (None = use the settings file's default).
    closing_prompt_minutes: Mapped[int | None] = mapped_column(Integer)
    recalls_before_no_show: Mapped[int | None] = mapped_column(Integer)
    refresh_interval_ms: Mapped[int | None] = mapped_column(Integer)
    pause_alert_minutes: Mapped[int | None] = mapped_column(Integer)
    crowded_per_counter: Mapped[int | None] = mapped_column(Integer)
    complaint_reply_hours: Mapped[int | None] = mapped_column(Integer)
    voice_enabled: Mapped[bool | None] = mapped_column(Boolean)
    voice_station: Mapped[str | None] = mapped_column(String(32))
    # Priority rule: strict | ratio | aging
    priority_rule: Mapped[str] = mapped_column(String(16), default="strict")
    priority_ratio: Mapped[int] = mapped_column(Integer, default=3)
    priority_aging_minutes: Mapped[int] = mapped_column(Integer, default=30)

    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="hall", cascade="all, delete-orphan", order_by="OpeningHours.weekday"
    )


class OpeningHours(Base):
    __tablename__ = "opening_hours"
    __table_args__ = (UniqueConstraint("hall_id", "weekday"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    opens: Mapped[time | None] = mapped_column(Time)  # None = closed that day
    closes: Mapped[time | None] = mapped_column(Time)

    hall: Mapped[Hall] = relationship(back_populates="opening_hours")


class ServiceType(Base):
    __tablename__ = "service_type"
    __table_args__ = (
        UniqueConstraint("hall_id", "code"),
        UniqueConstraint("hall_id", "prefix"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(2))
    target_wait_minutes: Mapped[int] = mapped_column(Integer, default=15)
    long_wait_minutes: Mapped[int] = mapped_column(Integer, default=20)
    typical_service_minutes: Mapped[int] = mapped_column(Integer, default=8)
    is_vip: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Counter(Base):
    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("hall_id", "number"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    is_vip: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # open | paused | closed
    state: Mapped[str] = mapped_column(String(16), default="closed")
    state_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str | None] = mapped_column(String(100))
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    # For the ratio priority rule: normal tickets called since the last priority one.
    calls_since_priority: Mapped[int] = mapped_column(Integer, default=0)

    services: Mapped[list[CounterService]] = relationship(
        back_populates="counter", cascade="all, delete-orphan", order_by="CounterService.rank"
    )


class CounterService(Base):
    """The services a counter serves, in its order of preference (rank 0 first)."""

    __tablename__ = "counter_service"
    __table_args__ = (UniqueConstraint("counter_id", "service_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    counter_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(IdType, ForeignKey("service_type.id"))
    rank: Mapped[int] = mapped_column(Integer, default=0)

    counter: Mapped[Counter] = relationship(back_populates="services")
    service: Mapped[ServiceType] = relationship()


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("hall_id", "staff_no"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    staff_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    # clerk | duty_manager | admin
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_pin: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # The lockout after wrong PINs: `lock_seconds` from `lock_started_at` (the database's
    # clock on PostgreSQL; on SQLite the workstation's, with `lock_started_mono`, a
    # monotonic reading, so moving the wall clock never shortens it). See auth_clock.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_seconds: Mapped[int] = mapped_column(Integer, default=0)
    lock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_started_mono: Mapped[float | None] = mapped_column(Float)
    # The PIN was set in clear in a configuration file (the demo's defaults): it must be
    # changed at the first login outside the demo.
    default_pin: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffSession(Base):
    """One login: who, with which role, where, since when; ended (with why) or live.

    Every staff action re-checks its session in the same transaction (ServiceContext.
    verify_actor): live, the staff member still active, the role unchanged. `counter_id`
    is the counter the session holds (signed in at); only one live session holds a
    counter. The token itself is never stored, only its SHA-256.
    """

    __tablename__ = "staff_session"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        Index("ix_staff_session_staff_ended", "staff_id", "ended_at"),
        Index("ix_staff_session_counter_ended", "counter_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    staff_id: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    token_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    workstation: Mapped[str] = mapped_column(String(64))
    counter_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("counter.id"))
    pin_change_required: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # logout | disabled | role_changed | pin_reset | pin_changed | taken_over | day_closed
    # | replaced | invalid
    end_reason: Mapped[str | None] = mapped_column(String(32))


class LoginThrottle(Base):
    """Login attempts from one workstation across accounts (PIN spraying).

    Within a window, the staff numbers tried and the wrong PINs are counted; past the
    limits the workstation waits `lock_seconds` from `lock_started_at`/`_mono` (the same
    clock rules as the per-account lockout).
    """

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("hall_id", "workstation"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    workstation: Mapped[str] = mapped_column(String(64))
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    window_started_mono: Mapped[float | None] = mapped_column(Float)
    accounts: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lock_seconds: Mapped[int] = mapped_column(Integer, default=0)
    lock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_started_mono: Mapped[float | None] = mapped_column(Float)


class TicketSequence(Base):
    """Last number handed out per hall, business day and prefix (numbers restart daily)."""

    __tablename__ = "ticket_sequence"
    __table_args__ = (UniqueConstraint("hall_id", "business_day", "prefix"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    business_day: Mapped[date] = mapped_column(Date)
    prefix: Mapped[str] = mapped_column(String(2))
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    """One customer's place in one queue.

    A transfer closes this row as `transferred` and opens a continuation row with the
    same code, `hop` + 1, `origin_ticket_id` pointing at the first row, and the original
    `issued_at` (the customer keeps their place). `created_at` is when the row was made.
    """

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("hall_id", "business_day", "prefix", "number", "hop",
                         name="uq_ticket_number_per_day"),
        Index("ix_ticket_queue", "hall_id", "business_day", "state", "service_id", "issued_at"),
        Index("ix_ticket_day_finished", "hall_id", "business_day", "finished_at"),
        Index(
            "uq_ticket_one_open_per_counter",
            "counter_id",
            unique=True,
            sqlite_where=text("state IN ('called', 'serving')"),
            postgresql_where=text("state IN ('called', 'serving')"),
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    business_day: Mapped[date] = mapped_column(Date)
    service_id: Mapped[int] = mapped_column(IdType, ForeignKey("service_type.id"))
    prefix: Mapped[str] = mapped_column(String(2))
    number: Mapped[int] = mapped_column(Integer)
    hop: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(8))
    # normal | vip
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Seconds from issue to first call / from start to finish, fixed at the transition.
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    service_seconds: Mapped[int | None] = mapped_column(Integer)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    counter_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    target_counter_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("counter.id"))
    origin_ticket_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("ticket.id"))
    transferred_from_service_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("service_type.id"))

    service: Mapped[ServiceType] = relationship(foreign_keys=[service_id])


class TicketEvent(Base):
    """Append-only audit row: one per ticket transition (a trigger refuses UPDATE/DELETE)."""

    __tablename__ = "ticket_event"
    __table_args__ = (
        Index("ix_ticket_event_ticket", "ticket_id", "id"),
        Index("ix_ticket_event_hall_at", "hall_id", "at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    ticket_id: Mapped[int] = mapped_column(IdType, ForeignKey("ticket.id"))
    kind: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    counter_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    detail: Mapped[str | None] = mapped_column(Text)
    # Hash chain per ticket, filled by a database trigger (db/history_chain.py).
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class CounterSession(Base):
    """A clerk signed in at a counter, from sign-in to sign-out (for utilisation)."""

    __tablename__ = "counter_session"
    __table_args__ = (Index("ix_counter_session_counter_started", "counter_id", "started_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    counter_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CounterPause(Base):
    __tablename__ = "counter_pause"
    __table_args__ = (Index("ix_counter_pause_counter_started", "counter_id", "started_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    counter_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Incident(Base):
    """A system outage or facility fault; hall-wide when it names no counters."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_hall_started", "hall_id", "started_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    # outage | facility
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))  # 空调 / 打印机 / 网络 …
    notice: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declared_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    cleared_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))

    counters: Mapped[list[IncidentCounter]] = relationship(cascade="all, delete-orphan")


class IncidentCounter(Base):
    __tablename__ = "incident_counter"
    __table_args__ = (UniqueConstraint("incident_id", "counter_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    incident_id: Mapped[int] = mapped_column(IdType, ForeignKey("incident.id", ondelete="CASCADE"))
    counter_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter.id"))


class CashExchange(Base):
    """One 唱收唱交 cash exchange, kept so a disputed change can be checked later."""

    __tablename__ = "cash_exchange"
    __table_args__ = (Index("ix_cash_exchange_hall_at", "hall_id", "at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    ticket_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("ticket.id"))
    counter_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    due_fen: Mapped[int] = mapped_column(Integer)
    received_fen: Mapped[int] = mapped_column(Integer)
    change_fen: Mapped[int] = mapped_column(Integer)
    items: Mapped[str | None] = mapped_column(Text)  # JSON fee breakdown, if given
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Escalation(Base):
    """A counter asks the duty manager for help (appears as an alert on the overview)."""

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_hall_raised", "hall_id", "raised_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    counter_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    ticket_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("ticket.id"))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))


class AlertAck(Base):
    """Acknowledgement of a derived alert, identified by a stable key (e.g. 'longwait:123')."""

    __tablename__ = "alert_ack"
    __table_args__ = (UniqueConstraint("hall_id", "alert_key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    alert_key: Mapped[str] = mapped_column(String(64))
    acknowledged_by: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Complaint(Base):
    """投诉登记表: one row per complaint; its history is in `complaint_history`."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_hall_received", "hall_id", "received_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    business_day: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(16))  # counter | phone | letter | other
    customer_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    ticket_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("ticket.id"))
    counter_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("counter.id"))
    clerk_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    expectation: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default="normal")  # low | normal | high
    recorded_by: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    handler_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    state: Mapped[str] = mapped_column(String(24), default="registered")
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    compensation: Mapped[str | None] = mapped_column(Text)
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hard_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ComplaintHistory(Base):
    """Append-only: one row per complaint step (a trigger refuses UPDATE/DELETE)."""

    __tablename__ = "complaint_history"
    __table_args__ = (Index("ix_complaint_history_complaint", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(IdType, ForeignKey("complaint.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    # Hash chain per complaint, filled by a database trigger (db/history_chain.py).
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class AuditLog(Base):
    """Configuration changes: who, when, what, old → new. Append-only (a trigger refuses
    UPDATE/DELETE) and hash-chained per hall in `chain_seq` order (db/history_chain.py)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_hall_at", "hall_id", "at"),
                      Index("uq_audit_log_hall_chain", "hall_id", "chain_seq", unique=True))

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("hall.id"))
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(IdType)  # key of the changed row
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    chain_seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class HistorySeal(Base):
    """A seal over a hall's history: one link of the per-hall chain of seals.

    Seal n covers, per append-only table, the hall's rows with keys in
    (seal n-1's `…_through`, this seal's `…_through`]: their count and the SHA-256 of
    their row hashes in key order. `seal_hash` chains the seals (db/history_chain.py).
    """

    __tablename__ = "history_seal"
    __table_args__ = (UniqueConstraint("hall_id", "seq"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket_event_through: Mapped[int | None] = mapped_column(IdType)
    complaint_history_through: Mapped[int | None] = mapped_column(IdType)
    audit_log_through: Mapped[int | None] = mapped_column(IdType)
    rows: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    seal_hash: Mapped[str] = mapped_column(String(64))


class Site(Base):
    """This database's place in a district: exactly one row (docs/decisions.md, "Keys across halls").

    `number` 0 means "not in a district". Otherwise every key made here lies in
    [number·2^40, (number+1)·2^40) (`db.site_keys`). Set when the site joins a district
    (`hall-app district setup hall --site S`), which moves the existing keys in one
    transaction; never edited by hand. Not replicated: each database has its own.
    """

    __tablename__ = "site"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False, default=1)
    number: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
