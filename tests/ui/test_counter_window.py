"""The counter window driven as a clerk would: keypad shortcuts and buttons, on SQLite and PostgreSQL."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys  # noqa: E402
import types  # noqa: E402

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox  # noqa: E402
from sqlalchemy import select  # noqa: E402

from db.models import Ticket  # noqa: E402
from ui import notify, ops  # noqa: E402
from ui.counter.dialogs import EscalateDialog, PauseDialog, TransferDialog  # noqa: E402
from ui.counter.window import CounterWindow  # noqa: E402

FAST_LIVE = {"poll_timeout": 0.05, "backoff": (0.05, 0.1)}


@pytest.fixture
def bridge(qapp):
    new = notify.MessageBridge()
    old = notify.set_bridge(new)
    yield new
    notify.set_bridge(old)


@pytest.fixture
def open_window(qtbot, hall, tmp_path, monkeypatch, bridge):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    made = []

    def make(actor, counter_number=1, **kwargs):
        counter = hall.queries.counter_for_number(counter_number)
        hall.counters.sign_in(actor, counter.id)
        kwargs.setdefault("live_options", FAST_LIVE)
        window = CounterWindow(hall, actor, counter.id, **kwargs)
        qtbot.addWidget(window)
        made.append(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: window.view is not None, timeout=5000)
        return window

    yield make
    for window in made:
        window.close()
    ops.wait_idle(5000)


def services_by_code(hall):
    return {s.code: s for s in hall.queries.services()}


def status_text(window):
    return window.statusBar().findChild(QLabel, "StatusMessage").text()


def press(qtbot, window, key):
    """A keypad key, as the clerk presses it with the window in front."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, key)


def wait_view(qtbot, window, predicate, timeout=5000):
    """Until the window shows `predicate` and its own action has finished."""
    def ready():
        try:
            return not window.busy and window.shows_latest_view() and bool(predicate())
        except AttributeError:  # no current ticket (yet)
            return False

    qtbot.waitUntil(ready, timeout=timeout)


def wait_ticket(qtbot, window, code, timeout=5000):
    wait_view(qtbot, window,
              lambda: window.view.current is not None and window.view.current.code == code,
              timeout)


def ticket_rows(hall, code):
    with hall.ctx.read() as s:
        return [(t.state, t.service_id, t.target_counter_id, t.hop)
                for t in s.scalars(select(Ticket).where(Ticket.code == code).order_by(Ticket.hop))]


def test_call_next_by_key_shows_ticket_and_updates_queue(qtbot, hall, clerk, clock, open_window):
    pay = services_by_code(hall)["PAY"]
    for _ in range(3):
        hall.tickets.issue(pay.id)
        clock.advance(minutes=1)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 3)
    assert window.queue_panel.model.rowCount() == 3
    assert window.actions_bar.buttons["call_next"].text() == "叫下一位  [F1]"

    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A001")
    assert window.current_panel.code_label.text() == "A001"
    assert window.current_panel.service_label.text() == "缴费充值"
    assert "已等候 3 分钟" in window.current_panel.wait_label.text()
    assert [e.code for e in window.view.queue] == ["A002", "A003"]
    assert window.queue_panel.model.data(window.queue_panel.model.index(0, 1)) == "A002"
    assert window.queue_panel.model.data(window.queue_panel.model.index(0, 0)) == "下一位"
    assert "共2人" in window.queue_panel.title.text()
    # One customer at a time: call next is not offered until A001 is dealt with.
    assert not window.actions_bar.buttons["call_next"].isEnabled()

    press(qtbot, window, Qt.Key.Key_F4)  # start
    wait_view(qtbot, window, lambda: window.view.current.state == "serving")
    assert window.actions_bar.buttons["start_finish"].text() == "办理完成  [F4]"
    qtbot.mouseClick(window.actions_bar.buttons["start_finish"], Qt.MouseButton.LeftButton)
    wait_view(qtbot, window, lambda: window.view.current is None)
    assert ticket_rows(hall, "A001")[0][0] == "done"

    qtbot.mouseClick(window.actions_bar.buttons["call_next"], Qt.MouseButton.LeftButton)
    wait_ticket(qtbot, window, "A002")
    assert [e.code for e in window.view.queue] == ["A003"]


