"""Complaints and inspections under concurrent staff: the history replay stays clean.

Two workstations (a clerk and a duty manager, each with its own engine and connection
pool) act at random on the same complaints — every action the detail offers them, F7
escalations about the complaints' tickets, and now and then an action that is not
allowed — while the complaint oracle (rel_support.check_complaint_history) replays every
history row through the complaint state machine afterwards. The same for two duty
managers recording one inspection round. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import traceback
from collections import Counter as Tally
from datetime import timedelta

import pytest
from conftest import make_hall
from rel_support import check_complaint_history, check_inspection_history

from hall_app.domain.complaints import ComplaintAction as A
from hall_app.errors import HallError
from hall_app.services.complaints import ComplaintDraft

STEPS = 100
COMPLAINTS = 6
# Actions that keep the state are offered less often, so complaints travel the loop.
STAY = {A.CONTACT: 1, A.NOTE: 1, A.ASSIGN: 1, A.SCHEDULE_FOLLOW_UP: 1, A.ESCALATE: 1,
        A.REJECT: 1, A.CLOSE_NUISANCE: 1, A.REOPEN: 1, A.SIGN_OFF: 2}


def _args(action: A, d, now):  # type: ignore[no-untyped-def]
    later = now + timedelta(days=1)
    open_ids = [h.id for h in d.hand_offs if not h.done] or [0]
    return {
        A.START: (), A.APPROVE: (), A.CLOSE: (),
        A.ASSIGN: (d.row.handler_id or 0,),
        A.CONTACT: ("phone", "电话告知进展"),
        A.PROPOSE_RESOLUTION: ("致歉并改进", "话费10元"),
        A.REJECT: ("超出标准",), A.REPLY: ("非常抱歉,已按方案处理。",),
        A.REOPEN: ("客户不满意",), A.SIGN_AGREEMENT: ("按方案处理", "王先生", later),
        A.HAND_OFF: ("计费中心", "退费"), A.HAND_OFF_DONE: (open_ids[0], "已落实"),
        A.SCHEDULE_FOLLOW_UP: (later,), A.SIGN_OFF: ("超出公司规定",),
        A.ESCALATE: ("客户要求见值班长",), A.CLOSE_NUISANCE: ("无具体诉求",),
        A.NOTE: ("备注",),
    }[action]


def _call(svc, actor, action: A, cid: int, d, rng, now):  # type: ignore[no-untyped-def]
    if action is A.FOLLOW_UP:
        outcome = rng.choice(["satisfied", "satisfied", "mostly", "pending", "unsatisfied"])
        return svc.follow_up(actor, cid, outcome, "回访记录",
                             next_at=now + timedelta(days=1) if outcome == "pending" else None)
    method = {A.START: svc.start, A.ASSIGN: svc.assign, A.CONTACT: svc.contact,
              A.PROPOSE_RESOLUTION: svc.propose_resolution, A.APPROVE: svc.approve,
              A.REJECT: svc.reject, A.REPLY: svc.reply, A.REOPEN: svc.reopen,
              A.SIGN_AGREEMENT: svc.sign_agreement, A.HAND_OFF: svc.hand_off,
              A.HAND_OFF_DONE: svc.hand_off_done, A.SCHEDULE_FOLLOW_UP: svc.schedule_follow_up,
              A.CLOSE: svc.close, A.SIGN_OFF: svc.sign_off, A.ESCALATE: svc.escalate,
              A.CLOSE_NUISANCE: svc.close_as_nuisance, A.NOTE: svc.add_note}[action]
    return method(actor, cid, *_args(action, d, now))


def test_random_concurrent_complaint_work_replays_cleanly(db_url):
    setup = make_hall(db_url)
    clerk = setup.auth.login("1001", "1234")
    c1 = setup.queries.counter_for_number(1).id
    setup.counters.sign_in(clerk, c1)
    pay = next(s.id for s in setup.queries.services() if s.code == "PAY")
    complaints: list[tuple[int, int]] = []
    for n in range(COMPLAINTS):
        setup.tickets.issue(pay)
        t = setup.tickets.call_next(clerk, c1)
        setup.tickets.start(clerk, t.id, c1)
        d = setup.complaints.register(clerk, ComplaintDraft(
            channel="counter", customer_name=f"客户{n}", phone="13812345678",
            category="attitude", description="态度不好", ticket_id=t.id))
        setup.tickets.finish(clerk, t.id, c1)
        complaints.append((d.id, t.id))
    setup.close()

    outcomes: Tally = Tally()
    crashes: list[str] = []
    lock = threading.Lock()

    # Made here: migrations (run by make_hall) are not for threads.
    halls = [make_hall(db_url), make_hall(db_url)]

    def worker(hall, staff: tuple[str, str], seed: int) -> None:  # type: ignore[no-untyped-def]
        actor = hall.auth.login(*staff)
        rng = random.Random(seed)
        try:
            for _ in range(STEPS):
                cid, ticket_id = rng.choice(complaints)
                now = hall.ctx.now()
                try:
                    d = hall.complaints.get(actor, cid)
                    roll = rng.random()
                    if roll < 0.08:
                        hall.desk.escalate(actor, c1, "客户仍不满意", ticket_id=ticket_id)
                        kind = "f7"
                    else:
                        pool = list(d.actions) if roll > 0.15 else list(A)
                        pool = [a for a in pool if a not in (A.REGISTER, A.RECOVERY_BREAK)]
                        if not pool:
                            continue
                        action = rng.choices(pool, [STAY.get(a, 6) for a in pool])[0]
                        _call(hall.complaints, actor, action, cid, d, rng, now)
                        kind = action.value
                    with lock:
                        outcomes[f"ok:{kind}"] += 1
                except HallError as err:
                    with lock:
                        outcomes[f"refused:{type(err).__name__}"] += 1
        except Exception:  # noqa: BLE001 - reported below as a test failure
            crashes.append(traceback.format_exc())
        finally:
            hall.close()

    threads = [threading.Thread(target=worker, args=(halls[0], ("1001", "1234"), 1)),
               threading.Thread(target=worker, args=(halls[1], ("2001", "2468"), 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not crashes, crashes[0]
    assert sum(n for k, n in outcomes.items() if k.startswith("ok:")) > STEPS // 2
    from db.engine import Database

    database = Database(db_url)
    report = check_complaint_history(database, "DEMO")
    database.dispose()
    assert report.problems == [], report.problems[:5]
    assert report.checked == COMPLAINTS and report.rows > COMPLAINTS
    print(report.summary(), dict(outcomes))


def test_two_managers_recording_one_round_replay_cleanly(db_url):
    setup = make_hall(db_url)
    manager = setup.auth.login("2001", "2468")
    r = setup.inspection.start_round(manager, "09:00")
    keys = [i.key for i in r.items]
    setup.close()
    crashes: list[str] = []
    halls = [make_hall(db_url), make_hall(db_url)]

    def worker(hall, seed: int) -> None:  # type: ignore[no-untyped-def]
        actor = hall.auth.login("2001", "2468")
        rng = random.Random(seed)
        try:
            for _ in range(40):
                key = rng.choice(keys)
                try:
                    roll = rng.random()
                    if roll < 0.05:
                        hall.inspection.finish(actor, r.id)
                    elif roll < 0.15:
                        hall.inspection.open_incident(actor, r.id, key)
                    else:
                        result = rng.choice(["ok", "problem"])
                        hall.inspection.record(actor, r.id, key, result,
                                               "有问题" if result == "problem" else None)
                except HallError:
                    pass
        except Exception:  # noqa: BLE001
            crashes.append(traceback.format_exc())
        finally:
            hall.close()

    threads = [threading.Thread(target=worker, args=(h, n)) for h, n in zip(halls, (7, 8),
                                                                            strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not crashes, crashes[0]
    from db.engine import Database

    database = Database(db_url)
    report = check_inspection_history(database, "DEMO")
    database.dispose()
    assert report.problems == [], report.problems[:5]
    assert report.checked == 1 and report.rows > 10


@pytest.mark.parametrize("tamper", ["state", "escalated", "close_kind"])
def test_the_oracle_sees_a_complaint_changed_behind_the_apps_back(sqlite_url, tamper):
    hall = make_hall(sqlite_url)
    clerk = hall.auth.login("1001", "1234")
    d = hall.complaints.register(clerk, ComplaintDraft(
        channel="phone", customer_name="王先生", phone="13812345678", category="fees",
        description="多收费"))
    hall.complaints.escalate(clerk, d.id, "要求见值班长")
    hall.complaints.start(clerk, d.id)
    from sqlalchemy import update

    from db.models import Complaint

    values = {"state": {"state": "closed"}, "escalated": {"escalated": False},
              "close_kind": {"close_kind": "nuisance"}}[tamper]
    with hall.ctx.write() as s:
        s.execute(update(Complaint).where(Complaint.id == d.id).values(**values))
    report = check_complaint_history(hall.ctx.db, "DEMO")
    hall.close()
    assert len(report.problems) == 1 and f"complaint #{d.id}" in report.problems[0]
