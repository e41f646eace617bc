"""Races between two workstations on one complaint or inspection round (both databases).

Each test holds one transaction at its checkpoint (between the locked read and the
conditional write, `ctx.hooks`) while a competing action runs on a second workstation
(its own engine). The barrier waits for the competitor to finish or to be blocked by the
held transaction — PostgreSQL: a backend of this database waiting on a lock; SQLite: the
competitor has begun its BEGIN IMMEDIATE — never for a fixed time. Whatever the order
the database then allows, the rule holds and the history replays cleanly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import make_hall
from rel_support import check_complaint_history, check_inspection_history
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from hall_app.errors import HallError
from hall_app.services.complaints import ComplaintDraft

WAIT_S = 30.0


class Competitor:
    """Runs `action` in a thread when the held transaction reaches its checkpoint."""

    def __init__(self, hall: Any, url: str, action: Callable[[], Any]) -> None:
        self.hall, self.url, self.action = hall, url, action
        self.started = threading.Event()  # SQLite: about to take the write lock
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        if hall.ctx.db.is_sqlite:
            event.listen(hall.ctx.db.engine, "before_cursor_execute", self._sqlite_statement)

    def _sqlite_statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE") and self.thread is threading.current_thread():
            self.started.set()  # the write lock the held transaction has: it will wait

    def _run(self) -> None:
        try:
            self.result = self.action()
        except BaseException as exc:  # noqa: BLE001 - inspected by the test
            self.error = exc
        finally:
            self.done.set()

    def hold(self) -> None:
        """The barrier: start the competitor and return once it is done or waiting on us."""
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        if self.hall.ctx.db.is_sqlite:
            self._wait_for(self.started.is_set)
            return
        watcher = create_engine(self.url, poolclass=NullPool)
        # Autocommit: pg_stat_activity is a snapshot per transaction.
        with watcher.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            self._wait_for(lambda: bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND state = 'active'")).scalar()))
        watcher.dispose()

    def _wait_for(self, waiting: Callable[[], bool]) -> None:
        deadline = threading.Event()
        timer = threading.Timer(WAIT_S, deadline.set)
        timer.start()
        try:
            while not deadline.is_set():
                if self.done.wait(0.02) or waiting():
                    return
            raise AssertionError("the competitor neither finished nor waited")
        finally:
            timer.cancel()

    def join(self) -> None:
        assert self.thread is not None, "the checkpoint was never reached"
        self.thread.join(WAIT_S)
        assert self.done.is_set()


@pytest.fixture
def two(db_url):
    a, b = make_hall(db_url), make_hall(db_url)
    yield a, b, db_url
    a.close()
    b.close()


def _served_complaint(hall):  # type: ignore[no-untyped-def]
    clerk = hall.auth.login("1001", "1234")
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    hall.tickets.issue(pay)
    t = hall.tickets.call_next(clerk, c1)
    hall.tickets.start(clerk, t.id, c1)
    d = hall.complaints.register(clerk, ComplaintDraft(
        channel="counter", customer_name="王先生", phone="13812345678", category="attitude",
        description="态度冷淡", ticket_id=t.id))
    return clerk, c1, t, d.id


def test_nuisance_close_racing_an_f7_never_leaves_an_escalated_nuisance(two):
    a, b, url = two
    clerk, c1, ticket, cid = _served_complaint(a)
    manager = a.auth.login("2001", "2468")
    b_clerk = clerk  # his login, which holds counter 1, used from the second workstation
    f7 = Competitor(b, url, lambda: b.desk.escalate(b_clerk, c1, "客户坚持投诉,请值班长接待",
                                                    ticket_id=ticket.id))
    a.ctx.hooks["complaint.close_nuisance"] = f7.hold
    try:
        a.complaints.close_as_nuisance(manager, cid, "无具体诉求")
        nuisance_error = None
    except HallError as exc:
        nuisance_error = exc
    f7.join()
    assert f7.error is None, f7.error
    d = a.complaints.get(manager, cid)
    assert d.row.escalated and d.close_kind != "nuisance"
    if nuisance_error is None:  # the close went first: the F7 reopened it, escalated
        assert d.state == "in_progress" and d.history[-1].action == "reopen"
    report = check_complaint_history(a.ctx.db, "DEMO")
    assert report.problems == []


def test_closing_satisfied_racing_an_unsatisfied_follow_up(two):
    a, b, url = two
    clerk, _c1, _ticket, cid = _served_complaint(a)
    manager = a.auth.login("2001", "2468")
    svc = a.complaints
    svc.start(clerk, cid)
    svc.propose_resolution(clerk, cid, "致歉")
    svc.approve(manager, cid)
    svc.reply(clerk, cid, "非常抱歉,已处理。")
    svc.sign_agreement(clerk, cid, "致歉", "王先生", a.ctx.now() + timedelta(hours=2))
    svc.follow_up(clerk, cid, "satisfied", "电话回访,客户满意")
    b_manager = b.auth.login("2001", "2468")
    callback = Competitor(b, url, lambda: b.complaints.follow_up(
        b_manager, cid, "unsatisfied", "客户来电:问题又出现了"))
    a.ctx.hooks["complaint.close"] = callback.hold
    try:
        svc.close(clerk, cid)
    except HallError:
        pass  # the follow-up went first: the close is refused
    callback.join()
    d = svc.get(manager, cid)
    if d.close_kind == "satisfied":  # the close went first: the follow-up found it closed
        assert isinstance(callback.error, HallError) and d.satisfaction == "satisfied"
    else:
        assert callback.error is None
        assert d.state == "in_progress" and d.row.escalated and d.satisfaction == "unsatisfied"
    report = check_complaint_history(a.ctx.db, "DEMO")
    assert report.problems == []


def test_finishing_a_round_racing_an_item_change(two):
    a, b, url = two
    manager = a.auth.login("2001", "2468")
    r = a.inspection.start_round(manager, "09:00")
    for item in r.items:
        a.inspection.record(manager, r.id, item.key, "ok")
    b_manager = b.auth.login("2001", "2468")
    change = Competitor(b, url, lambda: b.inspection.record(
        b_manager, r.id, "air_conditioning", "problem", "空调停了"))
    a.ctx.hooks["inspection.finish"] = change.hold
    a.inspection.finish(manager, r.id)
    change.join()
    # The round is locked from its read to its write: the change arriving meanwhile
    # waits, then finds the round finished and is refused; the round keeps what was
    # checked when it was finished.
    assert isinstance(change.error, HallError)
    done = a.inspection.round(r.id)
    assert done.state == "done" and all(i.result == "ok" for i in done.items)
    assert check_inspection_history(a.ctx.db, "DEMO").problems == []
