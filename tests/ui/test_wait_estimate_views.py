"""The counter queue and the overview show each waiting customer's estimate (「预计还需」)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402

from ui import ops  # noqa: E402

CELL = re.compile(r"^\d+–\d+分$")


@pytest.fixture(autouse=True)
def _ui_settings(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))


@pytest.fixture
def hall(sqlite_url):  # type: ignore[no-untyped-def]
    services = make_hall(sqlite_url)
    yield services
    services.close()


def sid(hall, code: str) -> int:  # type: ignore[no-untyped-def]
    return next(s.id for s in hall.queries.services() if s.code == code)


def test_counter_queue_shows_the_estimate_per_ticket(qtbot, hall, tmp_path):
    from ui.counter.window import CounterWindow

    clerk = hall.auth.login("1001", "1234")
    counter = hall.queries.counter_for_number(1)
    hall.counters.sign_in(clerk, counter.id)
    for _ in range(4):
        hall.tickets.issue(sid(hall, "PAY"))
    hall.tickets.issue(sid(hall, "PLAN"))
    window = CounterWindow(hall, clerk, counter.id,
                           live_options={"poll_timeout": 0.05, "backoff": (0.05, 0.1)})
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    model = window.queue_panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 5 and model.estimate_text(0) != "—",
                    timeout=10000)
    cells = [model.estimate_text(r) for r in range(model.rowCount())]
    assert all(CELL.match(c) for c in cells), cells
    lows = [int(c.split("–")[0]) for c in cells[:4]]  # the four 缴费 customers, in order
    assert lows == sorted(lows) and lows[0] < lows[-1]
    assert model.headerData(model.ESTIMATE_COLUMN, pytest.importorskip(
        "PySide6.QtCore").Qt.Orientation.Horizontal) == "预计还需"
    window.grab().save(str(tmp_path / "counter_queue_estimates.png"))
    window.close()
    ops.wait_idle()


def test_overview_lists_estimates_and_the_no_counter_alert(qtbot, hall, tmp_path):
    from ui.app_runtime import create_app
    from ui.overview.window import OverviewWindow

    clerk = hall.auth.login("1001", "1234")
    hall.counters.sign_in(clerk, hall.queries.counter_for_number(1).id)  # PAY, PLAN
    for _ in range(3):
        hall.tickets.issue(sid(hall, "PAY"))
    hall.tickets.issue(sid(hall, "OPEN"))  # nobody signed in serves 开户入网
    create_app("overview", logging_to_file=False)
    manager = hall.auth.login("2001", "2468")
    w = OverviewWindow(hall, manager, safety_interval=60)
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    table = w.waiting_table
    qtbot.waitUntil(lambda: table.rowCount() == 4 and table.estimate_text(0) != "—",
                    timeout=10000)
    cells = {table.waiting[r].code: table.estimate_text(r) for r in range(table.rowCount())}
    assert cells["B001"] == "暂无窗口"
    assert all(CELL.match(v) for code, v in cells.items() if code != "B001"), cells
    titles = [a.title for a in w.snap.alerts if a.kind == "nocounter"]
    assert titles == ["「开户入网」1人等候,暂无窗口办理"]
    w.grab().save(str(tmp_path / "overview_estimates.png"))
    w.live.stop()
    ops.wait_idle()
