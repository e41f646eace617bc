"""Money helpers for the counter: 唱收唱交 (cash exchange) and the fee breakdown.

Amounts are yuan as ``Decimal`` with fen precision (two decimals); every result also
carries the exact integer number of fen for storage.

Formatting rule: an amount is always written with exactly two decimals, half-width
digits, no thousands separator and no currency sign, e.g. ``100`` → ``100.00``,
``28.5`` → ``28.50``, ``0`` → ``0.00``; the phrase adds 元 itself:
「收您100.00元,找您28.50元,请点一下。」 (wording from the script file).

Typed input is forgiving: surrounding spaces, full-width digits (１００), a leading ¥/￥,
a trailing 元 and the Chinese full stop 。 typed as decimal point are accepted. Trailing
zeros beyond fen are harmless (``28.500`` is 28.50) but ``28.505`` is rejected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from hall_app.errors import ValidationError
from hall_app.scripts.loader import default_book
from hall_app.scripts.model import ScriptBook, business_word

Amount = str | Decimal | int

FEN = Decimal("0.01")
DEFAULT_CAP = Decimal("100000")
FEE_ITEM_SEPARATOR = ","

FIELD_LABELS = {
    "amount_due": "应收金额",
    "received": "实收金额",
    "total": "总费用",
    "items": "费用明细",
}

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def format_yuan(amount: Decimal) -> str:
    """``Decimal('28.5')`` → ``'28.50'`` (see the module docstring for the rule)."""
    return f"{amount.quantize(FEN):f}"


def to_fen(amount: Decimal) -> int:
    """Exact integer fen of a fen-precise amount; ValueError if it has finer precision."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of fen")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    """Integer fen back to yuan: ``2850`` → ``Decimal('28.50')``."""
    return (Decimal(fen) / 100).quantize(FEN)


def parse_amount(value: Amount, *, field: str, cap: Amount = DEFAULT_CAP,
                 label: str | None = None, positive: bool = False) -> Decimal:
    """Validate one amount in yuan and return it as a Decimal quantized to fen.

    Raises ValidationError (Chinese message, ``field`` = *field*) for empty, non-numeric,
    negative, sub-fen or over-cap input, and for zero when *positive* is set.
    """
    name = label or FIELD_LABELS.get(field, "金额")
    limit = _cap(cap)
    if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
        raise TypeError(f"amount must be str, Decimal or int, not {type(value).__name__}")
    if isinstance(value, str):
        amount = _parse_text(value, name, field)
    else:
        amount = Decimal(value)
        if not amount.is_finite():
            raise ValidationError(f"{name}不是有效的金额。", field=field)
        if amount < 0:
            raise ValidationError(f"{name}不能是负数。", field=field)
    # The cap first: quantizing a 28+ digit number would overflow Decimal's precision.
    if amount > limit:
        raise ValidationError(f"{name}超过上限{format_yuan(limit)}元,请核对后重新输入。",
                              field=field)
    if amount != amount.quantize(FEN):
        raise ValidationError(f"{name}最多只能有两位小数(精确到分)。", field=field)
    if positive and amount == 0:
        raise ValidationError(f"{name}必须大于0元。", field=field)
    return amount.quantize(FEN)


def _cap(cap: Amount) -> Decimal:
    limit = Decimal(str(cap))
    if not limit.is_finite() or limit <= 0:
        raise ValueError(f"cap must be a positive amount, got {cap!r}")
    return limit


def _parse_text(raw: str, name: str, field: str) -> Decimal:
    text = unicodedata.normalize("NFKC", raw).strip().replace("。", ".")
    text = text.removeprefix("¥").removesuffix("元").strip()
    if not text:
        raise ValidationError(f"请输入{name}。", field=field)
    if text[0] in "-−":
        raise ValidationError(f"{name}不能是负数。", field=field)
    if not _NUMBER.fullmatch(text):
        raise ValidationError(
            f"{name}「{raw.strip()}」不是有效的金额,请输入数字,例如 100 或 28.50。", field=field
        )
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guarantees a number
        raise ValidationError(f"{name}不是有效的金额。", field=field) from exc


@dataclass(frozen=True)
class CashResult:
    """Outcome of a cash exchange: amounts in yuan, the same in fen, and the phrase to say."""

    due: Decimal
    received: Decimal
    change: Decimal
    due_fen: int
    received_fen: int
    change_fen: int
    phrase: str


def cash_exchange(due: Amount, received: Amount, *, cap: Amount = DEFAULT_CAP,
                  book: ScriptBook | None = None) -> CashResult:
    """唱收唱交: validate *due* and *received*, compute the change and the phrase.

    *book* supplies the wording (phrase ``cash_exchange``); default: the shipped file.
    """
    due_d = parse_amount(due, field="amount_due", cap=cap, positive=True)
    received_d = parse_amount(received, field="received", cap=cap)
    if received_d < due_d:
        raise ValidationError(
            f"实收金额{format_yuan(received_d)}元少于应收金额{format_yuan(due_d)}元,"
            f"还差{format_yuan(due_d - received_d)}元。",
            field="received",
        )
    change = received_d - due_d
    phrase = (book or default_book()).render(
        "cash_exchange",
        amount_due=format_yuan(due_d), received=format_yuan(received_d), change=format_yuan(change),
    )
    return CashResult(
        due=due_d, received=received_d, change=change,
        due_fen=to_fen(due_d), received_fen=to_fen(received_d), change_fen=to_fen(change),
        phrase=phrase,
    )


@dataclass(frozen=True)
class FeeBreakdown:
    """A checked fee breakdown: total and items in yuan and fen, and the phrase to say."""

    business: str
    total: Decimal
    total_fen: int
    items: tuple[tuple[str, Decimal], ...]
    items_fen: tuple[tuple[str, int], ...]
    phrase: str


def fee_breakdown(book: ScriptBook, business: str, total: Amount,
                  items: Sequence[tuple[str, Amount]] | Mapping[str, Amount], *,
                  cap: Amount = DEFAULT_CAP) -> FeeBreakdown:
    """「您办的{business}业务总费用一共是…元,其中业务费…元,话费…元。」

    *items* are ``(name, amount)`` pairs (or a mapping) in the order to say them; they
    must add up exactly to *total*, otherwise ValidationError(field="items").
    """
    if not isinstance(business, str) or not business.strip():
        raise ValidationError("请填写业务名称。", field="business")
    total_d = parse_amount(total, field="total", cap=cap)
    pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
    if not pairs:
        raise ValidationError("请至少列出一项费用。", field="items")
    checked: list[tuple[str, Decimal]] = []
    for name, amount in pairs:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("每项费用都要写明名称。", field="items")
        checked.append((name.strip(), parse_amount(amount, field="items", cap=cap,
                                                   label=f"{name.strip()}金额")))
    subtotal = sum((a for _, a in checked), Decimal("0"))
    if subtotal != total_d:
        raise ValidationError(
            f"各项费用合计{format_yuan(subtotal)}元,与总费用{format_yuan(total_d)}元不一致。",
            field="items",
        )
    fee_items = FEE_ITEM_SEPARATOR.join(
        book.render("fee_item", fee_name=n, fee_amount=format_yuan(a)) for n, a in checked
    )
    phrase = book.render("fee_breakdown", business=business_word(business),
                         total=format_yuan(total_d), fee_items=fee_items)
    return FeeBreakdown(
        business=business.strip(), total=total_d, total_fen=to_fen(total_d),
        items=tuple(checked), items_fen=tuple((n, to_fen(a)) for n, a in checked),
        phrase=phrase,
    )