def test_f1_paints_the_called_ticket_from_the_call_before_any_reread(
        qtbot, hall, clerk, clock, open_window, monkeypatch):
    """The clerk sees A001 as soon as the call commits; the snapshot read after it (held
    here) only confirms. Without painting from the call's result A001 would appear only
    after that read."""
    import threading

    pay = services_by_code(hall)["PAY"]
    for _ in range(2):
        hall.tickets.issue(pay.id)
        clock.advance(minutes=2)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 2)
    window.live.stop(timeout=3)  # only the window's own reads from here on
    release, reads = threading.Event(), []
    real_view = hall.queries.counter_view

    def held_view(counter_id):
        reads.append(counter_id)
        release.wait(10)
        return real_view(counter_id)

    monkeypatch.setattr(hall.queries, "counter_view", held_view)
    press(qtbot, window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.current_panel.code_label.text() == "A001", timeout=5000)
    qtbot.waitUntil(lambda: bool(reads), timeout=5000)  # the confirming read is running
    # The number is painted first; the rest of the call's view follows on the next
    # event-loop turn, still while the confirming read is held.
    qtbot.waitUntil(lambda: "已等候 4 分钟" in window.current_panel.wait_label.text(),
                    timeout=5000)
    assert not release.is_set()
    assert [e.code for e in window.view.queue] == ["A002"]
    assert window.queue_panel.model.data(window.queue_panel.model.index(0, 0)) == "下一位"
    assert window.actions_bar.buttons["start_finish"].isEnabled()  # F4 offered at once
    release.set()
    assert ops.wait_idle(5000)
    assert window.view.current.code == "A001" and window.view.current.state == "called"
    assert ticket_rows(hall, "A001")[0][0] == "called"


def test_long_wait_shows_the_apology_first(qtbot, hall, clerk, clock, open_window):
    pay = services_by_code(hall)["PAY"]  # long wait after 15 minutes
    hall.tickets.issue(pay.id)
    clock.advance(minutes=16)
    hall.tickets.issue(pay.id)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 2)
    model = window.queue_panel.model
    assert model.is_late(0) and not model.is_late(1)
    assert model.data(model.index(0, 4)) == "久等"
    assert "等候超过15分钟" in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None

    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A001")
    shown = window.script_panel.situational_prompts()
    assert shown[0].key == "long_wait_apology"
    assert shown[0].text == "对不起,让您久等了,我马上为您办理。"
    assert "对不起,让您久等了" in window.script_panel.prompt_label.text()
    assert "已等候 16 分钟,超过15分钟久等标准" == window.current_panel.wait_label.text()
    assert window.script_panel.step_buttons.checkedId() == 0

    # The next customer waited 0 minutes: no apology.
    press(qtbot, window, Qt.Key.Key_F4)
    wait_view(qtbot, window, lambda: window.view.current.state == "serving")
    assert window.script_panel.step == 1  # serving moves the flow to 了解需求
    press(qtbot, window, Qt.Key.Key_F4)
    wait_view(qtbot, window, lambda: window.view.current is None)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A002")
    assert all(p.key != "long_wait_apology" for p in window.script_panel.prompts)


def test_outage_declared_by_another_session_appears_as_banner(qtbot, hall, clerk, db_url,
                                                              open_window):
    window = open_window(clerk)
    assert not window.outage_banner.isVisible()
    other = make_hall(db_url)
    try:
        manager = other.auth.login("2001", "2468")
        incident = other.incidents.declare_outage(manager, "计费系统故障,正在抢修,请稍候。")
        qtbot.waitUntil(lambda: window.outage_banner.isVisible(), timeout=8000)
        assert "计费系统故障,正在抢修,请稍候。" in window.outage_banner.text()
        assert "全厅" in window.outage_banner.text()
        assert any(p.key == "outage_notice" and p.tell_waiting for p in window.script_panel.prompts)
        other.incidents.clear(manager, incident.id)
        qtbot.waitUntil(lambda: not window.outage_banner.isVisible(), timeout=8000)
        assert any(p.key == "outage_restored" for p in window.script_panel.prompts)
    finally:
        other.close()


