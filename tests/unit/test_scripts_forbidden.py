"""Forbidden-phrase checker: positions in the original text, width/space tolerant."""

from __future__ import annotations

from pathlib import Path

from hall_app.scripts import find_forbidden, load_scripts
from hall_app.scripts.loader import default_script_path

BOOK = load_scripts()
# Full-width forms written as escapes so the intent survives any editor.
FW_COMMA, FW_QUESTION, FW_BANG, FW_SPACE, FW_PERIOD = "\uff0c", "\uff1f", "\uff01", "\u3000", "。"


def test_clean_text_has_no_hits() -> None:
    assert find_forbidden(BOOK, f"感谢您的支持{FW_COMMA}这件事我来处理{FW_COMMA}今天内给您答复。") == []
    assert find_forbidden(BOOK, "") == []


def test_simple_hit_with_positions() -> None:
    text = f"您好{FW_COMMA}我不知道这件事。"
    hits = find_forbidden(BOOK, text)
    assert [(h.phrase, h.start, h.end, h.matched) for h in hits] == [("我不知道", 3, 7, "我不知道")]


def test_full_width_comma_in_text_matches_list_entry() -> None:
    text = f"回复:这是公司规定{FW_COMMA}我没办法。"
    [hit] = find_forbidden(BOOK, text)
    assert hit.phrase == "这是公司规定,我没办法"
    assert (hit.start, hit.end) == (3, 14)
    assert hit.matched == f"这是公司规定{FW_COMMA}我没办法"


def test_half_width_comma_in_text_matches_too() -> None:
    text = "这是公司规定,我没办法"
    [hit] = find_forbidden(BOOK, text)
    assert (hit.start, hit.end, hit.matched) == (0, 11, text)


def test_spaces_and_other_punctuation_inside_are_tolerated() -> None:
    text = f"答:这是公司规定 {FW_PERIOD}{FW_SPACE}我 没办法"
    [hit] = find_forbidden(BOOK, text)
    assert hit.phrase == "这是公司规定,我没办法"
    assert hit.start == 2
    assert hit.end == len(text)
    assert hit.matched == f"这是公司规定 {FW_PERIOD}{FW_SPACE}我 没办法"


def test_full_width_question_mark_and_exclamation() -> None:
    text = f"这么简单的问题还问我{FW_BANG}你会不会{FW_COMMA}你怎么搞的{FW_QUESTION}"
    hits = find_forbidden(BOOK, text)
    assert [(h.phrase, h.matched) for h in hits] == [
        ("这么简单的问题还问我!", "这么简单的问题还问我"),
        ("你会不会,你怎么搞的?", f"你会不会{FW_COMMA}你怎么搞的"),
    ]
    assert [(h.start, h.end) for h in hits] == [(0, 10), (11, 21)]


def test_repeated_and_multiple_phrases_in_order() -> None:
    text = f"不可能{FW_BANG}我没空{FW_COMMA}真的不可能。"
    hits = find_forbidden(BOOK, text)
    assert [(h.phrase, h.start, h.end) for h in hits] == [
        ("不可能", 0, 3), ("我没空", 4, 7), ("不可能", 10, 13),
    ]


def test_line_breaks_inside_phrase() -> None:
    text = "反正我\n做不了"
    [hit] = find_forbidden(BOOK, text)
    assert (hit.phrase, hit.start, hit.end) == ("反正我做不了", 0, 7)


def test_full_width_latin_and_digits_are_folded() -> None:
    # The list entry 「有问题?关电复位就得了」 matched through a full-width question mark.
    text = f"有问题{FW_QUESTION}关电复位就得了"
    [hit] = find_forbidden(BOOK, text)
    assert (hit.start, hit.end) == (0, len(text))


def test_list_comes_from_the_script_book(tmp_path: Path) -> None:
    text = default_script_path().read_text(encoding="utf-8")
    path = tmp_path / "hall.toml"
    path.write_text(text.replace('"我没空",', '"我没空",\n    "下班了",'), encoding="utf-8")
    book = load_scripts(path)
    assert [h.phrase for h in find_forbidden(book, "不好意思下班了")] == ["下班了"]
    assert find_forbidden(BOOK, "不好意思下班了") == []


def test_xx_blank_matches_any_short_word() -> None:
    text = "回复:这台机器就这样,没办法。"
    hits = [(h.phrase, h.matched) for h in find_forbidden(BOOK, text)]
    assert hits == [("XX机器就这样", "机器就这样")]
    assert find_forbidden(BOOK, "机器已经修好了") == []


def test_seed_003_forbidden_lines_are_found() -> None:
    hits = {h.phrase for h in find_forbidden(BOOK, "你怎么用也不会?你懂不懂最基本的技巧?")}
    assert hits == {"你怎么用也不会?", "你懂不懂最基本的技巧?"}
