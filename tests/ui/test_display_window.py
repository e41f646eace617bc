"""The hall display: calls from another workstation, outage notice, voice once, lost connection."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402

from hall_app.config import Settings, VoiceSettings  # noqa: E402
from hall_app.errors import DatabaseUnavailable  # noqa: E402
from ui.display.window import DisplayWindow, speaks_calls  # noqa: E402


class FakeAnnouncer:
    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> bool:
        self.said.append(text)
        return True


@pytest.fixture
def make_display(qtbot):
    made = []

    def make(url, **kwargs):
        services = make_hall(url)
        display = DisplayWindow(services, **kwargs)
        qtbot.addWidget(display)
        display.resize(1280, 900)
        display.show()
        qtbot.waitUntil(lambda: display.board is not None, timeout=5000)
        made.append((display, services))
        return display, services

    yield make
    for display, services in made:
        display.live.stop()
        services.close()


@pytest.fixture
def counter_hall(db_url):
    """A second workstation on the same database: clerk 1001 signed in at counter 1."""
    other = make_hall(db_url)
    clerk = other.auth.login("1001", "1234")
    c1 = other.queries.counter_for_number(1).id
    other.counters.sign_in(clerk, c1)
    pay = next(s.id for s in other.queries.services() if s.code == "PAY")
    yield other, clerk, c1, pay
    other.close()


def test_call_elsewhere_appears_within_one_refresh(qtbot, make_display, db_url, counter_hall):
    other, clerk, c1, pay = counter_hall
    display, services = make_display(db_url)
    assert display.newest_code.text() == "请留意叫号"
    interval = services.ctx.settings.thresholds.refresh_interval_ms / 1000
    other.tickets.issue(pay)
    other.tickets.issue(pay)
    start = time.monotonic()
    other.tickets.call_next(clerk, c1)
    qtbot.waitUntil(lambda: display.newest_code.text() == "A001", timeout=5000)
    elapsed = time.monotonic() - start
    assert elapsed <= interval + 0.5, f"took {elapsed:.2f} s (refresh interval {interval} s)"
    assert display.newest_counter.text() == "请到 1 号窗口"
    # The clerk finishes A001 and calls again: A002 takes the top, A001 moves to the list.
    t1 = other.tickets.current(c1)
    other.tickets.start(clerk, t1.id, c1)
    other.tickets.finish(clerk, t1.id, c1)
    other.tickets.call_next(clerk, c1)
    qtbot.waitUntil(lambda: display.newest_code.text() == "A002", timeout=5000)
    assert display.row_labels[0][0].text() == "A001"
    assert display.row_labels[0][1].text() == "1号窗口"
    assert display.row_labels[1][0].text() == ""


def test_outage_declared_elsewhere_shows_on_display(qtbot, make_display, db_url, counter_hall,
                                                    tmp_path):
    other = counter_hall[0]
    display, _ = make_display(db_url)
    manager = other.auth.login("2001", "2468")
    other.ctx.settings = dataclasses.replace(other.ctx.settings,
                                             scripts_path=edited_outage_script(tmp_path))
    outage = other.incidents.declare_outage(manager)
    qtbot.waitUntil(lambda: display.outage_banner.isVisible(), timeout=3000)
    assert display.outage_banner.text() == EDITED_NOTICE  # the hall's script, not code
    other.incidents.clear(manager, outage.id)
    qtbot.waitUntil(lambda: not display.outage_banner.isVisible(), timeout=3000)


def test_each_call_spoken_exactly_once_recalls_again(qtbot, make_display, sqlite_url):
    other = make_hall(sqlite_url)
    try:
        clerk = other.auth.login("1001", "1234")
        c1 = other.queries.counter_for_number(1).id
        other.counters.sign_in(clerk, c1)
        pay = next(s.id for s in other.queries.services() if s.code == "PAY")
        for _ in range(3):
            other.tickets.issue(pay)
        early = other.tickets.call_next(clerk, c1)  # before the display starts: not spoken again
        announcer = FakeAnnouncer()
        display, services = make_display(
            sqlite_url, announcer=announcer, speak=True,
            feed_factory=lambda: make_hall(sqlite_url).change_feed(0.05))
        assert display.newest_code.text() == early.code
        other.tickets.recall(clerk, early.id, c1)
        qtbot.waitUntil(lambda: len(announcer.said) == 1, timeout=3000)
        other.tickets.start(clerk, early.id, c1)
        other.tickets.finish(clerk, early.id, c1)
        second = other.tickets.call_next(clerk, c1)
        qtbot.waitUntil(lambda: len(announcer.said) == 2, timeout=3000)
        # More refreshes with nothing new: nothing is said again.
        for _ in range(3):
            display.live.request_refresh()
            qtbot.wait(150)
        assert announcer.said == ["请A001号顾客到1号窗口办理", f"请{second.code}号顾客到1号窗口办理"]
        assert len(set(display.announced)) == len(display.announced) == 2
    finally:
        other.close()


def test_silent_when_another_station_speaks(qtbot, make_display, sqlite_url):
    announcer = FakeAnnouncer()
    display, services = make_display(sqlite_url, announcer=announcer, speak=False,
                                     feed_factory=lambda: make_hall(sqlite_url).change_feed(0.05))
    clerk = services.auth.login("1001", "1234")
    c1 = services.queries.counter_for_number(1).id
    services.counters.sign_in(clerk, c1)
    services.tickets.issue(next(s.id for s in services.queries.services() if s.code == "PAY"))
    services.tickets.call_next(clerk, c1)
    qtbot.waitUntil(lambda: display.newest_code.text() == "A001", timeout=3000)
    assert announcer.said == []
    voice = VoiceSettings()
    assert speaks_calls(Settings(voice=voice))
    assert not speaks_calls(Settings(voice=replace(voice, station="counter")))
    assert not speaks_calls(Settings(voice=replace(voice, enabled=False)))


class SwitchableFeed:
    def __init__(self) -> None:
        self.down = False

    def wait_for_change(self, timeout: float) -> bool:
        if self.down:
            raise DatabaseUnavailable()
        time.sleep(min(timeout, 0.02))
        return False

    def close(self) -> None:
        pass


def test_lost_database_shows_connection_lost_not_stale_calls(qtbot, make_display, sqlite_url):
    feed = SwitchableFeed()
    display, _ = make_display(sqlite_url, feed_factory=lambda: feed)
    assert not display.connection_banner.isVisible()
    feed.down = True
    display.live.request_refresh()
    qtbot.waitUntil(lambda: display.connection_banner.isVisible(), timeout=3000)
    assert display.connection_banner.text() == DatabaseUnavailable().message
    assert display.stale and display.newest.property("stale") is True
    feed.down = False
    qtbot.waitUntil(lambda: not display.connection_banner.isVisible(), timeout=5000)
    assert not display.stale


EDITED_NOTICE = "营业系统故障,工作人员正在处理,请您稍候。"


def edited_outage_script(tmp_path) -> str:
    """A hall's own script file whose outage notice the hall has reworded."""
    from hall_app.scripts.loader import default_script_path

    text = default_script_path().read_text(encoding="utf-8").replace(
        'text = "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。"', f'text = "{EDITED_NOTICE}"')
    path = tmp_path / "hall_scripts.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)
