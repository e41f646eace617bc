"""The ticket kiosk's parts that are not the window: the slip and the printers."""

from ui.kiosk.printers import PdfSlipPrinter, PrinterError, QtSlipPrinter, SlipPrinter
from ui.kiosk.slip import SlipData, slip_from_ticket

__all__ = ["PdfSlipPrinter", "PrinterError", "QtSlipPrinter", "SlipData", "SlipPrinter",
           "slip_from_ticket"]
