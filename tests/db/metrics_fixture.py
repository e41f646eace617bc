"""A hand-built business day (Wed 2026-11-25, hall DEMO) played through the real services.

Every expected figure in tests/db/test_metrics_day.py is worked out by hand from this
timetable (local time; w = the wait in its own queue = first call − joining the queue,
s = service = finish − start). The PDF and CSV tests print the same day.

PAY (target 10 min) at counter 1, clerk 1001 (signed in 08:55–16:30,
paused 10:25–10:40 用餐 and 12:00–12:30 培训, both not staffed time):
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
  A008 (continuation from 09:47) call 09:57 w10, 09:58–10:08 s10: total wait 7 + 10 = 17
  F002 09:45 call 10:09 w24 10:10–10:25 s15
  F003 10:00 walked away 10:22
  F004 10:30 call 10:31 w1  10:32–10:42 s10
  F005 11:15 transferred while waiting to BB at 11:16 (1 min in DEV's queue)
BB (target 15) at counter 4, clerk 1004 (09:55–11:45; at 11:41 the duty manager grants a
调整情绪 break for the 10:30 complaint (a pause of kind "recovery"), ended by the
sign-out: 4 min, not staffed time):
  D001 10:00 call 10:01 w1  10:02–10:14 s12
  D002 10:02 call 10:15 w13 10:16–10:26 s10
  D003 10:04 call 10:27 w23 10:28–10:36 s8
  D004 10:06 call 10:37 w31 recalled 10:38, 10:39, no-show 10:40
  D005 10:08 call 10:41 w33 10:42–10:50 s8   (F7 escalation at 10:45, handled 10:52)
  D006 10:10 walked away 10:30
  D007 10:12 call 10:51 w39 10:52–11:00 s8   (finishes exactly 11:00 → the 11:00 hour)
  D008 11:00 call 11:01 w1  recalled 11:02, 11:03–11:11 s8
  D009 11:05 call 11:12 w7  11:13–11:20 s7
  D010 11:10 call 11:21 w11 11:22–11:30 s8
  F005 (continuation from 11:16) call 11:31 w15 11:32–11:40 s8: total wait 1 + 15 = 16
  D011 11:35 abandoned at close
VIP (target 5) at counter 8, clerk 1008 (08:55–10:00):
  V001 09:00 call 09:03 w3 09:04–09:14 s10;  V002 09:10 call 09:15 w5 09:16–09:26 s10
  V003 09:20 call 09:27 w7 09:28–09:33 s5;   V004 09:30 call 09:34 w4 09:35–09:45 s10
  V005 09:40 call 09:46 w6 09:47–09:50 s3
SIM (target 15) at counter 2, clerk 1002 (12:55–14:00; paused 13:48–13:55 离席, which
stays in staffed time):
  C001 13:00 call 13:02 w2 13:03–13:13 s10;  C002 13:05 call 13:14 w9 13:15–13:20 s5
  C003 13:10 cancelled 13:12 by the duty manager
  C004 13:20 call 13:21 w1 13:22–13:47 s25   (F7 escalation at 13:30, never handled)
Incidents: a printer fault recorded from 11-24 17:30 to 11-25 09:00 (9 h of this day);
hall-wide outage 10:20–10:50; counter 1's own outage 11:05–11:20 (nobody waits for PAY
or PLAN then); air-conditioning fault 14:00–15:30; a hall-wide outage of 30 s at
16:10:00. Two cash exchanges (50 of 100 yuan, 30 of 50 yuan). Complaints registered
through the complaint service by the duty manager (each reply after an approved
resolution): 10:30 waiting (counter 4, replied 15:00), 11:00 attitude (never replied),
14:00 waiting (replied 11-26 10:00), and one on 11-24 (fees, replied that day, signed off
unsatisfied — 未满意结案 — at 16:40 on this day); a 通报 at 17:00 on the two waiting
complaints. Close of day 18:00; the report is made 2026-11-26 12:00.

Earlier days, for the comparisons: Tue 11-24 (the previous business day): A001 09:00
call 09:05 w5 09:06–09:10, A002 09:02 call 09:11 w9 09:12–09:15, A003 09:04 walked away
09:20. Wed 11-18 (the same weekday last week): A001 09:00 call 09:20 w20 09:21–09:30,
A002 09:01 call 09:31 w30 09:32–09:35.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hall_app.services.complaints import ComplaintDraft, ComplaintService
from hall_app.services.staff_care import StaffCareService

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)
PREVIOUS_DAY = date(2026, 11, 24)
LAST_WEEK = date(2026, 11, 18)
REPORT_AT = datetime(2026, 11, 26, 12, 0, tzinfo=TZ)
SIGN_OFF_REASON = "已按规定退还多收费用,客户仍要求额外赔偿,超出公司规定"
NOTICE_LESSONS = "高峰时段及时增开窗口,等候超过15分钟主动致歉并说明原因。"


def at(hhmm: str, day: date = DAY) -> datetime:
    parts = list(map(int, hhmm.split(":")))
    h, m, sec = (parts + [0])[:3]
    return datetime(day.year, day.month, day.day, h, m, sec, tzinfo=TZ)


class DayBuilder:
    """Collects timed steps of one day; `play_all` runs every builder's steps in time order."""

    def __init__(self, hall, day: date = DAY) -> None:  # type: ignore[no-untyped-def]
        self.hall, self.day = hall, day
        self.steps: list[tuple[datetime, int, Callable[[], None]]] = []
        self.ids: dict[str, int] = {}
        self.services = {s.code: s.id for s in hall.queries.services()}
        self.counters = {c.number: c.id for c in hall.queries.counters()}
        self.log_in()

    def log_in(self) -> None:
        """Everyone logs in (again): the day close ends every staff session."""
        self.actors = {no: self.hall.auth.login(no, "1234") for no in
                       ("1001", "1002", "1004", "1006", "1008")}
        self.manager = self.hall.auth.login("2001", "2468")

    def step(self, hhmm: str, fn: Callable[[], None]) -> None:
        self.steps.append((at(hhmm, self.day), len(self.steps), fn))

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

    def act(self, hhmm: str, name: str, clerk: str, counter: int, code: str) -> None:
        def run() -> None:
            tid = self.ids.get(f"{code}@{counter}", self.ids[code])
            getattr(self.hall.tickets, name)(self.actors[clerk], tid, self.counters[counter])
        self.step(hhmm, run)

    def serve(self, clerk: str, counter: int, code: str, call: str, start: str,
              finish: str, recalls: tuple[str, ...] = ()) -> None:
        self.call(call, clerk, counter, code)
        for r in recalls:
            self.act(r, "recall", clerk, counter, code)
        self.act(start, "start", clerk, counter, code)
        self.act(finish, "finish", clerk, counter, code)

    def no_show(self, clerk: str, counter: int, code: str, call: str,
                recalls: tuple[str, str], gone: str) -> None:
        self.call(call, clerk, counter, code)
        for r in recalls:
            self.act(r, "recall", clerk, counter, code)
        self.act(gone, "no_show", clerk, counter, code)

    def session(self, clerk: str, counter: int, start: str, end: str) -> None:
        self.step(start, lambda: self.hall.counters.sign_in(self.actors[clerk],
                                                            self.counters[counter]))
        self.step(end, lambda: self.hall.counters.sign_out(self.actors[clerk],
                                                           self.counters[counter]))

    def pause(self, clerk: str, counter: int, start: str, reason: str,
              end: str | None = None) -> None:
        cid = self.counters[counter]
        self.step(start, lambda: self.hall.counters.pause(self.actors[clerk], cid, reason))
        if end:
            self.step(end, lambda: self.hall.counters.resume(self.actors[clerk], cid))

    def close(self, hhmm: str = "18:00") -> None:
        def run() -> None:
            self.hall.tickets.close_day(self.manager, self.day)
            self.log_in()
        self.step(hhmm, run)


