"""Choose what the clerk should see now: pure functions over a snapshot of the situation.

Rules of :func:`select_prompts`, in output order (all thresholds come from
:class:`Thresholds`):

1. a called/serving ticket at the approach step that waited longer than its service's
   long-wait threshold → ``long_wait_apology`` first;
2. an active outage (hall-wide or this counter) → the outage notice (the duty manager's
   text if given, else ``outage_notice``), ``tell_waiting=True``, plus its do-reminder;
   otherwise, if an outage ended within ``restored_notice_minutes`` → ``outage_restored``;
3. counter open, customers waiting and at most ``closing_warning_minutes`` to closing
   (or past it) → ``closing_time``;
4. counter open and queue longer than ``crowded_per_counter`` × open counters →
   ``crowded_counter``;
5. with a customer at the counter, the current five-step flow step: its do reminders,
   its warnings, then its phrases.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from hall_app.scripts.model import Phrase, ScriptBook

PromptKind = Literal["say", "do", "warn"]

#: Counter states in which the clerk is not receiving customers.
INACTIVE_COUNTER_STATES = frozenset({"paused", "closed", "offline"})
#: Ticket states in which the customer is at (or walking to) the counter.
AT_COUNTER_TICKET_STATES = frozenset({"called", "serving"})


@dataclass(frozen=True)
class Thresholds:
    """Numbers that trigger situational prompts (from settings; all minutes/counts)."""

    default_long_wait_minutes: float = 20
    closing_warning_minutes: float = 15
    crowded_per_counter: float = 5
    restored_notice_minutes: float = 10

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"{f.name} must not be negative")


@dataclass(frozen=True)
class Situation:
    """A snapshot of one counter's situation, built by the caller from live data."""

    counter_state: str = "open"
    ticket_code: str | None = None
    ticket_state: str | None = None
    waited_minutes: float | None = None
    long_wait_minutes: float | None = None  # the ticket's service threshold
    outage_active: bool = False  # for the whole hall or this counter
    outage_notice: str | None = None  # the duty manager's notice text, if any
    outage_ended_minutes_ago: float | None = None
    minutes_to_closing: float | None = None  # negative once closing time has passed
    queue_length: int = 0  # customers waiting for this counter's services
    open_counters: int = 1
    flow_step: int = 0  # index into the five-step flow
    hotline: str | None = None
    counter_number: str | None = None
    honorific: str = "先生/女士"
    business: str | None = None
    commitment: str | None = None  # e.g. "24小时", fills {duration}

    @property
    def customer_at_counter(self) -> bool:
        return self.ticket_code is not None and self.ticket_state in AT_COUNTER_TICKET_STATES

    @property
    def receiving(self) -> bool:
        return self.counter_state not in INACTIVE_COUNTER_STATES

    def values(self) -> dict[str, object]:
        """Placeholder values known from the situation."""
        return {
            "ticket": self.ticket_code,
            "counter": self.counter_number,
            "hotline": self.hotline,
            "honorific": self.honorific,
            "business": self.business,
            "duration": self.commitment,
        }


@dataclass(frozen=True)
class Prompt:
    """One line for the clerk: ``say`` it, ``do`` it, or heed a ``warn``."""

    kind: PromptKind
    key: str
    text: str
    tell_waiting: bool = False  # also tell waiting / newly arriving customers
    title: str = ""


@dataclass(frozen=True)
class FlowStep:
    """One step of the five-step flow, rendered for the situation."""

    index: int
    key: str
    title: str
    do: tuple[str, ...]
    warn: tuple[str, ...]
    phrases: tuple[Prompt, ...]
    situational: tuple[Prompt, ...]
    current: bool


def _phrase_prompts(phrase: Phrase, values: dict[str, object], *, tell_waiting: bool = False,
                    text: str | None = None) -> list[Prompt]:
    out = [Prompt("say", phrase.key, text or phrase.render(values), tell_waiting, phrase.title)]
    if phrase.do:
        out.append(Prompt("do", f"{phrase.key}.do", phrase.do, False, phrase.title))
    if phrase.warn:
        out.append(Prompt("warn", f"{phrase.key}.warn", phrase.warn, False, phrase.title))
    return out


def _check_step(book: ScriptBook, situation: Situation) -> None:
    if not 0 <= situation.flow_step < len(book.flow):
        raise ValueError(f"flow_step {situation.flow_step} outside 0..{len(book.flow) - 1}")


def select_prompts(book: ScriptBook, situation: Situation,
                   thresholds: Thresholds | None = None) -> list[Prompt]:
    """The ordered prompts the clerk should see now (rules in the module docstring)."""
    _check_step(book, situation)
    t = thresholds or Thresholds()
    s = situation
    values = s.values()
    out: list[Prompt] = []

    limit = s.long_wait_minutes if s.long_wait_minutes is not None \
        else t.default_long_wait_minutes
    if s.customer_at_counter and s.flow_step == 0 and s.waited_minutes is not None \
            and s.waited_minutes > limit:
        out += _phrase_prompts(book.phrase("long_wait_apology"), values)

    if s.outage_active:
        notice = s.outage_notice.strip() if s.outage_notice and s.outage_notice.strip() else None
        out += _phrase_prompts(book.phrase("outage_notice"), values, tell_waiting=True,
                               text=notice)
    elif s.outage_ended_minutes_ago is not None \
            and 0 <= s.outage_ended_minutes_ago <= t.restored_notice_minutes:
        out += _phrase_prompts(book.phrase("outage_restored"), values, tell_waiting=True)

    if s.receiving and s.queue_length > 0 and s.minutes_to_closing is not None \
            and s.minutes_to_closing <= t.closing_warning_minutes:
        out += _phrase_prompts(book.phrase("closing_time"), values, tell_waiting=True)

    if s.receiving and s.queue_length > t.crowded_per_counter * max(s.open_counters, 1):
        out += _phrase_prompts(book.phrase("crowded_counter"), values, tell_waiting=True)

    if s.customer_at_counter:
        step = book.flow[s.flow_step]
        base = f"flow.{step.key}"
        out += [Prompt("do", f"{base}.do[{i}]", x, False, step.title)
                for i, x in enumerate(step.do)]
        out += [Prompt("warn", f"{base}.warn[{i}]", x, False, step.title)
                for i, x in enumerate(step.warn)]
        for key in step.say:
            out += _phrase_prompts(book.phrase(key), values)

    seen: set[str] = set()
    unique = []
    for prompt in out:
        if prompt.key not in seen:
            seen.add(prompt.key)
            unique.append(prompt)
    return unique


def flow_steps(book: ScriptBook, situation: Situation) -> list[FlowStep]:
    """All five steps with their phrases rendered; ``current`` marks the situation's step."""
    _check_step(book, situation)
    values = situation.values()
    return [
        FlowStep(
            index=i, key=step.key, title=step.title, do=step.do, warn=step.warn,
            phrases=tuple(Prompt("say", k, book.render(k, values), False, book.phrase(k).title)
                          for k in step.say),
            situational=tuple(Prompt("say", k, book.render(k, values), False,
                                     book.phrase(k).title) for k in step.situational),
            current=i == situation.flow_step,
        )
        for i, step in enumerate(book.flow)
    ]
