"""The counter window's scripts as the clerk uses them (issue 15): the flow follows the
ticket, the apology waits for the clerk, the palette offers F7 with its reason, the
farewell carries the service's commitment time, documents 唱收唱交 is recorded."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton  # noqa: E402
from sqlalchemy import select  # noqa: E402

from db.models import DocumentExchange  # noqa: E402
from ui import notify, ops  # noqa: E402
from ui.counter.dialogs import EscalateDialog  # noqa: E402
from ui.counter.documents import DocumentsDialog  # noqa: E402
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

    def make(actor, counter_number=4):
        counter = hall.queries.counter_for_number(counter_number)
        hall.counters.sign_in(actor, counter.id)
        window = CounterWindow(hall, actor, counter.id, live_options=FAST_LIVE)
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


def press(qtbot, window, key):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, key)


def wait_view(qtbot, window, predicate, timeout=5000):
    def ready():
        try:
            return not window.busy and window.shows_latest_view() and bool(predicate())
        except AttributeError:
            return False

    qtbot.waitUntil(ready, timeout=timeout)


def service(hall, code):
    return next(s for s in hall.queries.services() if s.code == code)


def palette_item(panel, key):
    for i in range(panel.phrase_list.count()):
        item = panel.phrase_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == key:
            return item
    raise AssertionError(f"{key} not in the palette")


def call_and_start(qtbot, window, hall, code="BB", wait_minutes=0, clock=None):
    hall.tickets.issue(service(hall, code).id)
    if clock is not None and wait_minutes:
        clock.advance(minutes=wait_minutes)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_view(qtbot, window, lambda: window.view.current is not None)
    press(qtbot, window, Qt.Key.Key_F4)
    wait_view(qtbot, window, lambda: window.view.current.state == "serving")


def test_the_flow_follows_the_ticket_and_the_clerk(qtbot, hall, clerk, open_window):
    window = open_window(clerk)
    panel = window.script_panel
    hall.tickets.issue(service(hall, "BB").id)
    press(qtbot, window, Qt.Key.Key_F1)
    wait_view(qtbot, window, lambda: window.view.current is not None)
    assert panel.step_buttons.checkedId() == 0  # called → 积极的接近
    assert "先生/小姐,您好,请问有什么我能帮到您?" in panel.step_label.text()
    press(qtbot, window, Qt.Key.Key_F4)
    wait_view(qtbot, window, lambda: window.view.current.state == "serving")
    assert panel.step_buttons.checkedId() == 1  # start → 了解需求
    qtbot.mouseClick(panel.step_buttons.button(3), Qt.MouseButton.LeftButton)
    assert panel.step == 3  # the clerk moves on
    press(qtbot, window, Qt.Key.Key_F4)  # finish
    wait_view(qtbot, window, lambda: window.view.current is None)
    qtbot.waitUntil(lambda: panel.step == 4)
    assert panel.step_buttons.checkedId() == 4  # finish → 亲切的告别
    text = panel.step_label.text()
    assert "宽带业务会在3个工作日内开通,您要是有疑问或使用时有什么问题" in text
    assert "微笑目送客户离开" in text
    assert panel.farewell_done.isVisible()
    qtbot.mouseClick(panel.farewell_done, Qt.MouseButton.LeftButton)
    assert panel.step == 0 and not panel.farewell_done.isVisible()


def test_farewell_for_a_service_without_commitment_time_promises_nothing(
        qtbot, hall, clerk, open_window):
    window = open_window(clerk, counter_number=1)  # PAY and PLAN; PAY has no time
    panel = window.script_panel
    call_and_start(qtbot, window, hall, "PAY")
    press(qtbot, window, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: panel.step == 4, timeout=5000)
    text = panel.step_label.text()
    assert "您要是有疑问或使用时有什么问题,请至电我公司的服务热线:10000" in text
    assert "开通" not in text and "【" not in text


def test_long_wait_apology_stays_after_f4_until_marked_said(qtbot, hall, clerk, clock,
                                                          open_window):
    window = open_window(clerk)
    panel = window.script_panel
    call_and_start(qtbot, window, hall, "BB", wait_minutes=30, clock=clock)
    assert panel.step == 1
    assert panel.situational_prompts()[0].key == "long_wait_apology"
    assert "标为已说" in panel.prompt_label.text()
    panel.prompt_label.linkActivated.emit("said:long_wait_apology")  # the clerk clicks it
    assert all(p.key != "long_wait_apology" for p in panel.prompts)
    with qtbot.waitSignal(window.live.snapshot, timeout=5000):
        window.live.request_refresh()
    assert all(p.key != "long_wait_apology" for p in panel.prompts)


def test_i_dont_know_offers_f7_with_the_reason(qtbot, hall, clerk, open_window):
    window = open_window(clerk)
    panel = window.script_panel
    call_and_start(qtbot, window, hall)
    item = palette_item(panel, "unknown_question")
    assert "我问问值班长,看能否给您帮助" in item.text()
    panel.phrase_list.setCurrentItem(item)
    qtbot.mouseClick(panel.phrase_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.phrase_list.visualItemRect(item).center())
    assert panel.offer.isVisible()
    assert "客户询问非本台业务,我不太清楚,请值班长帮助。" in panel.offer_label.text()
    assert palette_item(panel, "unknown_question").text().startswith("✓ ")

    press(qtbot, window, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: isinstance(window.active_dialog, EscalateDialog))
    dialog = window.active_dialog
    assert dialog.reason() == "客户询问非本台业务,我不太清楚,请值班长帮助。"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason_edit)
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    wait_view(qtbot, window, lambda: not panel.offer.isVisible())
    [raised] = hall.desk.open_escalations()
    assert raised.reason == "客户询问非本台业务,我不太清楚,请值班长帮助。"
    assert raised.ticket_code == window.view.current.code


def test_still_unhappy_offer_button_opens_f7(qtbot, hall, clerk, open_window):
    window = open_window(clerk)
    panel = window.script_panel
    call_and_start(qtbot, window, hall)
    panel.set_step(3)
    panel.phrase_list.itemActivated.emit(palette_item(panel, "escalate_manager"))
    assert "请您稍等,我请值班长来接待您!" in palette_item(panel, "escalate_manager").text()
    qtbot.mouseClick(panel.offer_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.active_dialog, EscalateDialog))
    assert window.active_dialog.reason() == "经解释处理后客户仍不满意,无法解决,请值班长接待。"


def test_documents_helper_records_what_was_taken_and_given(qtbot, hall, clerk, open_window):
    window = open_window(clerk)
    call_and_start(qtbot, window, hall)
    qtbot.mouseClick(window.script_panel.documents_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.active_dialog, DocumentsDialog))
    dialog = window.active_dialog
    first = dialog.rows[0]
    qtbot.waitUntil(lambda: QApplication.focusWidget() in (first.name, first.name.lineEdit()))
    assert first.name.lineEdit().selectedText() == "身份证"  # typing replaces it
    assert dialog.phrase_label.text() == "「收您身份证,这是您的身份证,请收好。」"
    row = dialog.add_row("", "returned", focus=True)
    row.name.lineEdit().insert("业务单")  # what the input method commits (QTest types ASCII only)
    row.disposition.setCurrentIndex(1)  # 留存
    assert dialog.phrase_label.text() == "「收您身份证、业务单,这是您的身份证,请收好。」"
    qtbot.keyClick(row.name.lineEdit(), Qt.Key.Key_Return)
    wait_view(qtbot, window, lambda: not dialog.isVisible())
    ops.wait_idle(5000)
    with hall.ctx.read() as s:
        rows = s.scalars(select(DocumentExchange).order_by(DocumentExchange.id)).all()
        assert [(r.document, r.disposition, r.ticket_id) for r in rows] == [
            ("身份证", "returned", window.view.current.ticket_id),
            ("业务单", "kept", window.view.current.ticket_id)]


def test_documents_helper_explains_a_bad_entry_and_records_nothing(qtbot, hall, clerk,
                                                                  open_window):
    window = open_window(clerk)
    call_and_start(qtbot, window, hall)
    window.script_panel.pick("document_exchange")  # from the palette: opens the helper
    qtbot.waitUntil(lambda: isinstance(window.active_dialog, DocumentsDialog))
    dialog = window.active_dialog
    line = dialog.rows[0].name.lineEdit()
    line.clear()
    assert "请填写证件或单据的名称" in dialog.error_label.text()
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert dialog.isVisible()
    dialog.reject()
    with hall.ctx.read() as s:
        assert s.scalars(select(DocumentExchange)).all() == []


def test_closing_phrase_for_the_last_customer_with_an_empty_queue(qtbot, hall, clerk, clock,
                                                                  open_window):
    window = open_window(clerk)
    call_and_start(qtbot, window, hall)
    clock.set(datetime(2026, 11, 25, 17, 50, tzinfo=ZoneInfo("Asia/Shanghai")))  # closes 18:00
    window.live.request_refresh()
    panel = window.script_panel
    qtbot.waitUntil(lambda: any(p.key == "closing_time" for p in panel.prompts), timeout=5000)
    assert window.view.queue == ()
    assert "请别急,我会等您的" in panel.prompt_label.text()


def test_seven_points_in_the_guide(qtbot, hall, clerk, open_window):
    window = open_window(clerk)
    guide = window.script_panel.open_guide("complaint")
    text = guide.views["complaint"].toPlainText()
    for point in ("耐心多一点", "态度好一点", "动作快一点", "语言得体一点", "补偿多一点",
                  "层次高一点", "办法多一点"):
        assert point in text
    assert "我理解您的感受" in text and "您认为这样处理可以吗?" in text
    cards = guide.views["cards"].toPlainText()
    assert "我们拒绝为您服务。" in cards and "处变不惊" in cards
    assert isinstance(window.script_panel.guide_button, QPushButton)
    guide.close()


def test_restored_prompt_ends_on_time_and_never_under_the_lost_database(
        qtbot, hall, clerk, manager, open_window):
    """「系统已经恢复正常…」 is for the minutes after an outage: it ends when they are over
    (no new snapshot needed), and while the database is lost it is not shown at all."""
    outage = hall.incidents.declare_outage(manager)
    hall.incidents.clear(manager, outage.id)
    window = open_window(clerk)
    panel = window.script_panel
    restored = "系统已经恢复正常"
    qtbot.waitUntil(lambda: restored in panel.prompt_label.text(), timeout=5000)

    window._on_connection_lost("数据库连接中断,正在重试…")
    assert restored not in panel.prompt_label.text()
    assert "数据库连接中断" in panel.prompt_label.text()
    window._on_connection_restored()
    assert restored in panel.prompt_label.text()

    # Ten minutes later by the window's own clock, with no snapshot in between.
    limit = hall.ctx.thresholds().restored_prompt_minutes
    window._clock.started -= (limit + 1) * 60
    for _ in range(10):  # the prompts are re-chosen every ten ticks
        panel.tick()
    assert restored not in panel.prompt_label.text()


def test_paused_counter_is_not_told_to_press_f1(qtbot, hall, clerk, open_window):
    window = open_window(clerk)
    hall.counters.pause(clerk, window.counter_id, "离席")
    window.live.request_refresh()
    qtbot.waitUntil(lambda: window.view.counter.state == "paused", timeout=5000)
    assert "F1" not in window.current_panel.service_label.text()
    assert "F1" not in window.script_panel.prompt_label.text()
