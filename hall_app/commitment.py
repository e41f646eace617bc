"""A service's commitment time: the XX of the farewell's 「XX业务会在XX时间内开通」.

Seed 004 says 不随意承诺: the clerk never makes the time up. Each service carries its
time in the hall configuration, written as a whole number and a unit:

    "30分钟"  "24小时"  "2天"  "3个工作日"      (工作日 alone is read as 个工作日)

Empty (or absent) means the service is finished on the spot and the farewell says no
time at all. :func:`parse_commitment` returns the stored form or raises ValueError with
a Chinese reason; callers wrap it in their own error (config file, admin form).
"""

from __future__ import annotations

import re
import unicodedata

UNITS = ("分钟", "小时", "天", "个工作日")
MAX_AMOUNT = 365
MAX_CHARS = 16
EXAMPLE = "例如「24小时」「3个工作日」「30分钟」;当场办结的业务留空"

_FORM = re.compile(r"^([0-9]{1,3})\s*(分钟|小时|天|个工作日|工作日)$")


def parse_commitment(raw: object) -> str | None:
    """The normalised commitment time for *raw*, None for none; ValueError if malformed."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError(f"开通时限应为文字,{EXAMPLE}")
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    m = _FORM.match(text)
    if m is None:
        raise ValueError(f"开通时限「{raw.strip()}」应写成数字加单位(分钟、小时、天或个工作日),"
                         f"{EXAMPLE}")
    amount = int(m.group(1))
    if not 1 <= amount <= MAX_AMOUNT:
        raise ValueError(f"开通时限的数字应在 1 到 {MAX_AMOUNT} 之间,{EXAMPLE}")
    unit = "个工作日" if m.group(2) == "工作日" else m.group(2)
    return f"{amount}{unit}"
