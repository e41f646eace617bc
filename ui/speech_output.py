"""Speech on Linux without surprises: espeak-ng renders a WAV file, we play it.

pyttsx3's espeak driver plays each phrase with ``os.system("aplay …")``: with no sound
device every announcement prints ALSA errors on the terminal and the driver reports
success. Here the phrase is rendered by the ``espeak-ng`` program into a file, and an
*output* plays it with its errors captured:

* ``AplayOutput`` plays through ALSA's ``aplay``; ``check()`` (run once when the engine
  starts) plays 0.1 s of silence, so a missing program or device is known before the
  first call, reported once by the announcer (「语音播报不可用:没有可用的声音设备…」)
  and never printed on the terminal.
* ``WavFolderOutput`` keeps every phrase as a numbered WAV file instead (``HALL_VOICE_WAV_DIR``:
  the end-to-end test listens this way, and a hall can check its voice without speakers).

``EspeakEngine`` has the part of pyttsx3's engine interface the announcer uses
(``setProperty``, ``say``, ``runAndWait``, ``stop``). No Qt here; it runs in the
announcer's worker thread.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

log = logging.getLogger(__name__)

WAV_DIR_ENV = "HALL_VOICE_WAV_DIR"
PLAY_TIMEOUT_S = 30.0
NO_DEVICE = "没有可用的声音设备"


class SoundUnavailable(RuntimeError):
    """No way to make the phrase heard; the message is Chinese, for the user."""


class SoundOutput(Protocol):
    def check(self) -> None: ...

    def play(self, wav: Path) -> None: ...


def _first_line(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def write_silence(path: Path, seconds: float = 0.1, rate: int = 22050) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(rate * seconds))
    return path


class AplayOutput:
    """Plays WAV files with ALSA's ``aplay``; errors raise, never reach the terminal."""

    def __init__(self, program: str = "aplay") -> None:
        self.program = program

    def _path(self) -> str:
        found = shutil.which(self.program)
        if found is None:
            raise SoundUnavailable(f"{NO_DEVICE}(未安装 {self.program},请安装 alsa-utils)")
        return found

    def check(self) -> None:
        with tempfile.TemporaryDirectory(prefix="hall-voice-") as folder:
            self.play(write_silence(Path(folder) / "silence.wav"))

    def play(self, wav: Path) -> None:
        try:
            done = subprocess.run([self._path(), "-q", str(wav)], capture_output=True,
                                  timeout=PLAY_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SoundUnavailable(f"{NO_DEVICE}({type(exc).__name__})") from exc
        if done.returncode != 0:
            detail = _first_line(done.stderr) or f"aplay 退出码 {done.returncode}"
            raise SoundUnavailable(f"{NO_DEVICE}({detail})")


class WavFolderOutput:
    """Keeps each phrase as ``0001.wav``, ``0002.wav``… in `folder` (and its text beside)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._numbers = itertools.count(1)
        self.current_text = ""

    def check(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        existing = sorted(self.folder.glob("*.wav"))
        self._numbers = itertools.count(len(existing) + 1)

    def play(self, wav: Path) -> None:
        number = next(self._numbers)
        target = self.folder / f"{number:04d}.wav"
        shutil.copyfile(wav, target)
        target.with_suffix(".txt").write_text(self.current_text, encoding="utf-8")


def default_output() -> SoundOutput:
    folder = os.environ.get(WAV_DIR_ENV)
    return WavFolderOutput(Path(folder)) if folder else AplayOutput()


def espeak_voices(program: str) -> list[Any]:
    """espeak-ng's Mandarin voices as objects with id / name / languages (for matching)."""
    done = subprocess.run([program, "--voices=cmn"], capture_output=True, timeout=15,
                          check=False)
    voices = []
    for line in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 4:
            voices.append(SimpleNamespace(id=fields[1], name=fields[3], languages=[fields[1]]))
    return voices


class EspeakEngine:
    """Renders phrases with the ``espeak-ng`` program and hands the WAV to `output`."""

    def __init__(self, output: SoundOutput | None = None, *, program: str = "espeak-ng",
                 voice: str | None = None) -> None:
        found = shutil.which(program)
        if found is None:
            raise SoundUnavailable("未安装 espeak-ng 语音引擎")
        self.program = found
        if voice is None:
            from ui.voice import choose_chinese_voice

            chosen = choose_chinese_voice(espeak_voices(found))
            if chosen is None:
                raise SoundUnavailable("未找到中文语音")
            voice = str(chosen.id)
        self.voice = voice
        self.output = output or default_output()
        self.output.check()
        self.volume = 1.0
        self.rate: int | None = None
        self._pending: list[str] = []
        log.info("Speech: %s voice %s, output %s", found, voice, type(self.output).__name__)

    # pyttsx3's names
    def setProperty(self, name: str, value: Any) -> None:  # noqa: N802
        if name == "volume":
            self.volume = min(1.0, max(0.0, float(value)))
        elif name == "rate":
            self.rate = int(value)

    def say(self, text: str) -> None:
        self._pending.append(text)

    def runAndWait(self) -> None:  # noqa: N802
        pending, self._pending = self._pending, []
        for text in pending:
            self._speak(text)

    def stop(self) -> None:
        self._pending = []

    def _speak(self, text: str) -> None:
        with tempfile.TemporaryDirectory(prefix="hall-voice-") as folder:
            wav = Path(folder) / "phrase.wav"
            command = [self.program, "-v", self.voice, "-a", str(int(self.volume * 100)),
                       "-w", str(wav)]
            if self.rate is not None:
                command += ["-s", str(self.rate)]
            done = subprocess.run([*command, text], capture_output=True, timeout=PLAY_TIMEOUT_S,
                                  check=False)
            if done.returncode != 0 or not wav.is_file():
                raise RuntimeError(f"espeak-ng failed: {_first_line(done.stderr)}")
            if isinstance(self.output, WavFolderOutput):
                self.output.current_text = text
            self.output.play(wav)
