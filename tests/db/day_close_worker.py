"""A workstation process for tests/db/test_day_close_processes.py: waits for the start
signal, then does what every window's refresh does — `services.days.tick()` — and
reports which days it closed (or the error that stopped it)."""

from __future__ import annotations

import traceback
from datetime import datetime
from typing import Any


def workstation(url: str, index: int, now_iso: str, start: Any, out: Any) -> None:
    try:
        from db.engine import Database
        from hall_app.clock import ManualClock
        from hall_app.config import Settings
        from hall_app.services import HallServices
        from hall_app.services.context import ServiceContext

        services = HallServices(ServiceContext(Database(url), Settings(database_url=url),
                                               ManualClock(datetime.fromisoformat(now_iso)),
                                               "DEMO"))
        services.days.workstation = f"test-ws-{index}"
        _ = services.ctx.hall  # connected and ready before the start signal
        out.put(("ready", index, None))
        if not start.wait(120):
            raise TimeoutError("no start signal")
        closed = services.days.tick()
        services.close()
        out.put(("done", index, [r.day.isoformat() for r in closed]))
    except BaseException:  # noqa: BLE001 - the test fails at once with the traceback
        out.put(("error", index, traceback.format_exc()))
