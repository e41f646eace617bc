"""唱收唱交 helper in the counter window: change and phrase, each bad input shown beside its field."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from sqlalchemy import select  # noqa: E402

from db.models import CashExchange  # noqa: E402
from hall_app.scripts import default_book  # noqa: E402
from ui import ops  # noqa: E402
from ui.counter.cash import CashHelper  # noqa: E402
from ui.counter.window import CounterWindow  # noqa: E402


@pytest.fixture
def helper(qtbot):
    widget = CashHelper(default_book())
    qtbot.addWidget(widget)
    widget.show()
    return widget


def fill(qtbot, helper, due="", received="", items=""):
    for edit, text in ((helper.due_edit, due), (helper.items_edit, items),
                       (helper.received_edit, received)):
        edit.clear()
        if text.isascii():
            qtbot.keyClicks(edit, text)  # typed, as at the counter
        else:
            edit.setText(text)  # QTest cannot type non-ASCII keys (IME input)


def test_change_and_phrase_in_big_type(qtbot, helper):
    fill(qtbot, helper, due="71.5", received="100")
    assert helper.change_label.text() == "找零 28.50 元"
    assert helper.phrase_label.text() == "「收您100.00元,找您28.50元,请点一下。」"
    assert helper.record_button.isEnabled()
    assert all(not label.isVisible() for label in helper.errors.values())


def test_full_width_and_yuan_sign_are_accepted(qtbot, helper):
    fill(qtbot, helper, due="￥50元", received="１００")
    assert helper.change_label.text() == "找零 50.00 元"


@pytest.mark.parametrize(("due", "received", "field", "message"), [
    ("abc", "100", "amount_due", "应收金额「abc」不是有效的金额"),
    ("-5", "100", "amount_due", "应收金额不能是负数。"),
    ("0", "100", "amount_due", "应收金额必须大于0元。"),
    ("1.234", "100", "amount_due", "应收金额最多只能有两位小数(精确到分)。"),
    ("71.50", "50", "received", "实收金额50.00元少于应收金额71.50元,还差21.50元。"),
    ("71.50", "十元", "received", "实收金额「十元」不是有效的金额"),
    ("71.50", "200000", "received", "实收金额超过上限100000.00元"),
])
def test_each_bad_input_is_shown_beside_its_field(qtbot, helper, due, received, field, message):
    fill(qtbot, helper, due=due, received=received)
    label = helper.errors[field]
    assert label.isVisible()
    assert message in label.text()
    assert helper.change_label.text() == "找零 —"
    assert not helper.record_button.isEnabled()


def test_fee_items_give_the_total_and_breakdown_phrase(qtbot, helper):
    helper.set_business("宽带业务")
    fill(qtbot, helper, items="业务费 100,话费 50", received="200")
    assert helper.change_label.text() == "找零 50.00 元"
    assert "宽带业务" in helper.fee_label.text() and "150.00" in helper.fee_label.text()
    fill(qtbot, helper, due="120", items="业务费 100,话费 50", received="200")
    assert "各项费用合计150.00元,与总费用120.00元不一致。" in helper.errors["items"].text()
    fill(qtbot, helper, items="业务费一百", received="200")
    assert "格式不对" in helper.errors["items"].text()


def test_exchange_is_recorded_against_the_current_ticket(qtbot, hall, clerk, tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    pay = next(s for s in hall.queries.services() if s.code == "PAY")
    hall.tickets.issue(pay.id)
    counter = hall.queries.counter_for_number(1)
    hall.counters.sign_in(clerk, counter.id)
    ticket = hall.tickets.call_next(clerk, counter.id)
    window = CounterWindow(hall, clerk, counter.id,
                           live_options={"poll_timeout": 0.05, "backoff": (0.05,)})
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None and window.view.current is not None)
    helper = window.cash_helper
    fill(qtbot, helper, items="业务费 60,话费 11.50", received="100")
    assert helper.change_label.text() == "找零 28.50 元"
    qtbot.mouseClick(helper.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.busy and ops.pending_count() == 0)
    with hall.ctx.read() as s:
        rows = s.scalars(select(CashExchange)).all()
        assert [(r.ticket_id, r.counter_id, r.due_fen, r.received_fen, r.change_fen)
                for r in rows] == [(ticket.id, counter.id, 7150, 10000, 2850)]
        assert json.loads(rows[0].items) == {"业务费": 6000, "话费": 1150}
    window.close()
    ops.wait_idle()