def test_transfer_moves_the_ticket_to_another_service_and_counter(qtbot, hall, clerk, open_window):
    services = services_by_code(hall)
    hall.tickets.issue(services["PAY"].id)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 1 and bool(window._all_counters))
    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A001")

    press(qtbot, window, Qt.Key.Key_F5)
    dialog = window.active_dialog
    assert isinstance(dialog, TransferDialog)
    # Same service and no counter: the dialog refuses with a message.
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error_label.text() == "请选择其他业务或指定窗口。"
    dialog.service_combo.setCurrentIndex(dialog.service_combo.findData(services["SIM"].id))
    counter2 = hall.queries.counter_for_number(2)
    assert dialog.counter_combo.findData(hall.queries.counter_for_number(4).id) == -1  # no SIM
    dialog.counter_combo.setCurrentIndex(dialog.counter_combo.findData(counter2.id))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    wait_view(qtbot, window, lambda: window.view.current is None)
    rows = ticket_rows(hall, "A001")
    assert rows == [("transferred", services["PAY"].id, None, 0),
                    ("waiting", services["SIM"].id, counter2.id, 1)]
    assert "A001号已转至补卡换卡" in status_text(window)


def test_no_show_needs_recalls_and_a_confirmation(qtbot, hall, clerk, open_window):
    pay = services_by_code(hall)["PAY"]
    hall.tickets.issue(pay.id)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 1)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A001")
    assert not window.actions_bar.buttons["no_show"].isEnabled()
    press(qtbot, window, Qt.Key.Key_F3)  # refused with the reason, not silently
    assert status_text(window) == "A001号需重呼2次后才能过号(已重呼0次)。"
    for n in (1, 2):
        press(qtbot, window, Qt.Key.Key_F2)
        wait_view(qtbot, window, lambda n=n: window.view.current.recall_count == n)
    assert "已重呼2次" in window.current_panel.state_label.text()
    assert window.actions_bar.buttons["no_show"].isEnabled()

    press(qtbot, window, Qt.Key.Key_F3)
    box = window.active_dialog
    assert isinstance(box, QMessageBox) and "A001" in box.text()
    box.button(QMessageBox.StandardButton.No).click()  # cancel: nothing happens
    assert window.active_dialog is None and not window.busy  # no action was started
    assert ops.wait_idle()
    assert ticket_rows(hall, "A001")[0][0] == "called"
    press(qtbot, window, Qt.Key.Key_F3)
    window.active_dialog.button(QMessageBox.StandardButton.Yes).click()
    wait_view(qtbot, window, lambda: window.view.current is None)
    assert ticket_rows(hall, "A001")[0][0] == "no_show"


def test_pause_with_reason_and_resume_by_key(qtbot, hall, clerk, open_window):
    window = open_window(clerk)
    press(qtbot, window, Qt.Key.Key_F6)
    dialog = window.active_dialog
    assert isinstance(dialog, PauseDialog)
    assert dialog.reason() == "离席"
    dialog.group.button(1).setChecked(True)  # 暂停服务
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    wait_view(qtbot, window, lambda: window.view.counter.state == "paused")
    assert window.view.counter.pause_reason == "暂停服务"
    assert "暂停服务(暂停服务)" in window.current_panel.counter_label.text()
    assert window.actions_bar.buttons["pause"].text() == "恢复服务  [F6]"
    assert not window.actions_bar.buttons["call_next"].isEnabled()
    press(qtbot, window, Qt.Key.Key_F6)
    wait_view(qtbot, window, lambda: window.view.counter.state == "open")


def test_escalate_reaches_the_duty_manager(qtbot, hall, clerk, open_window):
    hall.tickets.issue(services_by_code(hall)["PAY"].id)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 1)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A001")
    press(qtbot, window, Qt.Key.Key_F7)
    dialog = window.active_dialog
    assert isinstance(dialog, EscalateDialog)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error_label.text() == "请简要说明需要值班长协助的原因。"
    dialog.reason_edit.setText("顾客要求退费,需值班长审批")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: bool(hall.desk.open_escalations()))
    [esc] = hall.desk.open_escalations()
    assert (esc.reason, esc.ticket_code, esc.counter_number) == ("顾客要求退费,需值班长审批", "A001", 1)


