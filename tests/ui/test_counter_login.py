"""Counter login: wrong PIN message, the core's delay after repeated failures, PIN change, remembered counter."""

import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from sqlalchemy import select  # noqa: E402

from db.models import Staff  # noqa: E402
from ui import ops  # noqa: E402
from ui.counter.login import LoginDialog, remembered_counter  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))


def make_dialog(qtbot, hall, **kwargs):
    dialog = LoginDialog(hall, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.counter_combo.count() == 8)
    return dialog


def submit(qtbot, dialog, pin):
    dialog.pin_edit.setText(pin)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: ops.pending_count() == 0 and dialog.ok_button.isEnabled())


def test_wrong_pin_then_lockout_message_then_login(qtbot, hall, clock, settings_dir):
    dialog = make_dialog(qtbot, hall, staff="1001", counter_number=3)
    assert dialog.counter_combo.currentText() == "3号窗口"
    submit(qtbot, dialog, "0000")
    assert dialog.error_label.text() == "工号或密码错误。"
    assert dialog.pin_edit.text() == ""
    submit(qtbot, dialog, "0000")
    submit(qtbot, dialog, "0000")
    assert dialog.error_label.text() == "工号或密码错误。请5秒后再试。"
    submit(qtbot, dialog, "1234")  # even the right PIN waits: no bypass by retrying
    assert dialog.error_label.text().startswith("密码错误次数过多,请")
    assert dialog.result() == 0
    clock.advance(seconds=6)
    if hall.ctx.db.is_postgres:  # the lockout runs on the server's clock: let it pass there
        from sqlalchemy import text

        with hall.ctx.write() as s:
            s.execute(text("UPDATE staff SET lock_started_at = lock_started_at "
                           "- interval '6 seconds' WHERE staff_no = '1001'"))
    with qtbot.waitSignal(dialog.signed_in, timeout=5000) as signal:
        submit(qtbot, dialog, "1234")
    actor, counter = signal.args
    assert (actor.staff_no, counter.number) == ("1001", 3)
    assert hall.queries.counter_for_number(3).staff_id == actor.staff_id
    assert remembered_counter() == 3
    # The next login on this workstation offers counter 3 again.
    again = make_dialog(qtbot, hall)
    assert again.counter_combo.currentText() == "3号窗口"


def test_must_change_pin_first(qtbot, hall, settings_dir):
    with hall.ctx.write() as s:
        staff = s.scalars(select(Staff).where(Staff.staff_no == "1002")).one()
        staff.must_change_pin = True
    dialog = make_dialog(qtbot, hall, staff="1002", counter_number=2)
    submit(qtbot, dialog, "1234")
    assert dialog.pages.currentIndex() == 1
    dialog.new_pin_edit.setText("567890")
    dialog.repeat_pin_edit.setText("567899")
    dialog.ok_button.click()
    assert dialog.change_error_label.text() == "两次输入的新密码不一致。"
    dialog.repeat_pin_edit.setText("567890")
    with qtbot.waitSignal(dialog.signed_in, timeout=5000):
        dialog.ok_button.click()
    actor = hall.auth.login("1002", "567890")
    assert not hall.auth.must_change_pin(actor)


def test_after_login_only_the_counter_window_is_on_screen(sqlite_url, tmp_path):
    """`hall-app counter` as a clerk starts it: progress, login, the window — and then
    no other top-level window (the 「正在连接数据库…」 box is gone, not only hidden).

    main() owns the application's whole life (exec, quit, the pool's shutdown): run in a
    process of its own, so the quit it ends with cannot reach the tests after it (in
    the test process, cross-thread signals were no longer delivered afterwards)."""
    from conftest import make_hall

    # Outside the demo a default PIN must be changed first (issue 14): 1001 has done so.
    setup = make_hall(sqlite_url)
    setup.auth.change_pin(setup.auth.login("1001", "1234"), "1234", "135792")
    setup.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HALL_UI_SETTINGS_DIR=str(tmp_path / "ui"),
               HALL_LOG_DIR=str(tmp_path / "logs"), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", COUNTER_MAIN_CHILD, sqlite_url], env=env,
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert "stuck" not in seen, seen
    assert seen["code"] == 0
    assert seen["windows"] == ["CounterWindow"]
    assert seen["progress"] == 0  # deleted, so it can never be mapped again


# Drives `hall-app counter` (ui.counter.window.main) through its login to the window and
# prints what it saw as one JSON line.
COUNTER_MAIN_CHILD = """
import argparse, json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog
from hall_app.config import Settings
from ui.counter.login import LoginDialog
from ui.counter.window import CounterWindow, main

seen = {}
ticks = {"n": 0}

def visible_top_levels():
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]

def drive():
    ticks["n"] += 1
    if ticks["n"] > 600:  # 30 s without reaching the window: fail, never hang
        seen["stuck"] = [type(w).__name__ for w in visible_top_levels()]
        timer.stop()
        for w in visible_top_levels():
            w.close()
        QApplication.instance().quit()
        return
    shown = visible_top_levels()
    login = next((w for w in shown if isinstance(w, LoginDialog)), None)
    window = next((w for w in shown if isinstance(w, CounterWindow)), None)
    if login is not None and "login" not in seen and login.counter_combo.count():
        seen["login"] = True
        login.pin_edit.setText("135792")
        login.submit()
    elif window is not None and window.view is not None:
        seen["windows"] = [type(w).__name__ for w in shown]
        seen["progress"] = len([w for w in QApplication.topLevelWidgets()
                                if isinstance(w, QProgressDialog)])
        timer.stop()
        window.close()  # the last window: the application quits
        QApplication.instance().quit()

app = QApplication.instance() or QApplication(sys.argv[:1])
timer = QTimer()
timer.timeout.connect(drive)
timer.start(50)
seen["code"] = main(argparse.Namespace(staff="1001", counter=1),
                    Settings(database_url=sys.argv[1]))
print(json.dumps(seen, ensure_ascii=False))
"""
