"""Every headline figure once: its label, unit, which way is better, and how to read it
from a `Headline`. The headline table, the comparison table (value, change, arrow) and
the CSV all take their rows from `FIGURES`, so a figure is printed and compared the same
way everywhere (definitions: docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from hall_app.metrics.model import Headline, Stats
from hall_app.metrics.numbers import (
    NO_DATA,
    half_up,
    mean_seconds,
    minutes_value,
    points,
    signed,
    to_decimal,
    yuan,
)

UP, DOWN = "up", "down"  # which direction is better; None: neither


def _count(fn: Callable[[Headline], int]) -> Callable[[Headline], Decimal | None]:
    return lambda h: Decimal(fn(h))


def _minutes(fn: Callable[[Headline], float | int | Decimal | None]
             ) -> Callable[[Headline], Decimal | None]:
    return lambda h: minutes_value(fn(h))


def _mean(fn: Callable[[Headline], Stats]) -> Callable[[Headline], Decimal | None]:
    return lambda h: minutes_value(mean_seconds(fn(h).total, fn(h).count))


def _money(fn: Callable[[Headline], int]) -> Callable[[Headline], Decimal | None]:
    return lambda h: Decimal(fn(h)) / 100


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str  # 人 张 次 件 笔 | % | 分 | 元
    better: str | None
    value: Callable[[Headline], Decimal | None]

    def text(self, h: Headline) -> str:
        return format_value(self.unit, self.value(h))

    def change(self, now: Headline, before: Headline) -> tuple[str, str, Decimal | None]:
        """(arrow, change text, signed change) from `before` to `now`."""
        a, b = self.value(now), self.value(before)
        if a is None or b is None:
            return "", NO_DATA, None
        delta = a - b
        arrow = "↑" if delta > 0 else "↓" if delta < 0 else "→"
        if self.unit == "%":
            return arrow, points(delta), delta
        if self.unit == "元":
            return arrow, signed(to_decimal(delta).quantize(Decimal("0.01")), "元"), delta
        if self.unit == "分":
            return arrow, signed(half_up(delta), "分"), delta
        return arrow, signed(delta), delta

    def tone(self, delta: Decimal | None) -> str:
        """GOOD / BAD for a change in the better / worse direction ("" otherwise)."""
        if delta is None or delta == 0 or self.better is None:
            return ""
        return "good" if (delta > 0) == (self.better == UP) else "bad"


def format_value(unit: str, value: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    if unit == "%":
        return f"{half_up(value)}%"
    if unit == "分":
        return f"{half_up(value)}分"
    if unit == "元":
        return f"{yuan(int(value * 100))}元"
    return f"{value}{unit}"


FIGURES: tuple[Figure, ...] = (
    Figure("arrived", "取号人数", "人", None, _count(lambda h: h.arrived)),
    Figure("served", "办结人数", "人", UP, _count(lambda h: h.outcomes.served)),
    Figure("walkaways", "弃号合计", "人", DOWN, _count(lambda h: h.outcomes.walkaways)),
    Figure("walkaway_rate", "弃号率", "%", DOWN, lambda h: h.walkaway_rate_value),
    Figure("no_show", "其中:过号(叫号未到)", "人", DOWN, _count(lambda h: h.outcomes.no_show)),
    Figure("no_show_rate", "过号率", "%", DOWN, lambda h: h.rate_of(h.outcomes.no_show)),
    Figure("walked_away", "其中:离开(看到离厅)", "人", DOWN,
           _count(lambda h: h.outcomes.walked_away)),
    Figure("walked_away_rate", "离开率", "%", DOWN, lambda h: h.rate_of(h.outcomes.walked_away)),
    Figure("abandoned", "其中:闭厅未办", "人", DOWN, _count(lambda h: h.outcomes.abandoned)),
    Figure("abandoned_rate", "闭厅未办率", "%", DOWN, lambda h: h.rate_of(h.outcomes.abandoned)),
    Figure("cancelled", "取消", "张", None, _count(lambda h: h.outcomes.cancelled)),
    Figure("open", "未结束号票", "张", None, _count(lambda h: h.outcomes.open)),
    Figure("service_level", "服务达标率(全程等候)", "%", UP, lambda h: h.service_level_value),
    Figure("service_level_excl_outage", "服务达标率(扣除系统故障时间)", "%", UP,
           lambda h: h.service_level_excl_outage_value),
    Figure("queue_service_level", "各队列达标率(本队列等候)", "%", UP,
           lambda h: h.queue_service_level_value),
    Figure("wait_mean", "平均等候(全程)", "分", DOWN, _mean(lambda h: h.wait)),
    Figure("wait_median", "等候中位", "分", DOWN, _minutes(lambda h: h.wait.median)),
    Figure("wait_p90", "等候P90", "分", DOWN, _minutes(lambda h: h.wait.p90)),
    Figure("wait_max", "最长等候", "分", DOWN, _minutes(lambda h: h.wait.max)),
    Figure("queue_wait_mean", "平均排队(各队列)", "分", DOWN, _mean(lambda h: h.queue_wait)),
    Figure("service_mean", "平均办理", "分", None, _mean(lambda h: h.service)),
    Figure("service_median", "办理中位", "分", None, _minutes(lambda h: h.service.median)),
    Figure("service_p90", "办理P90", "分", None, _minutes(lambda h: h.service.p90)),
    Figure("service_max", "最长办理", "分", None, _minutes(lambda h: h.service.max)),
    Figure("utilisation", "在岗利用率", "%", None, lambda h: h.utilisation_value),
    Figure("recalls", "重呼次数", "次", DOWN, _count(lambda h: h.recalls)),
    Figure("transfers", "转移次数", "次", None, _count(lambda h: h.transfers)),
    Figure("complaints", "投诉", "件", DOWN, _count(lambda h: h.complaints)),
    Figure("same_day_reply", "投诉当日答复率", "%", UP, lambda h: h.same_day_reply_value),
    Figure("escalations", "窗口求助(F7)", "次", None, _count(lambda h: h.escalations)),
    Figure("escalations_open", "求助当日未处理", "次", DOWN, _count(lambda h: h.escalations_open)),
    Figure("outages", "系统故障", "次", DOWN, _count(lambda h: h.outages)),
    Figure("outage_minutes", "系统故障时长", "分", DOWN, _minutes(lambda h: h.outage_seconds)),
    Figure("facility", "设施故障", "次", DOWN, _count(lambda h: h.facility_incidents)),
    Figure("cash_count", "现金唱收唱交", "笔", None, _count(lambda h: h.cash_exchanges)),
    Figure("cash_due", "现金应收", "元", None, _money(lambda h: h.cash_due_fen)),
    Figure("cash_received", "现金实收(顾客交付)", "元", None, _money(lambda h: h.cash_received_fen)),
    Figure("cash_change", "现金找零", "元", None, _money(lambda h: h.cash_change_fen)),
)

BY_KEY = {f.key: f for f in FIGURES}
