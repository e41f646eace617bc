"""Keeping a window's per-ticket wait estimates fresh without running the predictor per refresh.

`EstimateKeeper.offer(ticket_ids)` is called with every snapshot; it asks the core for
every waiting ticket's estimate (one simulation, on the shared background pool, so
it never holds up the window's own actions) when the waiting
tickets changed or the last estimate is older than `max_age_s`, and never while one is
still running. `estimates` holds the latest answer; `updated` fires when it arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.ops import run_op


class EstimateKeeper(QObject):
    updated = Signal(object)  # dict[int, WaitEstimate]

    def __init__(self, fetch: Callable[[], dict[int, Any]], *, max_age_s: float = 30.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self.max_age_s = max_age_s
        self.estimates: dict[int, Any] = {}
        self._asked_for: frozenset[int] = frozenset()
        self._asked_at = -1e9
        self._running = False

    def offer(self, ticket_ids: Iterable[int]) -> bool:
        """A new snapshot with these waiting tickets; True if a new estimate was asked for."""
        ids = frozenset(ticket_ids)
        stale = time.monotonic() - self._asked_at > self.max_age_s
        if self._running or (ids == self._asked_for and not stale):
            return False
        if not ids:
            self._asked_for = ids
            if self.estimates:
                self.estimates = {}
                self.updated.emit(self.estimates)
            return False
        self._asked_for, self._asked_at, self._running = ids, time.monotonic(), True
        run_op(self._fetch, on_success=self._arrived, on_failure=self._failed, parent=self,
               description="wait estimates", background=True)
        return True

    def _arrived(self, estimates: dict[int, Any]) -> None:
        self._running = False
        self.estimates = dict(estimates)
        self.updated.emit(self.estimates)

    def _failed(self, _error: object) -> None:
        # Keep the last estimates; the next snapshot asks again once they are stale.
        self._running = False
