"""How the report writes numbers: decimal, rounded half up, never binary-float `:.1f`.

99.25 minutes prints 99.3 (Python's `f"{99.25:.1f}"` gives 99.2). Whole seconds and fen
stay integers until they are printed; a float (an SQL average) is read through its
shortest repr, so 99.25 is the decimal 99.25 and not 99.2499999….

    minutes(5955)          -> "99.3"      seconds → minutes, one decimal
    duration(30)           -> "30秒"      under a minute in seconds, else minutes
    percent(21, 31)        -> "67.7%"     a share of two counts
    points(Decimal("2.5")) -> "+2.5个百分点"
    yuan(15000)            -> "150.00"
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NO_DATA = "—"
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")


def to_decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def half_up(value: int | float | Decimal, places: int = 1) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def minutes_value(seconds: int | float | Decimal | None) -> Decimal | None:
    """Seconds as minutes, rounded half up to one decimal (None stays None)."""
    if seconds is None:
        return None
    return (to_decimal(seconds) / 60).quantize(_TENTH, rounding=ROUND_HALF_UP)


def minutes(seconds: int | float | Decimal | None) -> str:
    value = minutes_value(seconds)
    return NO_DATA if value is None else str(value)


def mean_seconds(total: int, count: int) -> Decimal | None:
    """Exact mean of whole seconds (the sum is an integer, so no float on the way)."""
    if not count:
        return None
    return Decimal(total) / Decimal(count)


def duration(seconds: int | float | Decimal | None) -> str:
    """「30秒」 under a minute, else 「12.5分钟」 (an outage of 30 s is not 0 minutes)."""
    if seconds is None:
        return NO_DATA
    value = to_decimal(seconds)
    if value < 60:
        return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP)}秒"
    return f"{minutes(value)}分钟"


def hours_minutes(seconds: int | float | Decimal | None) -> str:
    """「7:35」 (hours and whole minutes, minutes rounded half up)."""
    if not seconds:
        return "0:00"
    total = int((to_decimal(seconds) / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{total // 60}:{total % 60:02d}"


def ratio_value(part: int | float | Decimal, whole: int | float | Decimal) -> Decimal | None:
    """100 · part ÷ whole rounded half up to one decimal, None when whole is 0."""
    if not whole:
        return None
    return (to_decimal(part) * 100 / to_decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def percent(part: int | float | Decimal, whole: int | float | Decimal) -> str:
    value = ratio_value(part, whole)
    return NO_DATA if value is None else f"{value}%"


def percent_value(value: Decimal | None) -> str:
    return NO_DATA if value is None else f"{half_up(value)}%"


def yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(_CENT, rounding=ROUND_HALF_UP))


def signed(value: Decimal, unit: str = "") -> str:
    """「+1.5分」 / 「−3人」 / 「0」: a change with its sign (a real minus sign)."""
    if value == 0:
        return f"0{unit}"
    sign = "+" if value > 0 else "−"
    return f"{sign}{abs(value)}{unit}"


def points(value: Decimal) -> str:
    """A change of a percentage, in percentage points."""
    return signed(half_up(value), "个百分点")
