"""What the windows show of the business day, and how they start without a database.

* the kiosk outside opening hours: the buttons rest, the prompt says why (in Chinese);
* the overview once the day has closed itself (its own refresh closed it): closed, by
  whom, how many were abandoned;
* the admin extends today's hours: the kiosk issues again;
* every window's start-up: an unreachable database gives a Chinese retry dialog and a
  second attempt that works opens the window's services (no 程序内部出错).

Screenshots go to $HALL_SCREENSHOT_DIR when it is set (docs/screenshots).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime, time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from conftest import SHANGHAI, make_hall  # noqa: E402

from hall_app.clock import ManualClock  # noqa: E402
from hall_app.errors import DatabaseUnavailable, HallError  # noqa: E402
from ui import ops  # noqa: E402

DAY = datetime(2026, 11, 25).date()


def at(hh: int, mm: int = 0) -> datetime:
    return datetime.combine(DAY, time(hh, mm), SHANGHAI)


def shot(widget, name: str) -> None:
    folder = os.environ.get("HALL_SCREENSHOT_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / name))


@pytest.fixture(autouse=True)
def _ui_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))


@pytest.fixture
def evening(sqlite_url):
    services = make_hall(sqlite_url, ManualClock(at(17, 40)))
    yield services
    services.close()


def test_kiosk_outside_hours_rests_and_says_why_until_an_admin_extends_today(qtbot, evening):
    from ui.kiosk.printers import PdfSlipPrinter
    from ui.kiosk.window import PROMPT, KioskWindow

    kiosk = KioskWindow(evening, printer=PdfSlipPrinter(Path("/tmp/unused-slip.pdf")),
                        feed_factory=lambda: evening.change_feed(0.05))
    qtbot.addWidget(kiosk)
    kiosk.resize(900, 1100)
    kiosk.show()
    try:
        qtbot.waitUntil(lambda: kiosk.board is not None, timeout=5000)
        assert kiosk.prompt.text() == PROMPT and all(b.isEnabled() for b in kiosk.buttons.values())
        evening.ctx.clock.set(at(18, 5))
        kiosk.live.request_refresh()
        qtbot.waitUntil(lambda: kiosk.prompt.text() != PROMPT, timeout=5000)
        assert "营业时间已过" in kiosk.prompt.text() and "08:30–18:00" in kiosk.prompt.text()
        assert not any(b.isEnabled() for b in kiosk.buttons.values())
        assert kiosk.prompt.width() >= kiosk.prompt.sizeHint().width() or kiosk.prompt.wordWrap()
        shot(kiosk, "kiosk_closed.png")
        admin = evening.auth.login("9001", "9999")
        evening.days.extend_hours(admin, at(19, 0))
        kiosk.live.request_refresh()
        qtbot.waitUntil(lambda: kiosk.prompt.text() == PROMPT, timeout=5000)
        assert all(b.isEnabled() for b in kiosk.buttons.values())
    finally:
        kiosk.live.stop()
        ops.wait_idle()


def test_the_overview_shows_the_day_its_refresh_closed(qtbot, evening):
    from ui.app_runtime import create_app
    from ui.overview.window import OverviewWindow

    pay = next(s.id for s in evening.queries.services() if s.code == "PAY")
    for _ in range(4):
        evening.tickets.issue(pay)
    create_app("overview", logging_to_file=False)
    manager = evening.auth.login("2001", "2468")
    w = OverviewWindow(evening, manager, safety_interval=60)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    try:
        qtbot.waitUntil(lambda: w.snap is not None, timeout=5000)
        assert w.day_label.text().startswith("营业中") and "18:30 自动闭厅" in w.day_label.text()
        evening.ctx.clock.set(at(18, 31))
        w.live.request_refresh()  # the window's own refresh worker closes the day
        qtbot.waitUntil(lambda: "已闭厅" in w.day_label.text(), timeout=10_000)
        assert "系统自动" in w.day_label.text() and "闭厅未办 4 人" in w.day_label.text()
        assert w.day_label.property("closed") is True
        assert evening.days.status(DAY).closed
        shot(w, "overview_day_closed.png")
    finally:
        w.live.stop()
        ops.wait_idle()


class _Flaky:
    """Unreachable on the first attempt, then the real services."""

    def __init__(self, url: str) -> None:
        self.url, self.attempts = url, 0

    def __call__(self, settings):  # type: ignore[no-untyped-def]
        self.attempts += 1
        if self.attempts == 1:
            raise DatabaseUnavailable(detail="OperationalError")
        return make_hall(self.url)


@pytest.mark.parametrize("role", ["kiosk", "display", "overview", "admin"])
def test_start_while_the_database_is_unreachable_offers_retry(qtbot, sqlite_url, role):
    from hall_app.config import Settings
    from ui.startup import open_services

    factory = _Flaky(sqlite_url)
    asked: list[HallError] = []
    services = open_services(Settings(database_url=sqlite_url), "测试", role=role,
                             factory=factory, ask=lambda err: asked.append(err) or True)
    try:
        assert [e.message for e in asked] == ["数据库连接中断,正在重试…"]
        assert factory.attempts == 2 and services is not None
        assert services.days.workstation.split("/")[1] == role
    finally:
        if services is not None:
            services.close()


def test_start_gives_up_when_the_user_quits(qtbot, sqlite_url):
    from hall_app.config import Settings
    from ui.startup import open_services

    def never(settings):  # type: ignore[no-untyped-def]
        raise DatabaseUnavailable(detail="OperationalError")

    assert open_services(Settings(database_url=sqlite_url), "测试", role="kiosk",
                         factory=never, ask=lambda err: False) is None


@pytest.mark.parametrize("module", ["ui.kiosk.window", "ui.display.window",
                                    "ui.overview.window", "ui.admin.window"])
def test_each_window_starts_through_the_retry_dialog(qtbot, monkeypatch, module):
    import importlib

    import ui.startup

    seen = []
    monkeypatch.setattr(ui.startup, "open_services",
                        lambda settings, title, role: seen.append((title, role)))
    main = importlib.import_module(module).main
    from hall_app.config import Settings

    assert main(type("Args", (), {})(), Settings()) == 1  # the user chose 退出
    assert len(seen) == 1 and seen[0][1] in module


def test_the_admin_extends_todays_hours_from_the_hall_tab(qtbot, evening):
    from PySide6.QtCore import QTime

    from ui.admin.window import AdminWindow
    from ui.ops import wait_idle

    admin = evening.auth.login("9001", "9999")
    w = AdminWindow(evening, admin, live=False)
    qtbot.addWidget(w)
    w.resize(1100, 760)
    w.show()
    w.reload()
    assert wait_idle(10_000)
    tab = w.hall_tab
    w.tabs.setCurrentWidget(tab)
    tab.extend_until.setTime(QTime(17, 0))  # earlier than now (17:40): refused beside it
    tab.extend_button.click()
    assert wait_idle(10_000)
    assert "应晚于现在" in tab.today_form.error_text("closes_at")
    tab.extend_until.setTime(QTime(19, 30))
    tab.extend_button.click()
    assert wait_idle(10_000) and wait_idle(10_000)
    status = evening.days.status(DAY)
    assert status.hours is not None and status.hours.label() == "08:30–19:30"
    assert status.due_at.strftime("%H:%M") == "20:00"
    shot(w, "admin_extend_today.png")


def test_start_on_a_database_a_newer_release_upgraded_says_update_this_program(
        qtbot, tmp_path, monkeypatch):
    from sqlalchemy import text

    from db.engine import Database
    from db.migrate import upgrade
    from hall_app.config import Settings
    from hall_app.errors import ProgramOutdated
    from ui import startup

    url = f"sqlite+pysqlite:///{tmp_path / 'hall.db'}"
    database = Database(url)
    upgrade(database)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database.dispose()
    asked: list[HallError] = []
    services = startup.open_services(Settings(database_url=url), "取号机", role="kiosk",
                                     ask=lambda err: asked.append(err) or False)
    assert services is None
    assert len(asked) == 1 and isinstance(asked[0], ProgramOutdated)

    shown: list[tuple[str, str]] = []

    def exec_(box):  # type: ignore[no-untyped-def]
        shown.append((box.windowTitle(), box.text()))
        return startup.QMessageBox.StandardButton.Close

    monkeypatch.setattr(startup.QMessageBox, "exec", exec_)
    assert startup.ask_retry("取号机", asked[0]) is False
    title, body = shown[0]
    assert title == "取号机 - 程序版本过旧"
    assert "请先把本机升级到最新版本" in body and startup.RETRY_HINT not in body
