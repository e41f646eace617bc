"""The kiosk and its slip tell the wait as an interval, or that no counter serves it now."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402

from ui import ops  # noqa: E402
from ui.kiosk import PdfSlipPrinter  # noqa: E402
from ui.kiosk.window import KioskWindow  # noqa: E402

INTERVAL = re.compile(r"预计等候(\d+)–(\d+)分钟")


@pytest.fixture
def kiosk(qtbot, sqlite_url, tmp_path):  # type: ignore[no-untyped-def]
    services = make_hall(sqlite_url)
    window = KioskWindow(services, printer=PdfSlipPrinter(tmp_path / "slips"),
                         feed_factory=lambda: services.change_feed(0.05))
    qtbot.addWidget(window)
    window.resize(900, 1100)
    window.show()
    qtbot.waitUntil(lambda: window.board is not None, timeout=5000)
    yield window, services
    window.live.stop()
    ops.wait_idle()
    services.close()


def service_id(services, code: str) -> int:  # type: ignore[no-untyped-def]
    return next(s.id for s in services.queries.services() if s.code == code)


def counter_id(services, number: int) -> int:  # type: ignore[no-untyped-def]
    return next(c.id for c in services.queries.counters() if c.number == number)


def take(qtbot, window, sid: int):  # type: ignore[no-untyped-def]
    window.last_ticket = None
    window.buttons[sid].click()
    qtbot.waitUntil(lambda: window.last_ticket is not None, timeout=10000)
    return window.last_ticket


def test_kiosk_and_slip_say_the_interval(qtbot, kiosk, tmp_path):
    window, services = kiosk
    clerk = services.auth.login("1001", "1234")
    services.counters.sign_in(clerk, counter_id(services, 1))  # 缴费充值 first
    pay = service_id(services, "PAY")
    for _ in range(3):
        services.tickets.issue(pay)
    ticket = take(qtbot, window, pay)
    match = INTERVAL.search(window.info_label.text())
    assert match, window.info_label.text()
    low, high = int(match.group(1)), int(match.group(2))
    assert (low, high) == (ticket.wait_low_minutes, ticket.wait_high_minutes)
    assert low < high
    assert window.last_slip is not None
    assert f"预计等候{low}–{high}分钟" in window.last_slip.lines
    window.grab().save(str(tmp_path / "kiosk_interval.png"))


def test_kiosk_says_no_counter_serves_it(qtbot, kiosk, tmp_path):
    window, services = kiosk
    clerk = services.auth.login("1001", "1234")
    services.counters.sign_in(clerk, counter_id(services, 1))  # not 开户入网
    ticket = take(qtbot, window, service_id(services, "OPEN"))
    assert ticket.no_counter
    assert "暂无窗口办理此业务,请咨询大堂经理" in window.info_label.text()
    assert "预计等候" not in window.info_label.text()
    assert window.last_slip is not None
    assert "暂无窗口办理此业务,请咨询大堂经理" in window.last_slip.lines
    # The text fits: the label is not wider than the result frame.
    assert window.info_label.width() <= window.result.width()
    window.grab().save(str(tmp_path / "kiosk_no_counter.png"))
