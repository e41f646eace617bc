"""Admin window through its widgets: add a service and a counter and serve it from another
process; disable a clerk; validation messages beside their fields; PIN reset."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
from pathlib import Path

import pytest

from hall_app.errors import PermissionDenied
from ui.admin.login import LoginDialog
from ui.admin.window import AdminWindow
from ui.ops import wait_idle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot, hall, admin):
    w = AdminWindow(hall, admin, live=False)
    qtbot.addWidget(w)
    w.reload()
    assert wait_idle()
    return w


def settle() -> None:
    assert wait_idle(10_000)
    assert wait_idle(10_000)  # a save triggers a reload


SERVE_SNIPPET = r"""
import sys
from datetime import datetime
from zoneinfo import ZoneInfo
from db.engine import Database
from hall_app.clock import ManualClock
from hall_app.config import Settings
from hall_app.services import HallServices
from hall_app.services.context import ServiceContext

url = sys.argv[1]
clock = ManualClock(datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
hall = HallServices(ServiceContext(Database(url), Settings(database_url=url, demo=True), clock, "DEMO"))
service = next(s for s in hall.queries.services() if s.code == "INTL")
ticket = hall.tickets.issue(service.id)
clerk = hall.auth.login("1003", "1234")
counter = hall.queries.counter_for_number(9)
hall.counters.sign_in(clerk, counter.id)
called = hall.tickets.call_next(clerk, counter.id)
print(ticket.code, called.code, called.counter_number, service.name)
"""


def test_new_service_and_counter_served_from_another_process(window, hall, db_url):
    tab = window.services_tab
    tab.new()
    tab.code.setText("INTL")
    tab.name.setText("国际漫游")
    tab.prefix.setText("h")
    tab.target.setValue(10)
    tab.long.setValue(15)
    tab.save()
    settle()
    assert tab.form.error_text("prefix") == ""
    service = next(s for s in window.counters_tab.snap.services if s.code == "INTL")
    assert service.prefix == "H"

    ctab = window.counters_tab
    ctab.new()
    assert ctab.number.value() == 9
    ctab.services.set_checked(service.id, True)
    ctab.save()
    settle()
    counter = next(c for c in ctab.snap.counters if c.number == 9)
    assert counter.service_ids == (service.id,)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", SERVE_SNIPPET, db_url], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["H001", "H001", "9", "国际漫游"]


def test_disabled_clerk_cannot_log_in(window, hall):
    tab = window.staff_tab
    tab.select_staff_no("1002")
    assert tab.name.text() == "李娜"
    tab.active.setChecked(False)
    tab.save()
    settle()
    with pytest.raises(PermissionDenied, match="已停用"):
        hall.auth.login("1002", "1234")
    row = next(m for m in tab.snap.staff if m.staff_no == "1002")
    assert not row.active


def test_validation_messages_beside_their_fields(window):
    s = window.services_tab
    s.new()
    s.code.setText("NEW")
    s.name.setText("新业务")
    s.prefix.setText("A")
    s.save()
    settle()
    assert "号票字母「A」已被「缴费充值」使用" in s.form.error_text("prefix")
    s.prefix.setText("Q")
    s.target.setValue(30)
    s.long.setValue(20)
    s.save()
    settle()
    assert s.form.error_text("long_wait_minutes") == "长时等候阈值不能小于目标等候时间。"
    assert s.form.error_text("prefix") == ""

    c = window.counters_tab
    c.new()
    c.save()
    settle()
    assert c.form.error_text("services") == "窗口至少要办理一种业务。"
    c.table.selectRow(1)
    c.number.setValue(1)
    c.save()
    settle()
    assert c.form.error_text("number") == "窗口号 1 已被「1号窗口」使用。"

    h = window.hall_tab
    box, opens, closes = h.days[2]
    box.setChecked(True)
    opens.setTime(closes.time().addSecs(3600))
    h.save()
    settle()
    assert h.form.error_text("hours_2") == "周三的关门时间应晚于开门时间。"
    assert h.form.error_text("name") == ""

    t = window.thresholds_tab
    t.recalls.setValue(11)
    t.save()
    settle()
    assert t.form.error_text("recalls_before_no_show") == "过号前重呼次数应在 0 到 10 之间。"

    st = window.staff_tab
    st.select_staff_no("9001")
    st.active.setChecked(False)
    st.save()
    settle()
    assert "最后一名在职的管理员" in st.form.error_text("active")


def test_pin_reset_forces_change_at_next_login(window, hall, qtbot):
    tab = window.staff_tab
    for staff_no, pin in (("1001", "567890"), ("2001", "432109")):
        tab.select_staff_no(staff_no)
        tab.pin.setText(pin)
        tab.reset_pin()
        settle()
        assert next(m for m in tab.snap.staff if m.staff_no == staff_no).must_change_pin
    # The clerk: the old PIN is gone, the one-time PIN logs in and must be changed.
    with pytest.raises(PermissionDenied):
        hall.auth.login("1001", "1234")
    assert hall.auth.must_change_pin(hall.auth.login("1001", "567890")) is True

    # The duty manager through this window's login: the change dialog comes first.
    dialog = LoginDialog(hall, "2001")
    qtbot.addWidget(dialog)
    dialog.pin.setText("432109")
    dialog.submit()
    settle()
    change = dialog.change_dialog
    assert not change.isHidden() and dialog.actor is None
    change.new_pin.setText("432109")
    change.again.setText("432109")
    change.submit()
    settle()
    assert change.form.error_text("new_pin") == "新密码不能与原密码相同。"
    change.new_pin.setText("876543")
    change.again.setText("876543")
    change.submit()
    settle()
    assert dialog.actor is not None and dialog.actor.staff_no == "2001"
    actor = hall.auth.login("2001", "876543")
    assert hall.auth.must_change_pin(actor) is False


def test_clerk_refused_and_manager_read_only(qtbot, hall, manager):
    dialog = LoginDialog(hall, "1001")
    qtbot.addWidget(dialog)
    dialog.pin.setText("1234")
    dialog.submit()
    settle()
    assert dialog.actor is None
    assert dialog.message.text() == "只有管理员或值班长可以打开营业厅管理。"

    w = AdminWindow(hall, manager, live=False)
    qtbot.addWidget(w)
    w.reload()
    settle()
    assert "[只读]" in w.windowTitle()
    assert not w.services_tab.save_button.isEnabled()
    assert not w.staff_tab.reset_button.isEnabled()
    assert not w.rule_tab.save_button.isEnabled()
    assert w.rule_tab.counter.count() == 8


def test_commitment_time_is_edited_beside_the_service_with_its_error(window, hall):
    s = window.services_tab
    row = next(i for i, svc in enumerate(s.snap.services) if svc.code == "BB")
    s.table.selectRow(row)
    assert s.commitment.text() == "3个工作日"
    s.commitment.setText("很快")
    s.save()
    settle()
    assert "开通时限「很快」" in s.form.error_text("commitment")
    s.commitment.setText("5个工作日")
    s.save()
    settle()
    assert s.form.error_text("commitment") == ""
    bb = next(x for x in hall.queries.services() if x.code == "BB")
    assert bb.commitment == "5个工作日"
    assert s.table.item(row, 6).text() == "5个工作日"
