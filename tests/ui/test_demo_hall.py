"""`hall-app demo` smoke test: a fast demo on a temporary database, alive within seconds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402

from hall_app.config import Settings  # noqa: E402
from hall_app.services.calls import recent_calls  # noqa: E402
from ui.demo.hall import DemoHall, ScaledClock  # noqa: E402
from ui.kiosk import PdfSlipPrinter  # noqa: E402


class FakeAnnouncer:
    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> bool:
        self.said.append(text)
        return True


def test_scaled_clock_runs_faster(monkeypatch):
    import ui.demo.hall as demo_hall

    real = [1000.0]
    monkeypatch.setattr(demo_hall.time, "monotonic", lambda: real[0])
    start = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    clock = ScaledClock(600, start)
    assert clock.now() == start
    real[0] += 0.5  # half a real second ...
    assert clock.now() == start + timedelta(minutes=5)  # ... is five simulated minutes


@pytest.mark.parametrize("local_start", ["10:00", "20:30"], ids=["in-hours", "after-closing"])
def test_demo_runs_and_closes_cleanly(qtbot, tmp_path, monkeypatch, local_start):
    # The demo runs at any hour: started after the hall's closing time it must still
    # issue and call (a window's day scheduler once closed the day before the
    # simulator kept it open, and every ticket was refused).
    import ui.demo.hall as demo_hall

    shanghai = ZoneInfo("Asia/Shanghai")
    hour, minute = map(int, local_start.split(":"))
    start = datetime.now(shanghai).replace(hour=hour, minute=minute, second=0, microsecond=0)
    monkeypatch.setattr(demo_hall, "ScaledClock", lambda speed: ScaledClock(speed, start))
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    url = f"sqlite+pysqlite:///{tmp_path / 'demo.db'}"
    announcer = FakeAnnouncer()
    demo = DemoHall(Settings(database_url=url), speed=600, counters=2, rate=120,
                    seed_history=False, announcer=announcer,
                    printer=PdfSlipPrinter(tmp_path / "slip.pdf"))
    try:
        before = set(threading.enumerate())
        demo.open_windows()
        display, kiosk = demo.windows[0], demo.windows[1]
        mine = [display.live, kiosk.live]
        # Wait on what the simulator has done, not on time (a loaded machine is slower).
        stats = demo.simulator.stats
        qtbot.waitUntil(lambda: stats.steps >= 3 and stats.issued > 0, timeout=60_000)
        qtbot.waitUntil(lambda: bool(recent_calls(demo.services.ctx, 50)), timeout=60_000)
        assert stats.errors == 0
        calls = recent_calls(demo.services.ctx, 50)
        # The demo found the clerks' and the manager's windows where it looks for them.
        assert demo.counter_cls is not None and demo.overview_cls is not None
        # Interactive counters 1 and 2 are left to the clerks.
        assert {c.counter_number for c in calls}.isdisjoint({1, 2})
        # ...and those clerks are signed in, so F1 works in their windows at once.
        qtbot.waitUntil(lambda: {c.number: c.state for c in
                                 demo.services.queries.counters()}.get(2) == "open",
                        timeout=30_000)
        states = {c.number: c.state for c in demo.services.queries.counters()}
        assert states[1] == "open" and states[2] == "open"
        # The display saw the calls and spoke the new ones; the kiosk shows live counts.
        qtbot.waitUntil(lambda: display.newest_code.text() != "请留意叫号", timeout=30_000)
        assert announcer.said and all(t.startswith("请") for t in announcer.said)
        assert any("等候" in b.text() for b in kiosk.buttons.values())
        # A rating pad beside each interactive counter, bound and showing its clerk.
        qtbot.waitUntil(lambda: len(demo.pads) == 2 and all(
            p.board is not None and p.board.bound and p.board.holder is not None
            for p in demo.pads), timeout=5000)
        assert sorted(p.board.counter_number for p in demo.pads) == [1, 2]
        mine += [p.live for p in demo.pads]
        # ...and the simulated customers rate at the simulated counters.
        qtbot.waitUntil(lambda: demo.simulator.rated() > 0, timeout=10000)
        # One window, every screen in it and styled as on its own workstation.
        qtbot.waitUntil(lambda: len(demo.windows) == 7, timeout=30_000)  # 5 screens, 2 pads
        assert all(w.window() is demo.floor for w in demo.windows)
        counter = next(w for w in demo.windows if type(w).__name__ == "CounterWindow")
        assert counter.current_panel.code_label.font().pointSize() >= 40  # counter.qss
        pause = counter.actions_bar.buttons["pause"]  # enabled at an open counter
        qtbot.waitUntil(pause.isEnabled, timeout=10_000)
        image = pause.grab().toImage()
        colours = Counter(image.pixelColor(x, y).name() for x in range(0, image.width(), 3)
                          for y in range(0, image.height(), 3))
        assert colours.most_common(1)[0][0] == "#1565c0"  # counter.qss, not a grey button
        tabs = demo.floor.staff_tabs
        assert [tabs.tabText(i) for i in range(tabs.count())][:1] == ["值班长总览"]
        assert "1号窗口评价器" in [tabs.tabText(i) for i in range(tabs.count())]
        # The customers' screens stay in view beside the staff tabs, none over another.
        floor_rect = demo.floor.rect()
        rects = [w.geometry().translated(w.mapTo(demo.floor, w.rect().topLeft())
                                         - w.geometry().topLeft())
                 for w in (display, kiosk, tabs)]
        for i, a in enumerate(rects):
            assert floor_rect.contains(a)
            assert not any(a.intersects(b) for b in rects[i + 1:])
    finally:
        demo.close()
    assert not demo.simulator._thread.is_alive()
    assert all(not live.is_running() for live in mine)
    assert demo.windows == []
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()
                and t.name in ("hall-demo-sim", "hall-kiosk", "hall-display")]
    assert leftover == []
