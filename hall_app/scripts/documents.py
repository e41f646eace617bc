"""证件唱收唱交: the documents taken from and handed to a customer, and the phrase to say.

    r = document_exchange(book, received=[("身份证", "returned"), ("业务单", "kept")],
                          handed=["发票"])
    r.phrase   # 「收您身份证、业务单,这是您的身份证、发票,请收好。」
    r.items    # (DocumentItem("身份证", "returned"), DocumentItem("业务单", "kept"),
               #  DocumentItem("发票", "handed"))

Each received document is either handed back (``returned``) or kept by the hall
(``kept``); ``handed`` documents are new ones given to the customer (receipt, contract,
SIM card). The wording comes from the script file: ``document_exchange`` when something
is taken and something given back, ``document_receive`` when everything is kept,
``document_hand_over`` when nothing is taken. Names are what the clerk picks or types
(never a customer's data: no ID numbers). No Qt, no database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from hall_app.errors import ValidationError
from hall_app.scripts.model import ScriptBook

DISPOSITIONS = {"returned": "归还", "kept": "留存", "handed": "交给客户"}
NAME_SEPARATOR = "、"
MAX_NAME_CHARS = 20
MAX_ITEMS = 10


@dataclass(frozen=True)
class DocumentItem:
    """One document in an exchange and what happened to it."""

    name: str
    disposition: str  # returned | kept | handed


@dataclass(frozen=True)
class DocumentExchange:
    """A checked exchange: its documents and the phrase to say."""

    items: tuple[DocumentItem, ...]
    phrase: str

    @property
    def received(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.items if i.disposition != "handed")

    @property
    def given(self) -> tuple[str, ...]:
        """What the customer gets: their documents handed back, then new ones."""
        return tuple(i.name for i in self.items if i.disposition in ("returned", "handed"))


def clean_name(raw: object, field: str = "documents") -> str:
    """A document name as typed, checked: non-empty, short, no separator inside."""
    if not isinstance(raw, str):
        raise ValidationError("证件或单据名称应为文字。", field=field)
    name = unicodedata.normalize("NFKC", raw).strip()
    if not name:
        raise ValidationError("请填写证件或单据的名称。", field=field)
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(f"证件或单据名称「{name[:MAX_NAME_CHARS]}…」太长,"
                              f"最多{MAX_NAME_CHARS}个字。", field=field)
    if NAME_SEPARATOR in name or "," in name:
        raise ValidationError(f"「{name}」中含有分隔符号,请一件一件分别填写。", field=field)
    return name


def check_items(items: Sequence[DocumentItem]) -> tuple[DocumentItem, ...]:
    """Validate a list of items (names, dispositions, duplicates, count)."""
    if not items:
        raise ValidationError("请至少填写一件收到或交给客户的证件或单据。", field="documents")
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"一次最多登记{MAX_ITEMS}件证件或单据。", field="documents")
    out: list[DocumentItem] = []
    seen: set[tuple[str, bool]] = set()
    for item in items:
        if item.disposition not in DISPOSITIONS:
            raise ValidationError(f"「{item.disposition}」不是有效的处理方式"
                                  "(归还、留存或交给客户)。", field="documents")
        name = clean_name(item.name)
        key = (name, item.disposition == "handed")
        if key in seen:
            raise ValidationError(f"「{name}」重复填写了。", field="documents")
        seen.add(key)
        out.append(DocumentItem(name, item.disposition))
    return tuple(out)


def document_exchange(book: ScriptBook, received: Sequence[tuple[str, str]] = (),
                      handed: Sequence[str] = ()) -> DocumentExchange:
    """唱收唱交 for documents: validate, then render the phrase from *book*.

    *received* are ``(name, "returned" | "kept")`` pairs; *handed* are names of new
    documents given to the customer. ValidationError (field ``documents``) on bad input.
    """
    for _, disposition in received:
        if disposition not in ("returned", "kept"):
            raise ValidationError("收到的证件只能选择归还或留存。", field="documents")
    items = check_items([DocumentItem(n, d) for n, d in received]
                        + [DocumentItem(n, "handed") for n in handed])
    return DocumentExchange(items, exchange_phrase(book, items))


def exchange_phrase(book: ScriptBook, items: Sequence[DocumentItem]) -> str:
    """The phrase for checked *items* (see the module docstring for which one)."""
    taken = NAME_SEPARATOR.join(i.name for i in items if i.disposition != "handed")
    given = NAME_SEPARATOR.join(i.name for i in items
                                if i.disposition in ("returned", "handed"))
    if taken and given:
        return book.render("document_exchange", item=taken, return_item=given)
    if taken:
        return book.render("document_receive", item=taken)
    return book.render("document_hand_over", return_item=given)
