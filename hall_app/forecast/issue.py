"""The estimate a ticket is given at issue, stored on its row (inside the issue transaction).

A failure of the predictor itself never stops a ticket from being issued: it is logged
and the ticket keeps the naive estimate only. Database errors are not caught here (the
unit of work reports them as it reports any).
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.models import Ticket
from hall_app.forecast.model import WaitEstimate
from hall_app.forecast.service import ForecastService

log = logging.getLogger(__name__)


def estimate_at_issue(forecast: ForecastService, s: Session, ticket: Ticket,
                      naive_minutes: int) -> WaitEstimate | None:
    """Estimate `ticket`'s wait now and store it (and the naive one) on the row."""
    ticket.est_naive_min = naive_minutes
    s.flush()
    try:
        est = forecast.estimate_in(s, [ticket.id], explain=True).get(ticket.id)
    except SQLAlchemyError:
        raise
    except Exception:  # noqa: BLE001 - a predictor bug must not stop the kiosk
        log.exception("wait forecast failed for ticket %s", ticket.id)
        return None
    if est is None:
        return None
    ticket.est_no_counter = est.no_counter
    if est.point_minutes is not None:
        ticket.est_wait_seconds = round(est.point_minutes * 60)
        ticket.est_wait_low_min = est.low_minutes
        ticket.est_wait_high_min = est.high_minutes
    log.debug("wait estimate %s: %s..%s min; %s", ticket.code, est.low_minutes,
              est.high_minutes, "; ".join(a.en for a in est.assumptions))
    return est
