"""Chinese lines for `hall-app district status` (plain text for a DBA's terminal)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hall_app.district.status import HallSlot, SiteLink

LOCAL = ZoneInfo("Asia/Shanghai")


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "未知"
    if seconds < 60:
        return f"{seconds:.0f}秒"
    if seconds < 3600:
        return f"{seconds / 60:.0f}分钟"
    if seconds < 86400:
        return f"{seconds / 3600:.1f}小时"
    return f"{seconds / 86400:.1f}天"


def clock_text(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "—"
    local = when.astimezone(LOCAL)
    if local.date() == now.astimezone(LOCAL).date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%m-%d %H:%M")


def bytes_text(n: int | None) -> str:
    if n is None:
        return "未知"
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return f"{n}B"


def format_links(links: list[SiteLink], now: datetime) -> list[str]:
    lines = []
    for link in links:
        halls = "、".join(link.halls) or "尚无数据"
        errors = link.apply_errors + link.sync_errors
        lines.append(
            f"站点 {link.site_no}「{link.name}」 营业厅 {halls} | {link.state_label} | "
            f"复制延迟 {duration_text(link.lag_seconds(now))} | "
            f"数据截至 {clock_text(link.caught_up_at, now)} | "
            f"最近收到 {clock_text(link.last_received_at, now)}"
            + (f" | 出错 {errors} 次(见区域库日志)" if errors else ""))
    return lines


def format_slots(slots: list[HallSlot]) -> list[str]:
    return [f"复制槽 {s.slot}:{s.state_label},未确认 WAL {bytes_text(s.lag_bytes)}"
            + (f",距保留上限 {bytes_text(s.safe_wal_bytes)}" if s.safe_wal_bytes is not None
               else "")
            for s in slots]
