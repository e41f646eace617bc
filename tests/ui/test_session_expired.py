"""登录已失效,请重新登录: a window whose session ends asks for a login and goes on; the
admin window shows whether the history verified. Both databases."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402

from ui import notify, ops  # noqa: E402
from ui.admin.window import AdminWindow  # noqa: E402
from ui.counter.window import CounterWindow  # noqa: E402

SHOTS = Path(os.environ.get("HALL_SHOT_DIR", "/tmp/hall-security-shots"))
EXPIRED = "登录已失效,请重新登录。"


@pytest.fixture
def bridge(qapp):  # type: ignore[no-untyped-def]
    new = notify.MessageBridge()
    old = notify.set_bridge(new)
    yield new
    notify.set_bridge(old)


@pytest.fixture(autouse=True)
def fonts(qapp):  # type: ignore[no-untyped-def]
    """The app's CJK font, as create_app installs it (for the screenshots)."""
    from ui.fonts import install_cjk_font

    install_cjk_font(qapp)


def _staff_id(hall, staff_no: str) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from db.models import Staff

    with hall.ctx.read() as s:
        return int(s.scalar(select(Staff.id).where(Staff.staff_no == staff_no)))


def test_a_disabled_clerks_window_asks_for_a_login(qtbot, hall, clerk, admin, bridge,
                                                   tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    hall.tickets.issue(pay)
    window = CounterWindow(hall, clerk, c1, live_options={"poll_timeout": 0.05})
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None, timeout=5000)
    member = _staff_id(hall, "1001")
    hall.admin.set_staff_active(admin, member, False)  # from the admin's workstation
    with qtbot.waitSignal(bridge.session_expired, timeout=5000) as signal:
        window.call_next()
    assert signal.args == [EXPIRED]
    qtbot.waitUntil(lambda: window.relogin.dialog is not None, timeout=5000)
    dialog = window.relogin.dialog
    assert dialog.isVisible() and dialog.error_label.text() == EXPIRED
    assert dialog.staff_edit.text() == "1001"
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "counter_session_expired.png"))
    dialog.grab().save(str(SHOTS / "counter_relogin_dialog.png"))
    # Re-enabled, the clerk logs in again in the same window and calls the customer.
    hall.admin.set_staff_active(admin, member, True)
    qtbot.waitUntil(lambda: dialog.counter_combo.count() > 0, timeout=5000)
    dialog.pin_edit.setText("1234")
    dialog.submit()
    qtbot.waitUntil(lambda: window.relogin.dialog is None, timeout=10000)
    assert window.actor is not clerk and window.actor.staff_no == "1001"
    handle = window.call_next()
    assert handle is not None and handle.wait(5000) and handle.error is None
    window.close()
    ops.wait_idle(5000)


def test_the_admin_window_shows_the_verification_state(qtbot, hall, admin, clerk, tmp_path):
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    hall.tickets.issue(next(s.id for s in hall.queries.services() if s.code == "PAY"))
    called = hall.tickets.call_next(clerk, c1)
    window = AdminWindow(hall, admin, live=False)
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    window.tabs.setCurrentWidget(window.audit_tab)
    assert ops.wait_idle(10_000)
    label = window.audit_tab.verify_label
    assert label.text().startswith("历史记录核对:完整")
    # Someone edits a ticket event behind the app's back (dropping the guard first).
    with hall.ctx.db.engine.begin() as conn:
        if hall.ctx.db.is_postgres:
            conn.execute(text("DROP TRIGGER ticket_event_append_only ON ticket_event"))
        else:
            conn.execute(text("DROP TRIGGER ticket_event_append_only_update"))
        conn.execute(text("UPDATE ticket_event SET counter_id = NULL WHERE ticket_id = :t "
                          "AND kind = 'call'"), {"t": called.id})
    handle = window.audit_tab.verify()
    assert handle.wait(10_000)
    assert label.text().startswith("历史记录核对未通过")
    assert "号票事件 #" in label.text() and "内容与哈希不符" in label.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "admin_history_broken.png"))
    window.close()
    ops.wait_idle(5000)


def test_a_duty_manager_takes_an_occupied_counter_over_from_the_login(qtbot, hall, clerk,
                                                                     tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.counter.login import LoginDialog

    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    c3 = hall.queries.counter_for_number(3).id
    hall.counters.sign_in(clerk, c3)
    dialog = LoginDialog(hall, staff="2001", counter_number=3)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.counter_combo.count() == 8, timeout=5000)
    dialog.pin_edit.setText("2468")
    dialog.submit()
    qtbot.waitUntil(lambda: getattr(dialog, "take_over_box", None) is not None, timeout=10000)
    box = dialog.take_over_box
    assert "3号窗口已由王芳(工号1001)签到使用" in box.text()
    assert "3号窗口已由王芳(工号1001)签到使用" in dialog.error_label.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    box.grab().save(str(SHOTS / "counter_take_over.png"))
    with qtbot.waitSignal(dialog.signed_in, timeout=10000) as signal:
        box.button(QMessageBox.StandardButton.Yes).click()
    actor, counter = signal.args
    assert (actor.staff_no, counter.number) == ("2001", 3)
    assert hall.queries.counter_for_number(3).staff_id == actor.staff_id
    ops.wait_idle(5000)
