"""Each priority rule on a fixed queue: the exact call order through the real call_next,
on SQLite and PostgreSQL, and the admin preview predicts the same order. Plus the
multi-process call-next race under the ratio rule (every ticket called exactly once).

The call order is written three times (the Python preview, the SQLite statement and the
PostgreSQL one-statement call-next in db/queue.py; docs/decisions.md says why); these
tests are what keeps the three in step: class, the counter's service rank, issue time, id.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import Ticket, TicketEvent
from hall_app.domain.priority import PriorityRule, RuleConfig
from hall_app.errors import QueueEmpty
from hall_app.services.admin import AdminService

ROOT = Path(__file__).resolve().parents[2]

# Counter 1 serves PAY only in this queue: eight tickets one minute apart, A003 and A006 VIP.
QUEUE = ["normal", "normal", "vip", "normal", "normal", "vip", "normal", "normal"]


def _fill_queue(hall, clock) -> None:
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    for priority in QUEUE:
        hall.tickets.issue(pay, priority=priority)
        clock.advance(minutes=1)


def _call_all(hall, clerk, counter_id: int) -> list[str]:
    codes = []
    while True:
        try:
            t = hall.tickets.call_next(clerk, counter_id)
        except QueueEmpty:
            return codes
        codes.append(t.code)
        hall.tickets.start(clerk, t.id, counter_id)
        hall.tickets.finish(clerk, t.id, counter_id)


@pytest.mark.parametrize("config, now_minutes, expected", [
    (RuleConfig(PriorityRule.STRICT),
     8, ["A003", "A006", "A001", "A002", "A004", "A005", "A007", "A008"]),
    # 3 normal : 1 VIP — three normal calls, then the VIP turn, and so on.
    (RuleConfig(PriorityRule.RATIO, ratio=3),
     8, ["A001", "A002", "A004", "A003", "A005", "A007", "A008", "A006"]),
    # Aging 30 min, clock at 10:32: A001 (10:00) and A002 (10:01) count as priority.
    (RuleConfig(PriorityRule.AGING, aging_minutes=30),
     32, ["A001", "A002", "A003", "A006", "A004", "A005", "A007", "A008"]),
], ids=["strict", "ratio-3", "aging-30"])
def test_rule_call_order_and_preview(hall, clock, admin, clerk, config, now_minutes, expected):
    admin_service = AdminService(hall.ctx)
    admin_service.set_priority_rule(admin, config)
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    start = clock.now()
    _fill_queue(hall, clock)
    clock.set(start.replace(minute=now_minutes))
    predicted = [line.code for line in admin_service.preview(admin, c1, config)]
    called = _call_all(hall, clerk, c1)
    assert called == expected
    assert predicted == expected


# Counter 1 serves PAY first, then PLAN: (service, priority, minutes after the start).
# The two PAY tickets at minute 3 share an issue time, so the id decides between them.
MIXED = [("PLAN", "normal", 0), ("PAY", "normal", 1), ("PLAN", "vip", 2), ("PAY", "normal", 3),
         ("PAY", "normal", 3), ("PAY", "vip", 4), ("PLAN", "normal", 5)]


@pytest.mark.parametrize("config, expected", [
    # VIPs by the counter's rank (PAY before PLAN), then the normal ones the same way.
    (RuleConfig(PriorityRule.STRICT), [5, 2, 1, 3, 4, 0, 6]),
    # 2 normal : 1 VIP; within each class PAY comes before PLAN.
    (RuleConfig(PriorityRule.RATIO, ratio=2), [1, 3, 5, 4, 0, 2, 6]),
    # Aging 3 min at minute 6: everything issued by minute 3 counts as priority.
    (RuleConfig(PriorityRule.AGING, aging_minutes=3), [1, 3, 4, 5, 0, 2, 6]),
], ids=["strict", "ratio-2", "aging-3"])
def test_rule_order_across_services_and_ties(hall, clock, admin, clerk, config, expected):
    admin_service = AdminService(hall.ctx)
    admin_service.set_priority_rule(admin, config)
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    ids = {s.code: s.id for s in hall.queries.services()}
    start = clock.now()
    codes = []
    for service, priority, minutes in MIXED:
        clock.set(start + timedelta(minutes=minutes))
        codes.append(hall.tickets.issue(ids[service], priority=priority).code)
    clock.set(start + timedelta(minutes=6))
    want = [codes[i] for i in expected]
    predicted = [line.code for line in admin_service.preview(admin, c1, config)]
    called = _call_all(hall, clerk, c1)
    assert called == want
    assert predicted == want


def test_aging_promotes_as_the_clock_moves(hall, clock, admin, clerk):
    """With the clock moving between calls, a normal ticket overtakes a later VIP once aged."""
    AdminService(hall.ctx).set_priority_rule(admin, RuleConfig(PriorityRule.AGING,
                                                               aging_minutes=10))
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    hall.tickets.issue(pay)                      # A001 at 10:00
    clock.advance(minutes=5)
    hall.tickets.issue(pay, priority="vip")      # A002 VIP at 10:05
    clock.advance(minutes=4)                     # 10:09: A001 not yet aged
    first = hall.tickets.call_next(clerk, c1)
    assert first.code == "A002"
    hall.tickets.start(clerk, first.id, c1)
    hall.tickets.finish(clerk, first.id, c1)
    hall.tickets.issue(pay, priority="vip")      # A003 VIP at 10:09
    clock.advance(minutes=1)                     # 10:10: A001 has waited 10 minutes
    assert hall.tickets.call_next(clerk, c1).code == "A001"


WORKER = r"""
import sys
from datetime import datetime
from zoneinfo import ZoneInfo
from db.engine import Database
from hall_app.clock import ManualClock
from hall_app.config import Settings
from hall_app.errors import QueueEmpty
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext

