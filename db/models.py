"""SQLAlchemy 2 typed models: the whole hall schema.

Every row carries its hall, so a chain of halls can share one PostgreSQL schema.
Timestamps are UTC (see `db.types.UTCDateTime`); business days are dates in the hall's
time zone. Money is stored as integer fen. State columns hold the string values of the
enums in `hall_app.domain`; the database enforces what must never happen twice:
one ticket number per hall/day/prefix, one open ticket per counter.

No ``from __future__ import annotations`` here: with it every ``Mapped[...]`` is a string
that SQLAlchemy evaluates again for each of the ~550 columns, ≈ 17 ms of every window's
start. A relationship to a class defined further down names it in quotes.
"""

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
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
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import IdType, UTCDateTime

#: The partial unique indexes, whose PostgreSQL form is added on a PostgreSQL database.
_PARTIAL_INDEXES: list[Index] = []


def _partial_index(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows matching `where` (both databases' DDL say WHERE).

    Only the SQLite form is given here: naming ``postgresql_where`` would import the
    PostgreSQL dialect (and asyncio with it, ≈ 34 ms) into every SQLite window's start.
    `add_postgresql_index_options` adds it when a PostgreSQL database is opened.
    """
    index = Index(name, *columns, unique=True, sqlite_where=text(where))
    index.info["where"] = where
    _PARTIAL_INDEXES.append(index)
    return index


def add_postgresql_index_options() -> None:
    """Give the partial indexes their PostgreSQL WHERE (idempotent)."""
    for index in _PARTIAL_INDEXES:
        index.dialect_options["postgresql"]["where"] = text(index.info["where"])


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
    # 爱心通道 at the kiosk: elderly, pregnant and disabled customers get a priority ticket.
    care_channel: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    opening_hours: Mapped[list["OpeningHours"]] = relationship(
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
    # Customers on a typical day (None: unknown): the staffing advice for a new hall.
    typical_per_day: Mapped[int | None] = mapped_column(Integer)
    is_vip: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # The farewell's promise 「XX业务会在XX时间内开通」: e.g. "24小时", "3个工作日";
    # None for a service finished on the spot (hall_app.commitment checks the format).
    commitment: Mapped[str | None] = mapped_column(String(16))


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

    services: Mapped[list["CounterService"]] = relationship(
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
        # hop last: the overview counts the waiting by first hop from the index alone.
        Index("ix_ticket_queue", "hall_id", "business_day", "state", "service_id", "issued_at",
              "hop"),
        Index("ix_ticket_day_finished", "hall_id", "business_day", "finished_at"),
        _partial_index("uq_ticket_one_open_per_counter", "counter_id",
                       where="state IN ('called', 'serving')"),
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
    # Issued through 爱心通道: priority is "vip", so every rule serves it like VIP.
    care: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
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
    # The wait estimate the customer was given at issue (hall_app.forecast): the point in
    # seconds, the 80 % interval in whole minutes as shown, whether no counter served the
    # service then, and the naive people-ahead estimate (minutes) for comparison.
    est_wait_seconds: Mapped[int | None] = mapped_column(Integer)
    est_wait_low_min: Mapped[int | None] = mapped_column(Integer)
    est_wait_high_min: Mapped[int | None] = mapped_column(Integer)
    est_no_counter: Mapped[bool | None] = mapped_column(Boolean)
    est_naive_min: Mapped[int | None] = mapped_column(Integer)

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
    """A pause at a counter. `kind` "recovery" is a 调整情绪 break the duty manager granted
    after a hard complaint (seed 002, staff care): the report does not count it as idle."""

    __tablename__ = "counter_pause"
    __table_args__ = (Index("ix_counter_pause_counter_started", "counter_id", "started_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    counter_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # normal | recovery (who granted it and why: `recovery_break`)
    kind: Mapped[str] = mapped_column(String(16), default="normal", server_default="normal")


class RecoveryBreak(Base):
    """A 调整情绪 break the duty manager granted a clerk after a hard complaint (seed 002,
    staff care): the pause it opened, the complaint, who granted it and for how long."""

    __tablename__ = "recovery_break"
    __table_args__ = (Index("ix_recovery_break_hall_granted", "hall_id", "granted_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    pause_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter_pause.id"))
    staff_id: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    complaint_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("complaint.id"))
    granted_by: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)


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

    counters: Mapped[list["IncidentCounter"]] = relationship(cascade="all, delete-orphan")


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


class DocumentExchange(Base):
    """One document taken from or given to a customer (证件唱收唱交), kept for disputes.

    The documents of one exchange share `at` and `phrase`; only their names are stored,
    never their numbers.
    """

    __tablename__ = "document_exchange"
    __table_args__ = (
        Index("ix_document_exchange_hall_at", "hall_id", "at"),
        Index("ix_document_exchange_ticket", "ticket_id"),
        CheckConstraint("disposition IN ('returned', 'kept', 'handed')", name="disposition"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    ticket_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("ticket.id"))
    counter_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    document: Mapped[str] = mapped_column(String(32))
    # returned (taken and handed back) | kept (taken, the hall keeps it) | handed (given)
    disposition: Mapped[str] = mapped_column(String(16))
    phrase: Mapped[str] = mapped_column(Text)  # what the clerk said
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
    """投诉登记表 (seed 003 §一): one row per complaint; its history is in
    `complaint_history`, the contact log in `complaint_contact`, the actions handed to
    departments in `complaint_hand_off`."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_hall_received", "hall_id", "received_at"),
                      Index("ix_complaint_hall_state", "hall_id", "state"),
                      Index("ix_complaint_ticket", "ticket_id"))

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
    satisfaction: Mapped[str | None] = mapped_column(String(16))  # at the last follow-up
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The register's fields from seed 003 §一: 公司名称, the business and number the
    # complaint is about, and when the problem started / how it shows (何时使用,问题表现状况).
    company_name: Mapped[str | None] = mapped_column(String(100))
    business: Mapped[str | None] = mapped_column(String(64))
    business_number: Mapped[str | None] = mapped_column(String(32))
    problem_onset: Mapped[str | None] = mapped_column(Text)
    # The proposed resolution and its approval by the duty manager (every resolution).
    # (Who approved, signed off or closed is the staff of that history row.)
    resolution: Mapped[str | None] = mapped_column(Text)
    approval_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 处理协议 signed by the customer (step 5).
    agreement_text: Mapped[str | None] = mapped_column(Text)
    agreement_signer: Mapped[str | None] = mapped_column(String(64))
    agreement_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Tracked follow-up (回访) and interim feedback (定期回馈).
    next_follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_method: Mapped[str | None] = mapped_column(String(16))
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # satisfied | signed_off (未满意结案) | nuisance; set when closed.
    close_kind: Mapped[str | None] = mapped_column(String(16))
    # Which rules the history follows: 1 = recorded before migration 0010 (the old
    # workflow), 2 = the complaint loop of hall_app.domain.complaints.
    workflow: Mapped[int] = mapped_column(Integer, default=2, server_default="1")


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


