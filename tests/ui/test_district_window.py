"""The area manager's window (pytest-qt): halls side by side, sorting, delayed data, alerts
and the read-only drill-down. Data: tests/db/test_district_service.py's shared database
(DEMO after its played day, EAST busy with an outage) plus a hall from an unregistered
site, whose data is never shown as live.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from db.engine import Database  # noqa: E402
from db.models import Hall  # noqa: E402
from db.site_keys import SITE_SPAN  # noqa: E402
from hall_app.clock import ManualClock  # noqa: E402
from hall_app.config import Settings  # noqa: E402
from hall_app.district.keys import move_to_site  # noqa: E402
from hall_app.district.service import DistrictService  # noqa: E402
from tests.db.test_district_service import at, busy_east, east_hall  # noqa: E402
from ui import ops  # noqa: E402

SHOTS = Path(os.environ.get("HALL_SCREENSHOT_DIR", "/tmp/hall-district-shots"))


@pytest.fixture(autouse=True)
def _ui_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))


@pytest.fixture
def service(sqlite_url):  # type: ignore[no-untyped-def]
    east = east_hall(sqlite_url)
    busy_east(east)
    east.close()
    database = Database(sqlite_url)
    move_to_site(database, 5)
    with database.write() as s:
        s.add(Hall(id=9 * SITE_SPAN + 1, code="FAR", name="远郊营业厅"))
    svc = DistrictService(database, Settings(database_url=sqlite_url), ManualClock(at("10:40")))
    yield svc
    svc.close()


@pytest.fixture
def window(qtbot, service):  # type: ignore[no-untyped-def]
    from ui.app_runtime import create_app
    from ui.district.window import DistrictWindow

    create_app("district", logging_to_file=False)
    w = DistrictWindow(service, refresh_seconds=60)
    qtbot.addWidget(w)
    w.resize(1700, 700)
    w.show()
    qtbot.waitUntil(lambda: w.snap is not None, timeout=10000)
    yield w
    w.live.stop()
    ops.wait_idle()


def cell(w, row: int, title: str) -> str:  # type: ignore[no-untyped-def]
    from ui.district.model import COLUMNS

    col = next(i for i, c in enumerate(COLUMNS) if c.title == title)
    return str(w.proxy.index(row, col).data())


def names(w) -> list[str]:  # type: ignore[no-untyped-def]
    return [cell(w, r, "营业厅") for r in range(w.proxy.rowCount())]


def test_halls_side_by_side_and_a_delayed_hall_says_so(window):
    assert sorted(names(window)) == sorted(["示范营业厅(人民路店)", "东区营业厅", "远郊营业厅"])
    row = names(window).index("远郊营业厅")
    assert cell(window, row, "数据") == "数据延迟(从未收到)"
    east = names(window).index("东区营业厅")
    assert cell(window, east, "数据") == "实时"
    assert (cell(window, east, "等候人数"), cell(window, east, "最长等候")) == ("3", "40分")
    assert cell(window, east, "故障") == "故障中(1)" and cell(window, east, "满意度") == "—"
    assert "1 个数据延迟" in window.summary.text()
    alerts = [window.alerts.item(i).text() for i in range(window.alerts.count())]
    assert alerts[0] == "[紧急] 东区营业厅:系统故障进行中(1起)"
    assert "[高] 远郊营业厅:数据延迟:从未收到数据" in alerts
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "district_window.png"))


def test_sorting_by_a_figure_sorts_by_its_value(window):
    from ui.district.model import COLUMNS

    col = next(i for i, c in enumerate(COLUMNS) if c.title == "最长等候")
    window.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert names(window)[0] == "东区营业厅"
    data_col = next(i for i, c in enumerate(COLUMNS) if c.title == "数据")
    window.table.sortByColumn(data_col, Qt.SortOrder.DescendingOrder)
    assert names(window)[0] == "远郊营业厅"  # unknown age sorts as the oldest


def test_double_click_opens_a_read_only_overview_of_the_hall(window, qtbot):
    east = names(window).index("东区营业厅")
    dialog = window.open_index(window.proxy.index(east, 0))
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.overview is not None, timeout=10000)
    assert "东区营业厅" in dialog.title.text()
    assert dialog.figures.values["waiting"].text() == "3"
    assert sum(q.waiting for q in dialog.queues.queues) == 3
    assert dialog.counters.rowCount() == len(dialog.overview.counters) > 0
    alerts = [dialog.alerts.item(i).text() for i in range(dialog.alerts.count())]
    assert any("系统" in a and "故障" in a for a in alerts)
    from PySide6.QtWidgets import QPushButton

    labels = {b.text() for b in dialog.findChildren(QPushButton)}
    assert labels == {"刷新", "关闭"}  # nothing that changes the hall
    dialog.resize(1100, 720)
    dialog.layout().activate()  # lay out the texts just set before taking the picture
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "district_drill.png"))
    dialog.close()


def test_ages_move_with_the_clock_and_turn_into_a_delay(window, service):
    """A replicated hall: fresh, then older than the limit → 数据延迟 with its time."""
    from dataclasses import replace

    from ui.district.model import COLUMNS, age_text

    snap = window.snap
    east = next(h for h in snap.halls if h.code == "EAST")
    replicated = replace(east, source="replicated", data_time=at("10:39"))
    assert age_text(replicated, at("10:39") + timedelta(seconds=30)) == "30秒前"
    assert age_text(replicated, at("10:41")) == "2分钟前"
    stale = replace(replicated, stale=True)
    assert age_text(stale, at("10:50")) == "数据延迟 10:39"
    window.apply_snapshot(replace(snap, halls=tuple(stale if h.code == "EAST" else h
                                                    for h in snap.halls)))
    row = names(window).index("东区营业厅")
    data_col = next(i for i, c in enumerate(COLUMNS) if c.title == "数据")
    index = window.proxy.index(row, data_col)
    assert index.data() == "数据延迟 10:39"
    waiting_col = next(i for i, c in enumerate(COLUMNS) if c.title == "等候人数")
    font = window.proxy.index(row, waiting_col).data(Qt.ItemDataRole.FontRole)
    assert font.italic()  # its figures are shown as not live
