"""Choose what the clerk should see now: pure functions over a snapshot of the situation.

Rules of :func:`select_prompts`, in output order (all thresholds come from
:class:`Thresholds`):

1. a called/serving customer who waited longer than the service's long-wait threshold
   → ``long_wait_apology`` first, until the clerk marks it said (acknowledges it) or the
   greeting is over: it stays through steps 1 and 2 (积极的接近 and 了解需求, where the
   customer is greeted and sits down) and goes once the flow reaches step 3;
2. an active outage (hall-wide or this counter) → the outage notice (the duty manager's
   text if given, else ``outage_notice``), ``tell_waiting=True``, plus its do-reminder
   (tell everyone queueing and every newcomer); otherwise, if an outage ended within
   ``restored_notice_minutes`` → ``outage_restored``;
3. counter receiving, someone to say it to (a customer at the counter or in the queue)
   and at most ``closing_warning_minutes`` to closing (or past it) → ``closing_time``;
4. counter receiving and its queue longer than ``crowded_per_counter`` × the open
   counters that serve the same services (this one included) → ``crowded_counter``;
5. with a customer at the counter (or being seen off after finishing), the current
   five-step flow step: its do reminders, its warnings, then its phrases — a phrase whose
   required value is unknown (the farewell's commitment time) gives way to its fallback.

A say-prompt the clerk marked said carries ``said=True``; :func:`pick_phrase` tells the
caller what picking a phrase implies (an F7 offer with its reason, a helper to open).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from hall_app.scripts.model import Phrase, ScriptBook, business_word

PromptKind = Literal["say", "do", "warn"]

#: Counter states in which the clerk is not receiving customers.
INACTIVE_COUNTER_STATES = frozenset({"paused", "closed", "offline"})
#: Ticket states in which the customer is at (or walking to) the counter; "done" is a
#: ticket just finished whose customer is being seen off (step 5, from FlowTracker).
AT_COUNTER_TICKET_STATES = frozenset({"called", "serving", "done"})
#: The last flow step (0-based) of the greeting: the long-wait apology lasts through it.
GREETING_LAST_STEP = 1
#: Phrases whose picking opens a helper instead of being said as written.
HELPERS = {
    "cash_exchange": "cash", "fee_breakdown": "cash",
    "document_exchange": "documents", "document_receive": "documents",
    "document_hand_over": "documents",
}


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
    peer_open_counters: int = 1  # open counters serving any of these services, this one too
    flow_step: int = 0  # index into the five-step flow
    hotline: str | None = None
    counter_number: str | None = None
    honorific: str | None = None  # None shows the label 先生/小姐
    business: str | None = None  # the service's name (a trailing 业务 is dropped for {business})
    commitment: str | None = None  # the service's commitment time, e.g. "24小时": {duration}
    said: frozenset[str] = frozenset()  # phrase keys the clerk marked said for this customer

    @property
    def customer_at_counter(self) -> bool:
        return self.ticket_code is not None and self.ticket_state in AT_COUNTER_TICKET_STATES

    @property
    def receiving(self) -> bool:
        return self.counter_state not in INACTIVE_COUNTER_STATES

    @property
    def being_served(self) -> bool:
        """A called or serving customer (not one being seen off)."""
        return self.customer_at_counter and self.ticket_state != "done"

    def values(self) -> dict[str, object]:
        """Placeholder values known from the situation."""
        return {
            "ticket": self.ticket_code,
            "counter": self.counter_number,
            "hotline": self.hotline,
            "honorific": self.honorific,
            "business": business_word(self.business),
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
    said: bool = False  # the clerk marked this phrase said


@dataclass(frozen=True)
class Pick:
    """What picking a phrase from the palette means.

    ``escalation`` is the reason to prefill when offering F7 (call the duty manager);
    ``helper`` is ``"cash"`` or ``"documents"`` when the phrase is built by a helper.
    """

    key: str
    text: str
    escalation: str | None = None
    helper: str | None = None


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


def resolve(book: ScriptBook, key: str, values: dict[str, object]) -> Phrase:
    """Phrase *key*, or its fallback while one of its required values is unknown."""
    phrase = book.phrase(key)
    if phrase.fallback and any(values.get(name) in (None, "") for name in phrase.requires):
        return book.phrase(phrase.fallback)
    return phrase


def _phrase_prompts(phrase: Phrase, values: dict[str, object], *, tell_waiting: bool = False,
                    text: str | None = None, said: frozenset[str] = frozenset()
                    ) -> list[Prompt]:
    out = []
    if text or phrase.spoken:
        out.append(Prompt("say", phrase.key, text or phrase.render(values), tell_waiting,
                          phrase.title, phrase.key in said))
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
    if s.being_served and s.flow_step <= GREETING_LAST_STEP and s.waited_minutes is not None \
            and s.waited_minutes > limit and "long_wait_apology" not in s.said:
        out += _phrase_prompts(book.phrase("long_wait_apology"), values)

    if s.outage_active:
        notice = s.outage_notice.strip() if s.outage_notice and s.outage_notice.strip() else None
        out += _phrase_prompts(book.phrase("outage_notice"), values, tell_waiting=True,
                               text=notice)
    elif s.outage_ended_minutes_ago is not None \
            and 0 <= s.outage_ended_minutes_ago <= t.restored_notice_minutes:
        out += _phrase_prompts(book.phrase("outage_restored"), values, tell_waiting=True)

    someone_there = s.queue_length > 0 or s.customer_at_counter
    if s.receiving and someone_there and s.minutes_to_closing is not None \
            and s.minutes_to_closing <= t.closing_warning_minutes:
        out += _phrase_prompts(book.phrase("closing_time"), values,
                               tell_waiting=s.queue_length > 0, said=s.said)

    if s.receiving and s.queue_length > t.crowded_per_counter * max(s.peer_open_counters, 1):
        out += _phrase_prompts(book.phrase("crowded_counter"), values, tell_waiting=True,
                               said=s.said)

    if s.customer_at_counter:
        step = book.flow[s.flow_step]
        base = f"flow.{step.key}"
        out += [Prompt("do", f"{base}.do[{i}]", x, False, step.title)
                for i, x in enumerate(step.do)]
        out += [Prompt("warn", f"{base}.warn[{i}]", x, False, step.title)
                for i, x in enumerate(step.warn)]
        for key in step.say:
            out += _phrase_prompts(resolve(book, key, values), values, said=s.said)

    seen: set[str] = set()
    unique = []
    for prompt in out:
        if prompt.key not in seen:
            seen.add(prompt.key)
            unique.append(prompt)
    return unique


def _palette_prompt(book: ScriptBook, key: str, values: dict[str, object],
                    said: frozenset[str]) -> Prompt:
    """One palette entry: the phrase's words, or its reminder when it has none."""
    phrase = resolve(book, key, values)
    if phrase.spoken:
        return Prompt("say", phrase.key, phrase.render(values), False, phrase.title,
                      phrase.key in said)
    kind: PromptKind = "do" if phrase.do else "warn"
    return Prompt(kind, phrase.key, phrase.do or phrase.warn or "", False, phrase.title,
                  phrase.key in said)


def flow_steps(book: ScriptBook, situation: Situation) -> list[FlowStep]:
    """All five steps with their phrases rendered; ``current`` marks the situation's step."""
    _check_step(book, situation)
    values = situation.values()
    said = situation.said
    return [
        FlowStep(
            index=i, key=step.key, title=step.title, do=step.do, warn=step.warn,
            phrases=tuple(p for k in step.say
                          for p in _phrase_prompts(resolve(book, k, values), values, said=said)
                          if p.kind == "say"),
            situational=tuple(_palette_prompt(book, k, values, said) for k in step.situational),
            current=i == situation.flow_step,
        )
        for i, step in enumerate(book.flow)
    ]


def pick_phrase(book: ScriptBook, key: str, situation: Situation) -> Pick:
    """What the clerk picking phrase *key* implies: its text, an F7 offer, a helper."""
    values = situation.values()
    phrase = resolve(book, key, values)
    text = phrase.render(values) if phrase.spoken else (phrase.do or phrase.warn or "")
    escalation = book.phrase(key).escalate
    return Pick(phrase.key, text, escalation, HELPERS.get(key))
