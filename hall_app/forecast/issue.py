"""The estimate a ticket is given at issue, stored on its row.

The issue transaction stores only the naive estimate (cheap). The predictor then runs in
its own read, after the ticket has committed, so a forward simulation never holds the
write lock (on SQLite every counter's call-next would wait behind it), and its result is
written by one conditional UPDATE. A failure of the predictor itself never stops a ticket
from being issued: it is logged and the ticket keeps the naive estimate only.
"""

from __future__ import annotations

import logging

from sqlalchemy import update

from db.models import Ticket
from hall_app.errors import HallError
from hall_app.forecast.model import WaitEstimate
from hall_app.forecast.service import ForecastService

log = logging.getLogger(__name__)


def estimate_after_issue(forecast: ForecastService, ticket_id: int, code: str
                         ) -> WaitEstimate | None:
    """Estimate the just-issued ticket's wait and store it on its row (two short units)."""
    ctx = forecast.ctx
    try:
        with ctx.read() as s:
            est = forecast.estimate_in(s, [ticket_id], explain=True).get(ticket_id)
    except HallError as exc:  # the ticket is issued: its slip must still print
        log.warning("wait forecast skipped for ticket %s: %s", ticket_id, exc.detail or exc)
        return None
    except Exception:  # noqa: BLE001 - a predictor bug must not stop the kiosk
        log.exception("wait forecast failed for ticket %s", ticket_id)
        return None
    if est is None:
        return None
    values: dict[str, object] = {"est_no_counter": est.no_counter}
    if est.point_minutes is not None:
        values.update(est_wait_seconds=round(est.point_minutes * 60),
                      est_wait_low_min=est.low_minutes, est_wait_high_min=est.high_minutes)
    try:
        with ctx.write() as s:
            # Written once: a second writer (there is none today) would find it set.
            s.execute(update(Ticket).where(Ticket.id == ticket_id,
                                           Ticket.est_no_counter.is_(None)).values(values))
    except HallError as exc:  # the customer is still told the estimate
        log.warning("wait estimate of ticket %s not stored: %s", ticket_id, exc.detail or exc)
    log.debug("wait estimate %s: %s..%s min; %s", code, est.low_minutes,
              est.high_minutes, "; ".join(a.en for a in est.assumptions))
    return est
