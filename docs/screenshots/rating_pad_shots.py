"""Take the rating pad's screenshots (docs/screenshots/rating_*.png) on a demo hall.

    Xvfb :19 -screen 0 1920x1080x24 &
    DISPLAY=:19 QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots/rating_pad_shots.py

Idle, during service and after 办结 (the question) at 800×480 and 1024×600, plus the
reason, contact, thanks and 暂停评价 screens at 800×480, and the overview with the 不满意
alert, 满意率 / 参评率 and the 顾客回访 button.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import _seed, make_hall  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402
from rating_support import bind_pad, counter_id, serve  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from ui import ops  # noqa: E402
from ui.app_runtime import create_app  # noqa: E402
from ui.rating.window import RatingPadWindow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def pump(condition, seconds: float = 8.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not condition():
        QCoreApplication.processEvents()
        time.sleep(0.01)


def settle(window) -> None:
    pump(lambda: False, 0.4)
    window.repaint()


def shot(window, name: str) -> None:
    settle(window)
    window.grab().save(str(OUT / name))
    print("wrote", OUT / name)


def shoot_pad(hall, clerk, c1: int, credential, width: int, height: int) -> None:
    size = f"{width}x{height}"
    pad = RatingPadWindow(hall, credential, feed_factory=lambda: hall.change_feed(0.05),
                          thanks_ms=60_000, live_options={"poll_timeout": 0.05,
                                                          "backoff": (0.1, 0.2)})
    pad.resize(width, height)
    pad.show()
    pump(lambda: pad.page == "idle")
    shot(pad, f"rating_idle_{size}.png")
    ticket = serve(hall, clerk, c1, "PLAN", finish=False)
    pump(lambda: pad.page == "serving")
    shot(pad, f"rating_serving_{size}.png")
    hall.tickets.finish(clerk, ticket.id, c1)
    pump(lambda: pad.page == "ask")
    shot(pad, f"rating_ask_{size}.png")
    if width == 800:
        pad.buttons["dissatisfied"].click()
        pump(lambda: pad.page == "reason" and not pad.busy)
        shot(pad, f"rating_reason_{size}.png")
        pad.reason_buttons["long_wait"].click()
        pump(lambda: pad.page == "contact")
        shot(pad, f"rating_contact_{size}.png")
        pad.contact_buttons["yes"].click()
        pump(lambda: pad.page == "thanks" and not pad.busy)
        shot(pad, f"rating_thanks_{size}.png")

        def down(*_args: object) -> None:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

        event.listen(hall.ctx.db.engine, "before_cursor_execute", down)
        pad.pause()
        pump(lambda: pad.live is not None and not pad.live.connected)
        shot(pad, f"rating_paused_{size}.png")
        event.remove(hall.ctx.db.engine, "before_cursor_execute", down)
        pump(lambda: pad.live is not None and pad.live.connected)
    pad.close()
    ops.wait_idle()


def main() -> int:
    os.environ.setdefault("HALL_UI_SETTINGS_DIR", tempfile.mkdtemp())
    create_app("rating", logging_to_file=False)
    url = f"sqlite+pysqlite:///{Path(tempfile.mkdtemp()) / 'hall.db'}"
    _seed(url)
    hall = make_hall(url)
    clerk, manager = hall.auth.login("1001", "1234"), hall.auth.login("2001", "2468")
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    credential = bind_pad(hall, manager, c1)
    for width, height in ((800, 480), (1024, 600)):
        shoot_pad(hall, clerk, c1, credential, width, height)
    from PySide6.QtWidgets import QApplication

    from ui.app_runtime import load_stylesheet
    from ui.overview.window import OverviewWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(load_stylesheet("overview"))
    overview = OverviewWindow(hall, manager)
    overview.resize(1400, 900)
    overview.show()
    pump(lambda: overview.snap is not None and any(a.kind == "rating"
                                                   for a in overview.snap.alerts))
    shot(overview, "rating_overview_alert.png")
    overview.close()
    ops.wait_idle()
    hall.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
