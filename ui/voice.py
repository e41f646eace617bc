"""Voice announcements in their own thread, so the GUI never waits on the speech engine.

The hall display does::

    announcer = Announcer(volume=settings.voice.volume, parent=self)
    announcer.unavailable.connect(self.outage_banner.set_notice)  # optional: also goes to ui.notify
    announcer.say(call_announcement("A012", 3))                     # returns at once

Phrases wait in a short queue (old ones are dropped when calls come faster than
speech). The engine is created in the worker thread by `engine_factory`
(default: ``pyttsx3.init()`` with a Mandarin voice). If no engine can be made, or
it keeps failing, ``unavailable`` is emitted once and the announcer stays silent:
no crash, no retry loop, no log spam.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from hall_app.announce import speakable
from ui import notify
from ui.speech_output import SoundUnavailable

log = logging.getLogger(__name__)

UNAVAILABLE_PREFIX = "语音播报不可用:"
#: Consecutive speaking failures after which the engine is given up.
MAX_FAILURES = 3

_STOP = object()


def _text_of(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "ignore")
    return str(value or "")


def _voice_texts(voice: Any) -> str:
    """Lower-case id, name and languages of a pyttsx3 voice, for matching."""
    languages = getattr(voice, "languages", None) or []
    if isinstance(languages, str | bytes):
        languages = [languages]
    parts = [_text_of(getattr(voice, "id", "")), _text_of(getattr(voice, "name", ""))]
    parts += [_text_of(lang) for lang in languages]
    return " ".join(parts).lower()


def choose_chinese_voice(voices: Iterable[Any]) -> Any | None:
    """Best Mandarin voice: espeak's cmn-latn-pinyin, then any cmn / zh-CN / Chinese voice.

    Cantonese (yue) and Hakka (hak) voices are not used.
    """
    ranked: list[tuple[int, Any]] = []
    for voice in voices:
        text = _voice_texts(voice)
        if "yue" in text or "cantonese" in text or "hak" in text:
            continue
        if "cmn-latn-pinyin" in text:
            rank = 0
        elif "cmn" in text or "mandarin" in text:
            rank = 1
        elif "zh-cn" in text or "zh_cn" in text or "chinese (simplified)" in text:
            rank = 2
        elif "zh" in text or "chinese" in text or "huihui" in text:
            rank = 3
        else:
            continue
        ranked.append((rank, voice))
    ranked.sort(key=lambda item: item[0])
    return ranked[0][1] if ranked else None


def default_engine_factory() -> Any:
    """An engine speaking Mandarin. Raises if there is none (caller reports it).

    Linux: the espeak-ng program rendering to a file played by ``aplay`` (or kept in
    ``HALL_VOICE_WAV_DIR``), the sound device checked first (ui.speech_output).
    Windows / macOS: pyttsx3 (SAPI5 / NSSS), which plays in-process and raises on errors.
    """
    if sys.platform.startswith("linux"):
        from ui.speech_output import EspeakEngine

        return EspeakEngine()
    if sys.platform == "win32":  # SAPI is COM: initialise it in this (worker) thread
        try:
            import comtypes  # type: ignore[import-not-found]

            comtypes.CoInitialize()
        except Exception:  # pragma: no cover - only on Windows
            log.debug("CoInitialize failed", exc_info=True)
    import pyttsx3

    engine = pyttsx3.init()
    voice = choose_chinese_voice(engine.getProperty("voices") or [])
    if voice is None:
        raise RuntimeError("未找到中文语音")
    engine.setProperty("voice", voice.id)
    log.info("Speech engine voice: %s (%s)", voice.id, getattr(voice, "name", ""))
    return engine


class Speaker(Protocol):
    """What a window needs to speak: `Announcer`, or a fake in tests."""

    def say(self, text: str) -> object: ...


class Announcer(QObject):
    """Speaks phrases one after another in a worker thread.

    Signals (delivered on the GUI thread): ``unavailable(str)`` at most once, with
    「语音播报不可用:…」; ``spoken(str)`` after each phrase (the speakable text).
    """

    unavailable = Signal(str)
    spoken = Signal(str)

    def __init__(
        self,
        engine_factory: Callable[[], Any] | None = None,
        *,
        enabled: bool = True,
        volume: float = 1.0,
        rate: int | None = None,
        max_pending: int = 8,
        notify_user: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = engine_factory or default_engine_factory
        self._enabled = enabled
        self._volume = self._clamp(volume)
        self._rate = rate
        self._notify_user = notify_user
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, max_pending))
        self._unavailable_reason: str | None = None
        self._reported = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="hall-voice", daemon=True)
        stop_queue = self._queue  # no reference to self: it may be gone when this runs
        self.destroyed.connect(lambda *_: _put_stop(stop_queue))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        # Start from the event loop, so signals connected right after construction
        # are in place when the engine reports; say() starts it earlier if needed.
        QTimer.singleShot(0, self, self.start)

    # --- GUI-thread API -------------------------------------------------------

    def start(self) -> None:
        """Start the worker (creates the engine). Called automatically; idempotent."""
        if not self._stopped and not self._thread.is_alive() and self._thread.ident is None:
            self._thread.start()

    @property
    def available(self) -> bool:
        """False once the engine could not be created or was given up."""
        return self._unavailable_reason is None

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def volume(self) -> float:
        return self._volume

    def set_enabled(self, enabled: bool) -> None:
        """Turn announcements on or off (phrases said while off are dropped)."""
        self._enabled = enabled

    def set_volume(self, volume: float) -> None:
        """0.0 .. 1.0; applies from the next phrase."""
        self._volume = self._clamp(volume)

    def say(self, text: str) -> bool:
        """Queue `text` (made speakable) and return at once. False if it will not be spoken."""
        if self._stopped or not self._enabled or not self.available or not text.strip():
            return False
        phrase = speakable(text)
        self.start()
        while True:
            try:
                self._queue.put_nowait(phrase)
                return True
            except queue.Full:  # calls come faster than speech: drop the oldest phrase
                try:
                    dropped = self._queue.get_nowait()
                    log.info("Voice queue full, dropped: %s", dropped)
                except queue.Empty:
                    pass

    def stop(self, timeout: float = 3.0) -> None:
        """End the worker after the phrase being spoken; pending phrases are dropped."""
        if self._stopped:
            return
        self._stopped = True
        _put_stop(self._queue)
        if self._thread.ident is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("Speech thread still busy after %.1f s; leaving it (daemon)", timeout)

    def is_running(self) -> bool:
        return self._thread.is_alive()

    # --- worker thread --------------------------------------------------------

    @staticmethod
    def _clamp(volume: float) -> float:
        return min(1.0, max(0.0, float(volume)))

    def _emit(self, signal_name: str, text: str) -> None:
        if shiboken6.isValid(self):
            getattr(self, signal_name).emit(text)

    def _give_up(self, reason: str) -> None:
        self._unavailable_reason = reason
        if self._reported.is_set():
            return
        self._reported.set()
        message = UNAVAILABLE_PREFIX + reason
        log.warning("%s", message)
        self._emit("unavailable", message)
        if self._notify_user:
            notify.warning(message)

    def _run(self) -> None:
        try:
            engine = self._factory()
        except Exception as exc:
            log.debug("Speech engine creation failed", exc_info=True)
            detail = str(exc) or type(exc).__name__
            plain = isinstance(exc, SoundUnavailable) or detail.startswith("未找到")
            self._give_up(detail if plain else f"无法启动语音引擎({detail})")
            return
        applied_volume: float | None = None
        failures = 0
        while True:
            item = self._queue.get()
            if item is _STOP:
                break
            if not self._enabled:
                continue
            phrase = str(item)
            try:
                if applied_volume != self._volume:
                    applied_volume = self._volume
                    engine.setProperty("volume", applied_volume)
                if self._rate is not None:
                    engine.setProperty("rate", self._rate)
                engine.say(phrase)
                engine.runAndWait()
            except SoundUnavailable as exc:  # the device went away: say so once, stop
                self._give_up(str(exc))
                break
            except Exception as exc:
                failures += 1
                if failures == 1:
                    log.warning("Speaking failed: %r", phrase, exc_info=True)
                if failures >= MAX_FAILURES:
                    self._give_up(f"语音引擎出错({type(exc).__name__})")
                    break
                continue
            failures = 0
            self._emit("spoken", phrase)
        try:
            engine.stop()
        except Exception:
            log.debug("engine.stop() failed", exc_info=True)


def _put_stop(q: queue.Queue[object]) -> None:
    """Wake the worker with the stop marker even when the queue is full."""
    while True:
        try:
            q.put_nowait(_STOP)
            return
        except queue.Full:
            try:
                q.get_nowait()
            except queue.Empty:
                pass
