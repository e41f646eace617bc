"""「语音不可用」: a small, steady sign that a window's announcements are not heard.

Bound to an announcer's ``unavailable`` signal; hidden while speech works. The full
reason (「语音播报不可用:没有可用的声音设备…」) is its tooltip and accessible text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

UNAVAILABLE_SHORT = "语音不可用"


class VoiceStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(UNAVAILABLE_SHORT, parent)
        self.setObjectName("VoiceStatus")
        self.setProperty("role", "voiceStatus")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setStyleSheet("QLabel#VoiceStatus { color: #ffffff; background-color: #6d4c41;"
                           " border-radius: 4px; padding: 2px 8px; font-size: 11pt; }")
        self.hide()

    def bind(self, announcer: Any) -> None:
        """Follow `announcer` (a ``ui.voice.Announcer``; anything without signals is ignored)."""
        signal = getattr(announcer, "unavailable", None)
        if signal is not None:
            signal.connect(self.on_unavailable)
            if getattr(announcer, "available", True) is False:
                self.on_unavailable("")

    @Slot(str)
    def on_unavailable(self, reason: str) -> None:
        self.setToolTip(reason)
        self.setAccessibleDescription(reason)
        self.show()