import time
url, staff_no, number, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
clock = ManualClock(datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
hall = HallServices(ServiceContext(Database(url), Settings(database_url=url, demo=True), clock, "DEMO"))
clerk = hall.auth.login(staff_no, "1234")
cid = hall.queries.counter_for_number(number).id
hall.counters.sign_in(clerk, cid)
while time.time() < start_at:  # all four counters start together
    time.sleep(0.005)
calls = 0
while True:
    try:
        t = hall.tickets.call_next(clerk, cid)
    except QueueEmpty:
        break
    hall.tickets.start(clerk, t.id, cid)
    hall.tickets.finish(clerk, t.id, cid)
    calls += 1
print(calls)
"""


def test_four_processes_ratio_rule_each_ticket_once(hall, clock, admin, db_url):
    AdminService(hall.ctx).set_priority_rule(admin, RuleConfig(PriorityRule.RATIO, ratio=3))
    codes = {s.code: s.id for s in hall.queries.services()}
    kinds = ["PAY", "SIM", "OPEN", "PLAN", "BB"]
    total = 300
    for i in range(total):
        hall.tickets.issue(codes[kinds[i % len(kinds)]],
                           priority="vip" if i % 4 == 3 else "normal")
        if i % 10 == 0:
            clock.advance(seconds=7)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start_at = str(time.time() + 8)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, db_url, f"100{n}", str(n),
                               start_at],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env=env)
             for n in (1, 2, 3, 4)]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err[-2000:]
    per_process = [int(out.strip()) for out, _ in results]
    assert sum(per_process) == total
    # Really concurrent: more than one counter got tickets. (Not necessarily all four:
    # in a tight loop SQLite's busy handler is not fair, one writer can be starved.)
    assert sum(1 for n in per_process if n > 0) >= 2
    with hall.ctx.read() as s:
        states = dict(s.execute(select(Ticket.state, func.count()).group_by(Ticket.state)).all())
        calls_per_ticket = s.execute(
            select(TicketEvent.ticket_id, func.count()).where(TicketEvent.kind == "call")
            .group_by(TicketEvent.ticket_id)).all()
    assert states == {"done": total}
    assert len(calls_per_ticket) == total
    assert {n for _, n in calls_per_ticket} == {1}
