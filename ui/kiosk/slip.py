"""The ticket slip: what it says and how it is painted on an 80 mm thermal roll.

`paint_slip(painter, slip)` draws on any paint device (printer, PDF, image); it is
called from a worker thread (QPainter may paint on printers and images off the GUI
thread). The page is the roll's own small size, never A4, and every text uses the
shipped CJK font, so a printer without Chinese fonts still prints Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPen

from hall_app.forecast.model import interval_text
from ui.fonts import CJK_FAMILY

if TYPE_CHECKING:
    from datetime import tzinfo

    from hall_app.services.tickets import TicketInfo

#: An 80 mm roll prints about 72 mm wide; the height is what the slip needs.
SLIP_WIDTH_MM = 80.0
SLIP_HEIGHT_MM = 110.0
SLIP_MARGIN_MM = 4.0


@dataclass(frozen=True)
class SlipData:
    hall_name: str
    code: str
    service_name: str
    ahead: int
    estimated_wait_minutes: int | None
    issued_at: datetime  # local time of the hall
    hotline: str = ""
    # The 80 % interval told at issue, and "no counter serves this service now".
    wait_low_minutes: int | None = None
    wait_high_minutes: int | None = None
    no_counter: bool = False

    @property
    def wait_text(self) -> str:
        """「预计等候10–15分钟」, or 「暂无窗口办理此业务,请咨询大堂经理」."""
        return interval_text(self.wait_low_minutes, self.wait_high_minutes, self.no_counter)

    @property
    def all_text(self) -> str:
        return "您的号码" + "".join(self.lines)

    @property
    def lines(self) -> tuple[str, ...]:
        """The slip's text, top to bottom (tests and the screen use it too)."""
        return (
            self.hall_name,
            self.code,
            self.service_name,
            f"前方等待{self.ahead}人",
            self.wait_text,
            f"取号时间:{self.issued_at:%Y-%m-%d %H:%M}",
            "请留意叫号屏和语音提示,过号请联系大堂经理",
        ) + ((f"服务热线:{self.hotline}",) if self.hotline else ())


def slip_from_ticket(ticket: TicketInfo, hall_name: str, tz: tzinfo,
                     hotline: str = "") -> SlipData:
    """SlipData from a core TicketInfo (issued_at is UTC; shown in the hall's zone)."""
    return SlipData(hall_name, ticket.code, ticket.service_name, ticket.ahead,
                    ticket.estimated_wait_minutes, ticket.issued_at.astimezone(tz), hotline,
                    ticket.wait_low_minutes, ticket.wait_high_minutes, ticket.no_counter)


def slip_page_layout() -> QPageLayout:
    size = QPageSize(QSizeF(SLIP_WIDTH_MM, SLIP_HEIGHT_MM), QPageSize.Unit.Millimeter,
                     "取号凭条 80mm", QPageSize.SizeMatchPolicy.ExactMatch)
    margins = QMarginsF(SLIP_MARGIN_MM, SLIP_MARGIN_MM, SLIP_MARGIN_MM, SLIP_MARGIN_MM)
    return QPageLayout(size, QPageLayout.Orientation.Portrait, margins,
                       QPageLayout.Unit.Millimeter)


def _font(families: tuple[str, str], point_size: float, bold: bool = False) -> QFont:
    regular, bold_family = families
    if bold and bold_family:  # a family that is bold by itself: no synthetic bold
        font = QFont(bold_family)
    else:
        font = QFont(regular)
        font.setBold(bold)
    font.setPointSizeF(point_size)
    return font


def paint_slip(painter: QPainter, slip: SlipData, width_px: float, height_px: float,
               dpi: float, families: tuple[str, str] = (CJK_FAMILY, "")) -> None:
    """Draw the slip in the rectangle (0, 0, width_px, height_px) of a device at `dpi`.

    `families`: (regular, bold) font families; an empty bold family means "regular + bold".
    """
    mm = dpi / 25.4
    y = 0.0

    def block(text: str, points: float, *, bold: bool = False, gap_mm: float = 1.5,
              align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignHCenter) -> None:
        nonlocal y
        painter.setFont(_font(families, points, bold))
        flags = int(align) | int(Qt.TextFlag.TextWordWrap)
        bounds = painter.boundingRect(QRectF(0, y, width_px, height_px), flags, text)
        painter.drawText(QRectF(0, y, width_px, bounds.height()), flags, text)
        y += bounds.height() + gap_mm * mm

    def rule() -> None:
        nonlocal y
        pen = QPen(Qt.GlobalColor.black)
        pen.setWidthF(0.3 * mm)
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(0, int(y), int(width_px), int(y))
        painter.setPen(Qt.GlobalColor.black)
        y += 2 * mm

    painter.setPen(Qt.GlobalColor.black)
    lines = slip.lines
    block(lines[0], 11, bold=True)
    rule()
    block("您的号码", 9, gap_mm=0.5)
    block(lines[1], 40, bold=True, gap_mm=0.5)
    block(lines[2], 14, bold=True, gap_mm=2.5)
    block(lines[3], 12, bold=True)
    block(lines[4], 10, gap_mm=2)
    rule()
    block(lines[5], 9, gap_mm=1)
    for extra in lines[6:]:
        block(extra, 8, gap_mm=1)
