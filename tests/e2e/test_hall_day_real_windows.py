"""A hall day on real windows (X server, Xvfb in CI) on a PostgreSQL cluster of its own.

kiosk tap → counter F1 → the display shows the call and speaks it (to WAV files) → start,
cash, finish → complaint → overview outage on and off (the hall-wide clear confirmed) →
the database stopped and restarted → every window recovers and the counter calls again.
A screenshot of the whole screen at each step goes to HALL_E2E_ARTIFACTS (default
test-artifacts/e2e, ignored by git, kept by CI).

Runs only on a real X display (``QT_QPA_PLATFORM=xcb`` and ``DISPLAY``: `.ci/run` starts
Xvfb and runs this module so); needs the PostgreSQL server binaries (the test starts and
stops its cluster, port HALL_E2E_PG_PORT, default 55541).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

if os.environ.get("QT_QPA_PLATFORM") != "xcb" or not os.environ.get("DISPLAY"):
    pytest.skip("needs a real X display: run with QT_QPA_PLATFORM=xcb DISPLAY=:N "
                "(.ci/run starts Xvfb for it)", allow_module_level=True)

from bench.pg_cluster import Cluster, binaries, cluster_base  # noqa: E402

if binaries() is None:
    pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql",
                allow_module_level=True)

from conftest import make_hall  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from db.models import CashExchange, Complaint  # noqa: E402
from ui import notify, ops  # noqa: E402

PORT = int(os.environ.get("HALL_E2E_PG_PORT", "55541"))
ARTIFACTS = Path(os.environ.get("HALL_E2E_ARTIFACTS", "test-artifacts/e2e"))
FAST_LIVE = {"poll_timeout": 0.05, "backoff": (0.1, 0.5)}
LONG = 30_000


@pytest.fixture
def cluster():
    base = cluster_base("hall-e2e-")
    pg = Cluster(base / "hall", PORT).start()
    yield pg
    pg.destroy()
    base.rmdir()


class Shots:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def take(self, step: str) -> Path:
        """The whole X screen, as a person in front of it sees it."""
        from PySide6.QtWidgets import QApplication

        for _ in range(3):
            QApplication.processEvents()
        self.count += 1
        path = self.folder / f"{self.count:02d}_{step}.png"
        screen = QGuiApplication.primaryScreen()
        assert screen.grabWindow(0).save(str(path)), path
        return path


def test_a_hall_day_on_real_windows(qtbot, cluster, tmp_path, monkeypatch):
    from ui.app_runtime import load_stylesheet
    from ui.counter.window import CounterWindow
    from ui.display.window import DisplayWindow
    from ui.fonts import install_cjk_font
    from ui.kiosk import PdfSlipPrinter
    from ui.kiosk.window import KioskWindow
    from ui.overview.window import OverviewWindow
    from ui.voice import Announcer

    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    wavs = tmp_path / "voice"
    monkeypatch.setenv("HALL_VOICE_WAV_DIR", str(wavs))
    old_bridge = notify.set_bridge(notify.MessageBridge())
    app = QGuiApplication.instance()
    install_cjk_font(app)
    app.setStyleSheet(load_stylesheet("app"))
    shots = Shots(ARTIFACTS)

    hall = make_hall(cluster.create_database("hall_e2e"))
    pay = next(s for s in hall.queries.services() if s.code == "PAY")
    clerk = hall.auth.login("1001", "1234")
    manager = hall.auth.login("2001", "2468")
    counter_id = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, counter_id)

    announcer = Announcer()
    said: list[str] = []
    announcer.spoken.connect(said.append)
    # Four windows side by side on the 1920×1080 screen, as four workstations would be.
    kiosk = KioskWindow(hall, printer=PdfSlipPrinter(tmp_path / "slip.pdf"))
    display = DisplayWindow(hall, announcer=announcer, speak=True)
    counter = CounterWindow(hall, clerk, counter_id, live_options=FAST_LIVE)
    overview = OverviewWindow(hall, manager, safety_interval=60)
    places = ((kiosk, (0, 0, 554, 540)), (display, (0, 540, 554, 540)),
              (counter, (554, 0, 1366, 720)), (overview, (554, 720, 1366, 360)))
    for window, (x, y, w, h) in places:
        qtbot.addWidget(window)
        window.setGeometry(x, y, w, h)
        window.show()
        qtbot.waitExposed(window)
    try:
        qtbot.waitUntil(lambda: kiosk.board is not None and display.board is not None
                        and counter.view is not None and overview.snap is not None,
                        timeout=LONG)
        shots.take("opened")

        # A customer taps 缴费充值 at the kiosk.
        qtbot.mouseClick(kiosk.buttons[pay.id], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: kiosk.last_ticket is not None, timeout=LONG)
        code = kiosk.last_ticket.code
        assert code in kiosk.code_label.text()
        shots.take("kiosk_ticket")

        # The clerk presses F1; the display shows the call and says it.
        qtbot.waitUntil(lambda: len(counter.view.queue) == 1, timeout=LONG)
        counter.activateWindow()
        qtbot.waitUntil(counter.isActiveWindow, timeout=5000)
        qtbot.keyClick(counter, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda: not counter.busy and counter.view.current is not None
                        and counter.view.current.code == code, timeout=LONG)
        qtbot.waitUntil(lambda: display.newest_code.text() == code, timeout=LONG)
        qtbot.waitUntil(lambda: any(code[0] in t for t in said), timeout=LONG)
        qtbot.waitUntil(lambda: any(wavs.glob("*.wav")), timeout=LONG)
        shots.take("called_and_spoken")

        # Start, take the cash, finish.
        qtbot.keyClick(counter, Qt.Key.Key_F4)
        qtbot.waitUntil(lambda: not counter.busy
                        and counter.view.current.state == "serving", timeout=LONG)
        cash = counter.cash_helper
        qtbot.keyClicks(cash.due_edit, "71.5")
        qtbot.keyClicks(cash.received_edit, "100")
        qtbot.waitUntil(cash.record_button.isEnabled, timeout=5000)
        shots.take("cash")
        qtbot.mouseClick(cash.record_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _count(hall, CashExchange) == 1 and not counter.busy,
                        timeout=LONG)
        counter.activateWindow()
        qtbot.waitUntil(counter.isActiveWindow, timeout=5000)
        qtbot.keyClick(counter, Qt.Key.Key_F4)
        qtbot.waitUntil(lambda: not counter.busy and counter.view.current is None,
                        timeout=LONG)
        shots.take("finished")

        # A complaint from the counter (F8).
        qtbot.keyClick(counter, Qt.Key.Key_F8)
        form = counter.active_dialog
        assert form is not None and form.isVisible()
        form.customer_name.setText("王先生")
        form.phone.setText("13812345678")
        form.category.setCurrentIndex(form.category.findData("waiting"))
        form.description.setPlainText("排队时间太长")
        shots.take("complaint_form")
        with qtbot.waitSignal(form.registered, timeout=LONG):
            qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
        assert _count(hall, Complaint) == 1
        form.close()

        # A hall-wide outage on, seen everywhere; off again after the manager confirms.
        overview.submit_outage("系统暂时出现故障,正在抢修。", []).wait()
        qtbot.waitUntil(lambda: counter.outage_banner.isVisible()
                        and display.outage_banner.isVisible()
                        and kiosk.outage_banner.isVisible(), timeout=LONG)
        shots.take("outage_on")
        qtbot.waitUntil(lambda: len(overview.outage_bar.rows) == 1, timeout=LONG)
        qtbot.mouseClick(overview.outage_bar.rows[0].button, Qt.MouseButton.LeftButton)
        box = overview.confirm_box
        assert isinstance(box, QMessageBox) and box.isVisible()
        shots.take("outage_clear_asked")
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not counter.outage_banner.isVisible()
                        and not display.outage_banner.isVisible()
                        and not kiosk.outage_banner.isVisible(), timeout=LONG)
        shots.take("outage_off")

        # The database stops: every window says so; the kiosk speaks to customers.
        cluster.stop()
        qtbot.waitUntil(lambda: kiosk.offline and display.stale
                        and counter.connection_banner.isVisible()
                        and overview.banner.isVisible(), timeout=LONG)
        assert not any(b.isEnabled() for b in kiosk.buttons.values())
        shots.take("database_stopped")

        # ...and starts again: every window recovers, and the counter works.
        cluster.start()
        qtbot.waitUntil(lambda: not kiosk.offline and not display.stale
                        and not counter.connection_banner.isVisible()
                        and not overview.banner.isVisible(), timeout=60_000)
        qtbot.waitUntil(lambda: all(b.isEnabled() for b in kiosk.buttons.values()),
                        timeout=LONG)
        qtbot.mouseClick(kiosk.buttons[pay.id], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: kiosk.last_ticket is not None
                        and kiosk.last_ticket.code != code, timeout=LONG)
        second = kiosk.last_ticket.code
        qtbot.waitUntil(lambda: len(counter.view.queue) == 1, timeout=LONG)
        counter.activateWindow()
        qtbot.waitUntil(counter.isActiveWindow, timeout=5000)
        qtbot.keyClick(counter, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda: display.newest_code.text() == second, timeout=LONG)
        shots.take("recovered")
    finally:
        for window, _ in places:
            window.close()
        ops.wait_idle(10_000)
        hall.close()
        notify.set_bridge(old_bridge)


def _count(hall, model) -> int:  # type: ignore[no-untyped-def]
    with hall.ctx.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)
