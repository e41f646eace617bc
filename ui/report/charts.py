"""Charts of the printed summary, drawn with QPainter into QImages (no display needed).

`render_chart(chart)` draws any `hall_app.metrics.tables.Chart`: grouped bars on the
left axis, lines on the left or right axis (a gap where a value is None), a legend, and
the value above each bar. The shipped CJK font labels everything, so charts print the
same on any machine; safe to call from a worker thread (QImage + QPainter only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

from hall_app.metrics.numbers import half_up
from hall_app.metrics.tables import Chart, Series
from ui.fonts import cjk_family

GRID_COLOUR = QColor("#d0d0d0")
TEXT_COLOUR = QColor("#222222")
WIDTH = 2000  # pixels; printed at the text width, so about 280 dpi on A4


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont(cjk_family())
    font.setPixelSize(max(1, int(px)))
    font.setBold(bold)
    return font


def nice_max(value: float, minimum: float = 4) -> float:
    """A round axis maximum ≥ value, with four gridlines at round steps."""
    value = max(value, minimum)
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if raw <= step * magnitude:
            return step * magnitude * 4
    return value  # pragma: no cover - the loop always returns


def _axis_label(value: float) -> str:
    """「20」 or 「7.5」: decimal, half up, like every number of the report."""
    return str(int(value)) if value == int(value) else str(half_up(value))


def render_chart(chart: Chart, width: int = WIDTH, height: int | None = None) -> QImage:
    height = height or int(width * chart.aspect)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = width / 84.0
    p.setPen(TEXT_COLOUR)
    p.setFont(_font(unit * 1.5, bold=True))
    p.drawText(QRectF(0, 0, width, unit * 2.8), Qt.AlignmentFlag.AlignCenter, chart.title)

    bars = [s for s in chart.series if s.kind == "bar"]
    lefts = [s for s in chart.series if s.kind == "line" and s.axis == "left"]
    rights = [s for s in chart.series if s.kind == "line" and s.axis == "right"]
    has_right = bool(rights)
    left, right = unit * 5, width - (unit * 5 if has_right else unit * 2)
    top, bottom = unit * 6.5, height - unit * 4.5

    _legend(p, chart.series, left, unit)
    left_values = [v for s in bars + lefts for v in s.values if v is not None]
    right_values = [v for s in rights for v in s.values if v is not None]
    left_top = nice_max(max(left_values, default=0))
    right_top = nice_max(max(right_values, default=0), minimum=1)
    _grid(p, left, right, top, bottom, unit, left_top, right_top if has_right else None,
          chart.left_unit, chart.right_unit)

    n = len(chart.labels)
    if not n or not any(v for v in left_values + right_values):
        p.setFont(_font(unit * 1.5))
        p.drawText(QRectF(left, top, right - left, bottom - top), Qt.AlignmentFlag.AlignCenter,
                   chart.empty_text)
        p.end()
        return image

    group_w = (right - left) / n
    _bars(p, bars, left, bottom, top, group_w, unit, left_top)
    for s in lefts:
        _line(p, s, left, bottom, top, group_w, unit, left_top, below=False)
    for s in rights:  # labelled under the points, so two lines' labels do not collide
        _line(p, s, left, bottom, top, group_w, unit, right_top, below=bool(lefts))
    p.setPen(TEXT_COLOUR)
    p.setFont(_font(min(unit * 1.05, group_w * 0.3)))
    for gi, label in enumerate(chart.labels):
        p.drawText(QRectF(left + gi * group_w, bottom + unit * 0.4, group_w, unit * 2),
                   Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
    p.end()
    return image


def _legend(p: QPainter, series: Sequence[Series], left: float, unit: float) -> None:
    p.setFont(_font(unit * 1.1))
    x = left
    for s in series:
        colour = QColor(s.colour)
        if s.kind == "bar":
            p.fillRect(QRectF(x, unit * 3.6, unit * 1.4, unit * 1.4), colour)
        else:
            p.setPen(QPen(colour, unit * 0.35))
            p.drawLine(QPointF(x, unit * 4.3), QPointF(x + unit * 1.6, unit * 4.3))
        p.setPen(TEXT_COLOUR)
        text_w = p.fontMetrics().horizontalAdvance(s.name)
        p.drawText(QRectF(x + unit * 2, unit * 3.2, text_w + unit, unit * 2.2),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, s.name)
        x += unit * 3.5 + text_w


def _grid(p: QPainter, left: float, right: float, top: float, bottom: float, unit: float,
          left_top: float, right_top: float | None, left_unit: str, right_unit: str) -> None:
    p.setFont(_font(unit * 1.0))
    for i in range(5):
        y = bottom - (bottom - top) * i / 4
        p.setPen(QPen(GRID_COLOUR, 1))
        p.drawLine(QPointF(left, y), QPointF(right, y))
        p.setPen(TEXT_COLOUR)
        p.drawText(QRectF(0, y - unit, left - unit * 0.6, unit * 2),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   _axis_label(left_top * i / 4))
        if right_top is not None:
            p.drawText(QRectF(right + unit * 0.6, y - unit, unit * 4.4, unit * 2),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       _axis_label(right_top * i / 4))
    p.drawText(QRectF(0, top - unit * 2.4, left + unit * 3, unit * 1.6),
               Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, left_unit)
    if right_top is not None:
        p.drawText(QRectF(right - unit * 3, top - unit * 2.4, unit * 8, unit * 1.6),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, right_unit)
    p.setPen(QPen(TEXT_COLOUR, 2))
    p.drawLine(QPointF(left, bottom), QPointF(right, bottom))


def _bars(p: QPainter, bars: Sequence[Series], left: float, bottom: float, top: float,
          group_w: float, unit: float, top_value: float) -> None:
    if not bars:
        return
    bar_w = group_w * 0.8 / len(bars)
    for si, s in enumerate(bars):
        colour = QColor(s.colour)
        for gi, value in enumerate(s.values):
            if not value:
                continue
            h = (bottom - top) * value / top_value
            rect = QRectF(left + gi * group_w + group_w * 0.1 + si * bar_w, bottom - h,
                          bar_w * 0.92, h)
            p.fillRect(rect, colour)
            p.setPen(TEXT_COLOUR)
            p.setFont(_font(min(unit * 0.95, bar_w * 0.75)))
            p.drawText(QRectF(rect.x() - bar_w, rect.y() - unit * 1.5, bar_w * 3, unit * 1.4),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                       _axis_label(value))


def _line(p: QPainter, s: Series, left: float, bottom: float, top: float, group_w: float,
          unit: float, top_value: float, below: bool) -> None:
    colour = QColor(s.colour)
    points: list[QPointF | None] = []
    for gi, value in enumerate(s.values):
        if value is None:
            points.append(None)
            continue
        y = bottom - (bottom - top) * value / top_value
        points.append(QPointF(left + (gi + 0.5) * group_w, y))
    path = QPainterPath()
    pen_down = False
    for pt in points:
        if pt is None:
            pen_down = False
            continue
        if pen_down:
            path.lineTo(pt)
        else:
            path.moveTo(pt)
            pen_down = True
    p.setPen(QPen(colour, unit * 0.3))
    p.drawPath(path)
    p.setFont(_font(unit * 0.95))
    for pt, value in zip(points, s.values, strict=True):
        if pt is None or value is None:
            continue
        p.setBrush(colour)
        p.setPen(QPen(colour, 1))
        p.drawEllipse(pt, unit * 0.45, unit * 0.45)
        # The value sits on a white plate edged in the line's colour, so it stays legible
        # where the line crosses a bar and its own label.
        text = _axis_label(value)
        metrics = QFontMetricsF(p.font())
        w, h = metrics.horizontalAdvance(text) + unit * 0.8, metrics.height() + unit * 0.1
        y = pt.y() + unit * 0.7 if below else pt.y() - unit * 0.7 - h
        plate = QRectF(pt.x() - w / 2, y, w, h)
        p.setBrush(QColor("#ffffff"))
        p.setPen(QPen(colour, unit * 0.12))
        p.drawRoundedRect(plate, unit * 0.3, unit * 0.3)
        p.setPen(colour.darker(140))
        p.drawText(plate, Qt.AlignmentFlag.AlignCenter, text)
    p.setBrush(Qt.BrushStyle.NoBrush)
