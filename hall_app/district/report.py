"""The district report (no Qt): halls ranked per figure over a day, a week or a month.

Reads only rollups, never tickets: whole calendar months inside the period from
`month_rollup`, the days before and after them from `day_rollup`, so a year costs about
what a month does. The trend is per day up to two months, per month beyond.
For each figure the halls are ranked best first; the *bottom three* (at most half of
the halls that have data, so two halls never both count as "bottom"; never a hall tied
with a better-placed one) are marked. Each
hall's figure is compared with the previous period (for one day: the same weekday a
week before; a week: the week before; a month: the month before), and the district's
daily totals over the period give the trend chart.

    report = district_report(session, Period.week_of(date(2026, 11, 25)), now)
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from db.models import DayRollup, Hall, MonthRollup
from hall_app.errors import ValidationError
from hall_app.metrics.rollups import next_month

R = DayRollup
M = MonthRollup
DAILY_TREND_MAX_DAYS = 62
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Period:
    kind: str  # day | week | month | range
    start: date
    end: date  # inclusive

    @classmethod
    def day(cls, d: date) -> Period:
        return cls("day", d, d)

    @classmethod
    def week_of(cls, d: date) -> Period:
        monday = d - timedelta(days=d.weekday())
        return cls("week", monday, monday + timedelta(days=6))

    @classmethod
    def month_of(cls, d: date) -> Period:
        last = calendar.monthrange(d.year, d.month)[1]
        return cls("month", d.replace(day=1), d.replace(day=last))

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        if end < start:
            raise ValidationError("结束日期早于起始日期。", field="date")
        if (end - start).days > 3660:
            raise ValidationError("报表区间最长十年。", field="date")
        return cls("range", start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        if self.kind == "day":
            return Period("day", self.start - timedelta(days=7), self.start - timedelta(days=7))
        if self.kind == "week":
            return Period.week_of(self.start - timedelta(days=7))
        if self.kind == "month":
            return Period.month_of(self.start - timedelta(days=1))
        return Period("range", self.start - timedelta(days=self.days),
                      self.start - timedelta(days=1))

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if self.kind == "day":
            return f"{s.year}年{s.month}月{s.day}日(星期{WEEKDAYS[s.weekday()]})"
        if self.kind == "week":
            return f"{s.year}年第{s.isocalendar().week}周({s:%m-%d}至{e:%m-%d})"
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        return f"{s.isoformat()} 至 {e.isoformat()}"

    @property
    def comparison_label(self) -> str:
        return {"day": "上周同日", "week": "上周", "month": "上月"}.get(self.kind, "上一期")


@dataclass(frozen=True)
class HallTotals:
    """One hall's (or the district's) sums over a period."""

    code: str
    name: str
    days: int = 0
    arrived: int = 0
    served: int = 0
    walkaways: int = 0
    served_with_wait: int = 0
    within_target: int = 0
    wait_count: int = 0
    wait_sum_s: int = 0
    long_waits: int = 0  # customers whose first call came after 30 minutes or more
    complaints: int = 0
    complaints_overdue: int = 0
    outage_seconds: int = 0

    @property
    def service_level(self) -> float | None:
        return 100.0 * self.within_target / self.served_with_wait if self.served_with_wait \
            else None

    @property
    def walkaway_rate(self) -> float | None:
        return 100.0 * self.walkaways / self.arrived if self.arrived else None

    @property
    def mean_wait_minutes(self) -> float | None:
        return self.wait_sum_s / self.wait_count / 60 if self.wait_count else None

    @property
    def long_wait_share(self) -> float | None:
        return 100.0 * self.long_waits / self.wait_count if self.wait_count else None

    @property
    def complaints_per_thousand(self) -> float | None:
        return 1000.0 * self.complaints / self.arrived if self.arrived else None

    @property
    def outage_minutes(self) -> float | None:
        return self.outage_seconds / 60 if self.days else None

    @property
    def overdue_complaints(self) -> float | None:
        return float(self.complaints_overdue) if self.days else None

    def plus(self, other: HallTotals) -> HallTotals:
        return HallTotals(self.code, self.name, max(self.days, other.days), *(
            getattr(self, f) + getattr(other, f) for f in _SUMMED))


_SUMMED = ("arrived", "served", "walkaways", "served_with_wait", "within_target",
           "wait_count", "wait_sum_s", "long_waits", "complaints", "complaints_overdue",
           "outage_seconds")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    higher_is_better: bool
    value: Callable[[HallTotals], float | None] = field(compare=False, repr=False)
    digits: int = 1

    def text(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:.{self.digits}f}{self.unit}"


FIGURES: tuple[Figure, ...] = (
    Figure("service_level", "服务达标率", "%", True, lambda t: t.service_level),
    Figure("walkaway_rate", "弃号率", "%", False, lambda t: t.walkaway_rate),
    Figure("mean_wait", "平均等候", "分", False, lambda t: t.mean_wait_minutes),
    Figure("long_wait_share", "等候30分钟以上", "%", False, lambda t: t.long_wait_share),
    Figure("complaints_per_thousand", "千人投诉", "件", False,
           lambda t: t.complaints_per_thousand, 2),
    Figure("complaints_overdue", "投诉超时", "件", False, lambda t: t.overdue_complaints, 0),
    Figure("outage_minutes", "系统故障", "分", False, lambda t: t.outage_minutes, 0),
)


@dataclass(frozen=True)
class RankedValue:
    code: str
    name: str
    value: float | None
    rank: int | None  # 1 = best; None = no data
    bottom: bool
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class FigureRanking:
    figure: Figure
    rows: tuple[RankedValue, ...]  # best first; halls without data last
    district: float | None
    district_previous: float | None

    @property
    def bottom(self) -> tuple[RankedValue, ...]:
        return tuple(r for r in self.rows if r.bottom)

    def for_hall(self, code: str) -> RankedValue:
        return next(r for r in self.rows if r.code == code)

    def improved(self, r: RankedValue) -> bool | None:
        """True when the hall got better than in the previous period."""
        if r.change is None or r.change == 0:
            return None
        return (r.change > 0) == self.figure.higher_is_better


@dataclass(frozen=True)
class DayPoint:
    day: date
    arrived: int
    service_level: float | None
    walkaway_rate: float | None
    mean_wait_minutes: float | None


@dataclass(frozen=True)
class DistrictReport:
    period: Period
    previous: Period
    generated_at: datetime
    halls: tuple[HallTotals, ...]
    district: HallTotals
    district_previous: HallTotals
    rankings: tuple[FigureRanking, ...]
    trend: tuple[DayPoint, ...]
    monthly_trend: bool = False  # trend points are months (their first day), not days

    @property
    def has_data(self) -> bool:
        return self.district.days > 0

    def ranking(self, key: str) -> FigureRanking:
        return next(r for r in self.rankings if r.figure.key == key)


def bottom_count(with_data: int) -> int:
    """Three, but never more than half of the halls that have data."""
    return min(3, with_data // 2)


def rank(figure: Figure, halls: tuple[HallTotals, ...],
         previous: dict[str, HallTotals]) -> tuple[RankedValue, ...]:
    values = [(h, figure.value(h)) for h in halls]
    known = sorted(((h, v) for h, v in values if v is not None),
                   key=lambda hv: (-hv[1] if figure.higher_is_better else hv[1], hv[0].code))
    n_bottom = bottom_count(len(known))
    bottom: set[str] = set()
    if n_bottom:
        # The last n, except those tied with the hall just above them: a value shared
        # with a hall outside the bottom is not "bottom" (all equal → nobody is).
        above = known[len(known) - n_bottom - 1][1]
        bottom = {h.code for h, v in known[len(known) - n_bottom:] if v != above}
    rows = []
    position = 0
    last_value: float | None = None
    for i, (h, v) in enumerate(known, start=1):
        if v != last_value:  # equal values share a rank
            position, last_value = i, v
        prev = previous.get(h.code)
        rows.append(RankedValue(h.code, h.name, v, position, h.code in bottom,
                                figure.value(prev) if prev else None))
    for h, missing in values:
        if missing is None:
            prev = previous.get(h.code)
            rows.append(RankedValue(h.code, h.name, None, None, False,
                                    figure.value(prev) if prev else None))
    return tuple(rows)


def _day_sums() -> list:  # type: ignore[type-arg]
    return [func.count(), func.sum(R.arrived), func.sum(R.served),
            func.sum(R.no_show + R.walked_away + R.abandoned), func.sum(R.served_with_wait),
            func.sum(R.within_target), func.sum(R.wait_count), func.sum(R.wait_sum_s),
            func.sum(R.wait_lt45 + R.wait_lt60 + R.wait_ge60), func.sum(R.complaints),
            func.sum(R.complaints_overdue), func.sum(R.outage_seconds)]


def _month_sums() -> list:  # type: ignore[type-arg]
    return [func.sum(M.days), func.sum(M.arrived), func.sum(M.served),
            func.sum(M.no_show + M.walked_away + M.abandoned), func.sum(M.served_with_wait),
            func.sum(M.within_target), func.sum(M.wait_count), func.sum(M.wait_sum_s),
            func.sum(M.long_waits), func.sum(M.complaints), func.sum(M.complaints_overdue),
            func.sum(M.outage_seconds)]


def split_months(period: Period) -> tuple[list[date], list[tuple[date, date]]]:
    """The calendar months wholly inside `period`, and the day ranges left over."""
    first = period.start if period.start.day == 1 else next_month(period.start)
    months = []
    while first <= period.end and next_month(first) - timedelta(days=1) <= period.end:
        months.append(first)
        first = next_month(first)
    if not months:
        return [], [(period.start, period.end)]
    edges = []
    if period.start < months[0]:
        edges.append((period.start, months[0] - timedelta(days=1)))
    after = next_month(months[-1])
    if after <= period.end:
        edges.append((after, period.end))
    return months, edges


def _in_ranges(col, ranges: list[tuple[date, date]]):  # type: ignore[no-untyped-def]
    return or_(*(and_(col >= a, col <= b) for a, b in ranges))


def _totals(code: str, name: str, sums: list) -> HallTotals:  # type: ignore[type-arg]
    return HallTotals(code, name, *(int(v or 0) for v in sums))


def period_totals(s: Session, period: Period, names: dict[int, tuple[str, str]], *,
                  with_months: bool = False
                  ) -> tuple[dict[int, HallTotals], dict[date, HallTotals]]:
    """Per hall and, `with_months`, per calendar month (district-wide).

    Whole months come from `month_rollup` (grouped by hall; and by month); the leftover
    days from `day_rollup`, grouped by hall and by which end of the period they lie at
    (each end lies within one month). A handful of rows per hall, whatever the length.
    """
    months, edges = split_months(period)
    width = len(_SUMMED) + 1  # days, then the summed figures
    hall_sums: dict[int, list[int]] = {}
    month_sums: dict[date, list[int]] = {}

    def add(target: list[int], sums: tuple) -> None:  # type: ignore[type-arg]
        for i, v in enumerate(sums):
            target[i] += int(v or 0)

    if months:
        in_months = and_(M.month >= months[0], M.month <= months[-1])
        for hall_id, *sums in s.execute(select(M.hall_id, *_month_sums()).where(in_months)
                                        .group_by(M.hall_id)).all():
            if hall_id in names:
                add(hall_sums.setdefault(hall_id, [0] * width), tuple(sums))
        if with_months:
            for month, *sums in s.execute(select(M.month, *_month_sums()).where(in_months)
                                          .group_by(M.month)).all():
                add(month_sums.setdefault(month, [0] * width), tuple(sums))
    if edges:
        head_end = months[0] if months else period.end + timedelta(days=1)
        side = case((R.business_day < head_end, 0), else_=1).label("side")
        for hall_id, at_tail, *sums in s.execute(
                select(R.hall_id, side, *_day_sums())
                .where(_in_ranges(R.business_day, edges))
                .group_by(R.hall_id, side)).all():
            if hall_id not in names:
                continue
            add(hall_sums.setdefault(hall_id, [0] * width), tuple(sums))
            if with_months:
                month = edges[-1 if at_tail else 0][0].replace(day=1)
                add(month_sums.setdefault(month, [0] * width), tuple(sums))
    per_hall = {hid: HallTotals(*names[hid], *v) for hid, v in hall_sums.items()}
    per_month = {m: HallTotals("", "", *v) for m, v in month_sums.items()}
    return per_hall, per_month


def _point(day: date, t: HallTotals) -> DayPoint:
    return DayPoint(day, t.arrived, t.service_level, t.walkaway_rate, t.mean_wait_minutes)


def daily_trend(s: Session, period: Period) -> tuple[DayPoint, ...]:
    rows = s.execute(select(R.business_day, *_day_sums())
                     .where(R.business_day >= period.start, R.business_day <= period.end)
                     .group_by(R.business_day).order_by(R.business_day)).all()
    return tuple(_point(day, _totals("", "", sums)) for day, *sums in rows)


def _combined(totals: list[HallTotals], name: str) -> HallTotals:
    out = HallTotals("", name)
    for t in totals:
        out = out.plus(t)
    return out


def district_report(s: Session, period: Period, now: datetime) -> DistrictReport:
    """The report for `period` from the rollups in `s`'s database."""
    names = {int(i): (str(c), str(n)) for i, c, n in
             s.execute(select(Hall.id, Hall.code, Hall.name).order_by(Hall.code))}
    previous = period.previous()
    monthly = period.days > DAILY_TREND_MAX_DAYS
    current, by_month = period_totals(s, period, names, with_months=monthly)
    before, _ = period_totals(s, previous, names)
    halls = tuple(current.get(hid, HallTotals(code, name)) for hid, (code, name) in
                  names.items())
    prev_by_code = {t.code: t for t in before.values()}
    rankings = []
    district = _combined(list(current.values()), "全区域")
    district_prev = _combined(list(before.values()), "全区域")
    for figure in FIGURES:
        rankings.append(FigureRanking(figure, rank(figure, halls, prev_by_code),
                                      figure.value(district) if district.days else None,
                                      figure.value(district_prev) if district_prev.days
                                      else None))
    if monthly:  # long periods: one point per month, from the sums already read
        points = tuple(_point(m, by_month[m]) for m in sorted(by_month))
    else:
        points = daily_trend(s, period) if period.days > 1 else ()
    return DistrictReport(period, previous, now, halls, district, district_prev,
                          tuple(rankings), points, monthly_trend=monthly)
