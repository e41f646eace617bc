"""Holding one transaction between its read and its write while a competitor runs.

    outcome = race(first_hall, "pause", lambda: first_hall.counters.pause(...),
                   lambda: second_hall.tickets.call_next(...))

`first` runs in a thread with a barrier registered at `ctx.hooks[checkpoint]` (see
`ServiceContext.checkpoint`): it stops there, inside its transaction, with its read done
and its write not yet sent. Then `second` runs in another thread, on another
workstation's connection pool. The barrier is released as soon as the competitor has
either finished or is provably waiting on the first transaction:

* PostgreSQL: a backend of this database is waiting on a lock (`pg_stat_activity`);
* SQLite: the competitor has sent BEGIN IMMEDIATE, which cannot succeed while the first
  transaction holds the write lock.

No sleeps: every wait is on an event or on one of those conditions, with a deadline
that fails the test instead of hanging it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

DEADLINE_S = 60.0


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def message(self) -> str:
        return getattr(self.error, "message", str(self.error)) if self.error else ""


@dataclass
class RaceResult:
    first: Outcome
    second: Outcome
    second_waited: bool  # the competitor had to wait for the first transaction

    def describe(self) -> str:
        def one(o: Outcome) -> str:
            return f"ok {o.value!r}" if o.ok else f"{type(o.error).__name__}: {o.message()}"
        return f"first: {one(self.first)}; second: {one(self.second)}; waited={self.second_waited}"


class _Barrier:
    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self._fired = False

    def __call__(self) -> None:
        if self._fired:  # only the first pass through the checkpoint is held
            return
        self._fired = True
        self.reached.set()
        if not self.release.wait(DEADLINE_S):
            raise TimeoutError("barrier never released")


def _run(fn: Callable[[], Any], out: Outcome, done: threading.Event) -> None:
    try:
        out.value = fn()
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        out.error = exc
    finally:
        done.set()


class _Waiting:
    """Tells whether the competitor is (or is about to be) blocked by the first transaction."""

    def __init__(self, second_hall: Any) -> None:
        self.engine = second_hall.ctx.db.engine
        self.url = second_hall.ctx.db.url
        self.began_immediate = threading.Event()
        self._pg = None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "before_cursor_execute", self._sqlite_begin)
        else:
            import psycopg

            conninfo = make_url(self.url).set(drivername="postgresql").render_as_string(
                hide_password=False)
            self._pg = psycopg.connect(conninfo, autocommit=True)

    def _sqlite_begin(self, conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.strip().upper().startswith("BEGIN IMMEDIATE"):
            self.began_immediate.set()

    def blocked(self) -> bool:
        if self._pg is None:
            return self.began_immediate.is_set()
        row = self._pg.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'").fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
        else:
            event.remove(self.engine, "before_cursor_execute", self._sqlite_begin)


def race(first_hall: Any, checkpoint: str, first: Callable[[], Any],
         second: Callable[[], Any], *, second_hall: Any | None = None) -> RaceResult:
    """Run `first` up to `checkpoint`, then `second`, then let `first` write."""
    barrier = _Barrier()
    first_hall.ctx.hooks[checkpoint] = barrier
    out1, out2 = Outcome(), Outcome()
    done1, done2 = threading.Event(), threading.Event()
    t1 = threading.Thread(target=_run, args=(first, out1, done1), daemon=True)
    t1.start()
    try:
        while not barrier.reached.wait(0.05):
            if done1.is_set():
                raise AssertionError(
                    f"the first action never reached checkpoint {checkpoint!r}: "
                    f"{type(out1.error).__name__ if out1.error else 'finished'} "
                    f"{out1.message()}")
        waiting = _Waiting(second_hall) if second_hall is not None else None
        t2 = threading.Thread(target=_run, args=(second, out2, done2), daemon=True)
        t2.start()
        waited = False
        deadline = threading.Event()
        timer = threading.Timer(DEADLINE_S, deadline.set)
        timer.start()
        try:
            while not done2.wait(0.02):
                if waiting is not None and waiting.blocked():
                    waited = True
                    break
                if deadline.is_set():
                    raise AssertionError("the competitor neither finished nor waited")
        finally:
            timer.cancel()
        barrier.release.set()
        assert done1.wait(DEADLINE_S), "the first action did not finish"
        assert done2.wait(DEADLINE_S), "the competitor did not finish"
        if waiting is not None:
            waiting.close()
    finally:
        barrier.release.set()
        first_hall.ctx.hooks.pop(checkpoint, None)
    return RaceResult(out1, out2, waited)
