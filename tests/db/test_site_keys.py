"""Joining a district moves a hall's keys into its site range without changing a figure.

A copy of the demo hall with a played day (tests/db/metrics_fixture.py's timetable plus
an escalation, an acknowledged alert, a complaint with history and an audited staff
change) is moved to site 5, on SQLite and PostgreSQL: every table keeps its row count,
the daily report is the same figure for figure (ids shifted by exactly 5·2^40), links
still resolve, and rows made afterwards land in the range.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text

from db.engine import Database
from db.history_chain import suspended_guards
from db.migrate import alembic_config, head_revision, upgrade
from db.models import AlertAck, AuditLog, Base, Site, Staff, Ticket, TicketEvent
from db.site_keys import SITE_SPAN, key_range, keyed_tables
from hall_app.clock import ManualClock
from hall_app.config import Settings
from hall_app.demo.seed import ensure_demo_hall
from hall_app.district.keys import current_site, move_to_site
from hall_app.errors import HallError
from hall_app.metrics import ReportService
from hall_app.services import HallServices
from hall_app.services.complaints import ComplaintDraft
from hall_app.services.context import ServiceContext
from tests.db.metrics_fixture import DAY, REPORT_AT, build_day

SITE = 5
ID_FIELDS = {"id", "service_id", "counter_id", "staff_id"}


def services_on(url: str, clock: ManualClock) -> HallServices:
    """Services on `url` without upgrading it (the caller chose its revision)."""
    database = Database(url)
    ensure_demo_hall(database)
    return HallServices(ServiceContext(database, Settings(database_url=url, demo=True), clock, "DEMO"))


def play_traffic(hall: HallServices) -> None:
    """The hand-built day, then the rows it does not make: every table gets some."""
    build_day(hall)
    manager = hall.auth.login("2001", "2468")
    clerk = hall.auth.login("1001", "1234")
    admin = hall.auth.login("9001", "9999")
    counter1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, counter1)
    esc = hall.desk.escalate(clerk, counter1, "客户询问套餐细节,请值班长协助")
    hall.overview.acknowledge(manager, f"escalation:{esc.id}")
    category = hall.complaints.categories()[0].code
    hall.complaints.register(manager, ComplaintDraft(
        channel="counter", customer_name="李四", phone="13811112222", category=category,
        description="办理太慢", counter_id=counter1))
    with hall.ctx.read() as s:
        staff_id = s.scalar(select(Staff.id).where(Staff.staff_no == "1008"))
    hall.admin.set_staff_active(admin, staff_id, False)
    hall.admin.set_staff_active(admin, staff_id, True)


def row_counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                for t in Base.metadata.sorted_tables}


def figures(hall: HallServices, offset: int = 0) -> dict[str, Any]:
    """The day's report as plain data, with ids moved back by `offset`."""
    def unshift(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (v - offset if k in ID_FIELDS and isinstance(v, int) else unshift(v))
                    for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [unshift(v) for v in value]
        return value

    data = dataclasses.asdict(ReportService(hall.ctx).daily(DAY))
    data.pop("generated_at")
    return unshift(data)  # type: ignore[no-any-return]


def all_keys_in(database: Database, site: int) -> list[str]:
    lo, hi = key_range(site)
    if site == 0:
        lo = 0
    outside = []
    with database.engine.connect() as conn:
        for t in keyed_tables(conn):
            for col in t.columns:
                n = conn.execute(text(f'SELECT count(*) FROM "{t.name}" WHERE "{col}" < :lo '
                                      f'OR "{col}" > :hi'), {"lo": lo, "hi": hi}).scalar()
                if n:
                    outside.append(f"{t.name}.{col}")
    return outside


def broken_links(database: Database) -> list[str]:
    """Foreign-key values that point at no row (every FK, from the live schema)."""
    broken = []
    with database.engine.connect() as conn:
        insp = inspect(conn)
        for table in insp.get_table_names():
            for fk in insp.get_foreign_keys(table):
                col, ref = fk["constrained_columns"][0], fk["referred_table"]
                n = conn.execute(text(
                    f'SELECT count(*) FROM "{table}" c WHERE c."{col}" IS NOT NULL AND NOT '
                    f'EXISTS (SELECT 1 FROM "{ref}" p WHERE p.id = c."{col}")')).scalar()
                if n:
                    broken.append(f"{table}.{col}")
    return broken


@pytest.fixture
def played(db_url):  # type: ignore[no-untyped-def]
    """A copy of the demo hall (site 0) with a played day; yields (url, figures, counts)."""
    clock = ManualClock(REPORT_AT)
    hall = services_on(db_url, clock)
    play_traffic(hall)
    before = figures(hall)
    counts = row_counts(hall.ctx.db)
    hall.close()
    return db_url, before, counts


def test_move_keeps_every_row_and_figure(played):
    url, before, counts = played
    database = Database(url)
    assert current_site(database) == 0
    moved = move_to_site(database, SITE, clock=ManualClock(REPORT_AT))
    assert (moved.old_site, moved.new_site) == (0, SITE)
    assert moved.rows_moved >= sum(counts.values()) - counts["site"]
    assert row_counts(database) == counts
    assert all_keys_in(database, SITE) == []
    assert broken_links(database) == []
    hall = HallServices(ServiceContext(database, Settings(database_url=url, demo=True),
                                       ManualClock(REPORT_AT), "DEMO"))
    assert hall.ctx.hall.id == SITE * SITE_SPAN + 1
    assert figures(hall, offset=SITE * SITE_SPAN) == before
    # People see the number within the site: 投诉#2, not 投诉#5497558138882.
    titles = [a.title for a in hall.overview.snapshot().alerts if a.kind == "complaint"]
    assert titles and all(t.startswith("投诉#") and len(t.split("(")[0]) <= 8 for t in titles)
    with database.read() as s:
        assert s.get(Site, 1).joined_at == REPORT_AT  # type: ignore[union-attr]
        # The ids inside alert keys and audit rows moved with the rows they name.
        key = s.scalars(select(AlertAck.alert_key)).one()
        assert int(key.split(":")[1]) >> 40 == SITE
        audited = s.scalars(select(AuditLog.entity_id).where(AuditLog.entity == "staff")).all()
        assert audited and all(e >> 40 == SITE for e in audited)
        assert s.scalar(select(func.count(Staff.id)).where(Staff.id.in_(audited))) == 1
    hall.close()


def test_rows_made_after_the_move_land_in_the_range(played):
    url, _before, _counts = played
    database = Database(url)
    move_to_site(database, SITE)
    upgrade(database)  # every start upgrades: must keep the bounds
    clock = ManualClock(REPORT_AT.replace(day=27, hour=10))
    hall = HallServices(ServiceContext(database, Settings(database_url=url, demo=True), clock, "DEMO"))
    clerk = hall.auth.login("1001", "1234")
    counter1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, counter1)
    service = next(s.id for s in hall.queries.services() if s.code == "PAY")
    issued = hall.tickets.issue(service)
    called = hall.tickets.call_next(clerk, counter1)
    assert called.id == issued.id
    lo, hi = key_range(SITE)
    with database.read() as s:
        newest_event = s.scalar(select(func.max(TicketEvent.id)))
        day_tickets = s.scalars(select(Ticket.id).where(Ticket.business_day == date(2026, 11, 27)))
        assert lo <= issued.id <= hi and lo <= newest_event <= hi
        assert list(day_tickets) == [issued.id]
        # The new ticket follows every older one: order by key is still order of making.
        assert s.scalar(select(func.max(Ticket.id)).where(Ticket.id < issued.id)) is not None
    if database.is_postgres:
        with database.engine.connect() as conn:
            bounds = conn.execute(text(
                "SELECT DISTINCT min_value, max_value FROM pg_sequences "
                "WHERE schemaname = current_schema()")).all()
        assert bounds == [(lo, hi)]
    hall.close()


