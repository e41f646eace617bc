"""The kiosk: issuing with a failing or a PDF printer, the outage notice, the announcement."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from ui import ops  # noqa: E402
from ui.kiosk import PdfSlipPrinter, PrinterError  # noqa: E402
from ui.kiosk.window import KioskWindow  # noqa: E402


class FailingPrinter:
    def __init__(self) -> None:
        self.calls = 0
        self.threads: set[threading.Thread] = set()

    def print_slip(self, slip) -> None:
        self.calls += 1
        self.threads.add(threading.current_thread())
        raise PrinterError("paper out")


class FakeAnnouncer:
    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> bool:
        self.said.append(text)
        return True


@pytest.fixture
def make_kiosk(qtbot, sqlite_url):
    made = []

    def make(printer, url=sqlite_url, **kwargs):
        services = make_hall(url)
        kiosk = KioskWindow(services, printer=printer,
                            feed_factory=lambda: services.change_feed(0.05), **kwargs)
        qtbot.addWidget(kiosk)
        kiosk.resize(900, 1100)
        kiosk.show()
        qtbot.waitUntil(lambda: kiosk.board is not None, timeout=5000)
        made.append((kiosk, services))
        return kiosk, services

    yield make
    for kiosk, services in made:
        kiosk.live.stop()
        ops.wait_idle()
        services.close()


def pay_id(services) -> int:
    return next(s.id for s in services.queries.services() if s.code == "PAY")


def test_failing_printer_still_shows_the_number(qtbot, make_kiosk):
    printer = FailingPrinter()
    kiosk, services = make_kiosk(printer)
    pay = pay_id(services)
    services.tickets.issue(pay)  # someone is already waiting
    kiosk.buttons[pay].click()
    qtbot.waitUntil(lambda: kiosk.print_error is not None, timeout=5000)
    assert kiosk.code_label.text() == "A002"
    assert kiosk.result.isVisible()
    assert "前方等待1人" in kiosk.info_label.text()
    assert "A002" in kiosk.printer_label.text()
    assert "打印失败" in kiosk.printer_label.text()
    assert printer.calls == 1
    assert threading.main_thread() not in printer.threads
    # The ticket really exists: the queue now holds both.
    qtbot.waitUntil(lambda: "等候 2 人" in kiosk.buttons[pay].text(), timeout=5000)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_slip_renders_to_pdf_with_code_and_hall_name(qtbot, make_kiosk, tmp_path):
    printer = PdfSlipPrinter(tmp_path / "slips")
    kiosk, services = make_kiosk(printer)
    kiosk.buttons[pay_id(services)].click()
    qtbot.waitUntil(lambda: kiosk.printer_label.text().startswith("请取走您的号票"),
                    timeout=10_000)
    assert printer.printed == ["A001"]
    pdf = tmp_path / "slips" / "A001.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "A001" in text
    assert "示范营业厅(人民路店)" in text
    assert "缴费充值" in text and "前方等待0人" in text
    assert "取号时间:2026-11-25 10:00" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width_pt = float(size.split(":")[1].split("x")[0])
    assert abs(width_pt - 80 / 25.4 * 72) < 2  # an 80 mm roll, not A4


def test_announces_ticket_taken(qtbot, make_kiosk, tmp_path):
    announcer = FakeAnnouncer()
    kiosk, services = make_kiosk(PdfSlipPrinter(tmp_path), announcer=announcer)
    pay = pay_id(services)
    for _ in range(3):
        services.tickets.issue(pay)
    kiosk.buttons[pay].click()
    qtbot.waitUntil(lambda: kiosk.last_ticket is not None, timeout=5000)
    assert announcer.said == ["您已领取A004号,前方等待3人"]


def test_outage_declared_elsewhere_shows_on_kiosk(qtbot, make_kiosk, db_url, tmp_path):
    kiosk, _services = make_kiosk(PdfSlipPrinter(tmp_path), url=db_url)
    assert not kiosk.outage_banner.isVisible()
    other = make_hall(db_url)
    try:
        manager = other.auth.login("2001", "2468")
        other.ctx.settings = dataclasses.replace(
            other.ctx.settings, scripts_path=edited_outage_script(tmp_path))
        outage = other.incidents.declare_outage(manager)
        qtbot.waitUntil(lambda: kiosk.outage_banner.isVisible(), timeout=3000)
        assert kiosk.outage_banner.text() == EDITED_NOTICE  # the hall's script, not code
        other.incidents.clear(manager, outage.id)
        qtbot.waitUntil(lambda: not kiosk.outage_banner.isVisible(), timeout=3000)
    finally:
        other.close()


def test_issue_failure_is_a_chinese_message(qtbot, make_kiosk, tmp_path):
    kiosk, services = make_kiosk(PdfSlipPrinter(tmp_path))
    kiosk.take_ticket(999_999)
    qtbot.waitUntil(lambda: kiosk.info_label.text() != "", timeout=5000)
    assert kiosk.info_label.text() == "取号失败:找不到该业务类型。"
    assert kiosk.code_label.text() == ""


EDITED_NOTICE = "营业系统故障,工作人员正在处理,请您稍候。"


def edited_outage_script(tmp_path) -> str:
    """A hall's own script file whose outage notice the hall has reworded."""
    from hall_app.scripts.loader import default_script_path

    text = default_script_path().read_text(encoding="utf-8").replace(
        'text = "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。"', f'text = "{EDITED_NOTICE}"')
    path = tmp_path / "hall_scripts.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


