"""Small formatting helpers for durations and clock times shown on the overview."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def duration(seconds: float) -> str:
    """「12分05秒」 under an hour, 「1小时03分」 above."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes:02d}分"
    return f"{minutes}分{secs:02d}秒"


def minutes(seconds: float) -> str:
    return f"{max(0, int(seconds)) // 60}分钟"


def since(now: datetime, then: datetime | None) -> float:
    return 0.0 if then is None else (now - then).total_seconds()


def clock(when: datetime | None, tz: ZoneInfo) -> str:
    return "" if when is None else when.astimezone(tz).strftime("%H:%M")
