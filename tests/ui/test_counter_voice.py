"""Voice at the counter: calls announced off the GUI thread; no engine → one notice, no crash."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from hall_app.config import VoiceSettings  # noqa: E402
from ui import notify, ops  # noqa: E402
from ui.counter.window import CounterWindow  # noqa: E402
from ui.voice import Announcer  # noqa: E402


class BlockingEngine:
    """A speech engine that takes 2 s for every phrase."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.speaking = threading.Event()

    def setProperty(self, name, value):  # noqa: N802 (pyttsx3 API)
        pass

    def say(self, text):
        self.said.append(text)

    def runAndWait(self):  # noqa: N802
        self.speaking.set()
        time.sleep(2.0)

    def stop(self):
        pass


@pytest.fixture
def counter_hall(hall, clerk, tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    hall.ctx.settings = replace(hall.ctx.settings,
                                voice=VoiceSettings(enabled=True, station="counter"))
    pay = next(s for s in hall.queries.services() if s.code == "PAY")
    hall.tickets.issue(pay.id)
    counter = hall.queries.counter_for_number(1)
    hall.counters.sign_in(clerk, counter.id)
    return hall, counter


@pytest.fixture
def bridge(qapp):
    new = notify.MessageBridge()
    old = notify.set_bridge(new)
    yield new
    notify.set_bridge(old)


def make_window(qtbot, hall, clerk, counter, announcer):
    window = CounterWindow(hall, clerk, counter.id, announcer=announcer,
                           live_options={"poll_timeout": 0.05, "backoff": (0.05,)})
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None and len(window.view.queue) == 1)
    return window


def test_gui_stays_responsive_while_the_call_is_spoken(qtbot, counter_hall, clerk, bridge):
    hall, counter = counter_hall
    engine = BlockingEngine()
    announcer = Announcer(lambda: engine)
    window = make_window(qtbot, hall, clerk, counter, announcer)
    window.call_next()
    qtbot.waitUntil(lambda: engine.speaking.is_set(), timeout=5000)
    assert engine.said == ["请A零零一号顾客到1号窗口办理"]  # 「请A001号顾客到1号窗口办理」 made speakable

    # While the engine is busy for 2 s, timers on the GUI thread still fire on time.
    latencies = []
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        fired = []
        start = time.monotonic()
        QTimer.singleShot(10, lambda fired=fired: fired.append(time.monotonic()))
        qtbot.waitUntil(lambda fired=fired: bool(fired), timeout=1000)
        latencies.append(fired[0] - start)
    assert engine.speaking.is_set() and len(engine.said) == 1
    print(f"event-loop latency during speech: max {max(latencies) * 1000:.1f} ms over {len(latencies)} timers")
    assert max(latencies) < 0.1, f"event loop stalled {max(latencies):.3f}s"
    assert window.current_panel.code_label.text() == "A001"
    window.close()
    announcer.stop(timeout=3)
    ops.wait_idle()


def test_missing_speech_engine_gives_one_notice_and_no_crash(qtbot, counter_hall, clerk, bridge):
    hall, counter = counter_hall
    warnings = []
    bridge.warning.connect(warnings.append)

    def no_engine():
        raise RuntimeError("未找到可用的语音引擎")

    announcer = Announcer(no_engine)
    window = make_window(qtbot, hall, clerk, counter, announcer)
    qtbot.waitUntil(lambda: bool(warnings), timeout=3000)
    window.call_next()
    qtbot.waitUntil(lambda: window.view.current is not None and not window.busy)
    qtbot.wait(200)
    voice_notices = [w for w in warnings if w.startswith("语音播报不可用")]
    assert voice_notices == ["语音播报不可用:未找到可用的语音引擎"]
    assert window.current_panel.code_label.text() == "A001"
    status = window.statusBar().findChild(QLabel, "StatusMessage").text()
    assert status in ("已叫号 A001", voice_notices[0])
    window.close()
    ops.wait_idle()


def test_no_announcement_when_the_display_speaks(qtbot, counter_hall, clerk, bridge):
    hall, counter = counter_hall
    hall.ctx.settings = replace(hall.ctx.settings, voice=VoiceSettings(station="display"))
    engine = BlockingEngine()
    announcer = Announcer(lambda: engine)
    window = make_window(qtbot, hall, clerk, counter, announcer)
    assert window.announcer is None
    window.call_next()
    qtbot.waitUntil(lambda: window.view.current is not None and not window.busy)
    qtbot.wait(200)
    assert engine.said == []
    window.close()
    announcer.stop(timeout=3)
    ops.wait_idle()
