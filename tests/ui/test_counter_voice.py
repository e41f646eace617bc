"""Voice at the counter: calls announced off the GUI thread; no engine → one notice, no crash."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402
from dataclasses import replace  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QTimer  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from hall_app.config import VoiceSettings  # noqa: E402
from ui import notify, ops  # noqa: E402
from ui.counter.window import CounterWindow  # noqa: E402
from ui.voice import Announcer  # noqa: E402


class BlockingEngine:
    """A speech engine that speaks until the test releases it (at most 5 s)."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.speaking = threading.Event()
        self.release = threading.Event()

    def setProperty(self, name, value):  # noqa: N802 (pyttsx3 API)
        pass

    def say(self, text):
        self.said.append(text)

    def runAndWait(self):  # noqa: N802
        self.speaking.set()
        self.release.wait(5.0)

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

    # While the engine is still speaking, the GUI thread runs timers and repaints.
    fired = []
    for _ in range(5):
        QTimer.singleShot(10, lambda: fired.append(engine.release.is_set()))
    qtbot.waitUntil(lambda: len(fired) == 5, timeout=5000)
    assert fired == [False] * 5  # every timer fired before the phrase was finished
    assert window.current_panel.code_label.text() == "A001"
    engine.release.set()
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
    qtbot.waitUntil(lambda: not announcer.is_running(), timeout=3000)  # gave up, once
    QCoreApplication.processEvents()
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
    announcer.stop(timeout=3)  # anything queued before the stop would have been spoken
    assert engine.said == []
    window.close()
    ops.wait_idle()
