"""One row per customer and group: the customer's journey through the hall's queues.

A customer is a hop-0 ticket row and its continuations (rows with `origin_ticket_id`
pointing at it, one per transfer, same business day). Exactly one of the customer's
rows is not `transferred`: the final row, whose state is the customer's outcome.

Per customer (docs/metrics.md, "Waits"):
  first_service            service of the hop-0 row (where the customer took the ticket)
  service_id, state        service and state of the final row; target = its target (s)
  counter_id, staff_id     counter and clerk of the final row (who called it last)
  called                   1 when the final row was called
  called_at, finished_at, ended_at   of the final row
  issued_at                when the customer took the ticket
  total_wait               Σ over the customer's rows of the row's own wait: the time
                           spent waiting in every queue, not the time at counters between
  outage_wait              the part of that time inside hall-wide system outages
  queue_wait_sum/_n        Σ and number of own waits of the rows that were called
  started, queue_within    rows whose service began / … whose own wait ≤ their queue's target
  recalls, recalled_rows, transfers, serving, episodes   sums over the rows

A row's own wait runs from the row's creation (the ticket, or the transfer) to its
first call, or to its transfer when it was never called: for a first row that is
`wait_seconds` (stored at the call, whole seconds); a later row's is computed from its
timestamps (rounded to whole seconds). Most customers have one row, so only the
continuation rows are grouped (`_continuations`); the first rows are read once, joined.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from db.models import ServiceType, Ticket
from hall_app.metrics.scope import Scope
from hall_app.metrics.sqlparts import overlap_seconds, whole_seconds

T = Ticket
TRANSFERRED = "transferred"


def customer_key(t: Any = T) -> Any:
    return func.coalesce(t.origin_ticket_id, t.id)


def own_queue_wait(t: Any = T) -> Any:
    """A called row's wait in its own queue, in whole seconds (see the module docstring)."""
    computed = whole_seconds(t.created_at, t.first_called_at)
    return case((t.hop == 0, func.coalesce(t.wait_seconds, computed)), else_=computed)


def _own_wait(t: Any) -> Any:
    """The row's own waiting time: to its first call, or to its transfer if never called."""
    return case(
        (t.first_called_at.is_not(None), own_queue_wait(t)),
        (t.state == TRANSFERRED, whole_seconds(t.created_at, t.ended_at)),
        else_=0)


def _row_parts(t: Any, target: Any, hall_outages: list[tuple[datetime, datetime]]
               ) -> dict[str, Any]:
    """Per-row values that are summed over a customer's rows."""
    called = t.first_called_at.is_not(None)
    started = t.started_at.is_not(None)
    waited = case((called | (t.state == TRANSFERRED), 1), else_=0)
    wait_end = func.coalesce(t.first_called_at, t.ended_at)
    return {
        "total_wait": _own_wait(t),
        "outage_wait": case((waited == 1, overlap_seconds(t.created_at, wait_end, hall_outages)),
                            else_=0),
        "queue_wait_sum": case((called, own_queue_wait(t)), else_=0),
        "queue_wait_n": case((called, 1), else_=0),
        "started": case((started, 1), else_=0),
        "queue_within": case((and_(started, called, own_queue_wait(t) <= target * 60), 1),
                             else_=0),
        "recalls": func.coalesce(t.recall_count, 0),
        "recalled_rows": case((t.recall_count > 0, 1), else_=0),
        "transfers": case((t.state == TRANSFERRED, 1), else_=0),
        "serving": func.coalesce(t.service_seconds, 0),
        "episodes": case((t.service_seconds.is_not(None), 1), else_=0),
    }


FINAL_FIELDS = ("service_id", "state", "counter_id", "staff_id", "first_called_at",
                "finished_at", "ended_at")


def _continuations(scope: Scope, hall_outages: list[tuple[datetime, datetime]]) -> Any:
    """Continuation rows (hop > 0) summed per customer, with their final row's fields."""
    c = aliased(T, name="cont_row")
    st = aliased(ServiceType, name="cont_service")
    final = c.state != TRANSFERRED
    parts = _row_parts(c, st.target_wait_minutes, hall_outages)
    cols = [c.origin_ticket_id.label("origin")]
    cols += [func.max(case((final, getattr(c, f)))).label(f"f_{f}") for f in FINAL_FIELDS]
    cols.append(func.max(case((final, st.target_wait_minutes))).label("f_target"))
    cols += [func.sum(v).label(k) for k, v in parts.items()]
    return (select(*cols).select_from(c).join(st, st.id == c.service_id)
            .where(c.hall_id == scope.hid, c.business_day >= scope.first_day,
                   c.business_day <= scope.last_day, c.hop > 0)
            .group_by(c.origin_ticket_id).subquery("continuations"))


def journeys(scope: Scope, hall_outages: list[tuple[datetime, datetime]]) -> Any:
    """The journeys subquery of `scope` (built once per scope and reused)."""
    key = ("journeys", tuple(hall_outages))
    if key not in scope.memo:
        scope.memo[key] = _journeys(scope, hall_outages)
    return scope.memo[key]


def _journeys(scope: Scope, hall_outages: list[tuple[datetime, datetime]]) -> Any:
    cont = _continuations(scope, hall_outages)
    has_cont = cont.c.origin.is_not(None)
    parts = _row_parts(T, ServiceType.target_wait_minutes, hall_outages)

    def final(field: str) -> Any:
        return case((has_cont, getattr(cont.c, f"f_{field}")), else_=getattr(T, field))

    def summed(name: str) -> Any:
        return parts[name] + func.coalesce(getattr(cont.c, name), 0)

    return (
        select(
            scope.grp.c.g.label("g"),
            T.id.label("cust"),
            T.service_id.label("first_service"),
            final("service_id").label("service_id"),
            final("state").label("state"),
            final("counter_id").label("counter_id"),
            final("staff_id").label("staff_id"),
            case((final("first_called_at").is_not(None), 1), else_=0).label("called"),
            final("first_called_at").label("called_at"),
            final("finished_at").label("finished_at"),
            final("ended_at").label("ended_at"),
            case((has_cont, cont.c.f_target), else_=ServiceType.target_wait_minutes)
            .label("target"),
            T.issued_at.label("issued_at"),
            *[summed(k).label(k) for k in parts],
        )
        .select_from(T)
        .join(scope.grp, scope.tickets())
        .join(ServiceType, ServiceType.id == T.service_id)
        .outerjoin(cont, cont.c.origin == T.id)
        .where(scope.joined_ticket_range(), T.hop == 0)
        .subquery("journeys")
    )
