"""Charts of the daily summary drawn with QPainter into QImages (no display needed).

`hourly_chart` — arrivals vs served per hour (grouped bars); `wait_chart` — how many
customers waited 0–5, 5–10 … minutes. Both use the shipped CJK font, so the labels print
on any machine; both are safe to call from a worker thread (QImage + QPainter only).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from hall_app.metrics import DailyMetrics
from ui.fonts import cjk_family

ARRIVED_COLOUR = QColor("#4a78c2")
SERVED_COLOUR = QColor("#5aa469")
WAIT_COLOUR = QColor("#e08a3c")
GRID_COLOUR = QColor("#d0d0d0")
TEXT_COLOUR = QColor("#222222")


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont(cjk_family())
    font.setPixelSize(max(1, int(px)))
    font.setBold(bold)
    return font


def _nice_max(value: int) -> int:
    """A round axis maximum ≥ value (at least 4, so an empty day still has an axis)."""
    value = max(value, 4)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 4:
            return step * 4
    return int(value * 1.1) + 1


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, QColor,
              Sequence[int]]], width: int = 1600, height: int = 640,
              empty_text: str = "当日无数据") -> QImage:
    """Grouped vertical bars; one group per label, one bar per series, values on top."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = height / 32.0
    p.setPen(TEXT_COLOUR)
    p.setFont(_font(unit * 1.6, bold=True))
    p.drawText(QRectF(0, 0, width, unit * 3), Qt.AlignmentFlag.AlignCenter, title)

    left, right, top, bottom = unit * 5, width - unit * 2, unit * 6.5, height - unit * 4.5
    # legend
    p.setFont(_font(unit * 1.1))
    x = left
    for name, colour, _ in series:
        p.fillRect(QRectF(x, unit * 3.6, unit * 1.4, unit * 1.4), colour)
        p.drawText(QRectF(x + unit * 1.8, unit * 3.2, unit * 12, unit * 2.2),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        x += unit * 12
    peak = max((v for _, _, values in series for v in values), default=0)
    top_value = _nice_max(peak)
    # grid and y axis labels
    p.setFont(_font(unit * 1.0))
    for i in range(5):
        value = top_value * i / 4
        y = bottom - (bottom - top) * i / 4
        p.setPen(QPen(GRID_COLOUR, 1))
        p.drawLine(int(left), int(y), int(right), int(y))
        p.setPen(TEXT_COLOUR)
        p.drawText(QRectF(0, y - unit, left - unit * 0.6, unit * 2),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   f"{value:.0f}")
    p.setPen(QPen(TEXT_COLOUR, 2))
    p.drawLine(int(left), int(bottom), int(right), int(bottom))

    if not labels or peak == 0:
        p.setFont(_font(unit * 1.5))
        p.drawText(QRectF(left, top, right - left, bottom - top), Qt.AlignmentFlag.AlignCenter,
                   empty_text)
        p.end()
        return image

    group_w = (right - left) / len(labels)
    bar_w = group_w * 0.8 / len(series)
    for gi, label in enumerate(labels):
        gx = left + gi * group_w + group_w * 0.1
        for si, (_, colour, values) in enumerate(series):
            value = values[gi]
            h = (bottom - top) * value / top_value
            rect = QRectF(gx + si * bar_w, bottom - h, bar_w * 0.92, h)
            p.fillRect(rect, colour)
            if value:
                p.setPen(TEXT_COLOUR)
                p.setFont(_font(min(unit * 1.0, bar_w * 0.7)))
                p.drawText(QRectF(rect.x() - bar_w, rect.y() - unit * 1.6, bar_w * 3,
                                  unit * 1.5),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                           str(value))
        p.setPen(TEXT_COLOUR)
        p.setFont(_font(min(unit * 1.05, group_w * 0.32)))
        p.drawText(QRectF(left + gi * group_w, bottom + unit * 0.4, group_w, unit * 2),
                   Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
    p.end()
    return image


def hourly_chart(m: DailyMetrics, width: int = 1600, height: int = 640) -> QImage:
    labels = [f"{h.hour}时" for h in m.hours]
    return bar_chart(
        "分时段取号与办结人数", labels,
        [("取号", ARRIVED_COLOUR, [h.arrived for h in m.hours]),
         ("办结", SERVED_COLOUR, [h.served for h in m.hours])],
        width, height)


def wait_chart(m: DailyMetrics, width: int = 1600, height: int = 640) -> QImage:
    labels = [b.label for b in m.wait_buckets]
    return bar_chart("等候时长分布(人数)", labels,
                     [("叫号前等候", WAIT_COLOUR, [b.count for b in m.wait_buckets])],
                     width, height)
