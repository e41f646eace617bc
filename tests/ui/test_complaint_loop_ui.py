"""The complaint loop in the windows (pytest-qt, SQLite): the detail's action forms, the
register's new fields, the complaint analysis with 通报, the inspection checklist.
With HALL_SCREENSHOT_DIR set, the analysis view, the inspection checklist, the form and
the detail are saved there as PNGs (docs/screenshots/)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402
from complaint_seed import seed_weeks  # noqa: E402
from conftest import make_hall  # noqa: E402

from hall_app.domain.complaints import ComplaintAction as A  # noqa: E402
from hall_app.services.complaints import ComplaintDraft, ComplaintService  # noqa: E402
from ui.ops import wait_idle  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")


def shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    out = os.environ.get("HALL_SCREENSHOT_DIR")
    if out:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()  # lay out what the last update added
        widget.grab().save(os.path.join(out, name))


@pytest.fixture
def hall(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "data"))
    from ui.app_runtime import create_app

    create_app("overview", logging_to_file=False)
    services = make_hall(sqlite_url)
    yield services
    wait_idle()
    services.close()


def served(hall):  # type: ignore[no-untyped-def]
    clerk = hall.auth.login("1001", "1234")
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    pay = next(s.id for s in hall.queries.services() if s.code == "PAY")
    hall.tickets.issue(pay)
    t = hall.tickets.call_next(clerk, c1)
    return clerk, c1, t


def test_the_register_form_takes_company_business_and_when_it_started(qtbot, hall):
    from ui.complaints.form import open_complaint_form

    clerk, c1, t = served(hall)
    form = open_complaint_form(None, hall, clerk, ticket_id=t.id, ticket_code=t.code,
                               counter_id=c1)
    qtbot.addWidget(form)
    form.resize(1180, 860)
    assert wait_idle()
    form.customer_name.setText("陈先生")
    form.phone.setText("13812345678")
    form.company_name.setText("华兴贸易有限公司")
    form.business.setText("企业宽带")
    form.business_number.setText("宽带账号A12")  # letters: refused beside the field
    form.problem_onset.setText("上周一开通,每天下午三点左右断线")
    form.category.setCurrentIndex(form.category.findData("technique"))
    form.description.setPlainText("宽带每天下午断线,报修两次没人上门。")
    form.submit()
    assert wait_idle()
    assert form.errors["business_number"].isVisible()
    assert "数字" in form.errors["business_number"].text()
    assert form.company_name.text() == "华兴贸易有限公司"  # nothing lost
    form.business_number.setText("0755-88881234")
    with qtbot.waitSignal(form.registered, timeout=5000):
        form.submit()
    d = form.saved
    assert (d.company_name, d.business, d.problem_onset) == (
        "华兴贸易有限公司", "企业宽带", "上周一开通,每天下午三点左右断线")
    form.show()
    shot(form, "complaint_form.png")


def test_the_detail_walks_the_loop_with_its_forms(qtbot, hall):
    from ui.complaints.detail import ComplaintDetailWidget

    clerk, c1, t = served(hall)
    manager = hall.auth.login("2001", "2468")
    svc = ComplaintService(hall.ctx)
    cid = svc.register(clerk, ComplaintDraft(
        channel="counter", customer_name="陈先生", phone="13812345678", category="fees",
        description="套餐外多扣了30元", ticket_id=t.id)).id
    svc.start(clerk, cid)
    view = ComplaintDetailWidget(svc, clerk, tz=SH)
    qtbot.addWidget(view)
    view.resize(1100, 1250)
    view.show()
    view.load(cid)
    assert wait_idle()
    assert "reply" not in view.action_buttons  # nothing to reply before approval
    view.action_buttons[A.PROPOSE_RESOLUTION].click()
    form = view.open_form
    form.widgets["resolution"].setPlainText("退还多扣的30元并致歉")
    form.widgets["compensation"].setText("赠送10元话费")
    form.submit()
    assert wait_idle()
    assert view.detail.state == "awaiting_approval" and view.open_form is None
    assert "待值班长审批" in view.reminders.text()
    assert set(view.action_buttons) == {"contact", "escalate", "note"}  # a clerk waits

    manager_view = ComplaintDetailWidget(svc, manager, tz=SH)
    qtbot.addWidget(manager_view)
    manager_view.load(cid)
    assert wait_idle()
    manager_view.action_buttons[A.APPROVE].click()
    assert wait_idle()
    view.load(cid)
    assert wait_idle()
    view.reply_edit.setPlainText("非常抱歉,已退还多扣的30元,并赠送10元话费。")
    view.action_buttons[A.REPLY].click()
    assert wait_idle()
    view.action_buttons[A.SIGN_AGREEMENT].click()
    form = view.open_form
    assert form.widgets["agreement"].toPlainText() == "退还多扣的30元并致歉"
    assert form.widgets["signer"].text() == "陈先生"
    form.submit()
    assert wait_idle()
    assert view.detail.state == "agreed" and view.detail.row.next_follow_up_at is not None
    view.action_buttons[A.HAND_OFF].click()
    form = view.open_form
    form.widgets["department"].setCurrentText("计费中心")
    form.widgets["task"].setPlainText("退还11月多扣的30元")
    form.submit()
    assert wait_idle()
    assert view.detail.open_hand_offs == 1 and "1项待落实" in view.tabs.tabText(2)
    # A follow-up answered 尚未落实完 switches the next time on by itself.
    view.action_buttons[A.FOLLOW_UP].click()
    form = view.open_form
    form.widgets["outcome"].setCurrentIndex(form.widgets["outcome"].findData("pending"))
    assert form.switches["next_at"].isChecked()
    form.widgets["note"].setPlainText("退费尚未到账")
    form.submit()
    assert wait_idle()
    assert view.detail.state == "follow_up" and "close" not in view.action_buttons
    view.action_buttons[A.HAND_OFF_DONE].click()
    form = view.open_form
    form.widgets["note"].setPlainText("计费中心已退费")
    form.submit()
    assert wait_idle()
    view.action_buttons[A.FOLLOW_UP].click()
    form = view.open_form
    form.widgets["note"].setPlainText("")  # required: the message goes beside the field
    form.submit()
    assert wait_idle()
    assert form.errors["note"].isVisible() and view.open_form is form
    form.widgets["note"].setPlainText("电话回访,客户说满意")
    form.submit()
    assert wait_idle()
    assert "close" in view.action_buttons
    assert view.contacts_table.rowCount() == 3
    shot(view, "complaint_detail_loop.png")
    view.action_buttons[A.CLOSE].click()
    assert wait_idle()
    assert view.detail.close_kind == "satisfied" and "满意结案" in view.values["outcome"].text()


def test_the_duty_manager_signs_off_and_grants_a_recovery_break(qtbot, hall):
    from ui.complaints.detail import ComplaintDetailWidget

    clerk, c1, t = served(hall)
    manager = hall.auth.login("2001", "2468")
    svc = ComplaintService(hall.ctx)
    cid = svc.register(clerk, ComplaintDraft(
        channel="counter", customer_name="陈先生", phone="13812345678", category="attitude",
        description="营业员态度生硬", ticket_id=t.id)).id
    hall.tickets.start(clerk, t.id, c1)
    hall.tickets.finish(clerk, t.id, c1)
    svc.start(clerk, cid)
    svc.propose_resolution(clerk, cid, "当面致歉")
    svc.approve(manager, cid)
    svc.reply(clerk, cid, "非常抱歉。")
    view = ComplaintDetailWidget(svc, manager, tz=SH)
    qtbot.addWidget(view)
    view.show()
    view.load(cid)
    assert wait_idle()
    assert view.care_row.isVisible()
    view.recovery_minutes.setValue(15)
    view.recovery_button.click()
    assert wait_idle()
    tile = next(x for x in hall.overview.snapshot().counters if x.number == 1)
    assert tile.state == "paused" and tile.pause_reason == "调整情绪"
    view.action_buttons[A.SIGN_OFF].click()
    assert "理由" in view.message.text()  # a reason is required
    view.note_edit.setText("客户要求开除营业员,超出处理范围")
    view.action_buttons[A.SIGN_OFF].click()
    assert wait_idle()
    assert view.title.text().startswith(f"投诉 #{cid} · 未满意结案")


def test_the_analysis_view_and_a_notice(qtbot, hall):
    from ui.complaints.analysis import ComplaintAnalysisWidget

    end = date(2026, 11, 25)
    total = seed_weeks(hall, end, weeks=8)
    manager = hall.auth.login("2001", "2468")
    svc = ComplaintService(hall.ctx)
    w = ComplaintAnalysisWidget(svc, manager, today=end)
    qtbot.addWidget(w)
    w.resize(1500, 1050)
    w.show()
    with qtbot.waitSignal(w.loaded, timeout=20000):
        w.refresh()
    a = w.analysis
    assert a.total == total == int(w.kpis["total"].text())
    assert len(a.weeks) == 8 and sum(x.total for x in a.weeks) == total
    assert w.by_category.rowCount() == 8
    assert w.by_category.item(0, 0).text() == "服务态度差"
    assert w.by_counter.rowCount() == 4 and w.by_clerk.rowCount() == 4
    assert w.kpis["same_day"].text().endswith("%")
    assert ("达标" in w.target_label.text()) and f"≥{a.target_pct}%" in w.target_label.text()
    assert a.signed_off == w.signed_off.rowCount() > 0
    w.notice_title.setText("11月服务态度类投诉通报")
    w.notice_lessons.setPlainText("收费类投诉多因未唱收唱交、未说明费用构成;"
                                  "办理前须讲清总费用及明细。")
    w.notice_ids.setText("1, 2")
    w.issue_notice()
    assert wait_idle()
    assert w.notice_table.rowCount() == 1 and "通报已发布" in w.notice_message.text()
    assert svc.notices()[0].complaint_ids == (1, 2)
    shot(w, "complaint_analysis.png")
    w.notice_ids.setText("12a")
    w.issue_notice()
    assert "只能填写数字" in w.notice_message.text()


def test_the_inspection_checklist(qtbot, hall):
    from ui.overview.inspection import InspectionDialog

    hall.ctx.clock.set(datetime(2026, 11, 25, 11, 5, tzinfo=SH))
    manager = hall.auth.login("2001", "2468")
    d = InspectionDialog(hall.inspection, manager)
    qtbot.addWidget(d)
    d.resize(1180, 1040)
    d.show()
    assert wait_idle()
    assert d.chosen_slot() == "11:00" and d.start_button.isVisible()
    assert [d.slots.item(i).text() for i in range(d.slots.count())][:2] == [
        "09:00  未巡检", "11:00  待巡检"]
    d.start()
    assert wait_idle()
    assert set(d.rows) == {i.key for i in hall.inspection.checklist.items}
    for key, row in d.rows.items():
        if key not in ("air_conditioning", "smiling", "seats"):
            row.ok.click()
            assert wait_idle()
    ac = d.rows["air_conditioning"]
    ac.problem.click()  # no note yet: asks for one, saves nothing
    assert "请写明问题" in ac.state.text()
    ac.note.setText("空调不制冷,室温29度")
    ac.note.returnPressed.emit()
    assert wait_idle()
    assert d.rows["air_conditioning"].incident.isVisible()
    d.rows["air_conditioning"].incident.click()
    assert wait_idle()
    assert d.rows["air_conditioning"].incident.text().startswith("已登记故障 #")
    assert [i.category for i in hall.incidents.active(kind="facility")] == ["空调"]
    smiling = d.rows["smiling"]
    smiling.note.setText("3号窗口营业员没有笑容")
    smiling.problem.click()
    assert wait_idle()
    d.finish()  # seats unchecked: refused, said in the dialog
    assert wait_idle()
    assert "未检查的项目:等候座位" in d.message.text()
    shot(d, "inspection_checklist.png")
    d.rows["seats"].ok.click()
    assert wait_idle()
    d.finish()
    assert wait_idle()
    assert hall.inspection.day().slots[1].status == "done"
    assert "已完成" in d.header.text() and not d.finish_button.isVisible()
    assert not d.rows["seats"].ok.isEnabled()  # a finished round is read-only
    assert timedelta(0) <= hall.inspection.day().slots[1].round.finished_at - \
        hall.inspection.day().slots[1].round.started_at


def test_the_overview_says_which_round_is_due_and_opens_both(qtbot, hall):
    from ui.overview.window import OverviewWindow

    manager = hall.auth.login("2001", "2468")
    w = OverviewWindow(hall, manager, start=False)
    qtbot.addWidget(w)
    w.refresh_inspection_button()
    assert wait_idle()
    assert w.inspection_button.text() == "营业厅巡检(09:00 待巡检)"  # 10:00: the 9 o'clock round
    assert w.inspection_button.property("due") is True
    inspection = w.open_inspection()
    qtbot.addWidget(inspection)
    analysis = w.open_analysis()
    qtbot.addWidget(analysis)
    assert wait_idle()
    assert inspection.isVisible() and analysis.isVisible()
    inspection.start()
    assert wait_idle()
    assert w.inspection_button.text() == "营业厅巡检(09:00 巡检中)"
