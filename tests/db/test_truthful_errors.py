"""Errors that tell the truth, on both databases: text no database can store is refused
by the core naming the field (not 操作失败); a constraint refused by the database is a
DataConflict (never "connection lost"); a full disk says 磁盘空间不足 and is logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import event, func, select

from db.models import Complaint, CounterPause, Escalation, Incident, Ticket
from hall_app.errors import DatabaseUnavailable, DataConflict, StorageFull, ValidationError
from hall_app.services.complaints import ComplaintDraft

BAD = {"NUL": "系统\x00故障", "lone surrogate": "故障\ud800说明"}


def _draft(**changes):
    base = dict(channel="counter", customer_name="张先生", phone="13800138000",
                category="waiting", description="等了很久没人管")
    return ComplaintDraft(**{**base, **changes})


@pytest.fixture
def at_counter1(hall, clerk):
    cid = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, cid)
    return cid


def counts(hall) -> tuple[int, ...]:
    with hall.ctx.read() as s:
        return tuple(int(s.scalar(select(func.count(m.id))) or 0)
                     for m in (CounterPause, Escalation, Incident, Complaint, Ticket))


@pytest.mark.parametrize("bad", list(BAD.values()), ids=list(BAD))
@pytest.mark.parametrize(("what", "field"), [
    ("pause", "reason"), ("escalate", "reason"), ("outage", "notice"),
    ("complaint_description", "description"), ("complaint_name", "customer_name"),
    ("complaint_expectation", "expectation"), ("walk_away", "note"),
])
def test_unstorable_text_is_refused_naming_the_field(hall, clerk, manager, at_counter1,
                                                      what, field, bad):
    ticket = hall.tickets.issue(next(s.id for s in hall.queries.services() if s.code == "PAY"))
    before = counts(hall)
    actions = {
        "pause": lambda: hall.counters.pause(clerk, at_counter1, bad),
        "escalate": lambda: hall.desk.escalate(clerk, at_counter1, bad),
        "outage": lambda: hall.incidents.declare_outage(manager, bad),
        "complaint_description": lambda: hall.complaints.register(manager, _draft(description=bad)),
        "complaint_name": lambda: hall.complaints.register(manager, _draft(customer_name=bad)),
        "complaint_expectation": lambda: hall.complaints.register(manager, _draft(expectation=bad)),
        "walk_away": lambda: hall.tickets.walk_away(manager, ticket.id, bad),
    }
    with pytest.raises(ValidationError) as refused:
        actions[what]()
    assert refused.value.field == field
    assert "无法保存" in refused.value.message and "「" in refused.value.message
    assert counts(hall) == before
    with hall.ctx.read() as s:
        assert s.get(Ticket, ticket.id).state == "waiting"


def test_text_the_database_refuses_is_a_validation_error_not_a_lost_connection(hall, db_url):
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite stores NUL; only PostgreSQL refuses it")
    with pytest.raises(ValidationError, match="无法保存的字符"), hall.ctx.write() as s:
        s.add(Incident(hall_id=hall.ctx.hall.id, kind="outage", notice="a\x00b",
                       started_at=hall.ctx.now()))


def test_a_constraint_refused_by_the_database_is_not_a_lost_connection(hall):
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    t = hall.tickets.issue(pay)
    with pytest.raises(DataConflict) as refused, hall.ctx.write() as s:
        row = s.get(Ticket, t.id)
        s.add(Ticket(hall_id=row.hall_id, business_day=row.business_day, service_id=pay,
                     prefix=row.prefix, number=row.number, hop=0, code=row.code,
                     state="waiting", issued_at=row.issued_at, created_at=row.created_at))
    assert not isinstance(refused.value, DatabaseUnavailable)
    assert "连接中断" not in refused.value.message


def test_a_full_disk_on_sqlite_says_so_and_is_logged(hall, db_url, caplog):
    if not db_url.startswith("sqlite"):
        pytest.skip("the SQLite full-disk result code")
    engine = hall.ctx.db.engine
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _tiny(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")  # no room to grow

    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    caplog.set_level(logging.ERROR)
    with pytest.raises(StorageFull, match="磁盘空间不足"):
        for _ in range(2000):
            hall.tickets.issue(pay, actor=None)
    assert any("disk full" in r.getMessage() for r in caplog.records)
