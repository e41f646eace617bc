"""The rating pad (评价器) driven by clicks, at 800×480 and at 1024×600.

finish at the counter window → the pad asks → a tap stores the rating; 不满意 → reason →
「需要值班长联系您吗?」 → the alert on the overview; the countdown's end → 未评价; a second
tap is refused; the database lost → 暂停评价 and nothing half written; the pad never
shows another customer's data; an unbound pad says how to bind it.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace  # noqa: E402

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from rating_support import bind_pad, counter_id, follow_ups, ratings, serve, service_id  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from ui import notify, ops  # noqa: E402
from ui.rating.window import RatingPadWindow  # noqa: E402

SIZES = [pytest.param((800, 480), id="800x480"), pytest.param((1024, 600), id="1024x600")]
FAST_LIVE = {"poll_timeout": 0.05, "backoff": (0.05, 0.1)}


class FakeAnnouncer:
    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> bool:
        self.said.append(text)
        return True


@pytest.fixture(autouse=True)
def _ui(qapp, tmp_path, monkeypatch):
    from ui.app_runtime import create_app

    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))
    create_app("rating", logging_to_file=False)
    old = notify.set_bridge(notify.MessageBridge())
    yield
    notify.set_bridge(old)


@pytest.fixture
def hall(sqlite_url):
    services = make_hall(sqlite_url)
    yield services
    services.close()


@pytest.fixture
def clerk(hall):
    actor = hall.auth.login("1001", "1234")
    hall.counters.sign_in(actor, counter_id(hall, 1))
    return actor


@pytest.fixture
def manager(hall):
    return hall.auth.login("2001", "2468")


@pytest.fixture
def credential(hall, manager, clerk):
    return bind_pad(hall, manager, counter_id(hall, 1))


@pytest.fixture
def open_pad(qtbot, hall):
    made = []

    def make(credential, size=(800, 480), **kwargs):
        kwargs.setdefault("live_options", FAST_LIVE)
        kwargs.setdefault("thanks_ms", 1500)  # long enough to be seen on a loaded machine
        pad = RatingPadWindow(hall, credential, feed_factory=lambda: hall.change_feed(0.05),
                              **kwargs)
        qtbot.addWidget(pad)
        pad.resize(*size)
        pad.show()
        if credential is not None:
            qtbot.waitUntil(lambda: pad.board is not None, timeout=5000)
        made.append(pad)
        return pad

    yield make
    for pad in made:
        pad.close()
    ops.wait_idle(5000)


def tap(qtbot, button):
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shows(qtbot, pad, page, timeout=5000):
    qtbot.waitUntil(lambda: pad.page == page and not pad.busy, timeout=timeout)


@pytest.mark.parametrize("size", SIZES)
def test_finish_at_the_counter_the_pad_asks_and_a_tap_is_stored(qtbot, hall, clerk, credential,
                                                                 open_pad, size):
    from ui.counter.window import CounterWindow

    counter = CounterWindow(hall, clerk, counter_id(hall, 1), live_options=FAST_LIVE)
    qtbot.addWidget(counter)
    counter.show()
    announcer = FakeAnnouncer()
    pad = open_pad(credential, size, announcer=announcer)
    shows(qtbot, pad, "idle")
    assert pad.property("padSize") == ("large" if size[0] >= 1000 else "small")
    assert "1号窗口" in pad.counter_label.text()
    assert clerk.name in pad.clerk_label.text() and "1001" in pad.clerk_label.text()
    assert pad.promise_label.text().startswith("首问负责")

    hall.tickets.issue(service_id(hall, "PAY"))
    qtbot.waitUntil(lambda: counter.view is not None and len(counter.view.queue) == 1)
    tap(qtbot, counter.actions_bar.buttons["call_next"])
    qtbot.waitUntil(lambda: not counter.busy and counter.view.current is not None)
    tap(qtbot, counter.actions_bar.buttons["start_finish"])
    qtbot.waitUntil(lambda: not counter.busy and counter.view.current.state == "serving")
    shows(qtbot, pad, "serving")
    assert pad.serving_code.text() == "A001" and pad.serving_service.text() == "缴费充值"

    tap(qtbot, counter.actions_bar.buttons["start_finish"])  # 办结
    shows(qtbot, pad, "ask")
    assert pad.ask_title.text() == "请您对本次服务进行评价"
    assert [b.text() for b in pad.buttons.values()] == ["非常满意", "满意", "基本满意", "不满意"]
    assert "A001" in pad.ask_ticket.text() and "秒后自动结束" in pad.ask_countdown.text()
    assert announcer.said == ["请您对本次服务进行评价"]
    for button in pad.buttons.values():  # big targets at either size
        assert button.height() >= 150 and button.width() >= 150

    tap(qtbot, pad.buttons["very_satisfied"])
    shows(qtbot, pad, "thanks")
    assert pad.thanks_label.text() == "感谢您的支持"
    [row] = ratings(hall)
    assert (row.level, row.pad_id, row.staff_id) == ("very_satisfied", credential.pad_id,
                                                    clerk.staff_id)
    shows(qtbot, pad, "idle")  # after the thanks, back to the counter's idle screen
    qtbot.waitUntil(lambda: "参评 1/1" in counter.own_rating.text(), timeout=5000)
    counter.close()


@pytest.mark.parametrize("size", SIZES)
def test_dissatisfied_reason_and_contact_raise_the_alert_on_the_overview(
        qtbot, hall, clerk, manager, credential, open_pad, size):
    from ui.overview.window import OverviewWindow

    overview = OverviewWindow(hall, manager, safety_interval=60)
    qtbot.addWidget(overview)
    overview.resize(1400, 900)
    overview.show()
    pad = open_pad(credential, size)
    ticket = serve(hall, clerk, counter_id(hall, 1))
    shows(qtbot, pad, "ask")
    tap(qtbot, pad.buttons["dissatisfied"])
    shows(qtbot, pad, "reason")
    assert [b.text() for b in pad.reason_buttons.values()] == \
        ["等候时间长", "服务态度", "业务未办成", "收费疑问", "其他"]
    tap(qtbot, pad.reason_buttons["long_wait"])
    shows(qtbot, pad, "contact")
    assert pad.contact_title.text() == "需要值班长联系您吗?"
    tap(qtbot, pad.contact_buttons["yes"])
    shows(qtbot, pad, "thanks")
    assert pad.thanks_label.text() == "谢谢您提的意见,今后我们会改进。"
    assert pad.thanks_detail.text() == "值班长会尽快与您联系。"
    [row] = ratings(hall)
    assert (row.level, row.reason, row.wants_contact) == ("dissatisfied", "long_wait", True)
    assert len(follow_ups(hall)) == 1

    key = f"rating:{row.id}"
    overview.live.request_refresh()
    # A row added to the shown panel appears on the next pass of the event loop.
    qtbot.waitUntil(lambda: key in overview.alerts.rows
                    and "回访" in overview.alerts.rows[key].alert.detail
                    and overview.alerts.rows[key].button is not None
                    and overview.alerts.rows[key].button.isVisible(), timeout=5000)
    alert = overview.alerts.rows[key]
    assert ticket.code in alert.alert.title and clerk.name in alert.alert.title
    assert alert.alert.detail == "原因:等候时间长;顾客希望值班长联系,已建回访"
    assert overview.figures.values["satisfaction"].text() == "0.0%"
    assert overview.figures.values["participation"].text() == "100.0%"
    assert overview.follow_up_button.text() == "顾客回访(1)"
    overview.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_countdown_ends_in_unrated(qtbot, hall, clerk, credential, open_pad, size):
    pad = open_pad(credential, size)
    serve(hall, clerk, counter_id(hall, 1))
    shows(qtbot, pad, "ask")
    hall.ctx.clock.advance(seconds=31)  # the customer walks away
    pad.live.request_refresh()
    qtbot.waitUntil(lambda: [r.level for r in ratings(hall)] == ["unrated"], timeout=5000)
    shows(qtbot, pad, "idle")
    assert not any(b.isVisible() for b in pad.buttons.values())


@pytest.mark.parametrize("size", SIZES)
def test_a_second_tap_is_refused(qtbot, hall, clerk, credential, open_pad, size):
    # The thanks page stays until looked at (a loaded machine may not look within 300 ms).
    first = open_pad(credential, size, thanks_ms=60_000)
    second = open_pad(credential, size, thanks_ms=60_000)
    serve(hall, clerk, counter_id(hall, 1))
    shows(qtbot, first, "ask")
    shows(qtbot, second, "ask")
    # The second window keeps showing the question it had (no refresh reaches it), so its
    # tap meets the stored rating in the database, not a page already updated.
    second.live.snapshot.disconnect(second.apply_board)
    qtbot.mouseClick(first.buttons["satisfied"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(first.buttons["dissatisfied"], Qt.MouseButton.LeftButton)  # a double tap
    shows(qtbot, first, "thanks")
    tap(qtbot, second.buttons["very_satisfied"])  # the same service, from the other window
    shows(qtbot, second, "thanks")
    assert second.thanks_label.text() == "本次服务已评价,谢谢您。"
    assert [r.level for r in ratings(hall)] == ["satisfied"]


def _database_down(hall):
    """Every statement of this workstation fails as if the server had gone away."""
    def refuse(*_args):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    event.listen(hall.ctx.db.engine, "before_cursor_execute", refuse)
    return lambda: event.remove(hall.ctx.db.engine, "before_cursor_execute", refuse)


@pytest.mark.parametrize("size", SIZES)
def test_database_lost_pauses_rating_and_keeps_nothing_half_written(
        qtbot, hall, clerk, credential, open_pad, size):
    pad = open_pad(credential, size)
    serve(hall, clerk, counter_id(hall, 1))
    shows(qtbot, pad, "ask")
    tap(qtbot, pad.buttons["dissatisfied"])
    shows(qtbot, pad, "reason")
    tap(qtbot, pad.reason_buttons["attitude"])
    shows(qtbot, pad, "contact")
    restore = _database_down(hall)
    try:
        tap(qtbot, pad.contact_buttons["yes"])
        shows(qtbot, pad, "paused")
        assert pad.paused_label.text() == "暂停评价"
        assert pad.paused_label.isVisible()
        assert not any(b.isVisible() for b in pad.contact_buttons.values())
        qtbot.waitUntil(lambda: not pad.live.connected, timeout=5000)
        assert pad.page == "paused"
    finally:
        restore()
    qtbot.waitUntil(lambda: pad.live.connected and pad.page == "idle", timeout=10000)
    [row] = ratings(hall)  # the 不满意 was stored whole; its explanation not at all
    assert (row.level, row.reason, row.wants_contact) == ("dissatisfied", None, None)
    assert follow_ups(hall) == []
    assert pad.rating_id is None and pad.reason is None  # the customer's choice is dropped


@pytest.mark.parametrize("size", SIZES)
def test_a_tap_while_the_database_is_gone_is_not_stored_and_asked_again(
        qtbot, hall, clerk, credential, open_pad, size):
    pad = open_pad(credential, size)
    serve(hall, clerk, counter_id(hall, 1))
    shows(qtbot, pad, "ask")
    restore = _database_down(hall)
    try:
        tap(qtbot, pad.buttons["satisfied"])
        shows(qtbot, pad, "paused")
    finally:
        restore()
    shows(qtbot, pad, "ask", timeout=10000)  # still within the timeout: asked again
    assert ratings(hall) == []
    tap(qtbot, pad.buttons["satisfied"])
    shows(qtbot, pad, "thanks")
    assert [r.level for r in ratings(hall)] == ["satisfied"]


def test_the_pad_never_shows_another_customers_data(qtbot, hall, clerk, credential, open_pad):
    pad = open_pad(credential)
    c1 = counter_id(hall, 1)
    serve(hall, clerk, c1)
    shows(qtbot, pad, "ask")
    assert any("A001" in t for t in pad.visible_texts())
    tap(qtbot, pad.buttons["basic"])
    serve(hall, clerk, c1, finish=False)  # the next customer is being served
    shows(qtbot, pad, "serving", timeout=5000)
    assert pad.serving_code.text() == "A002"
    assert not any("A001" in t for t in pad.visible_texts())
    assert not any("A001" in w.text() for w in pad.findChildren(type(pad.ask_ticket)))


def test_an_unbound_pad_says_how_to_bind_it(qtbot, open_pad):
    pad = open_pad(None, counter_number=3)
    assert pad.page == "unbound"
    assert pad.unbound_label.text() == "本评价器尚未绑定窗口"
    assert "hall-app rating --counter 3 --bind" in pad.unbound_detail.text()


def test_a_revoked_pad_stops_asking(qtbot, hall, manager, clerk, credential, open_pad):
    pad = open_pad(credential)
    shows(qtbot, pad, "idle")
    hall.pads.bind(manager, counter_id(hall, 1))  # a replacement pad
    pad.live.request_refresh()
    shows(qtbot, pad, "unbound")
    serve(hall, clerk, counter_id(hall, 1))
    pad.live.request_refresh()
    qtbot.waitUntil(lambda: pad.board is not None and pad.board.pending is None
                    and not pad.board.bound)
    assert pad.page == "unbound"


def test_a_pad_with_a_site_range_key_rates(qtbot, hall, clerk, credential, open_pad):
    big = (5 << 40) + 17  # a key in site 5's range (beyond a 32-bit int)
    with hall.ctx.write() as s:
        s.execute(text("UPDATE rating_pad SET id = :big WHERE id = :id"),
                  {"big": big, "id": credential.pad_id})
    pad = open_pad(replace(credential, pad_id=big))
    serve(hall, clerk, counter_id(hall, 1))
    shows(qtbot, pad, "ask")
    tap(qtbot, pad.buttons["satisfied"])
    shows(qtbot, pad, "thanks")
    assert [(r.pad_id, r.level) for r in ratings(hall)] == [(big, "satisfied")]


def test_every_page_fits_the_pad_at_both_sizes(qtbot, hall, clerk, credential, open_pad):
    """The layout check (tests/ui/layout_check.py) on each page a customer meets."""
    from layout_check import problems_at_sizes

    shots = os.environ.get("HALL_SCREENSHOT_DIR", "/tmp/hall-layout-shots")
    sizes = [(800, 480), (1024, 600)]
    pad = open_pad(credential)
    shows(qtbot, pad, "idle")
    found = problems_at_sizes(pad, "rating_idle", sizes, shots)
    serve(hall, clerk, counter_id(hall, 1))
    shows(qtbot, pad, "ask")
    found += problems_at_sizes(pad, "rating_ask", sizes, shots)
    tap(qtbot, pad.buttons["dissatisfied"])
    shows(qtbot, pad, "reason")
    found += problems_at_sizes(pad, "rating_reason", sizes, shots)
    tap(qtbot, pad.reason_buttons["long_wait"])
    shows(qtbot, pad, "contact")
    found += problems_at_sizes(pad, "rating_contact", sizes, shots)
    assert not found, "\n" + "\n".join(found)
