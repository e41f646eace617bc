"""Announcement texts and the digit-by-digit speakable form (pure, no Qt)."""

import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_app import announce


def test_no_qt_in_core_module() -> None:
    source = announce.__file__
    with open(source, encoding="utf-8") as fh:
        assert "PySide6" not in fh.read()


def test_call_announcement() -> None:
    assert announce.call_announcement("A012", 3) == "请A012号顾客到3号窗口办理"


def test_ticket_taken_announcement() -> None:
    assert announce.ticket_taken_announcement("A005", 3) == "您已领取A005号,前方等待3人"
    with pytest.raises(ValueError):
        announce.ticket_taken_announcement("A005", -1)


def test_custom_template() -> None:
    text = announce.call_announcement("B101", 12, template="{ticket}号请到{counter}号窗口")
    assert text == "B101号请到12号窗口"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A012", "A零一二"),
        ("请A012号顾客到3号窗口办理", "请A零一二号顾客到3号窗口办理"),
        ("您已领取b105号,前方等待12人", "您已领取B一零五号,前方等待12人"),
        ("VIP3号", "VIP三号"),
        ("编号007", "编号零零七"),
        ("前方等待10人", "前方等待10人"),
    ],
)
def test_speakable(text: str, expected: str) -> None:
    assert announce.speakable(text) == expected


@given(letter=st.sampled_from("ABCDEFGHJK"), number=st.integers(0, 999))
def test_speakable_ticket_code_has_no_arabic_digits(letter: str, number: int) -> None:
    code = f"{letter}{number:03d}"
    spoken = announce.speakable(announce.call_announcement(code, 5))
    assert spoken.startswith(f"请{letter}")
    digits = spoken[2:5]
    assert [announce.DIGIT_WORDS.index(d) for d in digits] == [int(c) for c in f"{number:03d}"]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_espeak_reads_each_digit() -> None:
    """espeak-ng's Mandarin voice says 零 一 二 (three syllables), not 零十二."""
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", "cmn-latn-pinyin", announce.speakable("A012号")],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    syllables = [s.strip() for s in phonemes.split("_|") if s.strip()]
    assert len(syllables) == 5  # A, 零, 一, 二, 号
