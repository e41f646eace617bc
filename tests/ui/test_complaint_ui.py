"""Complaint form, list and detail with pytest-qt (on SQLite, with a ManualClock)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import make_hall
from PySide6.QtWidgets import QLabel

from hall_app.errors import DatabaseUnavailable
from hall_app.services.complaints import ComplaintDraft, ComplaintService
from ui.complaints.detail import ComplaintDetailWidget
from ui.complaints.form import ComplaintForm, open_complaint_form
from ui.complaints.listing import ComplaintListWidget
from ui.ops import wait_idle

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def hall_sqlite(sqlite_url):
    services = make_hall(sqlite_url)
    yield services
    services.close()


@pytest.fixture
def at_counter(hall_sqlite):
    h = hall_sqlite
    clerk = h.auth.login("1001", "1234")
    c1 = h.queries.counter_for_number(1).id
    h.counters.sign_in(clerk, c1)
    pay = next(s.id for s in h.queries.services() if s.code == "PAY")
    h.tickets.issue(pay)
    ticket = h.tickets.call_next(clerk, c1)
    return h, clerk, c1, ticket


def fill(form: ComplaintForm, phone: str = "13812345678") -> None:
    form.customer_name.setText("王先生")
    form.phone.setText(phone)
    form.category.setCurrentIndex(form.category.findData("waiting"))
    form.description.setPlainText("排队一个多小时,叫号屏坏了也没人说明。")
    form.expectation.setPlainText("希望道歉,并说明原因")


def test_register_from_the_form_with_the_ticket_prefilled(qtbot, at_counter):
    h, clerk, c1, ticket = at_counter
    form = open_complaint_form(None, h, clerk, ticket_id=ticket.id, ticket_code=ticket.code,
                               counter_id=c1)
    qtbot.addWidget(form)
    assert not form.isModal() and form.isVisible()
    assert wait_idle()
    assert form.ticket.currentData() == ticket.id and "A001" in form.ticket.currentText()
    assert form.counter.currentData() == c1 and form.counter.currentText() == "1号窗口"
    assert form.clerk.currentData() == clerk.staff_id
    assert [form.steps.item(i).text().split("\n")[0] for i in range(form.steps.count())] == [
        "1. 向顾客致歉", "2. 专注地倾听", "3. 复述内容并确认之", "4. 询问期望", "5. 共同协议",
        "6. 双方约定"]
    assert "说:「我理解您的感受」" in form.steps.item(0).text()
    seven = form.findChild(QLabel, "SevenMore")
    assert seven is not None and seven.text() == (
        "七个一点:耐心多一点、态度好一点、动作快一点、语言得体一点、补偿多一点、层次高一点、办法多一点")
    fill(form)
    with qtbot.waitSignal(form.registered, timeout=5000) as sig:
        form.submit_button.click()
    detail = sig.args[0]
    assert detail.row.ticket_code == "A001" and detail.row.counter_number == 1
    assert detail.clerk_name == "王芳" and detail.recorder_name == "王芳"
    assert detail.row.phone == "138****5678"
    assert "已登记投诉" in form.status.text() and "11-25 18:00" in form.status.text()
    rows = ComplaintService(h.ctx).query(clerk)
    assert [(r.customer_name, r.ticket_code) for r in rows] == [("王先生", "A001")]


def test_phone_error_shown_beside_the_phone_field_and_nothing_lost(qtbot, at_counter):
    h, clerk, c1, ticket = at_counter
    form = ComplaintForm(ComplaintService(h.ctx), clerk, ticket_id=ticket.id,
                         ticket_code=ticket.code, counter_id=c1)
    qtbot.addWidget(form)
    form.show()
    wait_idle()
    fill(form, phone="138123")
    form.phone.editingFinished.emit()  # leaving the field checks it at once
    assert form.errors["phone"].isVisible()
    assert "手机号码应为11位" in form.errors["phone"].text() or "区号" in form.errors["phone"].text()
    form.phone.setText("1381234567")
    form.submit_button.click()
    assert wait_idle()
    assert form.errors["phone"].text() == "手机号码应为11位,现在是10位,请核对。"
    assert form.errors["phone"].isVisible()
    assert form.saved is None
    assert form.customer_name.text() == "王先生"
    assert form.description.toPlainText() == "排队一个多小时,叫号屏坏了也没人说明。"
    assert form.phone.text() == "1381234567"
    form.phone.setText("138 1234 5678")
    with qtbot.waitSignal(form.registered, timeout=5000):
        form.submit_button.click()
    assert not form.errors["phone"].isVisible()


class DownService(ComplaintService):
    """The real service whose database goes away when `down` is set."""

    down = False

    def register(self, actor, draft):
        if self.down:
            raise DatabaseUnavailable()
        return super().register(actor, draft)


def test_lost_database_keeps_the_form_and_says_what_happened(qtbot, at_counter):
    h, clerk, c1, ticket = at_counter
    svc = DownService(h.ctx)
    form = ComplaintForm(svc, clerk, ticket_id=ticket.id, ticket_code=ticket.code,
                         counter_id=c1)
    qtbot.addWidget(form)
    wait_idle()
    fill(form)
    svc.down = True
    form.submit_button.click()
    assert wait_idle()
    assert "数据库连接中断" in form.status.text() and "已保留" in form.status.text()
    assert form.saved is None and form.submit_button.isEnabled()
    assert (form.customer_name.text(), form.phone.text()) == ("王先生", "13812345678")
    assert form.description.toPlainText().startswith("排队一个多小时")
    assert form.ticket.currentData() == ticket.id
    svc.down = False  # the connection is back: the same click now registers it
    with qtbot.waitSignal(form.registered, timeout=5000):
        form.submit_button.click()
    assert len(svc.query(clerk)) == 1


def started_complaint(h, clerk) -> int:
    """A complaint whose resolution the duty manager approved: ready for the reply."""
    svc = ComplaintService(h.ctx)
    cid = svc.register(clerk, ComplaintDraft(channel="counter", customer_name="李女士",
                                             phone="13912345678", category="attitude",
                                             description="营业员态度冷淡")).id
    svc.start(clerk, cid)
    svc.propose_resolution(clerk, cid, "致歉并辅导营业员")
    svc.approve(h.auth.login("2001", "2468"), cid)
    return cid


def test_reply_blocked_by_a_forbidden_phrase_which_is_highlighted(qtbot, at_counter):
    h, clerk, _c1, _t = at_counter
    cid = started_complaint(h, clerk)
    svc = ComplaintService(h.ctx)
    view = ComplaintDetailWidget(svc, clerk)
    qtbot.addWidget(view)
    view.load(cid)
    assert wait_idle()
    assert "reply" in view.action_buttons
    text = "您好,这是公司规定,我没办法。"
    view.reply_edit.setPlainText(text)
    view.action_buttons["reply"].click()
    assert wait_idle()
    assert "这是公司规定,我没办法" in view.message.text()
    assert "第4字起" in view.message.text()
    selections = view.reply_edit.extraSelections()
    assert len(selections) == 1
    cursor = selections[0].cursor
    assert (cursor.selectionStart(), cursor.selectionEnd()) == (3, 14)
    assert cursor.selectedText() == "这是公司规定,我没办法"
    assert not view.override_row.isVisible()  # a clerk cannot override
    assert svc.get(clerk, cid).state == "approved"
    assert view.reply_edit.toPlainText() == text  # nothing lost
    # Rephrased: saved.
    view.reply_edit.setPlainText("非常抱歉,我们已对当班营业员进行辅导。")
    assert view.reply_edit.extraSelections() == []
    view.action_buttons["reply"].click()
    assert wait_idle()
    assert svc.get(clerk, cid).state == "replied"
    assert view.title.text().startswith(f"投诉 #{cid} · 已答复客户")


def test_duty_manager_overrides_with_a_reason_recorded_in_history(qtbot, at_counter):
    h, clerk, _c1, _t = at_counter
    manager = h.auth.login("2001", "2468")
    cid = started_complaint(h, clerk)
    view = ComplaintDetailWidget(ComplaintService(h.ctx), manager)
    qtbot.addWidget(view)
    view.show()
    view.load(cid)
    wait_idle()
    view.reply_edit.setPlainText("客户说营业员讲了“我不知道”,对此深表歉意。")
    view.action_buttons["reply"].click()
    wait_idle()
    assert view.override_row.isVisible()
    view.override_reason.setText("引用客户原话")
    view.override_button.click()
    wait_idle()
    assert view.detail.state == "replied"
    assert view.history.item(view.history.rowCount() - 1, 3).text().endswith("理由:引用客户原话")


def test_the_list_filters_overdue_complaints(qtbot, at_counter):
    h, clerk, _c1, _t = at_counter
    manager = h.auth.login("2001", "2468")
    svc = ComplaintService(h.ctx)
    old = started_complaint(h, clerk)
    h.ctx.clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=SH))  # after closing: old is late
    fresh = svc.register(clerk, ComplaintDraft(channel="phone", customer_name="赵先生",
                                               phone="0571-87654321", category="fees",
                                               description="话费多扣")).id
    widget = ComplaintListWidget(h, manager)
    qtbot.addWidget(widget)
    assert wait_idle()
    assert widget.shown_ids() == [fresh, old]
    assert widget.table.item(1, 10).text() == "答复逾期"
    assert widget.table.item(0, 4).text() == "0571-87654321"  # the manager sees the number
    widget.overdue.setChecked(True)
    assert wait_idle()
    assert widget.shown_ids() == [old]
    assert widget.status.text() == "共 1 条,其中逾期 1 条"
    widget.overdue.setChecked(False)
    widget.category.setCurrentIndex(widget.category.findData("fees"))
    assert wait_idle()
    assert widget.shown_ids() == [fresh]
    widget.table.selectRow(0)
    assert wait_idle()
    assert widget.detail.detail.id == fresh
    assert "close_nuisance" in widget.detail.action_buttons  # a manager's action


def test_a_clerk_sees_masked_phones_in_the_list(qtbot, at_counter):
    h, clerk, _c1, _t = at_counter
    started_complaint(h, clerk)
    widget = ComplaintListWidget(h, clerk)
    qtbot.addWidget(widget)
    wait_idle()
    assert widget.table.item(0, 4).text() == "139****5678"
