"""Speech on Linux: espeak-ng to a file, played by aplay with its errors captured.

No sound device → one 「语音播报不可用:没有可用的声音设备…」, nothing on the terminal, and
the window shows 「语音不可用」. A phrase is reported spoken only when it was played.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402
import shutil  # noqa: E402
import wave  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from ui import notify  # noqa: E402
from ui.speech_output import (  # noqa: E402
    AplayOutput,
    EspeakEngine,
    SoundUnavailable,
    WavFolderOutput,
)
from ui.voice import Announcer  # noqa: E402

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (apt install espeak-ng)")

ALSA_NOISE = "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'\n" \
             "aplay: main:831: audio open error: No such file or directory"


def fake_aplay(folder: Path, *, works: bool) -> Path:
    """An `aplay` that, like the real one without a sound card, complains and fails."""
    script = folder / "aplay"
    log = folder / "played.log"
    if works:
        script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n')
    else:
        script.write_text(f"#!/bin/sh\necho \"{ALSA_NOISE}\" >&2\nexit 1\n")
    script.chmod(0o755)
    return script


@pytest.fixture
def bridge(qapp):
    new = notify.MessageBridge()
    old = notify.set_bridge(new)
    yield new
    notify.set_bridge(old)


def finished(qtbot, announcer: Announcer) -> None:
    qtbot.waitUntil(lambda: not announcer.is_running(), timeout=10000)
    QCoreApplication.processEvents()


@needs_espeak
def test_no_sound_device_is_reported_once_and_nothing_reaches_the_terminal(
        qtbot, tmp_path, capfd, bridge):
    aplay = fake_aplay(tmp_path, works=False)
    notices: list[str] = []
    announcer = Announcer(lambda: EspeakEngine(AplayOutput(str(aplay))))
    announcer.unavailable.connect(notices.append)
    spoken: list[str] = []
    announcer.spoken.connect(spoken.append)
    qtbot.waitUntil(lambda: not announcer.available, timeout=10000)  # found at start
    for _ in range(5):
        assert announcer.say("请A001号顾客到1号窗口办理") is False
    finished(qtbot, announcer)
    assert len(notices) == 1
    assert notices[0].startswith("语音播报不可用:没有可用的声音设备(")
    assert "audio open error" in notices[0]
    assert spoken == []
    out, err = capfd.readouterr()
    assert "ALSA" not in out + err and "aplay" not in out + err


def test_missing_aplay_program_is_named(qtbot, tmp_path):
    output = AplayOutput(str(tmp_path / "no-such-aplay"))
    with pytest.raises(SoundUnavailable, match=re.escape("没有可用的声音设备(未安装")):
        output.check()


@needs_espeak
def test_working_device_plays_each_phrase(qtbot, tmp_path):
    aplay = fake_aplay(tmp_path, works=True)
    announcer = Announcer(lambda: EspeakEngine(AplayOutput(str(aplay))))
    with qtbot.waitSignal(announcer.spoken, timeout=20000) as spoken:
        assert announcer.say("请A001号顾客到1号窗口办理")
    assert spoken.args == ["请A零零一号顾客到1号窗口办理"]
    assert announcer.available
    played = (tmp_path / "played.log").read_text().splitlines()
    assert len(played) == 2 and all(line.startswith("-q ") for line in played)  # check + phrase
    announcer.stop(timeout=5)


@needs_espeak
def test_wav_folder_keeps_every_phrase(qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "voice"
    monkeypatch.setenv("HALL_VOICE_WAV_DIR", str(folder))
    announcer = Announcer()  # the default engine, sending phrases to the folder
    for text in ("请A001号顾客到1号窗口办理", "请B002号顾客到2号窗口办理"):
        with qtbot.waitSignal(announcer.spoken, timeout=20000):
            announcer.say(text)
    announcer.stop(timeout=5)
    wavs = sorted(folder.glob("*.wav"))
    assert [w.name for w in wavs] == ["0001.wav", "0002.wav"]
    for wav in wavs:
        with wave.open(str(wav)) as sound:
            assert sound.getnframes() > sound.getframerate() // 2  # over half a second
    assert (folder / "0002.txt").read_text(encoding="utf-8") == "请B零零二号顾客到2号窗口办理"


def test_wav_folder_continues_numbering(tmp_path):
    output = WavFolderOutput(tmp_path)
    (tmp_path / "0001.wav").write_bytes(b"")
    output.check()
    source = tmp_path / "x.wav"
    source.write_bytes(b"RIFF")
    output.play(source)
    assert (tmp_path / "0002.wav").is_file()


def test_display_shows_voice_unavailable(qtbot, sqlite_url):
    from conftest import make_hall

    from ui.display.window import DisplayWindow

    def no_device():
        from ui.speech_output import SoundUnavailable

        raise SoundUnavailable("没有可用的声音设备(测试)")

    services = make_hall(sqlite_url)
    announcer = Announcer(no_device, notify_user=False)
    display = DisplayWindow(services, announcer=announcer, speak=True)
    qtbot.addWidget(display)
    display.show()
    try:
        qtbot.waitUntil(lambda: display.voice_status.isVisible(), timeout=5000)
        assert display.voice_status.text() == "语音不可用"
        assert display.voice_status.toolTip() == "语音播报不可用:没有可用的声音设备(测试)"
    finally:
        display.live.stop()
        services.close()
