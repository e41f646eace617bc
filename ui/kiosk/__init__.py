"""The ticket kiosk: window.py, the slip and the printers (the latter exported here)."""

from ui.kiosk.printers import PdfSlipPrinter, PrinterError, QtSlipPrinter, SlipPrinter
from ui.kiosk.slip import SlipData, slip_from_ticket

__all__ = ["PdfSlipPrinter", "PrinterError", "QtSlipPrinter", "SlipData", "SlipPrinter",
           "slip_from_ticket"]
