"""Immutable data model of a loaded script book, and the phrase template mini-language.

A phrase text uses ``{name}`` placeholders (``{{`` and ``}}`` for literal braces).
Only the names in :data:`PLACEHOLDERS` exist; each maps to the Chinese label shown in
place of a value the caller did not supply (so the clerk sees what to fill in).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: Every placeholder a phrase may use, with the label rendered when no value is given.
PLACEHOLDERS: Mapping[str, str] = {
    "honorific": "先生/小姐",
    "ticket": "【票号】",
    "counter": "【窗口号】",
    "business": "【业务名称】",
    "alternative": "【可办理的业务】",
    "item": "【证件/物品】",
    "return_item": "【交还的证件/单据】",
    "amount_due": "【应收金额】",
    "received": "【实收金额】",
    "change": "【找零金额】",
    "total": "【总费用】",
    "fee_items": "【费用明细】",
    "fee_name": "【费用名称】",
    "fee_amount": "【费用金额】",
    "hotline": "【服务热线】",
    "duration": "【开通时限】",
    "minutes": "【分钟数】",
    "manager": "值班长",
}

_FORMATTER = string.Formatter()


def business_word(service_name: str | None) -> str | None:
    """A service name as the {business} of 「您办的XX业务…」: without a trailing 业务.

    The phrases already say 业务 after the blank, so 「宽带业务」 fills in as 「宽带」
    (「宽带业务会在…内开通」, not 「宽带业务业务…」). A name that is only 「业务」 stays.
    """
    if service_name is None:
        return None
    name = service_name.strip()
    return name[:-2] if name.endswith("业务") and len(name) > 2 else name


def parse_template(text: str) -> tuple[tuple[str, str | None], ...]:
    """Split *text* into ``(literal, placeholder-or-None)`` segments.

    Raises ValueError (English, for the loader to wrap) on unbalanced braces,
    positional fields, attribute/index access, conversions or format specs.
    """
    segments: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in _FORMATTER.parse(text):
        if name is None:
            segments.append((literal, None))
            continue
        if not name.isidentifier():
            raise ValueError(f"bad placeholder {{{name}}}")
        if spec or conversion:
            raise ValueError(f"placeholder {{{name}}} must not carry a format spec or conversion")
        segments.append((literal, name))
    return tuple(segments)


@dataclass(frozen=True)
class Phrase:
    """One scripted phrase: what to say (``text``), plus optional do / warn reminders.

    ``text`` is empty for a situation the seeds give no wording for (only do / warn).
    ``escalate`` is the reason offered for calling the duty manager (F7) when the clerk
    picks the phrase. While a value named in ``requires`` is unknown, the phrase called
    ``fallback`` is said instead (so the clerk never fills a blank by guessing).
    """

    key: str
    title: str
    text: str
    placeholders: frozenset[str]
    do: str | None = None
    warn: str | None = None
    escalate: str | None = None
    requires: frozenset[str] = frozenset()
    fallback: str | None = None
    segments: tuple[tuple[str, str | None], ...] = field(default=(), repr=False, compare=False)

    @property
    def spoken(self) -> bool:
        """Whether the phrase has words to say (not only reminders)."""
        return bool(self.text)

    @property
    def used_placeholders(self) -> frozenset[str]:
        return frozenset(name for _, name in self.segments if name is not None)

    def render(self, values: Mapping[str, object] | None = None) -> str:
        """Fill the placeholders; a missing or None value shows the placeholder's label."""
        values = values or {}
        out: list[str] = []
        for literal, name in self.segments:
            out.append(literal)
            if name is not None:
                value = values.get(name)
                out.append(PLACEHOLDERS.get(name, name) if value in (None, "") else str(value))
        return "".join(out)


@dataclass(frozen=True)
class FlowStepDef:
    """One step of the five-step service flow as written in the script file."""

    key: str
    title: str
    do: tuple[str, ...]
    warn: tuple[str, ...]
    say: tuple[str, ...]  # phrase keys, shown in order
    situational: tuple[str, ...]  # phrase keys offered as a palette during this step


@dataclass(frozen=True)
class CoachingCard:
    """How to treat one kind of difficult customer: what to do, say, and never say."""

    key: str
    title: str
    advice: tuple[str, ...]
    say: tuple[str, ...]
    never: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComplaintStep:
    """One of the six complaint-handling steps at the counter, with its phrases."""

    key: str
    title: str
    guidance: str
    say: tuple[str, ...]


@dataclass(frozen=True)
class SevenMore:
    """One item of the 「七个一点」 (seed 003 §三), with the seed's key sentence."""

    key: str
    text: str
    detail: str


@dataclass(frozen=True)
class ComplaintCategory:
    """A complaint category with its share of complaints in the published survey (0..1)."""

    code: str
    name: str
    share: float


@dataclass(frozen=True)
class ScriptBook:
    """Everything loaded from one validated script file."""

    source: Path
    name: str
    phrases: Mapping[str, Phrase]
    flow: tuple[FlowStepDef, ...]
    coaching_cards: tuple[CoachingCard, ...]
    complaint_steps: tuple[ComplaintStep, ...]
    complaint_pitfalls: tuple[str, ...]
    seven_more: tuple[SevenMore, ...]
    forbidden: tuple[str, ...]
    recommended: tuple[str, ...]
    principle: str
    complaint_categories: tuple[ComplaintCategory, ...]
    language_rules: tuple[str, ...] = ()
    document_suggestions: tuple[str, ...] = ()

    def coaching_card(self, key: str) -> CoachingCard:
        """The coaching card called *key*; KeyError if the book has none."""
        for card in self.coaching_cards:
            if card.key == key:
                return card
        raise KeyError(key)

    def phrase(self, key: str) -> Phrase:
        """The phrase called *key*; KeyError if the book has none."""
        return self.phrases[key]

    def render(self, key: str, values: Mapping[str, object] | None = None, /, **kw: object) -> str:
        """Render phrase *key* with *values* and/or keyword values."""
        merged: dict[str, object] = dict(values or {})
        merged.update(kw)
        return self.phrases[key].render(merged)
