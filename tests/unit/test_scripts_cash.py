"""唱收唱交 and fee breakdown helpers: exact phrases, every bad input, a property test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_app.errors import ValidationError
from hall_app.scripts import cash_exchange, fee_breakdown, load_scripts
from hall_app.scripts.cash import format_yuan, from_fen, parse_amount, to_fen

BOOK = load_scripts()


def test_the_issue_example() -> None:
    result = cash_exchange("71.50", "100")
    assert result.phrase == "收您100.00元,找您28.50元,请点一下。"
    assert (result.due, result.received, result.change) == (
        Decimal("71.50"), Decimal("100.00"), Decimal("28.50"),
    )
    assert (result.due_fen, result.received_fen, result.change_fen) == (7150, 10000, 2850)


def test_exact_payment_says_zero_change() -> None:
    result = cash_exchange(Decimal("50"), 50)
    assert result.phrase == "收您50.00元,找您0.00元,请点一下。"
    assert result.change_fen == 0


def test_always_two_decimals() -> None:
    assert cash_exchange("8", "10.5").phrase == "收您10.50元,找您2.50元,请点一下。"
    assert cash_exchange("0.01", "100000").phrase == "收您100000.00元,找您99999.99元,请点一下。"


@pytest.mark.parametrize(("typed", "expected"), [
    (" 28.5 ", Decimal("28.50")),
    ("\uff12\uff18\uff0e\uff15", Decimal("28.50")),  # full-width digits and point
    ("¥28.50", Decimal("28.50")),
    ("\uffe528.50", Decimal("28.50")),  # full-width yuan sign
    ("28.50元", Decimal("28.50")),
    ("28。5", Decimal("28.50")),  # Chinese full stop typed as decimal point
    ("007", Decimal("7.00")),
    ("28.500", Decimal("28.50")),  # trailing zeros beyond fen are harmless
])
def test_friendly_input(typed: str, expected: Decimal) -> None:
    assert parse_amount(typed, field="received") == expected


def test_uses_the_books_wording(tmp_path: Path) -> None:
    text = BOOK.source.read_text(encoding="utf-8").replace(
        'text = "收您{received}元,找您{change}元,请点一下。"',
        'text = "应收{amount_due}元,收您{received}元,找您{change}元。"\n'
        'placeholders = ["amount_due", "received", "change"]',
    ).replace('placeholders = ["received", "change"]\n', "", 1)
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    book = load_scripts(path)
    assert cash_exchange("1", "2", book=book).phrase == "应收1.00元,收您2.00元,找您1.00元。"


@pytest.mark.parametrize(("due", "received", "field", "message"), [
    ("abc", "100", "amount_due", "应收金额「abc」不是有效的金额,请输入数字,例如 100 或 28.50。"),
    ("50", "一百", "received", "实收金额「一百」不是有效的金额,请输入数字,例如 100 或 28.50。"),
    ("1e3", "2000", "amount_due", "应收金额「1e3」不是有效的金额,请输入数字,例如 100 或 28.50。"),
    ("1,000", "2000", "amount_due",
     "应收金额「1,000」不是有效的金额,请输入数字,例如 100 或 28.50。"),
    ("", "100", "amount_due", "请输入应收金额。"),
    ("50", "  ", "received", "请输入实收金额。"),
    ("-5", "100", "amount_due", "应收金额不能是负数。"),
    ("50", "-100", "received", "实收金额不能是负数。"),
    (Decimal("-1"), "100", "amount_due", "应收金额不能是负数。"),
    ("10.005", "20", "amount_due", "应收金额最多只能有两位小数(精确到分)。"),
    ("10", "20.001", "received", "实收金额最多只能有两位小数(精确到分)。"),
    (Decimal("0.001"), "1", "amount_due", "应收金额最多只能有两位小数(精确到分)。"),
    ("0", "10", "amount_due", "应收金额必须大于0元。"),
    ("71.50", "50", "received", "实收金额50.00元少于应收金额71.50元,还差21.50元。"),
    ("100000.01", "200000", "amount_due", "应收金额超过上限100000.00元,请核对后重新输入。"),
    ("10", "100001", "received", "实收金额超过上限100000.00元,请核对后重新输入。"),
    (Decimal("NaN"), "1", "amount_due", "应收金额不是有效的金额。"),
])
def test_bad_input(due: str | Decimal, received: str, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        cash_exchange(due, received)
    assert info.value.field == field
    assert info.value.message == message


def test_configurable_cap() -> None:
    with pytest.raises(ValidationError) as info:
        cash_exchange("600", "600", cap=500)
    assert info.value.message == "应收金额超过上限500.00元,请核对后重新输入。"
    assert cash_exchange("600", "1000", cap=Decimal("1000")).change == Decimal("400.00")


def test_float_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        cash_exchange(1.5, "2")  # type: ignore[arg-type]


def test_fen_helpers() -> None:
    assert to_fen(Decimal("28.50")) == 2850
    assert from_fen(2850) == Decimal("28.50")
    assert format_yuan(from_fen(7)) == "0.07"
    with pytest.raises(ValueError):
        to_fen(Decimal("0.001"))


AMOUNTS_FEN = st.integers(min_value=1, max_value=100000 * 100)


@given(due_fen=AMOUNTS_FEN, extra_fen=st.integers(min_value=0, max_value=100000 * 100))
def test_property_due_plus_change_is_received(due_fen: int, extra_fen: int) -> None:
    received_fen = min(due_fen + extra_fen, 100000 * 100)
    due, received = from_fen(due_fen), from_fen(received_fen)
    result = cash_exchange(format_yuan(due), received)
    assert result.due + result.change == result.received == received
    assert result.due_fen + result.change_fen == result.received_fen == received_fen
    assert f"收您{format_yuan(received)}元" in result.phrase
    assert f"找您{format_yuan(received - due)}元" in result.phrase


# --- fee breakdown ---------------------------------------------------------

def test_fee_breakdown_phrase() -> None:
    result = fee_breakdown(BOOK, "宽带", "150", [("业务费", "100"), ("话费", Decimal("50"))])
    assert result.phrase == "您办的宽带业务总费用一共是150.00元,其中业务费100.00元,话费50.00元。"
    assert result.total_fen == 15000
    assert result.items_fen == (("业务费", 10000), ("话费", 5000))


def test_fee_breakdown_from_mapping_keeps_order() -> None:
    result = fee_breakdown(BOOK, "号卡", "30.5", {"话费": "20.50", "卡费": "10"})
    assert result.phrase == "您办的号卡业务总费用一共是30.50元,其中话费20.50元,卡费10.00元。"


@pytest.mark.parametrize(("business", "total", "items", "field", "message"), [
    ("宽带", "150", [("业务费", "100"), ("话费", "40")], "items",
     "各项费用合计140.00元,与总费用150.00元不一致。"),
    ("宽带", "150", [], "items", "请至少列出一项费用。"),
    ("", "150", [("业务费", "150")], "business", "请填写业务名称。"),
    ("宽带", "150", [(" ", "150")], "items", "每项费用都要写明名称。"),
    ("宽带", "abc", [("业务费", "150")], "total",
     "总费用「abc」不是有效的金额,请输入数字,例如 100 或 28.50。"),
    ("宽带", "150", [("业务费", "-150")], "items", "业务费金额不能是负数。"),
])
def test_fee_breakdown_errors(business: str, total: str, items: list[tuple[str, str]],
                              field: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        fee_breakdown(BOOK, business, total, items)
    assert info.value.field == field
    assert info.value.message == message


def test_fee_breakdown_does_not_say_business_twice() -> None:
    from hall_app.scripts import fee_breakdown, load_scripts

    r = fee_breakdown(load_scripts(), "宽带业务", "150", [("业务费", "100"), ("话费", "50")])
    assert r.phrase == "您办的宽带业务总费用一共是150.00元,其中业务费100.00元,话费50.00元。"
