"""证件唱收唱交 helper: which documents, returned or kept, and the phrase filled in."""

from __future__ import annotations

import pytest

from hall_app.errors import ValidationError
from hall_app.scripts import DocumentItem, document_exchange, load_scripts

BOOK = load_scripts()


def test_id_card_taken_and_returned_is_the_seeds_example() -> None:
    r = document_exchange(BOOK, [("身份证", "returned")])
    assert r.phrase == "收您身份证,这是您的身份证,请收好。"
    assert r.items == (DocumentItem("身份证", "returned"),)


def test_kept_documents_are_received_but_not_handed_back() -> None:
    r = document_exchange(BOOK, [("身份证", "returned"), ("业务单", "kept")], ["发票"])
    assert r.phrase == "收您身份证、业务单,这是您的身份证、发票,请收好。"
    assert r.received == ("身份证", "业务单") and r.given == ("身份证", "发票")


def test_everything_kept_says_only_what_was_received() -> None:
    assert document_exchange(BOOK, [("业务单", "kept")]).phrase == "收您业务单。"


def test_only_handing_over() -> None:
    assert document_exchange(BOOK, handed=["SIM卡", "合同"]).phrase == "这是您的SIM卡、合同,请收好。"


def test_names_are_trimmed_and_width_folded() -> None:
    r = document_exchange(BOOK, [("  ＳＩＭ卡 ", "returned")])
    assert r.items[0].name == "SIM卡"


@pytest.mark.parametrize(("received", "handed", "message"), [
    ([], [], "请至少填写一件"),
    ([("", "returned")], [], "请填写证件或单据的名称"),
    ([("身份证", "returned"), ("身份证", "kept")], [], "「身份证」重复"),
    ([("身份证、户口簿", "returned")], [], "分隔符号"),
    ([("很" * 21, "returned")], [], "太长"),
    ([("身份证", "handed")], [], "只能选择归还或留存"),
    ([(f"证件{i}", "kept") for i in range(11)], [], "最多登记10件"),
])
def test_bad_input_is_refused_in_chinese(received, handed, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        document_exchange(BOOK, received, handed)
    assert message in info.value.message
    assert info.value.field == "documents"


def test_the_same_name_may_be_taken_and_a_new_one_handed() -> None:
    # An old SIM card kept and a new SIM card handed over.
    r = document_exchange(BOOK, [("SIM卡", "kept")], ["SIM卡"])
    assert r.phrase == "收您SIM卡,这是您的SIM卡,请收好。"
