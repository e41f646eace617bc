"""The district view on one shared database holding several halls (SQLite and PostgreSQL).

Hall DEMO plays the hand-built day of tests/db/test_metrics_day.py; hall EAST (same
configuration) has three customers waiting since 10:00, an outage in progress and an
overdue complaint at 10:40. Both are local, so both are live; a hall whose site the
database does not know is stale (数据延迟) and says it never sent data.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import Complaint, Hall, Staff
from db.site_keys import SITE_SPAN
from hall_app.clock import ManualClock
from hall_app.config import Settings
from hall_app.demo.seed import ensure_demo_hall
from hall_app.district.keys import move_to_site
from hall_app.district.service import LOCAL, UNREGISTERED, DistrictService
from hall_app.metrics import ReportService
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext
from tests.db.metrics_fixture import DAY, TZ, at, build_day

LATE = datetime(2026, 11, 25, 23, 0, tzinfo=TZ)  # still DAY's business day


def east_hall(url: str) -> HallServices:
    database = Database(url)
    ensure_demo_hall(database, code="EAST", name="东区营业厅")
    # The demo hall's staff keep the demo's default PINs: run it as the demo does.
    return HallServices(ServiceContext(database, Settings(database_url=url, demo=True),
                                       ManualClock(at("10:00")), "EAST"))


def busy_east(east: HallServices) -> None:
    pay = next(s.id for s in east.queries.services() if s.code == "PAY")
    for _ in range(3):
        east.tickets.issue(pay)
    manager = east.auth.login("2001", "2468")
    east.ctx.clock.set(at("10:05"))
    east.incidents.declare_outage(manager)
    with east.ctx.write() as s:
        staff = s.scalar(select(Staff.id).where(Staff.hall_id == east.ctx.hall.id,
                                                Staff.staff_no == "2001"))
        s.add(Complaint(hall_id=east.ctx.hall.id, business_day=DAY, received_at=at("09:00"),
                        channel="counter", customer_name="王五", phone="13500001111",
                        category="等候时间过长", description="久等", recorded_by=staff,
                        state="registered", reply_due_at=at("10:30"),
                        hard_due_at=at("10:30") + timedelta(days=15)))


@pytest.fixture
def district(hall, db_url):  # type: ignore[no-untyped-def]
    build_day(hall)
    east = east_hall(db_url)
    busy_east(east)
    east.close()
    settings = replace(Settings(database_url=db_url))
    return DistrictService(hall.ctx.db, settings, ManualClock(at("10:40")))


def test_halls_side_by_side_with_todays_figures(district, hall):
    district.clock.set(LATE)
    snap = district.snapshot()
    rows = {r.code: r for r in snap.halls}
    assert sorted(rows) == ["DEMO", "EAST"]
    demo = rows["DEMO"]
    report = ReportService(hall.ctx).daily(DAY)
    h = report.headline
    assert (demo.source, demo.stale, demo.data_time) == (LOCAL, False, LATE)
    assert (demo.arrived, demo.served, demo.walkaways) == (h.arrived, h.outcomes.served,
                                                            h.outcomes.walkaways)
    assert demo.service_level == pytest.approx(h.service_level)
    assert demo.walkaway_rate == pytest.approx(h.walkaway_rate)
    assert demo.waiting == 0 and demo.longest_wait_seconds is None
    assert demo.satisfaction is None and snap.has_ratings is False
    kinds = {a.kind for a in demo.alerts}
    # 67.7 % served within target (< 80 %), 20 % walkaways (> 5 %), and the complaint of
    # 11:00 (due 18:00) still unanswered at 23:00.
    assert kinds == {"service_level", "walkaway", "complaint"}
    assert demo.complaints_overdue == 1


def test_breaches_raise_alerts_and_the_worst_come_first(district):
    snap = district.snapshot()  # 10:40 on DAY
    east = next(r for r in snap.halls if r.code == "EAST")
    assert east.waiting == 3 and east.longest_wait_seconds == 40 * 60
    assert (east.outages_active, east.complaints_overdue) == (1, 1)
    assert {a.kind for a in east.alerts} == {"outage", "longwait", "complaint"}
    assert snap.alerts[0].kind == "outage" and snap.alerts[0].hall_code == "EAST"
    assert "最长等候 40 分钟" in next(a.text for a in east.alerts if a.kind == "longwait")


def test_a_hall_from_an_unknown_site_is_never_shown_as_live(district, db_url):
    database = Database(db_url)
    move_to_site(database, 5)
    with database.write() as s:  # a hall row that arrived from site 9, which is not registered
        s.add(Hall(id=9 * SITE_SPAN + 1, code="FAR", name="远郊营业厅"))
    database.dispose()
    snap = district.snapshot()
    far = next(r for r in snap.halls if r.code == "FAR")
    assert (far.source, far.stale, far.data_time) == (UNREGISTERED, True, None)
    assert [a.text for a in far.alerts] == ["数据延迟:从未收到数据"]
    assert all(not r.stale for r in snap.halls if r.code != "FAR")
    assert {r.site_no for r in snap.halls} == {5, 9}


def test_drill_down_shows_one_halls_overview(district):
    row, overview = district.drill_down("EAST")
    assert row.code == "EAST" and overview.hall_name == "东区营业厅"
    assert sum(q.waiting for q in overview.queues) == 3
    assert len(overview.outages) == 1
