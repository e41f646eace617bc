"""Find forbidden service phrases (服务忌语) in a text such as a complaint reply.

Matching ignores spaces and punctuation and folds full-width/half-width forms (NFKC) and
letter case, so 「这是公司规定 , 我没办法」 matches 「这是公司规定,我没办法」. ``XX`` in a
forbidden phrase is the seeds' blank: inside a phrase it matches up to
:data:`BLANK_CHARS` characters (「XX机器就这样」 finds 「这台机器就这样」); at either end
it is dropped, so the hit is the fixed words. Positions are indices into the ORIGINAL
text: ``text[hit.start:hit.end]`` is the matched passage.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hall_app.scripts.model import ScriptBook


@dataclass(frozen=True)
class ForbiddenHit:
    """One occurrence of a forbidden phrase: ``text[start:end] == matched``."""

    phrase: str
    start: int
    end: int
    matched: str


def _ignorable(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PZC"


def skeleton(text: str) -> tuple[str, list[int]]:
    """The comparable form of *text* and, per skeleton character, its index in *text*."""
    chars: list[str] = []
    origin: list[int] = []
    for index, original in enumerate(text):
        for ch in unicodedata.normalize("NFKC", original).casefold():
            if not _ignorable(ch):
                chars.append(ch)
                origin.append(index)
    return "".join(chars), origin


BLANK = "xx"  # the seeds' blank, after skeleton() (case folded)
BLANK_CHARS = 6


def _pattern(phrase: str) -> re.Pattern[str] | None:
    needle, _ = skeleton(phrase)
    parts = [p for p in needle.split(BLANK)]
    while parts and not parts[0]:
        parts.pop(0)
    while parts and not parts[-1]:
        parts.pop()
    if not parts:
        return None
    return re.compile(f".{{0,{BLANK_CHARS}}}?".join(re.escape(p) for p in parts))


def find_forbidden(book: ScriptBook, text: str) -> list[ForbiddenHit]:
    """Every occurrence of a forbidden phrase of *book* in *text*, ordered by position."""
    body, origin = skeleton(text)
    hits: list[ForbiddenHit] = []
    for phrase in book.forbidden:
        pattern = _pattern(phrase)
        if pattern is None:
            continue
        for m in pattern.finditer(body):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            hits.append(ForbiddenHit(phrase=phrase, start=start, end=end, matched=text[start:end]))
    hits.sort(key=lambda h: (h.start, -h.end, h.phrase))
    return hits
