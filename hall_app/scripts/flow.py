"""Where the clerk is in the five-step flow, following the ticket; the clerk may move it.

    tracker = FlowTracker()
    tracker.observe(current, last_finished, now)    # after every counter snapshot
    situation = tracker.apply(base_situation)        # step, said phrases, farewell ticket
    tracker.move(2); tracker.mark_said("long_wait_apology"); tracker.dismiss_farewell()

The flow moves by itself with the ticket and never backwards on its own:

- a newly called customer → step 1 (积极的接近); a customer already being served when
  the tracker first sees them (a window restarted mid-service) → step 2;
- the same ticket moving from called to serving (开始办理, F4) → at least step 2
  (了解需求); steps 3 and 4 are the clerk's to move to;
- the ticket finished at this counter (办理完成) → step 5 (亲切的告别) with that ticket's
  business and commitment time, until the next call, :meth:`FlowTracker.dismiss_farewell`
  or :data:`FAREWELL_MINUTES` after the finish;
- the ticket leaving any other way (transfer, no-show) → idle.

Phrases marked said belong to the customer: a new customer starts with none. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from hall_app.scripts.engine import Situation

#: 0-based indexes of the steps the tracker moves to by itself.
APPROACH_STEP, UNDERSTAND_STEP, FAREWELL_STEP = 0, 1, 4
#: How long after finishing the farewell stays up without a new call.
FAREWELL_MINUTES = 3.0


@dataclass(frozen=True)
class TicketAtCounter:
    """The facts about one ticket that the flow and the phrases need."""

    ticket_id: int
    code: str
    state: str  # called | serving | done
    business: str | None = None
    commitment: str | None = None  # the service's commitment time, e.g. "24小时"
    finished_at: datetime | None = None


class FlowTracker:
    """The current step of the five-step flow for one counter."""

    def __init__(self, steps: int = 5) -> None:
        self.steps = steps
        self.step = APPROACH_STEP
        self.ticket: TicketAtCounter | None = None
        self.said: set[str] = set()

    @property
    def seeing_off(self) -> bool:
        """Whether the customer of a just finished ticket is being seen off."""
        return self.ticket is not None and self.ticket.state == "done"

    def observe(self, current: TicketAtCounter | None,
                last_finished: TicketAtCounter | None = None,
                now: datetime | None = None) -> int:
        """Follow a new snapshot: this counter's open ticket and its last finished one."""
        previous = self.ticket
        if current is not None:
            if previous is None or previous.ticket_id != current.ticket_id:
                self.said = set()
                self.step = APPROACH_STEP if current.state == "called" else UNDERSTAND_STEP
            elif current.state == "serving" and previous.state == "called":
                self.step = max(self.step, UNDERSTAND_STEP)
            self.ticket = current
            return self.step
        if previous is not None and previous.state != "done" and last_finished is not None \
                and last_finished.ticket_id == previous.ticket_id:
            self.ticket = replace(last_finished, state="done")
            self.step = FAREWELL_STEP
        elif self.seeing_off:
            assert self.ticket is not None
            finished = self.ticket.finished_at
            if now is not None and finished is not None \
                    and (now - finished).total_seconds() > FAREWELL_MINUTES * 60:
                self._idle()
        else:
            self._idle()
        return self.step

    def move(self, index: int) -> int:
        """The clerk chose step *index* (clamped to the flow)."""
        self.step = max(0, min(index, self.steps - 1))
        return self.step

    def mark_said(self, key: str) -> None:
        """The clerk said phrase *key* (for the long-wait apology: acknowledged it)."""
        self.said.add(key)

    def dismiss_farewell(self) -> None:
        """The customer has left: end the farewell now."""
        if self.seeing_off:
            self._idle()

    def apply(self, situation: Situation) -> Situation:
        """*situation* with this tracker's step and said phrases; while seeing a customer
        off, with the finished ticket's code, business and commitment time."""
        step = min(self.step, self.steps - 1)
        out = replace(situation, flow_step=step, said=frozenset(self.said))
        if self.seeing_off and situation.ticket_code is None:
            assert self.ticket is not None
            out = replace(out, ticket_code=self.ticket.code, ticket_state="done",
                          business=self.ticket.business, commitment=self.ticket.commitment,
                          waited_minutes=None)
        return out

    def _idle(self) -> None:
        self.ticket = None
        self.step = APPROACH_STEP
        self.said = set()