def play_all(hall, *builders: DayBuilder) -> None:  # type: ignore[no-untyped-def]
    """Every builder's steps in time order; on each new date everyone logs in again (the
    close of the day before, or the day closer's catch-up, ended every session)."""
    steps = sorted((s for b in builders for s in b.steps), key=lambda s: (s[0], s[1]))
    last_date = None
    for when, _, fn in steps:
        hall.ctx.clock.set(when)
        if when.date() != last_date:
            last_date = when.date()
            for builder in builders:
                builder.log_in()
        fn()


def earlier_days(hall) -> list[DayBuilder]:  # type: ignore[no-untyped-def]
    prev = DayBuilder(hall, PREVIOUS_DAY)
    prev.session("1001", 1, "08:55", "09:30")
    prev.issue("09:00", "A001", "PAY")
    prev.issue("09:02", "A002", "PAY")
    prev.issue("09:04", "A003", "PAY")
    prev.serve("1001", 1, "A001", "09:05", "09:06", "09:10")
    prev.serve("1001", 1, "A002", "09:11", "09:12", "09:15")
    prev.step("09:20", lambda: hall.tickets.walk_away(prev.manager, prev.ids["A003"]))
    prev.close()

    week = DayBuilder(hall, LAST_WEEK)
    week.session("1001", 1, "08:55", "09:40")
    week.issue("09:00", "A001", "PAY")
    week.issue("09:01", "A002", "PAY")
    week.serve("1001", 1, "A001", "09:20", "09:21", "09:30")
    week.serve("1001", 1, "A002", "09:31", "09:32", "09:35")
    week.close()
    return [week, prev]