def test_a_second_move_to_the_same_site_changes_nothing(played):
    url, _before, counts = played
    database = Database(url)
    move_to_site(database, SITE)
    again = move_to_site(database, SITE)
    assert not again.moved and again.rows_moved == 0
    assert row_counts(database) == counts and all_keys_in(database, SITE) == []
    with pytest.raises(HallError, match="已是站点 5 号"):
        move_to_site(database, 6)
    assert all_keys_in(database, SITE) == []
    database.dispose()


def test_a_foreign_key_outside_the_range_refuses_the_whole_move(played):
    url, _before, counts = played
    database = Database(url)
    with database.write() as s:
        ticket = s.scalars(select(Ticket).order_by(Ticket.id)).first()
        assert ticket is not None
        ticket.recall_count = 99  # a change that must survive: the refusal rolls back only
    with database.engine.begin() as conn, suspended_guards(conn):  # a row from site 9
        conn.execute(text("UPDATE audit_log SET entity_id = :k WHERE id = "
                          "(SELECT min(id) FROM audit_log)"), {"k": 9 * SITE_SPAN + 1})
    with pytest.raises(HallError, match="不属于站点 0 号段"):
        move_to_site(database, SITE)
    assert current_site(database) == 0
    assert row_counts(database) == counts
    with database.read() as s:
        assert s.scalar(select(func.min(Ticket.id))) < SITE_SPAN
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def empty_url(request):  # type: ignore[no-untyped-def]
    return request.getfixturevalue(f"empty_{request.param}_url")


