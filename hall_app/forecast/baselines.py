"""The two estimates the predictor is compared with, computed from what was known then.

* **naive** — people ahead × recent mean service time ÷ open counters serving the
  service: exactly `TicketService._estimate_wait` (the kiosk's estimate before this
  predictor), i.e. the last 20 finished customers of the service (fallback: the
  configured typical minutes when fewer than 3), counters in state open (paused ones
  not counted), rounded up to whole minutes.
* **recent waits** — the mean wait of the last 5 customers of the same service to be
  called today (a smoothed "last to enter service" predictor); the naive estimate when
  nobody has been called yet.
"""

from __future__ import annotations

import math
from datetime import datetime

from hall_app.forecast.model import HallState
from hall_app.forecast.records import TicketRecord

NAIVE_RECENT = 20
RECENT_WAITS = 5


def people_ahead(state: HallState, service_id: int, ticket_id: int, issued_at: datetime) -> int:
    return sum(1 for w in state.waiting if w.service_id == service_id and w.id != ticket_id
               and w.issued_at <= issued_at)


def naive_minutes(state: HallState, service_id: int, ahead: int,
                  finished: list[TicketRecord]) -> int:
    """`finished`: the service's done tickets known at `state.now`, newest first."""
    recent = [(t.ended_at - t.started_at).total_seconds()  # type: ignore[operator]
              for t in finished[:NAIVE_RECENT]]
    svc = state.service(service_id)
    per_customer = (sum(recent) / len(recent) / 60) if len(recent) >= 3 else float(
        svc.typical_service_minutes if svc else 8)
    open_counters = sum(1 for c in state.counters
                        if c.state == "open" and service_id in c.service_ids)
    return math.ceil(ahead * per_customer / max(1, open_counters))


def recent_waits_minutes(called_today: list[TicketRecord], fallback: float) -> float:
    """`called_today`: hop-0 tickets of the service called today by now, latest call first."""
    waits = [(t.first_called_at - t.issued_at).total_seconds() / 60  # type: ignore[operator]
             for t in called_today[:RECENT_WAITS]]
    if not waits:
        return fallback
    return sum(waits) / len(waits)
