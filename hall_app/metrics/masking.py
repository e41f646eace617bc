"""Phone masking for print and export: `hall_app.phone.mask_phone` when present.

The fallback keeps the first three and last four digits of a long number and stars the
rest, so a report never shows a whole number even if the phone module is missing.
"""

from __future__ import annotations


def _fallback(phone: str | None) -> str:
    text = (phone or "").strip()
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(text)
    keep = set(digits[:3] + digits[-4:]) if len(digits) >= 10 else set(digits[-4:])
    return "".join(ch if (not ch.isdigit() or i in keep) else "*" for i, ch in enumerate(text))


def mask(phone: str | None) -> str:
    try:
        from hall_app.phone import mask_phone
    except ImportError:
        return _fallback(phone)
    try:
        return mask_phone(phone)
    except Exception:  # a malformed stored value must not break the report
        return _fallback(phone)
