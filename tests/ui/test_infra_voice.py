"""Announcer: speech in its own thread, injectable engine, one notice when unavailable."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402
import time  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QTimer  # noqa: E402

from hall_app.announce import call_announcement  # noqa: E402
from ui import notify, voice  # noqa: E402


class FakeEngine:
    """Stands in for pyttsx3: runAndWait blocks like real speech."""

    def __init__(self, speak_seconds: float = 0.0) -> None:
        self.speak_seconds = speak_seconds
        self.said: list[str] = []
        self.props: dict[str, object] = {}
        self.threads: set[threading.Thread] = set()
        self._pending: list[str] = []

    def setProperty(self, name: str, value: object) -> None:  # noqa: N802 (pyttsx3 API)
        self.props[name] = value

    def say(self, text: str) -> None:
        self._pending.append(text)

    def runAndWait(self) -> None:  # noqa: N802 (pyttsx3 API)
        self.threads.add(threading.current_thread())
        time.sleep(self.speak_seconds)
        self.said += self._pending
        self._pending = []

    def stop(self) -> None:
        pass


def worker_finished(qtbot, announcer) -> None:
    """Wait until the speech thread has ended, then deliver what it emitted."""
    qtbot.waitUntil(lambda: not announcer.is_running(), timeout=3000)
    QCoreApplication.processEvents()


@pytest.fixture
def bridge(qapp):
    old = notify.set_bridge(notify.MessageBridge())
    yield notify.bridge()
    notify.set_bridge(old)


@pytest.fixture
def make_announcer(bridge):
    made: list[voice.Announcer] = []

    def make(**kwargs) -> voice.Announcer:
        announcer = voice.Announcer(**kwargs)
        made.append(announcer)
        return announcer

    yield make
    for announcer in made:
        announcer.stop(timeout=5)
        assert not announcer.is_running()


def test_speaks_speakable_text_in_worker_thread(qtbot, make_announcer) -> None:
    engine = FakeEngine()
    announcer = make_announcer(engine_factory=lambda: engine, volume=0.6)
    with qtbot.waitSignal(announcer.spoken, timeout=3000) as blocker:
        assert announcer.say(call_announcement("A012", 3))
    assert blocker.args == ["请A零一二号顾客到3号窗口办理"]
    assert engine.said == ["请A零一二号顾客到3号窗口办理"]
    assert engine.props["volume"] == 0.6
    assert threading.main_thread() not in engine.threads


def test_gui_loop_responds_while_engine_speaks(qtbot, make_announcer) -> None:
    engine = FakeEngine(speak_seconds=2.0)
    announcer = make_announcer(engine_factory=lambda: engine)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    announcer.say("请A001号顾客到1号窗口办理")
    with qtbot.waitSignal(announcer.spoken, timeout=5000):
        pass
    timer.stop()
    assert time.monotonic() - started >= 1.9  # it really spoke for 2 s ...
    gaps = [b - a for a, b in zip([started, *ticks], ticks, strict=False)]
    assert max(gaps) < 0.1, f"GUI loop stalled for {max(gaps):.3f} s"  # ... while the GUI ran


def test_missing_engine_gives_exactly_one_notice(qtbot, make_announcer, bridge) -> None:
    calls = []

    def broken_factory():
        calls.append(1)
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    notices: list[str] = []
    warnings: list[str] = []
    bridge.warning.connect(warnings.append)
    announcer = make_announcer(engine_factory=broken_factory)
    announcer.unavailable.connect(notices.append)
    qtbot.waitUntil(lambda: not announcer.available, timeout=3000)
    for _ in range(5):
        assert announcer.say("请A001号顾客到1号窗口办理") is False
    worker_finished(qtbot, announcer)
    assert len(notices) == 1
    assert notices[0].startswith("语音播报不可用:")
    assert "libespeak" in notices[0]
    assert warnings == notices
    assert calls == [1]  # no retries


def test_engine_failing_repeatedly_is_given_up_once(qtbot, make_announcer) -> None:
    class Failing(FakeEngine):
        def runAndWait(self) -> None:  # noqa: N802
            raise RuntimeError("audio device busy")

    announcer = make_announcer(engine_factory=Failing)
    notices: list[str] = []
    announcer.unavailable.connect(notices.append)
    for _ in range(voice.MAX_FAILURES):
        announcer.say("测试")
    qtbot.waitUntil(lambda: len(notices) == 1, timeout=3000)
    assert not announcer.say("测试")
    worker_finished(qtbot, announcer)
    assert len(notices) == 1


def test_disabled_and_volume(qtbot, make_announcer) -> None:
    engine = FakeEngine()
    announcer = make_announcer(engine_factory=lambda: engine, enabled=False)
    assert announcer.say("不会播报") is False
    announcer.set_enabled(True)
    announcer.set_volume(3)  # clamped
    with qtbot.waitSignal(announcer.spoken, timeout=3000):
        announcer.say("播报")
    assert engine.props["volume"] == 1.0


def test_queue_drops_oldest_when_calls_outpace_speech(qtbot, make_announcer) -> None:
    engine = FakeEngine(speak_seconds=0.3)
    announcer = make_announcer(engine_factory=lambda: engine, max_pending=2)
    for n in range(6):
        announcer.say(f"第{n}句")
    qtbot.waitUntil(lambda: "第5句" in engine.said, timeout=5000)
    assert len(engine.said) <= 4


def test_chinese_voice_selection() -> None:
    def v(id_: str, name: str, langs=()) -> SimpleNamespace:
        return SimpleNamespace(id=id_, name=name, languages=list(langs))

    espeak = [
        v("gmw/en", "English"),
        v("sit/yue", "Chinese (Cantonese)", ["yue"]),
        v("sit/cmn", "Chinese (Mandarin, latin as English)", ["cmn"]),
        v("sit/cmn-latn-pinyin", "Chinese (Mandarin, latin as Pinyin)", ["cmn-latn-pinyin"]),
    ]
    assert voice.choose_chinese_voice(espeak).id == "sit/cmn-latn-pinyin"
    assert voice.choose_chinese_voice(espeak[:3]).id == "sit/cmn"
    sapi = [
        v("TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop - English (United States)"),
        v("TTS_MS_ZH-CN_HUIHUI_11.0", "Microsoft Huihui Desktop - Chinese (Simplified)"),
    ]
    assert voice.choose_chinese_voice(sapi).id == "TTS_MS_ZH-CN_HUIHUI_11.0"
    assert voice.choose_chinese_voice(espeak[:2]) is None


def test_default_factory_picks_pinyin_voice_when_espeak_present(tmp_path, monkeypatch) -> None:
    import sys

    if sys.platform.startswith("linux"):  # espeak-ng rendering to files (no device needed)
        import shutil

        if shutil.which("espeak-ng") is None:
            pytest.skip("espeak-ng is not installed")
        monkeypatch.setenv("HALL_VOICE_WAV_DIR", str(tmp_path))
        assert voice.default_engine_factory().voice == "cmn-latn-pinyin"
        return
    pytest.importorskip("pyttsx3")
    try:
        engine = voice.default_engine_factory()
    except Exception as exc:  # no driver on this machine
        pytest.skip(f"no speech engine: {exc}")
    # pyttsx3 applies setProperty lazily (in runAndWait), so check the choice itself.
    chosen = voice.choose_chinese_voice(engine.getProperty("voices"))
    assert chosen is not None
    if any("cmn-latn-pinyin" in str(v.id).lower() for v in engine.getProperty("voices")):
        assert "cmn-latn-pinyin" in str(chosen.id).lower()