def _downgrade(database: Database, revision: str) -> None:
    cfg = alembic_config(database)
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_the_migration_moves_an_existing_hall_when_given_a_site(empty_url, monkeypatch):
    database = Database(empty_url)
    # The day is played with today's models, so at head; then the schema goes back to the
    # revision before the keys (later migrations add columns the models already have).
    upgrade(database)
    hall = services_on(empty_url, ManualClock(REPORT_AT))
    build_day(hall)
    hall.close()
    _downgrade(database, "0001")
    database.dispose()
    database = Database(empty_url)
    with database.engine.connect() as conn:
        counts = {t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() or 0)
                  for t in inspect(conn).get_table_names() if t != "alembic_version"}
    monkeypatch.setenv("HALL_SITE_NO", str(SITE))
    database = Database(empty_url)
    assert upgrade(database)[1] == head_revision(database)
    after = row_counts(database)
    assert {t: after[t] for t in counts} == counts and after["site"] == 1
    assert all_keys_in(database, SITE) == [] and broken_links(database) == []
    assert current_site(database) == SITE
    hall = HallServices(ServiceContext(database, Settings(database_url=empty_url, demo=True),
                                       ManualClock(REPORT_AT), "DEMO"))
    report = ReportService(hall.ctx).daily(DAY)
    assert (report.headline.arrived, report.headline.outcomes.served) == (40, 31)
    hall.close()


def test_a_simulated_day_keeps_its_report(db_url):
    """The demo's deterministic simulated day (random arrivals, walkaways, an outage)."""
    from hall_app.demo.simulate import SimParams, simulate_day

    clock = ManualClock(REPORT_AT)
    hall = services_on(db_url, clock)
    result = simulate_day(hall, DAY, seed=3, params=SimParams(arrivals_per_hour=20))
    assert result.issued > 100
    clock.set(REPORT_AT)
    before, counts = figures(hall), row_counts(hall.ctx.db)
    hall.close()
    database = Database(db_url)
    move_to_site(database, SITE)
    assert row_counts(database) == counts and all_keys_in(database, SITE) == []
    hall = HallServices(ServiceContext(database, Settings(database_url=db_url, demo=True), clock, "DEMO"))
    assert figures(hall, offset=SITE * SITE_SPAN) == before
    hall.close()