def test_complaint_button_offered_in_this_build(qtbot, hall, clerk, open_window):
    window = open_window(clerk)  # the real ui.complaints.form, found where the window looks
    assert window.actions_bar.buttons["complaint"].text() == "登记投诉  [F8]"


def test_complaint_button_absent_without_the_form_module(qtbot, hall, clerk, open_window,
                                                         monkeypatch):
    monkeypatch.setitem(sys.modules, "ui.complaints.form", None)  # import fails
    window = open_window(clerk)
    assert "complaint" not in window.actions_bar.buttons
    assert window.register_complaint() is None


def test_complaint_button_opens_the_form_for_the_current_ticket(qtbot, hall, clerk, open_window,
                                                                monkeypatch):
    calls = []

    def open_complaint_form(parent, services, actor, *, ticket_id=None, ticket_code=None,
                            counter_id=None):
        calls.append((ticket_code, counter_id, actor.staff_no))
        return QDialog(parent)

    fake = types.ModuleType("ui.complaints.form")
    fake.open_complaint_form = open_complaint_form
    monkeypatch.setitem(sys.modules, "ui.complaints.form", fake)
    hall.tickets.issue(services_by_code(hall)["PAY"].id)
    window = open_window(clerk)
    assert window.actions_bar.buttons["complaint"].text() == "登记投诉  [F8]"
    qtbot.waitUntil(lambda: len(window.view.queue) == 1)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A001")
    qtbot.mouseClick(window.actions_bar.buttons["complaint"], Qt.MouseButton.LeftButton)
    assert calls == [("A001", window.counter_id, "1001")]
    assert window.active_dialog.isVisible()
    window.active_dialog.close()


def test_timers_tick_locally_without_new_snapshots(qtbot, hall, clerk, clock, open_window):
    hall.tickets.issue(services_by_code(hall)["PAY"].id)
    clock.advance(minutes=2)
    window = open_window(clerk, live_options={**FAST_LIVE, "safety_interval": 0})
    qtbot.waitUntil(lambda: len(window.view.queue) == 1)
    model = window.queue_panel.model
    first = model.data(model.index(0, 3))
    assert first.startswith("02:0")
    qtbot.waitUntil(lambda: model.data(model.index(0, 3)) >= "02:02", timeout=4000)
    # The database clock stands still (ManualClock): the wait moved on locally.
    assert window.view.queue[0].waited_seconds == 120


def test_actions_refused_with_message_while_offline(qtbot, hall, clerk, open_window):
    hall.tickets.issue(services_by_code(hall)["PAY"].id)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 1)
    window._on_connection_lost("数据库连接中断,正在重试…")
    assert not any(b.isEnabled() for b in window.actions_bar.buttons.values())
    press(qtbot, window, Qt.Key.Key_F1)
    assert status_text(window) == "数据库连接中断,操作未执行。连接恢复后请重试。"
    assert ticket_rows(hall, "A001")[0][0] == "waiting"


