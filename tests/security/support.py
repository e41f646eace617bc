"""Helpers for the security tests: ids by number, a second workstation on the same
database, and a barrier that holds a transaction at a checkpoint."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from db.engine import Database
from db.models import Staff
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext


def counter_id(hall: HallServices, number: int) -> int:
    return hall.queries.counter_for_number(number).id


def service_id(hall: HallServices, code: str) -> int:
    return next(s.id for s in hall.queries.services() if s.code == code)


def staff_id(hall: HallServices, staff_no: str) -> int:
    with hall.ctx.read() as s:
        value = s.scalar(select(Staff.id).where(Staff.staff_no == staff_no))
    assert value is not None
    return int(value)


def other_workstation(hall: HallServices, name: str = "second-pc") -> HallServices:
    """Services of another workstation on the same database, clock and settings."""
    ctx = hall.ctx
    return HallServices(ServiceContext(Database(ctx.db.url), ctx.settings, ctx.clock,
                                       ctx.hall_code, workstation=name))


class Held:
    """Run `work` on a thread; it stops at checkpoint `name` of `services` until
    `release()`. `reached` is set when it got there. `result`/`error` after `join()`."""

    def __init__(self, services: HallServices, name: str, work: Callable[[], Any]) -> None:
        self.reached = threading.Event()
        self._go = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

        def hook() -> None:
            self.reached.set()
            if not self._go.wait(60):
                raise TimeoutError("barrier never released")

        services.ctx.hooks[name] = hook

        def run() -> None:
            try:
                self.result = work()
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                self.error = exc
            finally:
                self.reached.set()

        self.thread = threading.Thread(target=run, daemon=True)

    def start(self) -> Held:
        self.thread.start()
        assert self.reached.wait(60), "the held action never reached its checkpoint"
        return self

    def release(self) -> None:
        self._go.set()

    def join(self) -> Held:
        self.thread.join(60)
        assert not self.thread.is_alive()
        return self


class Background:
    """Run `work` on a thread (it may block on a lock); `join()` then `result`/`error`."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()

        def run() -> None:
            try:
                self.result = work()
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                self.error = exc
            finally:
                self.done.set()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self) -> Background:
        self.thread.join(60)
        assert not self.thread.is_alive()
        return self


def wait_for_lock_wait(hall: HallServices, timeout: float = 30.0) -> None:
    """PostgreSQL: return once some other backend of this database waits for a lock."""
    import time

    from sqlalchemy import text

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with hall.ctx.db.engine.connect() as conn:
            n = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).scalar()
        if n:
            return
        time.sleep(0.01)  # polling a condition, not asserting after a sleep
    raise AssertionError("no backend ever waited for the lock")