class SwitchableFeed:
    """A change feed the test can take down and bring back (the database connection)."""

    def __init__(self) -> None:
        self.down = False

    def wait_for_change(self, timeout: float) -> bool:
        from hall_app.errors import DatabaseUnavailable

        if self.down:
            raise DatabaseUnavailable()
        threading.Event().wait(min(timeout, 0.02))
        return False

    def close(self) -> None:
        pass


def test_database_loss_speaks_to_customers_and_disables_buttons(qtbot, sqlite_url, tmp_path):
    from hall_app.errors import DatabaseUnavailable

    services = make_hall(sqlite_url)
    feed = SwitchableFeed()
    kiosk = KioskWindow(services, printer=PdfSlipPrinter(tmp_path), feed_factory=lambda: feed)
    qtbot.addWidget(kiosk)
    kiosk.resize(1366, 768)
    kiosk.show()
    try:
        qtbot.waitUntil(lambda: kiosk.board is not None, timeout=5000)
        pay = pay_id(services)
        assert kiosk.buttons[pay].isEnabled() and kiosk.care_button.isEnabled()
        feed.down = True
        qtbot.waitUntil(lambda: kiosk.offline, timeout=5000)
        assert kiosk.connection_banner.isVisible()
        assert kiosk.connection_banner.text() == "系统繁忙,请稍候或咨询大堂经理"
        assert kiosk.connection_banner.font().pointSize() > 14  # larger than the staff strip
        assert not any(b.isEnabled() for b in kiosk.buttons.values())
        assert not kiosk.care_button.isEnabled()
        # A tap that was already on its way meets the lost database: customer words.
        kiosk._issue_failed(DatabaseUnavailable())
        assert kiosk.info_label.text() == "系统繁忙,请稍候或咨询大堂经理"
        feed.down = False
        qtbot.waitUntil(lambda: not kiosk.offline, timeout=5000)
        assert not kiosk.connection_banner.isVisible()
        assert kiosk.buttons[pay].isEnabled()
    finally:
        kiosk.live.stop()
        ops.wait_idle()
        services.close()


def test_care_channel_issues_a_priority_ticket_in_large_type(qtbot, make_kiosk, tmp_path):
    announcer = FakeAnnouncer()
    kiosk, services = make_kiosk(PdfSlipPrinter(tmp_path), announcer=announcer, speak=False)
    kiosk.resize(1366, 768)
    qtbot.waitUntil(lambda: kiosk.care_button.isVisible(), timeout=5000)
    pay = pay_id(services)
    standard = kiosk.buttons[pay].font().pointSize()
    qtbot.mouseClick(kiosk.care_button, Qt.MouseButton.LeftButton)
    assert kiosk.care_mode and kiosk.prompt.text() == "爱心通道:请选择您要办理的业务"
    assert kiosk.buttons[pay].font().pointSize() > standard  # bigger targets and text
    qtbot.mouseClick(kiosk.buttons[pay], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.last_ticket is not None, timeout=5000)
    ticket = kiosk.last_ticket
    assert ticket.care and ticket.priority == "vip"
    assert kiosk.info_label.text().startswith("爱心通道 · 缴费充值")
    assert kiosk.last_slip.service_text == "缴费充值(爱心通道)"
    # The number is spoken for the customer, though this kiosk does not speak otherwise.
    assert announcer.said == ["您已领取A001号,前方等待0人"]
    assert not kiosk.care_mode  # the next customer starts from the usual screen


def test_large_type_mode_and_reset_for_the_next_customer(qtbot, make_kiosk, tmp_path):
    announcer = FakeAnnouncer()
    kiosk, services = make_kiosk(PdfSlipPrinter(tmp_path), announcer=announcer, speak=False)
    kiosk.resize(1366, 768)
    # The type is fitted when the window system confirms the new size.
    qtbot.waitUntil(lambda: (kiosk.width(), kiosk.height()) == (1366, 768), timeout=5000)
    kiosk.fit()  # a resize event still queued fits the same size to the same type
    pay = pay_id(services)
    standard = kiosk.buttons[pay].font().pointSize()
    qtbot.mouseClick(kiosk.large_button, Qt.MouseButton.LeftButton)
    assert kiosk.large and kiosk.large_button.text() == "标准字体"
    assert kiosk.buttons[pay].font().pointSize() > standard
    large_size = kiosk.buttons[pay].font().pointSize()
    assert kiosk.buttons[pay].height() > 100
    assert kiosk.root_layout.totalMinimumSize().height() <= kiosk.height()  # still fits
    kiosk.buttons[pay].click()
    qtbot.waitUntil(lambda: kiosk.last_ticket is not None, timeout=5000)
    assert announcer.said == ["您已领取A001号,前方等待0人"]
    assert not kiosk.last_ticket.care  # large type is not a priority ticket
    kiosk.clear_result()
    assert not kiosk.large and kiosk.buttons[pay].font().pointSize() < large_size


def test_hall_without_care_channel_shows_no_button(qtbot, make_kiosk, tmp_path, sqlite_url):
    from hall_app.services.admin import AdminService, HallEdit

    admin_hall = make_hall(sqlite_url)
    try:
        admin = admin_hall.auth.login("9001", "9999")
        service = AdminService(admin_hall.ctx)
        h = service.snapshot(admin).hall
        service.update_hall(admin, HallEdit(h.name, h.hotline, h.timezone,
                                            h.closing_prompt_minutes, h.hours, False))
    finally:
        admin_hall.close()
    kiosk, _services = make_kiosk(PdfSlipPrinter(tmp_path))
    assert not kiosk.care_button.isVisible()
    kiosk.enter_care_mode()
    assert not kiosk.care_mode
