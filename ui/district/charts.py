"""The district report's trend chart: daily service level and walkaway rate, as lines.

Painted with QPainter into a QImage (no display needed, safe in a worker thread), with
the shipped CJK font; the targets are drawn as dashed lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from hall_app.district.report import DayPoint
from ui.fonts import cjk_family

SL_COLOUR = QColor("#2f6db5")
WALK_COLOUR = QColor("#c0392b")
GRID_COLOUR = QColor("#d0d0d0")
TEXT_COLOUR = QColor("#222222")


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont(cjk_family())
    font.setPixelSize(max(1, int(px)))
    font.setBold(bold)
    return font


def trend_chart(points: Sequence[DayPoint], sl_target: int, walk_target: int,
                width: int = 1600, height: int = 600, *, monthly: bool = False) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = height / 30.0
    p.setPen(TEXT_COLOUR)
    p.setFont(_font(unit * 1.6, bold=True))
    p.drawText(QRectF(0, 0, width, unit * 3), Qt.AlignmentFlag.AlignCenter,
               "全区域逐月服务达标率与弃号率" if monthly else "全区域逐日服务达标率与弃号率")
    left, right, top, bottom = unit * 5, width - unit * 2, unit * 6, height - unit * 4
    p.setFont(_font(unit * 1.1))
    x = left
    for name, colour in ((f"服务达标率(目标{sl_target}%)", SL_COLOUR),
                         (f"弃号率(目标{walk_target}%)", WALK_COLOUR)):
        p.fillRect(QRectF(x, unit * 3.6, unit * 1.4, unit * 1.4), colour)
        p.setPen(TEXT_COLOUR)
        p.drawText(QRectF(x + unit * 1.8, unit * 3.2, unit * 16, unit * 2.2),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        x += unit * 17
    p.setPen(QPen(TEXT_COLOUR.lighter(200), 2, Qt.PenStyle.DashLine))
    p.drawLine(QPointF(x, unit * 4.3), QPointF(x + unit * 2.5, unit * 4.3))
    p.setPen(TEXT_COLOUR)
    p.drawText(QRectF(x + unit * 3, unit * 3.2, unit * 10, unit * 2.2),
               Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, "虚线为目标")

    def y_of(pct: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(100.0, pct)) / 100.0

    p.setFont(_font(unit * 1.0))
    for pct in (0, 25, 50, 75, 100):
        y = y_of(pct)
        p.setPen(QPen(GRID_COLOUR, 1))
        p.drawLine(QPointF(left, y), QPointF(right, y))
        p.setPen(TEXT_COLOUR)
        p.drawText(QRectF(0, y - unit, left - unit * 0.6, unit * 2),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{pct}%")
    if not points:
        p.setFont(_font(unit * 1.5))
        p.drawText(QRectF(left, top, right - left, bottom - top), Qt.AlignmentFlag.AlignCenter,
                   "本期没有日汇总")
        p.end()
        return image
    step = (right - left) / max(1, len(points) - 1)

    def x_of(i: int) -> float:
        return left + i * step if len(points) > 1 else (left + right) / 2

    for target, colour in ((sl_target, SL_COLOUR), (walk_target, WALK_COLOUR)):
        pen = QPen(colour, 2, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(QPointF(left, y_of(target)), QPointF(right, y_of(target)))
    for values, colour in (([pt.service_level for pt in points], SL_COLOUR),
                           ([pt.walkaway_rate for pt in points], WALK_COLOUR)):
        p.setPen(QPen(colour, 4))
        last: QPointF | None = None
        for i, v in enumerate(values):
            if v is None:
                last = None
                continue
            here = QPointF(x_of(i), y_of(v))
            if last is not None:
                p.drawLine(last, here)
            p.drawEllipse(here, 4, 4)
            last = here
    p.setPen(TEXT_COLOUR)
    p.setFont(_font(unit * 1.0))
    every = max(1, len(points) // 12)
    last_i = len(points) - 1
    for i, pt in enumerate(points):
        if (i % every == 0 and last_i - i >= every) or i == last_i:
            p.drawText(QRectF(x_of(i) - unit * 3, bottom + unit * 0.4, unit * 6, unit * 2),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                       pt.day.strftime("%Y-%m" if monthly else "%m-%d"))
    p.end()
    return image
