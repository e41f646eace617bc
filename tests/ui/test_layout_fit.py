"""Every window and dialog at 1366×768 and 1920×1080: no text cut, nothing outside.

A busy hall (a customer at the counter, a queue with VIP and 爱心通道 tickets, a paused
counter, an escalation, a complaint, a hall-wide outage) so the windows show their
longest texts. Main windows are given the whole screen; a dialog is shown at its own
size, which must fit the screen. `tests/ui/layout_check.py` says what counts as cut.
Screenshots of each go to HALL_SCREENSHOT_DIR (default /tmp/hall-layout-shots).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402
from layout_check import layout_problems  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402

from ui import ops  # noqa: E402
from ui.app_runtime import load_stylesheet  # noqa: E402

SCREENS = ((1366, 768), (1920, 1080))
SHOTS = Path(os.environ.get("HALL_SCREENSHOT_DIR", "/tmp/hall-layout-shots"))


@pytest.fixture(autouse=True)
def _ui_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))


@pytest.fixture
def busy(sqlite_url):  # type: ignore[no-untyped-def]
    hall = make_hall(sqlite_url)
    svc = {s.code: s.id for s in hall.queries.services()}
    counters = {c.number: c.id for c in hall.queries.counters()}
    clerk = hall.auth.login("1001", "1234")
    other = hall.auth.login("1002", "1234")
    manager = hall.auth.login("2001", "2468")
    clock = hall.ctx.clock
    hall.counters.sign_in(clerk, counters[1])
    hall.counters.sign_in(other, counters[2])
    for code in ("PAY", "PLAN", "PAY", "SIM", "PAY", "PLAN", "PAY"):
        hall.tickets.issue(svc[code])
        clock.advance(minutes=3)
    hall.tickets.issue(svc["PAY"], priority="vip")
    hall.tickets.issue(svc["PLAN"], care=True)
    clock.advance(minutes=20)  # some have waited long
    current = hall.tickets.call_next(clerk, counters[1])
    hall.tickets.start(clerk, current.id, counters[1])
    hall.counters.pause(other, counters[2], "离席:系统培训,预计三十分钟后回来")
    hall.desk.escalate(clerk, counters[1], "顾客要求退费,需要值班长审批", current.id)
    from hall_app.services.complaints import ComplaintDraft

    hall.complaints.register(clerk, ComplaintDraft(
        channel="counter", customer_name="张先生", phone="13800001111", category="waiting",
        description="排队等了四十分钟,窗口只开了两个", counter_id=counters[1],
        clerk_id=clerk.staff_id))
    hall.incidents.declare_outage(manager)
    yield {"hall": hall, "clerk": clerk, "manager": manager, "counter": counters[1],
           "current": current, "admin": hall.auth.login("9001", "9999")}
    ops.wait_idle(10_000)
    hall.close()


@contextmanager
def _styled(role: str) -> Iterator[None]:
    """The role's application style sheet and the shipped font, as `hall-app <role>` sets
    them (measurements in a fallback font would mean nothing)."""
    from ui.fonts import install_cjk_font

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_cjk_font(app)
    previous = app.styleSheet()
    app.setStyleSheet(load_stylesheet(role))
    try:
        yield
    finally:
        app.setStyleSheet(previous)


def _shown(qtbot, widget: QWidget, ready: Callable[[], bool] | None = None) -> None:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    if ready is not None:
        qtbot.waitUntil(ready, timeout=15_000)


def _settle(qtbot, widget: QWidget) -> None:
    """Let the layout finish (sizes are set from posted events) before measuring."""
    for _ in range(3):
        QApplication.processEvents()


def _check(qtbot, widget: QWidget, name: str, size: tuple[int, int] | None) -> list[str]:
    if size is not None:
        widget.resize(*size)
    _settle(qtbot, widget)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tag = f"{size[0]}x{size[1]}" if size else "own-size"
    widget.grab().save(str(SHOTS / f"{name}_{tag}.png"))
    found = [f"{name} {tag}: {p}" for p in layout_problems(widget)]
    if size is not None and (widget.width() > size[0] or widget.height() > size[1]):
        found.append(f"{name} {tag}: the window is {widget.width()}x{widget.height()}, "
                     "larger than the screen")
    return found


def _check_window(qtbot, widget: QWidget, name: str) -> list[str]:
    found: list[str] = []
    for size in SCREENS:
        found += _check(qtbot, widget, name, size)
    return found


def _check_dialog(qtbot, dialog: QWidget, name: str) -> list[str]:
    """At the size it opens with on each screen: what it asked for (``fit_to_screen``'s
    preferredSize), capped by the screen's free area; at least its own minimum."""
    from PySide6.QtCore import QSize, Qt

    from ui.widgets.sizing import FRAME_MARGIN

    if dialog.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose):
        dialog.show()  # it deletes itself when closed: not for qtbot to close again
        qtbot.waitExposed(dialog)
    else:
        _shown(qtbot, dialog)
    wanted = dialog.property("preferredSize")
    if not isinstance(wanted, QSize):
        wanted = dialog.size().expandedTo(dialog.sizeHint())
    found: list[str] = []
    for width, height in SCREENS:
        room = QSize(width, height) - FRAME_MARGIN
        size = wanted.boundedTo(room).expandedTo(dialog.minimumSizeHint())
        found += _check(qtbot, dialog, name, (size.width(), size.height()))
        if size.width() > room.width() or size.height() > room.height():
            found.append(f"{name}: needs at least {size.width()}x{size.height()}, more than "
                         f"a {width}x{height} screen")
    dialog.close()
    return found