def build_day(hall) -> None:  # type: ignore[no-untyped-def]
    """Play the timetable in the module docstring; leaves the clock at REPORT_AT."""
    b = DayBuilder(hall)
    # Sessions first at equal times, so a sign-in precedes the first call.
    b.session("1001", 1, "08:55", "16:30")
    b.session("1008", 8, "08:55", "10:00")
    b.session("1006", 6, "09:30", "11:30")
    b.session("1004", 4, "09:55", "11:45")
    b.session("1002", 2, "12:55", "14:00")
    b.pause("1001", 1, "10:25", "用餐", "10:40")
    b.pause("1001", 1, "12:00", "培训", "12:30")
    b.pause("1002", 2, "13:48", "离席", "13:55")
    c1 = b.counters[1]

    # PAY at counter 1
    for i, t in enumerate(["09:00", "09:05", "09:10", "09:15", "09:20", "09:25", "09:30",
                           "09:35", "09:40", "09:45", "09:50", "09:55"], start=1):
        b.issue(t, f"A{i:03d}", "PAY")
    for t, code in (("16:00", "A013"), ("16:10", "A014"), ("16:20", "A015")):
        b.issue(t, code, "PAY")
    b.serve("1001", 1, "A001", "09:02", "09:03", "09:07")
    b.serve("1001", 1, "A002", "09:08", "09:09", "09:15")
    b.serve("1001", 1, "A003", "09:16", "09:17", "09:20")
    b.step("09:18", lambda: hall.tickets.walk_away(b.manager, b.ids["A004"]))
    b.serve("1001", 1, "A005", "09:21", "09:22", "09:30")
    b.no_show("1001", 1, "A006", "09:31", ("09:32", "09:33"), "09:34")
    b.serve("1001", 1, "A007", "09:35", "09:36", "09:41")
    b.call("09:42", "1001", 1, "A008")
    b.act("09:43", "start", "1001", 1, "A008")
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
    b.step("10:22", lambda: hall.tickets.walk_away(b.manager, b.ids["F003"]))
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
    b.step("10:30", lambda: hall.tickets.walk_away(b.manager, b.ids["D006"]))
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
    b.step("13:12", lambda: hall.tickets.cancel(b.manager, b.ids["C003"], "客户改日再来"))
    b.serve("1002", 2, "C004", "13:21", "13:22", "13:47")

    # Escalations (F7)
    esc: dict[str, int] = {}
    b.step("10:45", lambda: esc.setdefault("d005", hall.desk.escalate(
        b.actors["1004"], b.counters[4], "客户对宽带资费有疑问,请值班长协助",
        ticket_id=b.ids["D005@4"]).id))
    b.step("10:52", lambda: hall.desk.resolve_escalation(b.manager, esc["d005"]))
    b.step("13:30", lambda: hall.desk.escalate(
        b.actors["1002"], b.counters[2], "客户要求加急补卡", ticket_id=b.ids["C004@2"]))

    # Incidents
    outage: dict[str, int] = {}
    b.step("08:50", lambda: hall.incidents.record_facility(
        b.manager, "打印机", "打印机卡纸,已修复", started_at=at("17:30", PREVIOUS_DAY),
        ended_at=at("09:00")))
    b.step("10:20", lambda: outage.setdefault("hall", hall.incidents.declare_outage(b.manager).id))
    b.step("10:50", lambda: hall.incidents.clear(b.manager, outage["hall"]))
    b.step("11:05", lambda: outage.setdefault("c1", hall.incidents.declare_outage(
        b.actors["1001"], "本窗口系统故障,请到其他窗口办理", counter_ids=[c1]).id))
    b.step("11:20", lambda: hall.incidents.clear(b.actors["1001"], outage["c1"]))
    b.step("15:30", lambda: hall.incidents.record_facility(
        b.manager, "空调", "空调停机,已报修", started_at=at("14:00"), ended_at=at("15:30")))
    b.step("16:10:00", lambda: outage.setdefault("short", hall.incidents.declare_outage(b.manager).id))
    b.step("16:10:30", lambda: hall.incidents.clear(b.manager, outage["short"]))

    # Cash
    b.step("09:08", lambda: hall.desk.record_cash(
        b.actors["1001"], due_fen=5000, received_fen=10000, counter_id=c1))
    b.step("09:56", lambda: hall.desk.record_cash(
        b.actors["1001"], due_fen=3000, received_fen=5000, counter_id=c1))

    complaint_steps(hall, b)
    b.close()
    play_all(hall, *earlier_days(hall), b)
    hall.ctx.clock.set(REPORT_AT)


