"""The overview's staffing strip: open now vs recommended for this hour and the next."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402


@pytest.fixture(autouse=True)
def _ui_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "data"))


def test_strip_shows_shortfall_in_colour(qtbot, sqlite_url, tmp_path):
    from ui.app_runtime import create_app
    from ui.overview.window import OverviewWindow

    create_app("overview", logging_to_file=False)
    hall = make_hall(sqlite_url)  # a new hall (no history): the plan uses typical volumes
    clerk = hall.auth.login("1001", "1234")
    counter = next(c.id for c in hall.queries.counters() if c.number == 1)
    hall.counters.sign_in(clerk, counter)
    manager = hall.auth.login("2001", "2468")
    w = OverviewWindow(hall, manager, safety_interval=60)
    qtbot.addWidget(w)
    w.resize(1600, 900)
    w.show()
    qtbot.waitUntil(lambda: len(w.staffing_strip.labels) == 2, timeout=20000)
    texts = [label.text() for label in w.staffing_strip.labels]
    assert texts[0].startswith("本小时 10:00-11:00:已开 1 个窗口 / 建议")
    assert texts[1].startswith("下一小时 11:00-12:00:已开 1 个窗口")
    assert all(label.property("short") for label in w.staffing_strip.labels)
    assert "缺" in texts[0]
    out = os.environ.get("HALL_SCREENSHOT_DIR")
    if out:
        w.grab().save(os.path.join(out, "overview_staffing_strip.png"))
    w.live.stop()
    from ui import ops

    ops.wait_idle()
    hall.close()
