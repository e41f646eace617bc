"""The duty manager's and the administrator's login dialogs prepare the login while the
PIN is typed: the auth service is built (and the mapped models configured) in the
background as soon as the dialog exists, so Enter waits for the PIN check only."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402

import pytest  # noqa: E402

from ui.admin.login import LoginDialog  # noqa: E402
from ui.ops import wait_idle  # noqa: E402
from ui.overview.login import OverviewLoginDialog  # noqa: E402


@pytest.mark.parametrize("make", [lambda hall: OverviewLoginDialog(hall, staff="2001"),
                                  lambda hall: LoginDialog(hall, "9001")],
                         ids=["overview", "admin"])
def test_a_login_dialog_builds_the_login_off_the_gui_thread_before_enter(
        qtbot, hall, make, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    built_in: list[threading.Thread] = []
    real = type(hall).prepare_login

    def recording(self) -> None:  # type: ignore[no-untyped-def]
        built_in.append(threading.current_thread())
        real(self)

    assert "auth" not in hall.__dict__  # nobody has logged in through this facade yet
    monkeypatch.setattr(type(hall), "prepare_login", recording)
    dialog = make(hall)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "auth" in hall.__dict__, timeout=5000)
    assert wait_idle()
    assert built_in and threading.main_thread() not in built_in
    # Nothing was logged in: the dialog still waits for its PIN.
    assert dialog.isVisible() is False and getattr(dialog, "actor", None) is None
