"""「登录已失效,请重新登录」: what a window does when the core says its session is gone.

The core refuses every action of a session that has ended (staff disabled or demoted,
PIN reset, counter taken over, day closed) with `hall_app.errors.SessionExpired`. The
app's one error path (`ui.ops`) recognises it: the message goes through the message
bridge (`notify.bridge().session_expired`), and the window that started the operation
— the nearest object up its parent chain with a `session_expired(message)` method —
is told. A window hands that to a `Relogin`, which shows the message in the window's
own login dialog (once, however many operations failed) and gives the window the new
`Actor` when someone logs in; cancelling the dialog closes the window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

if TYPE_CHECKING:
    from hall_app.errors import SessionExpired

log = logging.getLogger(__name__)


class SessionHolder(Protocol):
    def session_expired(self, message: str) -> None: ...


def route_session_expired(origin: QObject | None, error: SessionExpired) -> bool:
    """Tell the bridge, then the window `origin` belongs to. True if a window took it."""
    from ui import notify

    log.info("session expired (%s)", error.detail or "no detail")
    notify.bridge().session_expired.emit(error.message)
    node = origin
    while node is not None and shiboken6.isValid(node):
        handler = getattr(node, "session_expired", None)
        if callable(handler):
            handler(error.message)
            return True
        node = node.parent()
    return False


class Relogin(QObject):
    """One re-login at a time for `window`: `make_dialog(message)` builds its login
    dialog (showing the message); `accepted(dialog)` applies the new login."""

    def __init__(self, window: QWidget, make_dialog: Callable[[str], QDialog],
                 accepted: Callable[[QDialog], None]) -> None:
        super().__init__(window)
        self.window = window
        self.make_dialog = make_dialog
        self.on_accepted = accepted
        self.dialog: QDialog | None = None

    @property
    def active(self) -> bool:
        return self.dialog is not None

    def trigger(self, message: str) -> QDialog:
        if self.dialog is not None:
            return self.dialog
        dialog = self.make_dialog(message)
        dialog.setParent(self.window, dialog.windowFlags())
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._done(dialog, True))
        dialog.rejected.connect(lambda: self._done(dialog, False))
        dialog.open()  # window-modal, never exec(): the GUI keeps running
        return dialog

    def _done(self, dialog: QDialog, ok: bool) -> None:
        self.dialog = None
        if ok:
            self.on_accepted(dialog)
        else:
            self.window.close()
        dialog.deleteLater()
