"""Hiding customer data in text that leaves the database: log records above all.

`redact` replaces mainland mobile numbers (with or without +86 and separators),
landline numbers with an area code, and resident ID numbers (18 characters, or the old
15 digits) by placeholders. Names and addresses cannot be recognised in free text, so
they must never reach a log in the first place: the engines hide bound parameters
(`hide_parameters=True`, db/engine.py) and the services log ids, never customer fields.
`RedactingFormatter` applies `redact` to the whole formatted record, traceback included.
"""

from __future__ import annotations

import logging
import re

PHONE_MARK = "[电话已隐去]"
ID_MARK = "[证件号已隐去]"

_ID = re.compile(r"(?<![0-9A-Za-z])(?:[1-9]\d{16}[0-9Xx]|[1-9]\d{14})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![\d])")
_LANDLINE = re.compile(r"(?<![\d])0\d{2,3}[- ]?\d{7,8}(?![\d])")


def redact(text: str) -> str:
    text = _ID.sub(ID_MARK, text)
    text = _MOBILE.sub(PHONE_MARK, text)
    return _LANDLINE.sub(PHONE_MARK, text)


class RedactingFormatter(logging.Formatter):
    """A Formatter whose output never holds a phone or ID number."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingFilter(logging.Filter):
    """For handlers with their own formatter: redacts the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