# --- the windows -----------------------------------------------------------------------
def test_counter_window_and_its_dialogs(qtbot, busy):
    from ui.counter.dialogs import EscalateDialog, PauseDialog, TransferDialog
    from ui.counter.documents import DocumentsDialog
    from ui.counter.guide import GuideDialog
    from ui.counter.login import LoginDialog
    from ui.counter.window import CounterWindow

    hall = busy["hall"]
    with _styled("counter"):
        window = CounterWindow(hall, busy["clerk"], busy["counter"])
        _shown(qtbot, window, lambda: window.view is not None and window.view.current is not None)
        window.cash_helper.items_edit.setText("业务费 100,话费 50,手续费 20")
        window.cash_helper.received_edit.setText("abc")  # an error under the field
        found = _check_window(qtbot, window, "counter")
        services = hall.queries.services()
        counters = hall.queries.counters()
        code = window.view.current.code
        dialogs: list[tuple[str, Any]] = [
            ("counter_transfer", TransferDialog(code, services, counters,
                                                current_service_id=services[0].id,
                                                this_counter_id=busy["counter"],
                                                parent=window)),
            ("counter_pause", PauseDialog(window)),
            ("counter_escalate", EscalateDialog(code, window)),
            ("counter_documents", DocumentsDialog(window.book, code, window)),
            ("counter_guide", GuideDialog(window.book, window)),
            ("counter_login", LoginDialog(hall, staff="1001")),
        ]
        form = window.register_complaint()
        if form is not None:
            dialogs.append(("counter_complaint_form", form))
        for name, dialog in dialogs:
            found += _check_dialog(qtbot, dialog, name)
        window.close()
    assert not found, "\n" + "\n".join(found)


def test_overview_window_and_its_dialogs(qtbot, busy):
    from ui.overview.dialogs import FacilityDialog, WalkawayDialog
    from ui.overview.login import OverviewLoginDialog
    from ui.overview.window import OverviewWindow

    hall = busy["hall"]
    with _styled("overview"):
        window = OverviewWindow(hall, busy["manager"])
        _shown(qtbot, window, lambda: window.snap is not None)
        found = _check_window(qtbot, window, "overview")
        dialogs: list[tuple[str, Any]] = [
            ("overview_outage", window.outage_dialog()),
            ("overview_facility", FacilityDialog(window.now(), window.tz, window)),
            ("overview_walkaway", WalkawayDialog(window.snap.waiting, window.now(), window)),
            ("overview_login", OverviewLoginDialog(hall, staff="2001")),
        ]
        inspection = window.open_inspection()
        if inspection is not None:
            dialogs.append(("overview_inspection", inspection))
        analysis = window.open_analysis()
        if analysis is not None:
            dialogs.append(("overview_analysis", analysis))
        before = set(window.findChildren(QDialog))
        window.open_complaints()
        listing = [d for d in window.findChildren(QDialog) if d not in before]
        dialogs += [("overview_complaints", d) for d in listing]
        for name, dialog in dialogs:
            found += _check_dialog(qtbot, dialog, name)
        window.close()
    assert not found, "\n" + "\n".join(found)


