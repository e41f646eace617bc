"""When a workstation should try to close a day: `DayCloser.tick()`.

Every window calls `tick()` from its refresh worker (never the GUI thread). It is a clock
comparison until something may be due; then it reads which days are open — every past
day still open, oldest first, and today once closing time + grace has passed — and
closes them one by one with `skip_locked`: a workstation that finds another one closing
the same day stops and tries again at its next refresh, so twenty workstations reaching
the moment together close the day exactly once. The first tick of a process always
checks (a workstation started the morning after nobody ran at closing catches up). A
past day is closed once its own closing time + grace has passed (a hall open until
23:45 is not closed at midnight).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from db.day_writes import open_days_before, read_day
from hall_app.domain.hours import day_end
from hall_app.errors import DatabaseUnavailable, HallError, IllegalTransition
from hall_app.services.days.closing import AlreadyClosed, close_in, due_of, hours_of
from hall_app.services.days.models import DayCloseResult
from hall_app.services.days.steps import run_after_close

if TYPE_CHECKING:
    from hall_app.services.days import DayService

log = logging.getLogger(__name__)

#: Re-read the day's hours at least this often (an administrator may change them).
RECHECK = timedelta(minutes=5)
#: After a failed attempt (not a lost connection), wait this long before the next one.
RETRY = timedelta(minutes=1)


class DayCloser:
    def __init__(self, days: DayService) -> None:
        self.days = days
        self._next_check: datetime | None = None  # None: check at the next tick
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Check at the next tick (the day's hours changed)."""
        self._next_check = None

    def tick(self) -> list[DayCloseResult]:
        ctx = self.days.ctx
        now = ctx.now()
        if self._next_check is not None and now < self._next_check:
            return []
        if not self._lock.acquire(blocking=False):
            return []  # another thread of this process is checking right now
        try:
            return self._check(now)
        except DatabaseUnavailable:
            raise
        except HallError as exc:
            log.warning("day close check failed: %s (%s)", exc.message, exc.detail or "")
            self._next_check = now + RETRY
            return []
        finally:
            self._lock.release()

    def _check(self, now: datetime) -> list[DayCloseResult]:
        ctx = self.days.ctx
        hall_id = ctx.hall.id
        today = ctx.business_day(now)
        due_days = []
        later: list[datetime] = []  # past days not due yet (closing after midnight + grace)
        with ctx.read() as s:
            for day in open_days_before(s, hall_id, today):
                past = read_day(s, hall_id, day)
                due = due_of(ctx, day, hours_of(ctx, s, day, past.opens_at if past else None,
                                                past.closes_at if past else None))
                (due_days.append(day) if now >= due else later.append(due))
            row = read_day(s, hall_id, today)
            today_due = due_of(ctx, today, hours_of(ctx, s, today, row.opens_at if row else None,
                                                    row.closes_at if row else None))
        today_closed = row is not None and row.closed
        if not today_closed and now >= today_due:
            due_days.append(today)
        closed: list[DayCloseResult] = []
        busy = False
        for day in due_days:
            try:
                with ctx.write() as s:
                    result = close_in(ctx, s, day, actor=None,
                                      workstation=self.days.workstation, skip_locked=True)
            except AlreadyClosed:
                continue
            except IllegalTransition as exc:
                log.warning("closing %s stopped: %s", day, exc.message)
                busy = True
                break
            if result is None:  # another workstation is closing it (or a kiosk issuing)
                busy = True
                break
            log.info("business day %s closed by this workstation: %s abandoned, "
                     "%s finished at close, %s counters signed out", day, result.abandoned,
                     result.finished_at_close, result.counters_closed)
            closed.append(result)
        if closed:
            run_after_close(ctx, closed, self.days.steps)
        if busy:
            self._next_check = None
        elif today_closed or now >= today_due:
            # Nothing more today: look again when the next day begins.
            self._next_check = min([day_end(today, ctx.hall.tz), now + RECHECK * 12, *later])
        else:
            self._next_check = min([today_due, now + RECHECK, *later])
        return closed
