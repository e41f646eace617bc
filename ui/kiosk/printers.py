"""Slip printers: the real one (QPrinter on an 80 mm thermal printer) and a PDF one.

The kiosk takes any object with ``print_slip(slip)``; it calls it on a worker thread
and shows the ticket number whatever happens. A failure is a `PrinterError` with a
Chinese message. Tests inject a failing printer or a `PdfSlipPrinter`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

from PySide6.QtGui import QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from hall_app.errors import HallError
from ui.kiosk.slip import SlipData, paint_slip, slip_page_layout
from ui.kiosk.slip_font import slip_fonts

log = logging.getLogger(__name__)

PRINT_FAILED = "号票打印失败,请记住屏幕上的号码,或请大堂工作人员协助。"


class PrinterError(HallError):
    """The slip could not be printed (no printer, out of paper, driver error)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(PRINT_FAILED, detail=detail)


class SlipPrinter(Protocol):
    def print_slip(self, slip: SlipData) -> None:
        """Print one slip; raise PrinterError on failure. Called on a worker thread."""
        ...


# QPrinter and the print system are not reentrant: one slip at a time per process.
_print_lock = threading.Lock()


def _render(printer: QPrinter, slip: SlipData) -> None:
    printer.setPageLayout(slip_page_layout())
    printer.setFullPage(False)
    with slip_fonts(slip.all_text) as families:
        painter = QPainter()
        if not painter.begin(printer):
            raise PrinterError(f"cannot open printer {printer.printerName()!r}")
        try:
            rect = printer.pageLayout().paintRectPixels(printer.resolution())
            paint_slip(painter, slip, rect.width(), rect.height(), printer.resolution(),
                       families)
        finally:
            if not painter.end():
                raise PrinterError("printer refused the page")


class QtSlipPrinter:
    """The kiosk's thermal printer through the system print queue (default printer if unnamed)."""

    def __init__(self, printer_name: str | None = None) -> None:
        self.printer_name = printer_name

    def print_slip(self, slip: SlipData) -> None:
        with _print_lock:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            if self.printer_name:
                info = QPrinterInfo.printerInfo(self.printer_name)
                if info.isNull():
                    raise PrinterError(f"printer {self.printer_name!r} not found")
                printer.setPrinterName(self.printer_name)
            elif QPrinterInfo.defaultPrinter().isNull():
                raise PrinterError("no printer installed")
            if not printer.isValid():
                raise PrinterError("printer not valid")
            printer.setDocName(f"取号凭条 {slip.code}")
            _render(printer, slip)
            log.info("Slip %s sent to printer %s", slip.code, printer.printerName())


class PdfSlipPrinter:
    """Writes each slip as a PDF (for tests, a kiosk without a printer, or archiving)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.printed: list[str] = []

    def target(self, slip: SlipData) -> Path:
        return self.path if self.path.suffix.lower() == ".pdf" else self.path / f"{slip.code}.pdf"

    def print_slip(self, slip: SlipData) -> None:
        target = self.target(slip)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _print_lock:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(target))
            printer.setDocName(f"取号凭条 {slip.code}")
            _render(printer, slip)
        self.printed.append(slip.code)