def test_queue_is_shown_in_the_order_f1_calls_with_the_next_one_marked(
        qtbot, hall, clerk, clock, admin, open_window):
    """Counter 1 serves PAY first, then PLAN; VIP first (strict rule). The longest wait
    is not the first row: the row F1 calls is, and its tooltip says why."""
    from hall_app.domain.priority import PriorityRule, RuleConfig
    from hall_app.services.admin import AdminService

    services = services_by_code(hall)
    c1 = hall.queries.counter_for_number(1)
    assert [services["PAY"].id, services["PLAN"].id] == list(c1.service_ids[:2])
    plan = hall.tickets.issue(services["PLAN"].id)  # waits longest, but not a PAY ticket
    clock.advance(minutes=1)
    pay = hall.tickets.issue(services["PAY"].id)
    clock.advance(minutes=1)
    vip = hall.tickets.issue(services["PAY"].id, priority="vip")
    clock.advance(minutes=1)
    care = hall.tickets.issue(services["PLAN"].id, care=True)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 4)
    model = window.queue_panel.model
    column = [model.data(model.index(r, 1)) for r in range(4)]
    assert column == [vip.code, care.code, pay.code, plan.code]
    assert [model.data(model.index(r, 0)) for r in range(4)] == ["下一位", "2", "3", "4"]
    assert model.data(model.index(1, 4)) == "爱心"
    tip = model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("F1 将叫这一位:VIP号优先") and "VIP严格优先" in tip
    assert "非本窗口首选业务" in model.data(model.index(3, 0), Qt.ItemDataRole.ToolTipRole)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, vip.code)  # F1 called the marked row
    assert [e.code for e in window.view.queue] == [care.code, pay.code, plan.code]

    # Under the ratio rule (2 normal : 1 VIP) the VIP turn comes after two normal calls.
    AdminService(hall.ctx).set_priority_rule(admin, RuleConfig(PriorityRule.RATIO, ratio=2))
    window.live.request_refresh()
    qtbot.waitUntil(lambda: "按比例穿插" in window.view.rule_text, timeout=5000)
    assert [e.code for e in window.view.queue] == [pay.code, plan.code, care.code]