class ComplaintContact(Base):
    """Contact log of a complaint: every call, fax or visit with the customer."""

    __tablename__ = "complaint_contact"
    __table_args__ = (Index("ix_complaint_contact_complaint", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    complaint_id: Mapped[int] = mapped_column(IdType, ForeignKey("complaint.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    method: Mapped[str] = mapped_column(String(16))  # phone | fax | visit | counter
    purpose: Mapped[str] = mapped_column(String(16))  # investigate | feedback | follow_up | other
    note: Mapped[str] = mapped_column(Text)


class ComplaintHandOff(Base):
    """An action of the agreed resolution handed to a department (seed 003 §一 step 6)."""

    __tablename__ = "complaint_hand_off"
    __table_args__ = (Index("ix_complaint_hand_off_complaint", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    complaint_id: Mapped[int] = mapped_column(IdType, ForeignKey("complaint.id"))
    department: Mapped[str] = mapped_column(String(64))
    task: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="handed")  # handed | done
    handed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handed_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    done_note: Mapped[str | None] = mapped_column(Text)


class ComplaintNotice(Base):
    """通报: the lessons of complaints, issued by the duty manager to the staff."""

    __tablename__ = "complaint_notice"
    __table_args__ = (Index("ix_complaint_notice_hall_issued", "hall_id", "issued_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    title: Mapped[str] = mapped_column(String(100))
    lessons: Mapped[str] = mapped_column(Text)


class ComplaintNoticeItem(Base):
    """A complaint a 通报 draws its lessons from."""

    __tablename__ = "complaint_notice_item"
    __table_args__ = (UniqueConstraint("notice_id", "complaint_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    notice_id: Mapped[int] = mapped_column(IdType, ForeignKey("complaint_notice.id"))
    complaint_id: Mapped[int] = mapped_column(IdType, ForeignKey("complaint.id"))


class InspectionRound(Base):
    """One 巡检 round of the duty manager at a set time of the business day (seed 002)."""

    __tablename__ = "inspection_round"
    __table_args__ = (UniqueConstraint("hall_id", "business_day", "slot"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    business_day: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(5))  # "HH:MM", from the checklist's times
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))


class InspectionItem(Base):
    """One checklist item of a round: ok or problem, with a note; a problem may have
    opened a facility incident."""

    __tablename__ = "inspection_item"
    __table_args__ = (UniqueConstraint("round_id", "item_key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    round_id: Mapped[int] = mapped_column(IdType, ForeignKey("inspection_round.id"))
    item_key: Mapped[str] = mapped_column(String(32))
    area: Mapped[str] = mapped_column(String(16))  # customers | facilities | staff
    label: Mapped[str] = mapped_column(String(100))
    result: Mapped[str | None] = mapped_column(String(16))  # None = not yet | ok | problem
    note: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    incident_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("incident.id"))


class InspectionEvent(Base):
    """Append-only: one row per inspection transition (round started / item recorded /
    incident opened / round finished)."""

    __tablename__ = "inspection_event"
    __table_args__ = (Index("ix_inspection_event_round", "round_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    round_id: Mapped[int] = mapped_column(IdType, ForeignKey("inspection_round.id"))
    item_key: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)


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


class DistrictSite(Base):
    """The district's registry of member sites (rows exist only in a district database).

    One row per subscribed site: the site number the district handed out (unique: the
    registry refuses a number twice, see docs/decisions.md "Keys across halls"), the
    subscription that receives the site's publication, and where the site's database is
    (without its password). `last_heard_at` is the newest moment the district knew it
    had everything the site had sent (see hall_app.district.status); it keeps the data
    age honest while the link is down. Not a per-hall table: a site may hold several
    halls, whose rows carry their own hall_id.
    """

    __tablename__ = "district_site"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    site_no: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(100))
    subscription: Mapped[str] = mapped_column(String(63), unique=True)
    publisher: Mapped[str] = mapped_column(String(300))  # host/port/database/user, no password
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class _DayFigures:
    """Figures every daily rollup row has (definitions: docs/metrics.md).

    Durations are whole seconds. Sums and counts add up across days and halls; medians
    and 90th percentiles are the day's own (a period's percentile is estimated from the
    hall rows' wait buckets).
    """

    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    business_day: Mapped[date] = mapped_column(Date)
    served: Mapped[int] = mapped_column(Integer, default=0)
    no_show: Mapped[int] = mapped_column(Integer, default=0)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    wait_count: Mapped[int] = mapped_column(Integer, default=0)
    wait_sum_s: Mapped[int] = mapped_column(BigInteger, default=0)
    wait_median_s: Mapped[float | None] = mapped_column(Float)
    wait_p90_s: Mapped[float | None] = mapped_column(Float)
    wait_max_s: Mapped[float | None] = mapped_column(Float)
    service_count: Mapped[int] = mapped_column(Integer, default=0)
    service_sum_s: Mapped[int] = mapped_column(BigInteger, default=0)
    service_median_s: Mapped[float | None] = mapped_column(Float)
    service_p90_s: Mapped[float | None] = mapped_column(Float)
    service_max_s: Mapped[float | None] = mapped_column(Float)
    # The moment the figures are of (day close, or a backfill): later rows replace them.
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DayRollup(_DayFigures, Base):
    """One hall's business day in one row: what the district reads for a period."""

    __tablename__ = "day_rollup"
    __table_args__ = (UniqueConstraint("hall_id", "business_day"),
                      Index("ix_day_rollup_day", "business_day"))

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    arrived: Mapped[int] = mapped_column(Integer, default=0)
    walked_away: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    open_tickets: Mapped[int] = mapped_column(Integer, default=0)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    recalled_tickets: Mapped[int] = mapped_column(Integer, default=0)
    served_with_wait: Mapped[int] = mapped_column(Integer, default=0)
    within_target: Mapped[int] = mapped_column(Integer, default=0)
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    complaints_overdue: Mapped[int] = mapped_column(Integer, default=0)
    complaints_replied_same_day: Mapped[int] = mapped_column(Integer, default=0)
    outages: Mapped[int] = mapped_column(Integer, default=0)
    outage_seconds: Mapped[int] = mapped_column(Integer, default=0)
    facility_incidents: Mapped[int] = mapped_column(Integer, default=0)
    cash_exchanges: Mapped[int] = mapped_column(Integer, default=0)
    cash_received_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # Customers by first-call wait: <5, 5–10, 10–15, 15–20, 20–30, 30–45, 45–60, ≥60 min.
    wait_lt5: Mapped[int] = mapped_column(Integer, default=0)
    wait_lt10: Mapped[int] = mapped_column(Integer, default=0)
    wait_lt15: Mapped[int] = mapped_column(Integer, default=0)
    wait_lt20: Mapped[int] = mapped_column(Integer, default=0)
    wait_lt30: Mapped[int] = mapped_column(Integer, default=0)
    wait_lt45: Mapped[int] = mapped_column(Integer, default=0)
    wait_lt60: Mapped[int] = mapped_column(Integer, default=0)
    wait_ge60: Mapped[int] = mapped_column(Integer, default=0)
    service_level_target_pct: Mapped[int] = mapped_column(Integer, default=80)
    walkaway_target_pct: Mapped[int] = mapped_column(Integer, default=5)


class DayRollupService(_DayFigures, Base):
    __tablename__ = "day_rollup_service"
    __table_args__ = (UniqueConstraint("hall_id", "business_day", "service_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    service_id: Mapped[int] = mapped_column(IdType, ForeignKey("service_type.id"))
    target_wait_minutes: Mapped[int] = mapped_column(Integer, default=15)
    arrived: Mapped[int] = mapped_column(Integer, default=0)
    walked_away: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    open_tickets: Mapped[int] = mapped_column(Integer, default=0)
    served_with_wait: Mapped[int] = mapped_column(Integer, default=0)
    within_target: Mapped[int] = mapped_column(Integer, default=0)


class DayRollupCounter(_DayFigures, Base):
    __tablename__ = "day_rollup_counter"
    __table_args__ = (UniqueConstraint("hall_id", "business_day", "counter_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    counter_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter.id"))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    serving_s: Mapped[int] = mapped_column(Integer, default=0)
    open_s: Mapped[int] = mapped_column(Integer, default=0)
    paused_s: Mapped[int] = mapped_column(Integer, default=0)


class DayRollupClerk(_DayFigures, Base):
    __tablename__ = "day_rollup_clerk"
    __table_args__ = (UniqueConstraint("hall_id", "business_day", "staff_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    staff_id: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    serving_s: Mapped[int] = mapped_column(Integer, default=0)
    signed_in_s: Mapped[int] = mapped_column(Integer, default=0)
    paused_s: Mapped[int] = mapped_column(Integer, default=0)


class MonthRollup(Base):
    """One hall's calendar month: the sums of its `day_rollup` rows (month = its 1st day).

    Rewritten whenever a day of the month is (`hall_app.metrics.rollups`), so a year of
    district figures reads twelve rows per hall, not 365.
    """

    __tablename__ = "month_rollup"
    __table_args__ = (UniqueConstraint("hall_id", "month"),
                      Index("ix_month_rollup_month", "month"))

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    month: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer, default=0)
    arrived: Mapped[int] = mapped_column(Integer, default=0)
    served: Mapped[int] = mapped_column(Integer, default=0)
    no_show: Mapped[int] = mapped_column(Integer, default=0)
    walked_away: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    served_with_wait: Mapped[int] = mapped_column(Integer, default=0)
    within_target: Mapped[int] = mapped_column(Integer, default=0)
    wait_count: Mapped[int] = mapped_column(Integer, default=0)
    wait_sum_s: Mapped[int] = mapped_column(BigInteger, default=0)
    long_waits: Mapped[int] = mapped_column(Integer, default=0)  # first call after ≥ 30 min
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    complaints_overdue: Mapped[int] = mapped_column(Integer, default=0)
    outage_seconds: Mapped[int] = mapped_column(Integer, default=0)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
class HallServicePromise(Base):
    """The hall's service promise (服务承诺), shown by the rating pads while idle.

    At most one row per hall; no row means the shipped default wording
    (resources/rating/pad_texts.toml). Edited by the admin, audited.
    """

    __tablename__ = "hall_service_promise"
    __table_args__ = (UniqueConstraint("hall_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    text: Mapped[str] = mapped_column(String(200))
    updated_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RatingPad(Base):
    """A customer rating pad (评价器) bound to one counter; it proves itself with a token.

    Only the token's SHA-256 is stored. Binding a new pad to a counter revokes the old one
    (at most one active pad per counter, enforced by a partial unique index).
    """

    __tablename__ = "rating_pad"
    __table_args__ = (
        UniqueConstraint("hall_id", "token_hash"),
        _partial_index("uq_rating_pad_one_active_per_counter", "counter_id",
                       where="revoked_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    counter_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter.id"))
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64))
    bound_by: Mapped[int] = mapped_column(IdType, ForeignKey("staff.id"))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rating(Base):
    """One customer's rating of one finished ticket (or 未评价 when the pad timed out).

    One per ticket: the database refuses a second (`uq_rating_one_per_ticket`). The clerk,
    counter and service are the ticket's at 办结; `pad_id` is the device that rated.
    """

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("hall_id", "ticket_id", name="uq_rating_one_per_ticket"),
        Index("ix_rating_hall_day", "hall_id", "business_day"),
        CheckConstraint("level IN ('very_satisfied', 'satisfied', 'basic', 'dissatisfied', "
                        "'unrated')", name="level"),
        CheckConstraint("reason IS NULL OR level = 'dissatisfied'", name="reason_if_dissatisfied"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    business_day: Mapped[date] = mapped_column(Date)
    ticket_id: Mapped[int] = mapped_column(IdType, ForeignKey("ticket.id"))
    counter_id: Mapped[int] = mapped_column(IdType, ForeignKey("counter.id"))
    staff_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    service_id: Mapped[int] = mapped_column(IdType, ForeignKey("service_type.id"))
    pad_id: Mapped[int] = mapped_column(IdType, ForeignKey("rating_pad.id"))
    level: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(16))
    wants_contact: Mapped[bool | None] = mapped_column(Boolean)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RatingFollowUp(Base):
    """回访: a 不满意 customer asked the duty manager to contact them.

    open → done (the manager contacted the customer, with a note). A complaint registered
    for the same ticket also settles it (derived when read, never copied here).
    """

    __tablename__ = "rating_follow_up"
    __table_args__ = (
        UniqueConstraint("hall_id", "rating_id"),
        Index("ix_rating_follow_up_hall_state", "hall_id", "state"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    rating_id: Mapped[int] = mapped_column(IdType, ForeignKey("rating.id"))
    ticket_id: Mapped[int] = mapped_column(IdType, ForeignKey("ticket.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # open | done
    state: Mapped[str] = mapped_column(String(16), default="open")
    handled_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
class BusinessDay(Base):
    """One hall's business day and its lifecycle: opened by the first ticket (or by
    whatever first needs the row), closed exactly once (`hall_app.services.days`).

    `opens_at` / `closes_at` set mean an administrator changed this one day's hours
    (extended today's hours); otherwise the day follows its weekday's opening hours. Closing records who did
    it (`closed_by` for staff, `closed_by_system` with the workstation otherwise) and
    what it settled, so the fact can be read back without recounting.
    """

    __tablename__ = "business_day"
    __table_args__ = (UniqueConstraint("hall_id", "day"),
                      Index("ix_business_day_hall_state", "hall_id", "state", "day"))

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    day: Mapped[date] = mapped_column(Date)
    # open | closed
    state: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("staff.id"))
    closed_by_system: Mapped[bool] = mapped_column(Boolean, default=False)
    workstation: Mapped[str | None] = mapped_column(String(128))
    # What the close settled (None until closed).
    issued: Mapped[int | None] = mapped_column(Integer)
    served: Mapped[int | None] = mapped_column(Integer)
    abandoned_waiting: Mapped[int | None] = mapped_column(Integer)
    abandoned_called: Mapped[int | None] = mapped_column(Integer)
    finished_at_close: Mapped[int | None] = mapped_column(Integer)
    counters_closed: Mapped[int | None] = mapped_column(Integer)
    sessions_ended: Mapped[int | None] = mapped_column(Integer)


class StaffingPlanRecord(Base):
    """A staffing plan for one hall's day, kept with the fingerprint of its inputs
    (`hall_app.staffing.stored`): the same inputs read it back instead of simulating
    again. Local to the hall (the district reads rollups, not plans)."""

    __tablename__ = "staffing_plan"
    __table_args__ = (UniqueConstraint("hall_id", "day", "fingerprint"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    hall_id: Mapped[int] = mapped_column(IdType, ForeignKey("hall.id"))
    day: Mapped[date] = mapped_column(Date)
    fingerprint: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(Text)
