"""Print preview and printing of the daily summary from a window (the overview's button).

    show_print_preview(parent, services, day)   # preview dialog with the real pages
    print_report(parent, services, day)         # the system print dialog, then print

The figures and the report's sections are built off the GUI thread (ui.ops.run_op);
so is painting onto the printer after the dialog is accepted. Errors reach the user as
Chinese messages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from hall_app.metrics import Period, report_service
from hall_app.metrics.sections import Report
from ui import notify
from ui.ops import OpHandle, run_op
from ui.report.document import a4_layout, build_document, print_document
from ui.widgets.sizing import fit_to_screen

PREVIEW_TITLE = "营业日报 打印预览"


def _printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(a4_layout())
    return printer


def _load(services: Any, day: date) -> Report:
    return report_service(services).report(Period.day(day))


def open_preview(parent: QWidget | None, report: Report) -> QPrintPreviewDialog:
    """Show a (non-modal) preview of `report`; the document is built once."""
    metrics = report.metrics
    doc = build_document(report)
    # The dialog owns its printer (a printer passed in must outlive the dialog).
    dialog = QPrintPreviewDialog(parent)
    dialog.printer().setPageLayout(a4_layout())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowTitle(f"{PREVIEW_TITLE} — {metrics.hall_name} {metrics.day.isoformat()}")
    doc.setParent(dialog)  # lives exactly as long as the dialog
    dialog.paintRequested.connect(lambda p: print_document(doc, p))
    fit_to_screen(dialog, 900, 1000)
    dialog.open()
    return dialog


def show_print_preview(parent: QWidget | None, services: Any, day: date) -> OpHandle:
    """Query the day's metrics in a worker, then open the preview on the GUI thread."""
    return run_op(lambda: _load(services, day),
                  on_success=lambda m: open_preview(parent, m), parent=parent,
                  background=True)


def _print_in_worker(report: Report, printer: QPrinter) -> str:
    print_document(build_document(report), printer)
    return printer.printerName() or printer.outputFileName()


def print_report(parent: QWidget | None, services: Any, day: date,
                 *, exec_dialog: bool = True) -> OpHandle:
    """Query in a worker; ask for a printer on the GUI thread; print in a worker."""

    def chosen(report: Report) -> None:
        printer = _printer()
        if exec_dialog:
            dialog = QPrintDialog(printer, parent)
            dialog.setWindowTitle("打印营业日报")
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
        holder = {"printer": printer}  # the printer must outlive the worker
        run_op(lambda: _print_in_worker(report, holder["printer"]),
               on_success=lambda name: notify.info(f"营业日报已发送到打印机 {name}。"),
               parent=parent, background=True)

    return run_op(lambda: _load(services, day), on_success=chosen, parent=parent,
                  background=True)
