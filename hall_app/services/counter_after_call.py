"""The counter's view right after its own call, built from the call's result alone.

F1 must show the called ticket at once. The window keeps the last `CounterView` it
read; when `call_next` returns, `after_call(view, ticket)` gives the view as it is now
— that ticket current, gone from the queue, one fewer waiting for its service — with
no database read. The full `counter_view` read that follows (on the same ordered
lane) confirms it, or corrects it if someone else changed the hall meanwhile.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from hall_app.services.queries import CounterView, CurrentTicket

if TYPE_CHECKING:
    from hall_app.services.tickets import TicketInfo


def after_call(view: CounterView, ticket: TicketInfo) -> CounterView:
    """`view` with `ticket` (just called at this counter) as the current customer."""
    entry = next((q for q in view.queue if q.ticket_id == ticket.id), None)
    service = next((s for s in view.services if s.id == ticket.service_id), None)
    if entry is not None:
        long_wait = entry.long_wait_minutes
    elif service is not None:
        long_wait = service.long_wait_minutes
    else:  # a service this view did not list: the configured default
        long_wait = (view.thresholds.long_wait_minutes_default if view.thresholds is not None
                     else 20)
    wait = ticket.wait_seconds or 0
    called_at = ticket.issued_at + timedelta(seconds=wait)  # the call's own clock
    current = CurrentTicket(
        ticket.id, ticket.code, str(ticket.state), ticket.service_id, ticket.service_name,
        ticket.priority, ticket.issued_at, called_at, None, wait, ticket.recall_count,
        long_wait, service.commitment if service is not None else None,
        ticket.care or (entry.care if entry is not None else False))
    rest = [q for q in view.queue if q.ticket_id != ticket.id]
    queue = tuple(replace(q, position=i) for i, q in enumerate(rest, start=1))
    waiting = dict(view.waiting_by_service)
    if waiting.get(ticket.service_id, 0) > 0:
        waiting[ticket.service_id] -= 1
    return replace(view, now=max(view.now, called_at), current=current, queue=queue,
                   waiting_by_service=waiting)
