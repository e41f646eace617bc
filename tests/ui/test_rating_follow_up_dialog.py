"""The duty manager's 回访 list: record a contact, or turn a follow-up into a complaint
through the existing complaint form with the ticket, counter and clerk prefilled; and the
counter window shows each clerk his own figures only."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from rating_support import bind_pad, counter_id, follow_ups, pad_for, serve  # noqa: E402

from db.models import Complaint  # noqa: E402
from ui import ops  # noqa: E402
from ui.rating.follow_ups import FollowUpDialog  # noqa: E402

FAST_LIVE = {"poll_timeout": 0.05, "backoff": (0.05, 0.1)}


@pytest.fixture
def hall(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    services = make_hall(sqlite_url)
    yield services
    ops.wait_idle(5000)
    services.close()


@pytest.fixture
def setting(hall):
    clerk = hall.auth.login("1001", "1234")
    manager = hall.auth.login("2001", "2468")
    c1 = counter_id(hall, 1)
    hall.counters.sign_in(clerk, c1)
    pad = pad_for(hall, bind_pad(hall, manager, c1))
    ticket = serve(hall, clerk, c1)
    receipt = pad.rate(ticket.id, "dissatisfied")
    pad.explain(receipt.rating_id, "attitude", True)
    return clerk, manager, c1, ticket


def open_dialog(qtbot, hall, manager):
    dialog = FollowUpDialog(hall, manager)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: len(dialog.rows) == 1, timeout=5000)
    dialog.table.selectRow(0)
    return dialog


def test_the_manager_records_the_contact(qtbot, hall, setting):
    _clerk, manager, _c1, ticket = setting
    dialog = open_dialog(qtbot, hall, manager)
    assert dialog.table.item(0, 1).text() == ticket.code
    assert dialog.table.item(0, 5).text() == "服务态度"
    assert dialog.table.item(0, 6).text() == "待回访"
    dialog.note.setText("已当面致歉,顾客表示理解")
    qtbot.mouseClick(dialog.contacted_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.rows and dialog.rows[0].state == "done", timeout=5000)
    assert dialog.table.item(0, 6).text().startswith("已回访")
    assert not dialog.contacted_button.isEnabled()
    assert follow_ups(hall)[0].note == "已当面致歉,顾客表示理解"


def test_an_empty_note_is_refused_with_a_message(qtbot, hall, setting):
    dialog = open_dialog(qtbot, hall, setting[1])
    qtbot.mouseClick(dialog.contacted_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text() == "请简要记录回访结果。", timeout=5000)
    assert follow_ups(hall)[0].state == "open"


def test_a_follow_up_becomes_a_complaint_with_the_ticket_prefilled(qtbot, hall, setting):
    clerk, manager, c1, ticket = setting
    dialog = open_dialog(qtbot, hall, manager)
    qtbot.mouseClick(dialog.complaint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.complaint_form is not None, timeout=5000)
    form = dialog.complaint_form
    assert ops.wait_idle()
    assert form.ticket.currentData() == ticket.id and ticket.code in form.ticket.currentText()
    assert form.counter.currentData() == c1
    assert form.clerk.currentData() == clerk.staff_id  # the clerk who served, not the manager
    assert form.category.currentData() == "attitude"
    assert "服务态度" in form.description.toPlainText()
    form.customer_name.setText("李女士")
    form.phone.setText("13912345678")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.saved is not None, timeout=5000)
    qtbot.waitUntil(lambda: dialog.rows and dialog.rows[0].state == "complaint", timeout=5000)
    assert dialog.table.item(0, 6).text() == f"已转投诉 #{form.saved.id}"
    with hall.ctx.read() as s:
        stored = s.get(Complaint, form.saved.id)
        assert (stored.ticket_id, stored.counter_id, stored.clerk_id, stored.category) == \
            (ticket.id, c1, clerk.staff_id, "attitude")
    form.close()


def test_each_clerk_sees_only_his_own_figures(qtbot, hall, setting):
    from ui.counter.window import CounterWindow

    clerk, _manager, c1, _ticket = setting
    other = hall.auth.login("1002", "1234")
    c2 = counter_id(hall, 2)
    hall.counters.sign_in(other, c2)
    mine = CounterWindow(hall, clerk, c1, live_options=FAST_LIVE)
    theirs = CounterWindow(hall, other, c2, live_options=FAST_LIVE)
    for window in (mine, theirs):
        qtbot.addWidget(window)
        window.show()
    qtbot.waitUntil(lambda: mine.view is not None and theirs.view is not None, timeout=5000)
    assert mine.own_rating.text().startswith("我的今日评价:参评 1/1 · 满意率 0%")
    assert "不满意1" in mine.own_rating.text()
    assert theirs.own_rating.text() == "我的今日评价:暂无办结"
    for window in (mine, theirs):
        window.close()
