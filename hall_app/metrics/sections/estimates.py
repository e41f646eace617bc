"""The wait-estimate accuracy section (issue 18): how close the waits customers were told
at issue (「预计等候10–15分钟」, stored on each ticket) came to their real waits, beside the
old people-ahead estimate on the same tickets (hall_app.metrics.wait_accuracy).

A day prints the previous business day (yesterday's estimates, all settled) and the day
itself; a week or month, the period. Figures in minutes, rounded half up.
"""

from __future__ import annotations

from datetime import date

from hall_app.forecast.accuracy import Accuracy
from hall_app.metrics.numbers import NO_DATA, half_up
from hall_app.metrics.period import short_day
from hall_app.metrics.sections.common import ReportSource
from hall_app.metrics.tables import Paragraph, Section, Table
from hall_app.metrics.wait_accuracy import WaitEstimateAccuracy, wait_estimate_accuracy

HEADERS = ("日期", "估计方法", "计入\n人数", "平均绝对\n误差(分)", "误差\n中位数(分)",
           "少估超过\n5分钟", "区间覆盖\n(目标80%)", "平均偏差\n(分)")


def _num(v: float | None) -> str:
    return NO_DATA if v is None else str(half_up(v))


def _share(v: float | None) -> str:
    return NO_DATA if v is None else f"{half_up(v * 100)}%"


def _rows(label: str, acc: WaitEstimateAccuracy) -> list[tuple[str, ...]]:
    def row(name: str, a: Accuracy, interval: bool) -> tuple[str, ...]:
        return (label, name, str(a.n), _num(a.mae), _num(a.median_ae), _share(a.under5_share),
                _share(a.coverage) if interval else NO_DATA, _num(a.bias))

    return [row("本系统预测", acc.predictor, True), row("按前方人数", acc.naive, False)]


def estimates_section(src: ReportSource) -> Section | None:
    m = src.metrics
    if m.is_future or src.ctx is None:
        return None
    p = src.period
    spans: list[tuple[str, date, date]] = []
    if p.is_day:
        prev = next((c.period for c in m.comparisons if c.label == "上一营业日"), None)
        if prev is not None:
            spans.append((f"上一营业日 {short_day(prev.first)}", prev.first, prev.last))
        spans.append((f"当日 {short_day(p.first)}", p.first, p.last))
    else:
        spans.append(("本期", p.first, p.last))
    with src.ctx.read() as s:
        found = [(label, wait_estimate_accuracy(s, src.ctx.hall.id, first, last))
                 for label, first, last in spans]
    rows = [r for label, acc in found for r in _rows(label, acc)]
    notes = []
    for label, acc in found:
        if acc.customers:
            notes.append(f"{label}:取号 {acc.customers} 位,计入 {acc.scored} 位已叫号顾客;"
                         f"取号时无窗口办理 {acc.no_counter} 位,未叫号 {acc.not_called} 位不计入。")
        else:
            notes.append(f"{label}:没有取号记录。")
    table = Table("wait_estimates", "等候时间预测准确度", HEADERS, tuple(rows), left=(0, 1),
                  note="误差=告知顾客的预计等候−实际等候(取号到首次叫号);两种估计在同一批顾客上比较;"
                       "区间覆盖=实际等候落在告知区间(如10–15分钟)内的比例。")
    return Section("wait_estimates", "等候时间预测准确度",
                   (table, *(Paragraph(n, "note") for n in notes)))