def test_kiosk_in_every_mode(qtbot, busy, tmp_path):
    from ui.kiosk import PdfSlipPrinter
    from ui.kiosk.window import KioskWindow

    with _styled("kiosk"):
        kiosk = KioskWindow(busy["hall"], printer=PdfSlipPrinter(tmp_path))
        _shown(qtbot, kiosk, lambda: kiosk.board is not None)
        found = _check_window(qtbot, kiosk, "kiosk")
        kiosk.set_large(True)
        found += _check_window(qtbot, kiosk, "kiosk_large")
        kiosk.set_large(False)
        kiosk.enter_care_mode()
        found += _check_window(qtbot, kiosk, "kiosk_care")
        pay = next(iter(kiosk.buttons))
        kiosk.take_ticket(pay)
        qtbot.waitUntil(lambda: kiosk.last_ticket is not None, timeout=15_000)
        found += _check_window(qtbot, kiosk, "kiosk_ticket")
        kiosk._on_connection_lost("")
        found += _check_window(qtbot, kiosk, "kiosk_offline")
        kiosk.close()
    assert not found, "\n" + "\n".join(found)


def test_display(qtbot, busy):
    from ui.display.window import DisplayWindow

    hall = busy["hall"]
    with _styled("display"):
        display = DisplayWindow(hall)
        _shown(qtbot, display, lambda: display.board is not None)
        found = _check_window(qtbot, display, "display")
        display.set_stale(True)
        found += _check_window(qtbot, display, "display_stale")
        display.close()
    assert not found, "\n" + "\n".join(found)


def test_admin_window_every_tab(qtbot, busy):
    from ui.admin.login import LoginDialog
    from ui.admin.window import AdminWindow

    with _styled("admin"):
        window = AdminWindow(busy["hall"], busy["admin"])
        _shown(qtbot, window, lambda: getattr(window, "snap", None) is not None
               or window.findChild(QWidget) is not None)
        found: list[str] = []
        tabs = window.tabs
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            found += _check_window(qtbot, window, f"admin_tab{index}")
        found += _check_dialog(qtbot, LoginDialog(busy["hall"], "9001"), "admin_login")
        window.close()
    assert not found, "\n" + "\n".join(found)


def test_demo_floor(qtbot, tmp_path):
    from hall_app.config import Settings
    from ui.demo.hall import DemoHall
    from ui.kiosk import PdfSlipPrinter

    class Silent:
        def say(self, text: str) -> bool:
            return True

    demo = DemoHall(Settings(database_url=f"sqlite+pysqlite:///{tmp_path / 'demo.db'}"),
                    speed=60, counters=2, seed_history=False, announcer=Silent(),
                    printer=PdfSlipPrinter(tmp_path))
    try:
        demo.open_windows()
        qtbot.waitUntil(lambda: len(demo.windows) == 7, timeout=60_000)  # 5 screens, 2 pads
        floor = demo.floor
        found: list[str] = []
        size = (1920, 1080)  # the demo wants a full-HD screen (one window, every role)
        tabs = floor.staff_tabs
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            found += _check(qtbot, floor, f"demo_tab{index}", size)
    finally:
        demo.close()
    assert not found, "\n" + "\n".join(found)


def test_the_queue_names_each_service_whole_on_the_smallest_counter_screen(qtbot, busy):
    # 「缴费…」 tells the clerk nothing: on a 1366×768 screen the service column is as
    # wide as its names, and the notes column (its tooltip whole) gives way instead.
    from ui.counter.queue import QueueModel
    from ui.counter.window import CounterWindow

    hall = busy["hall"]
    with _styled("counter"):
        window = CounterWindow(hall, busy["clerk"], busy["counter"])
        window.resize(1366, 768)
        _shown(qtbot, window, lambda: window.queue_panel.model.rowCount() > 0)
        _settle(qtbot, window)
        table = window.queue_panel.table
        names = {table.model().index(r, 2).data() for r in range(table.model().rowCount())}
        assert names and all(n and "…" not in n for n in names)
        for column in range(QueueModel.NOTES_COLUMN):
            assert table.columnWidth(column) >= table.sizeHintForColumn(column), column
        assert not table.horizontalScrollBar().isVisible()
        window.close()
