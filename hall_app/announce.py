"""Texts spoken by the hall display and the kiosk, and making them speakable.

Pure functions, no Qt: the core chooses the words, ``ui.voice.Announcer`` speaks them.
The templates are defaults; a caller may pass the hall's own wording (loaded from
resources) with the same ``{ticket}`` / ``{counter}`` / ``{ahead}`` fields.
"""

from __future__ import annotations

import re

CALL_TEMPLATE = "请{ticket}号顾客到{counter}号窗口办理"
TICKET_TAKEN_TEMPLATE = "您已领取{ticket}号,前方等待{ahead}人"

DIGIT_WORDS = "零一二三四五六七八九"

# A ticket code: Latin letters followed by digits ("A012", "VIP3"), not inside a longer word.
_TICKET_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]+)([0-9]+)(?![0-9])")
# A number written with leading zeros ("007"), which only makes sense digit by digit.
_ZERO_LED = re.compile(r"(?<![0-9])0[0-9]+")


def call_announcement(ticket_code: str, counter_number: int | str, template: str = CALL_TEMPLATE) -> str:
    """「请A012号顾客到3号窗口办理」 — what the display says (and shows) when a ticket is called."""
    return template.format(ticket=ticket_code, counter=counter_number)


def ticket_taken_announcement(ticket_code: str, ahead: int, template: str = TICKET_TAKEN_TEMPLATE) -> str:
    """「您已领取A005号,前方等待3人」 — what the kiosk says when a ticket is printed."""
    if ahead < 0:
        raise ValueError(f"ahead must be >= 0, got {ahead}")
    return template.format(ticket=ticket_code, ahead=ahead)


def spell_digits(digits: str) -> str:
    """"012" -> "零一二": each digit as its own Chinese word."""
    return "".join(DIGIT_WORDS[int(d)] for d in digits)


def speakable(text: str) -> str:
    """Rewrite `text` so a Chinese speech engine reads ticket numbers digit by digit.

    Ticket codes keep their letters and get Chinese digit words ("A012" -> "A零一二");
    numbers with leading zeros are spelled the same way. Other numbers ("3号窗口",
    "前方等待12人") stay as they are: engines read them as amounts (三, 十二), which
    is how people say counter numbers and counts.

    Why: espeak-ng's Mandarin voice reads "A012" as "A 零十二"; with digit words
    it says "A 零 一 二" (checked with ``espeak-ng -v cmn-latn-pinyin -x``).
    """
    text = _TICKET_CODE.sub(lambda m: m.group(1).upper() + spell_digits(m.group(2)), text)
    return _ZERO_LED.sub(lambda m: spell_digits(m.group(0)), text)
