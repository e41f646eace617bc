"""The span a summary covers: one business day, an ISO week or a calendar month.

    Period.day(date(2026, 11, 25))
    Period.parse_week("2026-W48")   # Monday 2026-11-23 … Sunday 2026-11-29
    Period.parse_month("2026-11")

Every figure of a week or month is computed over the tickets of all its days at once
(the week's median wait is the median of the week's customers, not a mean of daily
medians), with the same definitions as a day (docs/metrics.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from hall_app.errors import ValidationError

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Period:
    kind: str  # day | week | month
    first: date
    last: date

    @staticmethod
    def day(d: date) -> Period:
        return Period("day", d, d)

    @staticmethod
    def week_of(d: date) -> Period:
        monday = d - timedelta(days=d.weekday())
        return Period("week", monday, monday + timedelta(days=6))

    @staticmethod
    def month_of(d: date) -> Period:
        first = d.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return Period("month", first, nxt - timedelta(days=1))

    @staticmethod
    def parse_week(text: str) -> Period:
        """「2026-W48」 (ISO week; 「2026W48」 and 「2026-w48」 too)."""
        m = re.fullmatch(r"\s*(\d{4})-?[Ww](\d{1,2})\s*", text or "")
        if not m:
            raise ValidationError(f"周「{text}」格式应为 YYYY-Www,例如 2026-W48。", field="week")
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise ValidationError(f"{m.group(1)}年没有第{int(m.group(2))}周。",
                                  field="week") from None
        return Period.week_of(monday)

    @staticmethod
    def parse_month(text: str) -> Period:
        """「2026-11」."""
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValidationError(f"月份「{text}」格式应为 YYYY-MM,例如 2026-11。",
                                  field="month")
        return Period.month_of(date(int(m.group(1)), int(m.group(2)), 1))

    @property
    def days(self) -> tuple[date, ...]:
        n = (self.last - self.first).days + 1
        return tuple(self.first + timedelta(days=i) for i in range(n))

    @property
    def is_day(self) -> bool:
        return self.kind == "day"

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == "day":
            return Period.day(self.first - timedelta(days=1))
        if self.kind == "week":
            return Period.week_of(self.first - timedelta(days=7))
        return Period.month_of(self.first - timedelta(days=1))

    @property
    def key(self) -> str:
        """File-name stem: 2026-11-25, 2026-W48, 2026-11."""
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first.year}-{self.first.month:02d}"

    @property
    def title(self) -> str:
        """「营业日报」 / 「营业周报」 / 「营业月报」."""
        return {"day": "营业日报", "week": "营业周报", "month": "营业月报"}[self.kind]

    @property
    def label(self) -> str:
        """How the period is named on paper."""
        if self.kind == "day":
            return day_label(self.first)
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return (f"{year}年第{week}周({self.first.month}月{self.first.day}日—"
                    f"{self.last.month}月{self.last.day}日)")
        return f"{self.first.year}年{self.first.month}月"


def day_label(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日(星期{WEEKDAYS[d.weekday()]})"


def short_day(d: date) -> str:
    """「11-24(二)」 for comparison headers and trend axes."""
    return f"{d.month:02d}-{d.day:02d}({WEEKDAYS[d.weekday()]})"
