"""Daily metrics on a hand-built day, on SQLite and PostgreSQL.

The day (Wed 2026-11-25, hall DEMO) is played through the real services with a
ManualClock; complaints are inserted as rows (the complaint service is not ours). Every
expected figure below is worked out by hand from the timetable in `build_day`.

Timetable (local time; w = wait = first call − issue, s = service = finish − start):

PAY (target 10 min) at counter 1, clerk 1001 (signed in 08:55–16:30,
paused 10:25–10:40 用餐 and 12:00–12:30 培训):
  A001 09:00 call 09:02 w2  start 09:03 finish 09:07 s4
  A002 09:05 call 09:08 w3  09:09–09:15 s6
  A003 09:10 call 09:16 w6  09:17–09:20 s3
  A004 09:15 walked away 09:18 (marked by the duty manager)
  A005 09:20 call 09:21 w1  09:22–09:30 s8
  A006 09:25 call 09:31 w6  recalled 09:32, 09:33, no-show 09:34
  A007 09:30 call 09:35 w5  09:36–09:41 s5
  A008 09:35 call 09:42 w7  start 09:43, transferred to DEV while serving 09:47 (episode 4)
  A009 09:40 call 09:48 w8  09:49–09:55 s6
  A010 09:45 call 09:56 w11 09:57–10:05 s8
  A011 09:50 call 10:06 w16 10:07–10:10 s3
  A012 09:55 call 10:11 w16 10:12–10:20 s8
  A013 16:00 call 16:01 w1  16:02–16:06 s4
  A014 16:10, A015 16:20 still waiting at close (18:00) → abandoned
DEV (target 20) at counter 6, clerk 1006 (09:30–11:30):
  F001 09:30 call 09:40 w10 09:41–09:56 s15
  A008 (continuation, keeps issue 09:35) call 09:57, 09:58–10:08 s10 (wait stays 7)
  F002 09:45 call 10:09 w24 10:10–10:25 s15
  F003 10:00 walked away 10:22
  F004 10:30 call 10:31 w1  10:32–10:42 s10
  F005 11:15 transferred while waiting to BB at 11:16
BB (target 15) at counter 4, clerk 1004 (09:55–11:45):
  D001 10:00 call 10:01 w1  10:02–10:14 s12
  D002 10:02 call 10:15 w13 10:16–10:26 s10
  D003 10:04 call 10:27 w23 10:28–10:36 s8
  D004 10:06 call 10:37 w31 recalled 10:38, 10:39, no-show 10:40
  D005 10:08 call 10:41 w33 10:42–10:50 s8
  D006 10:10 walked away 10:30
  D007 10:12 call 10:51 w39 10:52–11:00 s8   (finishes exactly 11:00 → the 11:00 hour)
  D008 11:00 call 11:01 w1  recalled 11:02, 11:03–11:11 s8
  D009 11:05 call 11:12 w7  11:13–11:20 s7
  D010 11:10 call 11:21 w11 11:22–11:30 s8
  F005 (continuation, issue 11:15) call 11:31 w16 11:32–11:40 s8
  D011 11:35 abandoned at close
VIP (target 5) at counter 8, clerk 1008 (08:55–10:00):
  V001 09:00 call 09:03 w3 09:04–09:14 s10;  V002 09:10 call 09:15 w5 09:16–09:26 s10
  V003 09:20 call 09:27 w7 09:28–09:33 s5;   V004 09:30 call 09:34 w4 09:35–09:45 s10
  V005 09:40 call 09:46 w6 09:47–09:50 s3
SIM (target 15) at counter 2, clerk 1002 (12:55–14:00):
  C001 13:00 call 13:02 w2 13:03–13:13 s10;  C002 13:05 call 13:14 w9 13:15–13:20 s5
  C003 13:10 cancelled 13:12 by the duty manager
  C004 13:20 call 13:21 w1 13:22–13:47 s25
Hall-wide outage 10:20–10:50; air-conditioning fault 14:00–15:30; two cash exchanges
(50 of 100 yuan, 30 of 50 yuan); close of day 18:00; the report is made 2026-11-26 12:00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db.models import Complaint, Staff
from hall_app.metrics import ReportService

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)
REPORT_AT = datetime(2026, 11, 26, 12, 0, tzinfo=TZ)


def at(hhmm: str, day: date = DAY) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)


class DayBuilder:
    """Collects timed steps, then plays them in time order through the services."""

    def __init__(self, hall) -> None:  # type: ignore[no-untyped-def]
        self.hall = hall
        self.steps: list[tuple[datetime, int, Callable[[], None]]] = []
        self.ids: dict[str, int] = {}
        self.services = {s.code: s.id for s in hall.queries.services()}
        self.counters = {c.number: c.id for c in hall.queries.counters()}
        self.actors = {no: hall.auth.login(no, "1234") for no in
                       ("1001", "1002", "1004", "1006", "1008")}
        self.manager = hall.auth.login("2001", "2468")

    def step(self, hhmm: str, fn: Callable[[], None]) -> None:
        self.steps.append((at(hhmm), len(self.steps), fn))

    def issue(self, hhmm: str, code: str, service: str) -> None:
        def run() -> None:
            info = self.hall.tickets.issue(self.services[service])
            assert info.code == code
            self.ids[code] = info.id
        self.step(hhmm, run)

    def call(self, hhmm: str, clerk: str, counter: int, code: str) -> None:
        def run() -> None:
            info = self.hall.tickets.call_next(self.actors[clerk], self.counters[counter])
            assert info.code == code, f"{hhmm}: expected {code}, got {info.code}"
            self.ids[f"{code}@{counter}"] = info.id
        self.step(hhmm, run)

    def _act(self, hhmm: str, name: str, clerk: str, counter: int, code: str) -> None:
        def run() -> None:
            tid = self.ids.get(f"{code}@{counter}", self.ids[code])
            getattr(self.hall.tickets, name)(self.actors[clerk], tid, self.counters[counter])
        self.step(hhmm, run)

    def serve(self, clerk: str, counter: int, code: str, call: str, start: str,
              finish: str, recalls: tuple[str, ...] = ()) -> None:
        self.call(call, clerk, counter, code)
        for r in recalls:
            self._act(r, "recall", clerk, counter, code)
        self._act(start, "start", clerk, counter, code)
        self._act(finish, "finish", clerk, counter, code)

    def no_show(self, clerk: str, counter: int, code: str, call: str,
                recalls: tuple[str, str], gone: str) -> None:
        self.call(call, clerk, counter, code)
        for r in recalls:
            self._act(r, "recall", clerk, counter, code)
        self._act(gone, "no_show", clerk, counter, code)

    def session(self, clerk: str, counter: int, start: str, end: str) -> None:
        self.step(start, lambda: self.hall.counters.sign_in(self.actors[clerk],
                                                            self.counters[counter]))
        self.step(end, lambda: self.hall.counters.sign_out(self.actors[clerk],
                                                           self.counters[counter]))

    def play(self) -> None:
        for when, _, fn in sorted(self.steps, key=lambda s: (s[0], s[1])):
            self.hall.ctx.clock.set(when)
            fn()


def build_day(hall) -> None:  # type: ignore[no-untyped-def]
    """Play the timetable in the module docstring; leaves the clock at REPORT_AT."""
    b = DayBuilder(hall)
    mgr = b.manager
    # Sessions first at equal times, so a sign-in precedes the first call.
    b.session("1001", 1, "08:55", "16:30")
    b.session("1008", 8, "08:55", "10:00")
    b.session("1006", 6, "09:30", "11:30")
    b.session("1004", 4, "09:55", "11:45")
    b.session("1002", 2, "12:55", "14:00")
    c1 = b.counters[1]
    b.step("10:25", lambda: hall.counters.pause(b.actors["1001"], c1, "用餐"))
    b.step("10:40", lambda: hall.counters.resume(b.actors["1001"], c1))
    b.step("12:00", lambda: hall.counters.pause(b.actors["1001"], c1, "培训"))
    b.step("12:30", lambda: hall.counters.resume(b.actors["1001"], c1))

    # PAY at counter 1
    for i, t in enumerate(["09:00", "09:05", "09:10", "09:15", "09:20", "09:25", "09:30",
                           "09:35", "09:40", "09:45", "09:50", "09:55"], start=1):
        b.issue(t, f"A{i:03d}", "PAY")
    for t, code in (("16:00", "A013"), ("16:10", "A014"), ("16:20", "A015")):
        b.issue(t, code, "PAY")
    b.serve("1001", 1, "A001", "09:02", "09:03", "09:07")
    b.serve("1001", 1, "A002", "09:08", "09:09", "09:15")
    b.serve("1001", 1, "A003", "09:16", "09:17", "09:20")
    b.step("09:18", lambda: hall.tickets.walk_away(mgr, b.ids["A004"]))
    b.serve("1001", 1, "A005", "09:21", "09:22", "09:30")
    b.no_show("1001", 1, "A006", "09:31", ("09:32", "09:33"), "09:34")
    b.serve("1001", 1, "A007", "09:35", "09:36", "09:41")
    b.call("09:42", "1001", 1, "A008")
    b._act("09:43", "start", "1001", 1, "A008")
    b.step("09:47", lambda: hall.tickets.transfer(
        b.actors["1001"], b.ids["A008"], to_service_id=b.services["DEV"], counter_id=c1))
    b.serve("1001", 1, "A009", "09:48", "09:49", "09:55")
    b.serve("1001", 1, "A010", "09:56", "09:57", "10:05")
    b.serve("1001", 1, "A011", "10:06", "10:07", "10:10")
    b.serve("1001", 1, "A012", "10:11", "10:12", "10:20")
    b.serve("1001", 1, "A013", "16:01", "16:02", "16:06")

    # DEV at counter 6
    for t, code in (("09:30", "F001"), ("09:45", "F002"), ("10:00", "F003"),
                    ("10:30", "F004"), ("11:15", "F005")):
        b.issue(t, code, "DEV")
    b.serve("1006", 6, "F001", "09:40", "09:41", "09:56")
    b.serve("1006", 6, "A008", "09:57", "09:58", "10:08")
    b.serve("1006", 6, "F002", "10:09", "10:10", "10:25")
    b.step("10:22", lambda: hall.tickets.walk_away(mgr, b.ids["F003"]))
    b.serve("1006", 6, "F004", "10:31", "10:32", "10:42")
    b.step("11:16", lambda: hall.tickets.transfer(
        b.actors["1006"], b.ids["F005"], to_service_id=b.services["BB"]))

    # BB at counter 4
    for t, code in (("10:00", "D001"), ("10:02", "D002"), ("10:04", "D003"),
                    ("10:06", "D004"), ("10:08", "D005"), ("10:10", "D006"),
                    ("10:12", "D007"), ("11:00", "D008"), ("11:05", "D009"),
                    ("11:10", "D010"), ("11:35", "D011")):
        b.issue(t, code, "BB")
    b.serve("1004", 4, "D001", "10:01", "10:02", "10:14")
    b.serve("1004", 4, "D002", "10:15", "10:16", "10:26")
    b.serve("1004", 4, "D003", "10:27", "10:28", "10:36")
    b.no_show("1004", 4, "D004", "10:37", ("10:38", "10:39"), "10:40")
    b.serve("1004", 4, "D005", "10:41", "10:42", "10:50")
    b.step("10:30", lambda: hall.tickets.walk_away(mgr, b.ids["D006"]))
    b.serve("1004", 4, "D007", "10:51", "10:52", "11:00")
    b.serve("1004", 4, "D008", "11:01", "11:03", "11:11", recalls=("11:02",))
    b.serve("1004", 4, "D009", "11:12", "11:13", "11:20")
    b.serve("1004", 4, "D010", "11:21", "11:22", "11:30")
    b.serve("1004", 4, "F005", "11:31", "11:32", "11:40")

    # VIP at counter 8
    for t, code in (("09:00", "V001"), ("09:10", "V002"), ("09:20", "V003"),
                    ("09:30", "V004"), ("09:40", "V005")):
        b.issue(t, code, "VIP")
    b.serve("1008", 8, "V001", "09:03", "09:04", "09:14")
    b.serve("1008", 8, "V002", "09:15", "09:16", "09:26")
    b.serve("1008", 8, "V003", "09:27", "09:28", "09:33")
    b.serve("1008", 8, "V004", "09:34", "09:35", "09:45")
    b.serve("1008", 8, "V005", "09:46", "09:47", "09:50")

    # SIM at counter 2
    for t, code in (("13:00", "C001"), ("13:05", "C002"), ("13:10", "C003"),
                    ("13:20", "C004")):
        b.issue(t, code, "SIM")
    b.serve("1002", 2, "C001", "13:02", "13:03", "13:13")
    b.serve("1002", 2, "C002", "13:14", "13:15", "13:20")
    b.step("13:12", lambda: hall.tickets.cancel(mgr, b.ids["C003"], "客户改日再来"))
    b.serve("1002", 2, "C004", "13:21", "13:22", "13:47")

    # Incidents, cash, close of day
    outage: dict[str, int] = {}
    b.step("10:20", lambda: outage.setdefault("id", hall.incidents.declare_outage(mgr).id))
    b.step("10:50", lambda: hall.incidents.clear(mgr, outage["id"]))
    b.step("15:30", lambda: hall.incidents.record_facility(
        mgr, "空调", "空调停机,已报修", started_at=at("14:00"), ended_at=at("15:30")))
    b.step("09:08", lambda: hall.desk.record_cash(
        b.actors["1001"], due_fen=5000, received_fen=10000, counter_id=c1))
    b.step("09:56", lambda: hall.desk.record_cash(
        b.actors["1001"], due_fen=3000, received_fen=5000, counter_id=c1))
    b.step("18:00", lambda: hall.tickets.close_day(mgr))
    b.play()

    add_complaints(hall)
    hall.ctx.clock.set(REPORT_AT)


def add_complaints(hall) -> None:  # type: ignore[no-untyped-def]
    """Three complaints on the day (one replied the same day) and one the day before."""
    with hall.ctx.write() as s:
        staff_id = s.query(Staff.id).filter(Staff.staff_no == "2001").scalar()
        counter4 = hall.queries.counter_for_number(4).id

        def add(received: datetime, category: str, phone: str, state: str,
                replied: datetime | None, due: datetime, counter: int | None = None) -> None:
            s.add(Complaint(
                hall_id=hall.ctx.hall.id, business_day=received.date(), received_at=received,
                channel="counter", customer_name="张三丰", phone=phone, category=category,
                description="等了很久", recorded_by=staff_id, state=state, replied_at=replied,
                reply_due_at=due, hard_due_at=due + timedelta(days=15), counter_id=counter))

        add(at("10:30"), "等候时间过长", "13812345678", "replied", at("15:00"), at("23:59"),
            counter4)
        add(at("11:00"), "服务态度", "13900001111", "registered", None, at("18:00"))
        add(at("14:00"), "等候时间过长", "13700002222", "replied",
            at("10:00", date(2026, 11, 26)), at("23:59"))
        add(at("14:00", date(2026, 11, 24)), "收费过高", "13600003333", "closed",
            at("15:00", date(2026, 11, 24)), at("23:59", date(2026, 11, 24)))


MIN = 60


@pytest.fixture
def day_metrics(hall):  # type: ignore[no-untyped-def]
    build_day(hall)
    return ReportService(hall.ctx).daily(DAY)


def test_headline_figures(day_metrics):
    m = day_metrics
    h = m.headline
    assert m.status == "ok" and m.hall_name == "示范营业厅(人民路店)"
    # 15 PAY + 5 DEV + 11 BB + 5 VIP + 4 SIM tickets; the two continuations are not arrivals.
    assert h.arrived == 40
    o = h.outcomes
    # PAY 10 + DEV 4 (F001, A008, F002, F004) + BB 9 (incl. F005) + VIP 5 + SIM 3
    assert o.served == 31
    assert (o.no_show, o.walked_away, o.abandoned, o.cancelled, o.open) == (2, 3, 3, 1, 0)
    assert o.walkaways == 8
    assert h.walkaway_rate == pytest.approx(20.0)  # 8 / 40
    assert h.walkaway_target_met is False
    # Waits of the 33 called customers (minutes): sum 329; 17th value 7; 30th value 24.
    assert h.wait.count == 33
    assert h.wait.mean == pytest.approx(329 * MIN / 33)
    assert h.wait.median == 7 * MIN
    assert h.wait.p90 == 24 * MIN
    assert h.wait.max == 39 * MIN
    # 32 service episodes (A008's 4 minutes at counter 1 included): sum 264 minutes;
    # 16th and 17th values both 8; 29th value 12; longest C004 25.
    assert h.service.count == 32
    assert h.service.mean == pytest.approx(264 * MIN / 32)
    assert h.service.median == 8 * MIN
    assert h.service.p90 == 12 * MIN
    assert h.service.max == 25 * MIN
    # Within target: PAY 8/11, DEV 2/3, BB 5/9, VIP 3/5, SIM 3/3 → 21/31.
    assert (h.served_with_wait, h.within_target) == (31, 21)
    assert h.service_level == pytest.approx(100 * 21 / 31)
    assert h.service_level_target_pct == 80 and h.service_level_met is False
    assert (h.recalls, h.recalled_tickets, h.transfers) == (5, 3, 2)
    assert (h.outages, h.outage_minutes, h.facility_incidents) == (1, 30.0, 1)
    assert (h.cash_exchanges, h.cash_received_fen) == (2, 15000)
    assert h.complaints == 3


def test_service_table(day_metrics):
    rows = {r.code: r for r in day_metrics.services}
    pay, dev, bb, vip, sim = rows["PAY"], rows["DEV"], rows["BB"], rows["VIP"], rows["SIM"]
    assert (pay.arrived, pay.outcomes.served, pay.outcomes.no_show, pay.outcomes.walked_away,
            pay.outcomes.abandoned, pay.transfers_out) == (15, 10, 1, 1, 2, 1)
    # PAY waits 1,1,2,3,5,6,6,7,8,11,16,16: sum 82, median (6+6)/2, p90 = 11th = 16.
    assert pay.wait.count == 12
    assert pay.wait.mean == pytest.approx(82 * MIN / 12)
    assert pay.wait.median == 6 * MIN and pay.wait.p90 == 16 * MIN
    assert pay.service_level == pytest.approx(100 * 8 / 11)
    # DEV: A008 finished here (served) but waited in PAY; F005 left by transfer.
    assert (dev.arrived, dev.outcomes.served, dev.outcomes.walked_away, dev.transfers_out) == (
        5, 4, 1, 1)
    assert dev.wait.count == 3 and dev.wait.max == 24 * MIN
    # BB: F005 waited 16 min (from its original 11:15 issue) in BB, over the 15-min target.
    assert (bb.arrived, bb.outcomes.served, bb.outcomes.no_show, bb.outcomes.abandoned) == (
        11, 9, 1, 1)
    assert bb.wait.median == pytest.approx(14.5 * MIN)  # (13 + 16) / 2
    assert (bb.served_with_wait, bb.within_target) == (9, 5)
    assert vip.service_level == pytest.approx(60.0) and vip.wait.max == 7 * MIN
    assert (sim.arrived, sim.outcomes.served, sim.outcomes.cancelled) == (4, 3, 1)
    assert sim.service.mean == pytest.approx(40 * MIN / 3)


def test_counter_and_clerk_tables(day_metrics):
    counters = {r.number: r for r in day_metrics.counters}
    assert sorted(counters) == [1, 2, 4, 6, 8]
    c1 = counters[1]
    assert (c1.served, c1.no_show, c1.recalls, c1.transfers) == (10, 1, 2, 1)
    assert c1.serving_seconds == 59 * MIN  # 10 finished + A008's 4 minutes
    assert c1.open_seconds == (7 * 60 + 35) * MIN  # 08:55–16:30
    assert c1.paused_seconds == 45 * MIN
    assert {(p.reason, p.count, p.seconds) for p in c1.pauses} == {
        ("用餐", 1, 15 * MIN), ("培训", 1, 30 * MIN)}
    assert c1.utilisation == pytest.approx(100 * 59 / 455)
    c4 = counters[4]
    assert (c4.served, c4.no_show, c4.recalls) == (9, 1, 3)
    assert c4.utilisation == pytest.approx(70.0)  # 77 of 110 minutes
    assert c4.wait.mean == pytest.approx(17.5 * MIN)
    assert counters[6].serving_seconds == 50 * MIN and counters[6].open_seconds == 120 * MIN
    clerks = {r.staff_no: r for r in day_metrics.clerks}
    assert sorted(clerks) == ["1001", "1002", "1004", "1006", "1008"]
    k = clerks["1008"]
    assert (k.served, k.signed_in_seconds, k.serving_seconds) == (5, 65 * MIN, 38 * MIN)
    assert k.service.median == 10 * MIN and k.wait.mean == pytest.approx(5 * MIN)
    assert clerks["1001"].paused_seconds == 45 * MIN
    assert clerks["1002"].service.max == 25 * MIN


def test_hours_are_half_open(day_metrics):
    hours = {h.hour: h for h in day_metrics.hours}
    assert min(hours) == 8 and max(hours) == 18  # opening hours, plus the close at 18:00
    assert [(h, hours[h].arrived) for h in (9, 10, 11, 13, 16)] == [
        (9, 19), (10, 9), (11, 5), (13, 4), (16, 3)]
    # D007 finished at 11:00 and D008 was issued at 11:00: both belong to 11:00–12:00.
    assert [(h, hours[h].served) for h in (9, 10, 11, 13, 16)] == [
        (9, 12), (10, 10), (11, 5), (13, 3), (16, 1)]
    assert (hours[9].walkaways, hours[10].walkaways, hours[18].walkaways) == (2, 3, 3)
    assert hours[12].arrived == hours[12].served == 0 and hours[12].mean_wait is None
    assert hours[13].label == "13:00–14:00"


def test_wait_distribution_incidents_and_complaints(day_metrics):
    m = day_metrics
    assert [b.count for b in m.wait_buckets] == [11, 10, 4, 3, 2, 3, 0, 0]
    outage, facility = m.incidents
    assert (outage.kind, outage.minutes, outage.counter_numbers) == ("outage", 30.0, ())
    # Waiting at some moment in 10:20–10:50: F003 F004 D003 D004 D005 D006 D007.
    assert outage.waiting_customers == 7
    assert outage.started_at.strftime("%H:%M") == "10:20"
    # D011 (issued 11:35, abandoned at 18:00) was the only one waiting in 14:00–15:30.
    assert (facility.category, facility.minutes, facility.waiting_customers) == ("空调", 90.0, 1)
    c = m.complaints
    assert c.total == 3
    assert c.by_category == (("等候时间过长", 2), ("服务态度", 1))
    assert dict(c.by_state) == {"replied": 2, "registered": 1}
    assert (c.overdue, c.replied_same_day) == (2, 1)
    assert c.same_day_reply_rate == pytest.approx(100 / 3)
    assert [r.phone_masked for r in c.rows] == ["138****5678", "139****1111", "137****2222"]
    assert c.rows[0].counter_number == 4 and c.rows[0].customer_name == "张**"
    assert all("13812345678" not in r.phone_masked for r in c.rows)


def test_empty_and_future_days(hall):
    empty = ReportService(hall.ctx).daily(date(2026, 11, 20))
    assert empty.status == "empty" and empty.headline.arrived == 0
    assert empty.headline.wait.mean is None and empty.headline.service_level is None
    assert all(s.arrived == 0 for s in empty.services)
    future = ReportService(hall.ctx).daily(date(2026, 12, 25))
    assert future.is_future and future.headline.arrived == 0 and future.services == ()
