"""QtCharts views: arrivals vs served per hour today, and the current wait distribution."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QResizeEvent
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hall_app.services.overview_model import HourFigure, WaitBucket


def _axis_max(values: list[int]) -> int:
    top = max(values + [1])
    step = 5 if top <= 50 else 10
    return ((top + step - 1) // step) * step


class _BarChart(QChartView):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(chart.margins().__class__(4, 4, 4, 4))
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(200)
        self._y: QValueAxis | None = None
        self._top = 5

    def tick_count(self) -> int:
        """As many value labels as the plot's height holds one above the other: QtCharts
        turns labels that do not fit into 「…」."""
        label = QFontMetrics(self._y.labelsFont() if self._y else self.font()).height()
        plot = self.chart().plotArea().height() or (self.height() - 110)
        return max(2, min(6, int(plot // (label * 1.8)) + 1))

    def fit_ticks(self) -> None:
        y = self._y
        if y is None:
            return
        ticks = self.tick_count()
        step = max(1, -(-self._top // (ticks - 1)))  # whole numbers between the ticks
        y.setRange(0, step * (ticks - 1))
        y.setTickCount(ticks)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_ticks()

    def _draw(self, categories: list[str], sets: list[tuple[str, str, list[int]]]) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        series = QBarSeries()
        for name, colour, values in sets:
            bar = QBarSet(name)
            bar.setColor(QColor(colour))
            bar.append([float(v) for v in values])
            series.append(bar)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(categories)
        small = QFont(x.labelsFont())
        small.setPointSizeF(8.5)  # whole range labels under narrow bars, not 「10…」
        x.setLabelsFont(small)
        y = QValueAxis()
        self._top = _axis_max([v for _, _, vs in sets for v in vs])
        y.setLabelFormat("%d")
        self._y = y
        self.fit_ticks()
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        chart.legend().setVisible(len(sets) > 1)


class HourlyChart(_BarChart):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("今日每小时取号与办结(按小时)", parent)
        self.values: tuple[HourFigure, ...] = ()

    def set_hourly(self, hourly: Sequence[HourFigure]) -> None:
        self.values = tuple(hourly)
        self._draw([str(h.hour) for h in hourly],
                   [("取号", "#1e88e5", [h.arrivals for h in hourly]),
                    ("办结", "#43a047", [h.served for h in hourly])])


class WaitChart(_BarChart):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("当前等候时长分布(分钟 / 人数)", parent)
        self.values: tuple[WaitBucket, ...] = ()

    def set_buckets(self, buckets: Sequence[WaitBucket]) -> None:
        self.values = tuple(buckets)
        self._draw([b.label.replace("分以上", "+").replace("分", "") for b in buckets], [("等候人数", "#fb8c00", [b.count for b in buckets])])