def complaint_steps(hall, b: DayBuilder) -> None:  # type: ignore[no-untyped-def]
    """Complaints registered and answered through the complaint service."""
    svc = ComplaintService(hall.ctx)
    ids: dict[str, int] = {}

    def register(key: str, category: str, phone: str, counter: int | None = None) -> None:
        draft = ComplaintDraft(channel="counter", customer_name="张三丰", phone=phone,
                               category=category, description="等了很久",
                               counter_id=b.counters[counter] if counter else None)
        ids[key] = svc.register(b.manager, draft).id

    def reply(key: str) -> None:
        svc.start(b.manager, ids[key])
        svc.propose_resolution(b.manager, ids[key], "致歉并说明已增开窗口")
        svc.approve(b.manager, ids[key])
        svc.reply(b.manager, ids[key], "已为您核实,感谢您的支持,我们已增开窗口。")

    b.step("10:30", lambda: register("first", "waiting", "13812345678", 4))
    # Staff care: a 调整情绪 break for the clerk of counter 4 (ended by the sign-out 11:45).
    b.step("11:41", lambda: StaffCareService(hall.ctx).grant_recovery_break(
        b.manager, b.actors["1004"].staff_id, 10, complaint_id=ids["first"]))
    b.step("11:00", lambda: register("second", "attitude", "13900001111"))
    b.step("14:00", lambda: register("third", "waiting", "13700002222"))
    b.step("15:00", lambda: reply("first"))
    b.steps.append((at("10:00", DAY + timedelta(days=1)), len(b.steps), lambda: reply("third")))
    b.steps.append((at("14:00", PREVIOUS_DAY), len(b.steps),
                    lambda: register("before", "fees", "13600003333")))
    b.steps.append((at("15:00", PREVIOUS_DAY), len(b.steps), lambda: reply("before")))
    # The 11-24 complaint is signed off unsatisfied on this day (未满意结案), and a 通报.
    b.step("16:40", lambda: svc.sign_off(b.manager, ids["before"], SIGN_OFF_REASON))
    b.step("17:00", lambda: svc.issue_notice(b.manager, "等候投诉的教训", NOTICE_LESSONS,
                                             [ids["first"], ids["third"]]))
