"""The district end to end: two hall clusters and one district cluster on loopback.

Each hall runs on its own PostgreSQL (wal_level=logical), joins the district
(`setup hall`: keys moved into its site range, role, publication, slot), and the
district subscribes to it (`setup district`). Counters serve at every hall; the district
is stopped while the halls keep serving; the district restarts and catches up by itself.
Then every hall's tickets, ticket events and rollups at the district equal the hall's
own, row for row, nothing lost and nothing doubled; PIN hashes and complainants' names
never arrive; a second site claiming a taken site number is refused.

Needs the PostgreSQL server binaries (initdb, pg_ctl); skipped with the reason when
they are missing. Ports: HALL_DISTRICT_TEST_PORT (first of three, default 55501).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from bench.pg_cluster import Cluster, binaries, cluster_base
from db.engine import Database
from db.migrate import upgrade
from db.models import Complaint, Staff
from db.publication import publication_plan
from db.site_keys import key_range
from hall_app.clock import ManualClock, SystemClock
from hall_app.config import Settings
from hall_app.demo.seed import ensure_demo_hall
from hall_app.district.publish import live_columns, setup_hall
from hall_app.district.service import REPLICATED, DistrictService
from hall_app.district.status import hall_slots, site_links
from hall_app.district.subscribe import setup_district
from hall_app.domain.roles import Actor
from hall_app.errors import HallError, QueueEmpty
from hall_app.metrics.rollups import write_day_rollups
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext

pytestmark = [pytest.mark.slow, pytest.mark.pg]
if binaries() is None:
    pytestmark.append(pytest.mark.skip(
        reason="PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql "
               "to run the district replication test"))

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)
PORT = int(os.environ.get("HALL_DISTRICT_TEST_PORT", "55501"))
PASSWORD = "repl-pw:%'1"  # quoting is the code's job
COMPARED = ("ticket", "ticket_event", "day_rollup", "day_rollup_service",
            "day_rollup_counter", "day_rollup_clerk")


@dataclass
class Hall:
    site: int
    code: str
    cluster: Cluster
    url: str
    services: HallServices
    signed_in: bool = False
    clerks: list[tuple[Actor, int]] = field(default_factory=list)

    @property
    def clock(self) -> ManualClock:
        clock = self.services.ctx.clock
        assert isinstance(clock, ManualClock)
        return clock


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll `condition` until true (replication is asynchronous); fail naming `what`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def serve(hall: Hall, customers: int) -> None:
    """`customers` arrive; counters 1 and 2 call, start and finish as many as they can."""
    svc = hall.services
    pay = next(s.id for s in svc.queries.services() if s.code == "PAY")
    if not hall.signed_in:
        # Logged in once, as at a counter: the login that signed in holds the counter.
        hall.clerks = [(svc.auth.login(no, "1234"), svc.queries.counter_for_number(n).id)
                       for no, n in (("1001", 1), ("1002", 2))]
        for actor, counter in hall.clerks:
            svc.counters.sign_in(actor, counter)
        hall.signed_in = True
    clerks = hall.clerks
    for _ in range(customers):
        hall.clock.advance(seconds=50)
        svc.tickets.issue(pay)
    for _ in range(customers):
        for actor, counter in clerks:
            hall.clock.advance(seconds=30)
            try:
                ticket = svc.tickets.call_next(actor, counter)
            except QueueEmpty:
                return
            hall.clock.advance(seconds=20)
            svc.tickets.start(actor, ticket.id, counter)
            hall.clock.advance(seconds=180)
            svc.tickets.finish(actor, ticket.id, counter)


_DATABASES: dict[str, Database] = {}


def db(url: str) -> Database:
    """One engine per database for the whole module (closed by the fixture)."""
    if url not in _DATABASES:
        _DATABASES[url] = Database(url)
    return _DATABASES[url]


def rows(url: str, table: str, hall_id: int, columns: list[str]) -> list[tuple]:  # type: ignore[type-arg]
    cols = ", ".join(f'"{c}"' for c in columns)
    with db(url).engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            f'SELECT {cols} FROM "{table}" WHERE hall_id = :h ORDER BY id'), {"h": hall_id})]


def published_columns(url: str) -> dict[str, list[str]]:
    with db(url).engine.connect() as conn:
        return {t.name: list(t.columns) for t in publication_plan(live_columns(conn))}


def same_everywhere(halls: list[Hall], district_url: str) -> bool:
    for hall in halls:
        cols = published_columns(hall.url)
        hid = hall.services.ctx.hall.id
        for table in COMPARED:
            if rows(hall.url, table, hid, cols[table]) != rows(district_url, table, hid,
                                                                cols[table]):
                return False
    return True


@pytest.fixture(scope="module")
def district() -> Iterator[tuple[list[Hall], Cluster, str]]:
    base = cluster_base()
    clusters = [Cluster(base / f"hall{i}", PORT + i - 1) for i in (1, 2)]
    center = Cluster(base / "district", PORT + 2)
    halls: list[Hall] = []
    try:
        for c in [*clusters, center]:
            c.start()
        for site, cluster in enumerate(clusters, start=1):
            url = cluster.create_database("hall")
            database = Database(url)
            upgrade(database)
            code = f"H{site}"
            ensure_demo_hall(database, code=code, name=f"第{site}营业厅")
            # The demo hall's default PINs, run as the demo does (issue 14).
            services = HallServices(ServiceContext(
                database, Settings(database_url=url, demo=True), ManualClock(
                    datetime(2026, 11, 25, 9, 0, tzinfo=TZ)), code))
            hall = Hall(site, code, cluster, url, services)
            serve(hall, 3)  # some history before joining: its keys must move
            services.ctx.forget_hall()
            setup_hall(database, site, password=PASSWORD)
            services.ctx.forget_hall()  # the hall's key moved
            hall.signed_in = False  # and so did every staff key: the clerks log in again
            halls.append(hall)
        district_url = center.create_database("district")
        for hall in halls:
            setup_district(db(district_url),
                           hall.cluster.url("hall", "hall_district", PASSWORD), site=hall.site)
        yield halls, center, district_url
    finally:
        for hall in halls:
            hall.services.close()
        for database in _DATABASES.values():
            database.dispose()
        _DATABASES.clear()
        for c in [*clusters, center]:
            c.destroy()
        shutil.rmtree(base, ignore_errors=True)


def test_halls_serve_through_a_district_outage_and_the_district_catches_up(district):
    halls, center, district_url = district
    wait_for(lambda: same_everywhere(halls, district_url), "the initial copy")
    for hall in halls:
        lo, hi = key_range(hall.site)
        assert lo <= hall.services.ctx.hall.id <= hi
        serve(hall, 4)
    wait_for(lambda: same_everywhere(halls, district_url), "live changes")

    center.stop()  # the district is unreachable
    for hall in halls:
        serve(hall, 5)  # …and every hall keeps issuing, calling and finishing
        with hall.services.ctx.write() as s:
            write_day_rollups(s, hall.services.ctx.hall.id, DAY, now=hall.clock.now())
        database = hall.services.ctx.db
        with database.engine.connect() as conn:
            slot = hall_slots(conn)[0]
        assert not slot.active and slot.lag_bytes and slot.lag_bytes > 0
        assert slot.state_label == "区域未连接(WAL 保留中)"
    center.start()
    wait_for(lambda: same_everywhere(halls, district_url), "the catch-up after the outage")

    database = db(district_url)
    with database.engine.connect() as conn:
        # Nothing doubled: one rollup row per hall and day, ids unique per site.
        assert conn.execute(text("SELECT count(*) FROM day_rollup")).scalar() == 2
        assert conn.execute(text(
            "SELECT count(*) FROM staff WHERE pin_hash IS NOT NULL")).scalar() == 0
        at_district = conn.execute(text("SELECT count(*) FROM staff")).scalar()
    at_halls = 0
    for hall in halls:
        with hall.services.ctx.db.engine.connect() as hconn:
            at_halls += hconn.execute(text("SELECT count(*) FROM staff")).scalar() or 0
    assert at_district == at_halls > 0
    for hall in halls:  # the day's tickets: 3 + 4 + 5 customers
        hid = hall.services.ctx.hall.id
        assert len(rows(district_url, "ticket", hid, ["id"])) == 12


def test_status_and_the_district_window_see_every_hall_live(district, capsys):
    halls, _center, district_url = district
    database = db(district_url)
    def linked() -> bool:
        with database.engine.begin() as conn:
            links = site_links(conn)
        return len(links) == 2 and all(x.connected and x.caught_up_at and
                                       not x.tables_syncing for x in links)
    wait_for(linked, "every subscription connected and caught up")
    with database.engine.begin() as conn:
        links = site_links(conn)
    assert [(x.site_no, x.halls, x.state_label) for x in links] == [
        (1, ("H1",), "正常"), (2, ("H2",), "正常")]
    # `hall-app district status`, at the district and at a hall.
    import argparse

    from hall_app.district.cli import status

    assert status(argparse.Namespace(), Settings(database_url=district_url)) == 0
    out = capsys.readouterr().out
    assert "站点 1「第1营业厅」 营业厅 H1 | 正常 | 复制延迟" in out and "站点 2" in out
    assert status(argparse.Namespace(), Settings(database_url=halls[0].url)) == 0
    assert "复制槽 district_site_1:区域已连接" in capsys.readouterr().out
    service = DistrictService(database, Settings(database_url=district_url),
                              SystemClock())
    snap = service.snapshot()
    assert [(h.code, h.source, h.stale) for h in snap.halls] == [
        (f"H{i}", REPLICATED, False) for i in (1, 2)]
    _row, overview = service.drill_down("H2")
    assert overview.hall_name == "第2营业厅"


def test_personal_data_stays_at_the_hall_and_a_taken_site_number_is_refused(district):
    halls, _center, district_url = district
    hall = halls[0]
    with hall.services.ctx.write() as s:
        staff = s.scalar(select(Staff.id).where(Staff.hall_id == hall.services.ctx.hall.id,
                                                Staff.staff_no == "2001"))
        now = hall.clock.now()
        s.add(Complaint(hall_id=hall.services.ctx.hall.id, business_day=DAY, received_at=now,
                        channel="counter", customer_name="赵六", phone="13900002222",
                        category="服务态度", description="态度不好", recorded_by=staff,
                        state="registered", reply_due_at=now + timedelta(hours=4),
                        hard_due_at=now + timedelta(days=15)))
    database = db(district_url)
    def arrived() -> bool:
        with database.engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM complaint")).scalar())
    wait_for(arrived, "the complaint at the district")
    with database.engine.connect() as conn:
        row = conn.execute(text("SELECT category, customer_name, phone, description "
                                "FROM complaint")).one()
    assert tuple(row) == ("服务态度", None, None, None)
    # A second database that was given site number 1 as well cannot subscribe.
    dup_url = halls[1].cluster.create_database("hall_dup")
    dup = Database(dup_url)
    upgrade(dup)
    ensure_demo_hall(dup, code="DUP", name="重复站点")
    setup_hall(dup, 1)
    dup.dispose()
    with pytest.raises(HallError, match="站点号 1 已登记"):
        setup_district(db(district_url),
                       halls[1].cluster.url("hall_dup", "hall_district", PASSWORD))