def type_into_focus(qtbot, text):
    """Characters go wherever the focus is, as typed (through an input method for
    Chinese: key events carrying the text; QTest's keyClicks knows only ASCII)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        widget = QApplication.focusWidget()
        assert widget is not None
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


def key_to_focus(qtbot, key):
    from PySide6.QtWidgets import QApplication

    qtbot.keyClick(QApplication.focusWidget(), key)


def test_f7_by_keyboard_alone_never_traps_the_clerk(qtbot, hall, clerk, open_window):
    from PySide6.QtWidgets import QApplication

    from ui.counter.dialogs import ESCALATE_REASONS

    hall.tickets.issue(services_by_code(hall)["PAY"].id)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 1)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A001")

    press(qtbot, window, Qt.Key.Key_F7)
    dialog = window.active_dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason_edit)  # where one types
    key_to_focus(qtbot, Qt.Key.Key_Return)  # nothing typed yet: refused, in the dialog
    assert dialog.isVisible() and dialog.error_label.text() == "请简要说明需要值班长协助的原因。"
    assert QApplication.focusWidget() is dialog.reason_edit
    type_into_focus(qtbot, "顾客要求退费")  # the typing lands in the field
    assert dialog.reason_edit.text() == "顾客要求退费" and dialog.error_label.text() == ""
    key_to_focus(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(hall.desk.open_escalations()) == 1)
    assert hall.desk.open_escalations()[0].reason == "顾客要求退费"
    wait_view(qtbot, window, lambda: True)

    # Down into the usual reasons, Enter: that reason is sent (never 取消).
    press(qtbot, window, Qt.Key.Key_F7)
    dialog = window.active_dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason_edit)
    key_to_focus(qtbot, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is dialog.reason_list
    key_to_focus(qtbot, Qt.Key.Key_Down)
    key_to_focus(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(hall.desk.open_escalations()) == 2)
    assert {e.reason for e in hall.desk.open_escalations()} == {"顾客要求退费",
                                                               ESCALATE_REASONS[1]}
    wait_view(qtbot, window, lambda: True)

    # Esc cancels, and the window says nothing was sent.
    press(qtbot, window, Qt.Key.Key_F7)
    dialog = window.active_dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason_edit)
    key_to_focus(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert status_text(window) == "已取消,未通知值班长。"
    assert len(hall.desk.open_escalations()) == 2


def test_idle_text_follows_the_counter_state(qtbot, hall, clerk, open_window):
    window = open_window(clerk)
    assert window.current_panel.service_label.text() == "暂无顾客等候"
    hall.tickets.issue(services_by_code(hall)["PAY"].id)
    window.live.request_refresh()
    qtbot.waitUntil(lambda: window.current_panel.service_label.text()
                    == "暂无顾客,按 F1 叫下一位", timeout=5000)
    hall.counters.pause(clerk, window.counter_id, "离席")
    window.live.request_refresh()
    qtbot.waitUntil(lambda: window.current_panel.service_label.text()
                    == "暂停服务中,按 F6 恢复服务", timeout=5000)
    assert "F1" not in window.current_panel.service_label.text()


def test_a_counter_session_by_keyboard_alone_through_every_dialog(qtbot, hall, clerk,
                                                                   open_window):
    """F1 → F4 → F8 (the complaint form, typing in the name) → F5 (transfer by arrows and
    Enter) → F6 (pause: arrows, typing, Enter; F6 again resumes) → F7, each dialog opening
    with the focus where the clerk types and closing back to the window's keys."""
    from PySide6.QtWidgets import QApplication

    from ui.complaints.form import ComplaintForm
    from ui.counter.dialogs import PAUSE_REASONS

    def focus():
        return QApplication.focusWidget()

    codes = services_by_code(hall)
    hall.tickets.issue(codes["PAY"].id)
    hall.tickets.issue(codes["PAY"].id)
    window = open_window(clerk)
    qtbot.waitUntil(lambda: len(window.view.queue) == 2)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_ticket(qtbot, window, "A001")
    press(qtbot, window, Qt.Key.Key_F4)  # start
    wait_view(qtbot, window, lambda: window.view.current.state == "serving")

    # F8: the complaint form opens in the customer's name; what is typed lands there.
    press(qtbot, window, Qt.Key.Key_F8)
    form = window.active_dialog
    assert isinstance(form, ComplaintForm)
    qtbot.waitUntil(lambda: focus() is form.customer_name)
    type_into_focus(qtbot, "王先生")
    assert form.customer_name.text() == "王先生"
    key_to_focus(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.phone  # the next field, not a button
    form.close()  # the form is non-modal; the clerk goes back to the counter window
    ops.wait_idle()

    # F5: the service list has the focus; Down picks the next service, Enter transfers.
    press(qtbot, window, Qt.Key.Key_F5)
    dialog = window.active_dialog
    assert isinstance(dialog, TransferDialog)
    qtbot.waitUntil(lambda: focus() is dialog.service_combo)
    first = dialog.service_combo.currentData()
    key_to_focus(qtbot, Qt.Key.Key_Down)
    target = dialog.service_combo.currentData()
    assert target != first
    key_to_focus(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    wait_view(qtbot, window, lambda: window.view.current is None)
    assert [row[1] for row in ticket_rows(hall, "A001") if row[0] == "waiting"] == [target]

    # F6 with nobody at the counter: arrows choose, typing goes to the reason field.
    press(qtbot, window, Qt.Key.Key_F6)
    dialog = window.active_dialog
    assert isinstance(dialog, PauseDialog)
    qtbot.waitUntil(lambda: focus() is dialog.group.button(0))
    key_to_focus(qtbot, Qt.Key.Key_Down)
    assert dialog.group.checkedId() == 1
    type_into_focus(qtbot, "系统培训")
    assert focus() is dialog.other_edit and dialog.other_edit.text() == "系统培训"
    key_to_focus(qtbot, Qt.Key.Key_Return)
    wait_view(qtbot, window, lambda: window.view.counter.state == "paused")
    assert window.view.counter.pause_reason == f"{PAUSE_REASONS[1]}:系统培训"
    press(qtbot, window, Qt.Key.Key_F6)  # resumes, no dialog
    wait_view(qtbot, window, lambda: window.view.counter.state == "open")
    assert window.active_dialog is None

    # F7 opens in its reason field; Esc closes it and the keys work again.
    press(qtbot, window, Qt.Key.Key_F7)
    dialog = window.active_dialog
    qtbot.waitUntil(lambda: focus() is dialog.reason_edit)
    key_to_focus(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    press(qtbot, window, Qt.Key.Key_F1)
    wait_view(qtbot, window, lambda: window.view.current is not None)


def test_the_complaint_form_is_imported_on_the_first_f8_not_with_the_window(
        qtbot, hall, clerk, open_window, monkeypatch):
    monkeypatch.delitem(sys.modules, "ui.complaints.form", raising=False)
    window = open_window(clerk)
    assert "complaint" in window.actions_bar.buttons
    assert "ui.complaints.form" not in sys.modules
