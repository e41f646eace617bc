"""Mainland China phone numbers: validation, normal form, and masking for display.

    normalize_phone("138 1234 5678")   -> "13812345678"
    normalize_phone("(010)12345678")   -> "010-12345678"
    mask_phone("13812345678")          -> "138****5678"
    mask_phone("010-12345678")         -> "010-****5678"
    shown_phone(number, actor)         -> full number only for roles with VIEW_PHONE

Accepted: an 11-digit mobile number (1[3-9]…, optional +86/86 prefix) or a landline
with its area code (010 / 02x + 8 digits, 0xxx + 7 or 8 digits, optional extension).
Anything else is a `ValidationError(field="phone")` telling the clerk what is wrong.
No Qt, no database: the report engineer uses `mask_phone` for exports and print.
"""

from __future__ import annotations

import re
import unicodedata

from hall_app.errors import ValidationError

FIELD = "phone"
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()()—–.·]")


def _split_extension(raw: str) -> tuple[str, str | None]:
    """Separate a landline extension written as 转123, ext123, x123 or #123."""
    m = re.match(r"^(.*?)(?:转|ext\.?|x|#)\s*(\d{1,6})$", raw, re.IGNORECASE)
    if m:
        return m.group(1), m.group(2)
    return raw, None


def _landline(digits: str) -> str | None:
    """`0AAA…LLLL` → 'area-local' when the lengths fit a mainland landline, else None.

    "00" opens an international call, so no mainland area code starts with it.
    """
    if digits.startswith("00"):
        return None
    if len(digits) == 11 and (digits.startswith("010") or digits.startswith("02")):
        return f"{digits[:3]}-{digits[3:]}"
    if digits.startswith("0") and not digits.startswith(("01", "02")) and len(digits) in (11, 12):
        return f"{digits[:4]}-{digits[4:]}"
    return None


def normalize_phone(value: str | None) -> str:
    """The canonical form of a valid number; ValidationError (field 'phone') otherwise."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError("请填写客户联系电话。", field=FIELD)
    raw = unicodedata.normalize("NFKC", raw)  # full-width digits and brackets
    main, ext = _split_extension(raw)
    # A landline written "010-12345678-123": a short trailing group after two groups.
    groups = [g for g in re.split(r"[\s\-]+", main.strip()) if g]
    if ext is None and len(groups) == 3 and groups[0].startswith("0") and len(groups[2]) <= 6:
        ext, main = groups[2], "".join(groups[:2])
    compact = _SEPARATORS.sub("", main)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    if not compact.isdigit():
        raise ValidationError("电话号码只能包含数字(可用空格或“-”分隔)。", field=FIELD)
    if len(compact) == 13 and compact.startswith("86") and _MOBILE.fullmatch(compact[2:]):
        compact = compact[2:]
    if len(compact) in (7, 8) and not compact.startswith("0"):
        raise ValidationError("固定电话请加区号,如 010-12345678;手机号码应为11位。", field=FIELD)
    if compact.startswith("1"):
        if ext is not None:
            raise ValidationError("手机号码不能带分机号。", field=FIELD)
        if len(compact) != 11:
            raise ValidationError(
                f"手机号码应为11位,现在是{len(compact)}位,请核对。", field=FIELD)
        if not _MOBILE.fullmatch(compact):
            raise ValidationError("手机号码应以13–19开头,请核对。", field=FIELD)
        return compact
    if compact.startswith("0"):
        landline = _landline(compact)
        if landline is None:
            raise ValidationError(
                "固定电话格式不对:区号010、02X后接8位号码,其他区号(4位)后接7或8位号码,"
                "如 010-12345678、0571-8765432。", field=FIELD)
        return f"{landline}-{ext}" if ext else landline
    raise ValidationError("请输入11位手机号码,或带区号的固定电话(如 010-12345678)。", field=FIELD)


def is_valid_phone(value: str | None) -> bool:
    try:
        normalize_phone(value)
    except ValidationError:
        return False
    return True


def mask_phone(phone: str | None) -> str:
    """Hide the middle digits: 138****5678, 010-****5678, 0571-***5432 (pure, total).

    Unknown formats keep only their last four digits visible; empty stays empty.
    """
    if not phone:
        return ""
    text = phone.strip()
    if _MOBILE.fullmatch(text):
        return f"{text[:3]}****{text[7:]}"
    m = re.fullmatch(r"(0\d{2,3})-(\d{7,8})(?:-(\d{1,6}))?", text)
    if m:
        local = m.group(2)
        shown = f"{m.group(1)}-{'*' * (len(local) - 4)}{local[-4:]}"
        return shown  # the extension is dropped: it would only narrow the number down
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    keep = set(digits[-4:]) if len(digits) > 4 else set()
    return "".join(ch if (not ch.isdigit() or i in keep) else "*" for i, ch in enumerate(text))


def shown_phone(phone: str | None, actor: object) -> str:
    """The number as `actor` may see it: full with Permission.VIEW_PHONE, else masked."""
    from hall_app.domain.roles import Permission

    can = getattr(actor, "can", None)
    if can is not None and can(Permission.VIEW_PHONE):
        return phone or ""
    return mask_phone(phone)
