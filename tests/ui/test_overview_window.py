"""Overview window (pytest-qt): live counters, outage, walkaway, alerts and acknowledgement."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import timedelta  # noqa: E402

import pytest  # noqa: E402
from conftest import make_hall  # noqa: E402

from db.models import Complaint  # noqa: E402
from ui import ops  # noqa: E402


@pytest.fixture(autouse=True)
def _ui_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_UI_SETTINGS_DIR", str(tmp_path / "ui"))


@pytest.fixture
def hall(sqlite_url):
    services = make_hall(sqlite_url)
    yield services
    services.close()


@pytest.fixture
def manager(hall):
    return hall.auth.login("2001", "2468")


@pytest.fixture
def clerk(hall):
    return hall.auth.login("1001", "1234")


def sid(hall, code):
    return next(s.id for s in hall.queries.services() if s.code == code)


def cid(hall, number):
    return hall.queries.counter_for_number(number).id


@pytest.fixture
def window(qtbot, hall, manager):
    from ui.app_runtime import create_app
    from ui.overview.window import OverviewWindow

    create_app("overview", logging_to_file=False)
    w = OverviewWindow(hall, manager, safety_interval=60)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    qtbot.waitUntil(lambda: w.snap is not None, timeout=5000)
    yield w
    w.live.stop()
    ops.wait_idle()


def refreshed(qtbot, w, condition, timeout=5000):
    w.live.request_refresh()
    qtbot.waitUntil(condition, timeout=timeout)


def test_call_at_another_workstation_appears_within_one_refresh(qtbot, window, hall, sqlite_url):
    hall.tickets.issue(sid(hall, "PAY"))
    other = make_hall(sqlite_url, hall.ctx.clock)  # another workstation, same database
    try:
        clerk = other.auth.login("1001", "1234")
        other.counters.sign_in(clerk, cid(other, 1))
        other.tickets.call_next(clerk, cid(other, 1))
    finally:
        other.close()
    tile = None

    def shows_ticket():
        nonlocal tile
        tile = window.grid.tile_for_number(1)
        return tile is not None and tile.ticket.text().startswith("A001")

    # No request_refresh: the change notice (SQLite polling, 1 s) must bring it in.
    qtbot.waitUntil(shows_ticket, timeout=3000)
    assert tile.property("state") == "serving"
    assert "王芳" in tile.staff.text() and "已呼叫" in tile.ticket.text()


def test_declare_outage_is_stored_and_seen_by_a_counter(qtbot, window, hall):
    dialog = window.outage_dialog()
    assert dialog.notice_text() == "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。"
    dialog.notice.setPlainText("系统升级,暂停办理开户业务,敬请谅解。")
    dialog.some.setChecked(True)
    dialog.checks[cid(hall, 3)].setChecked(True)
    assert dialog.counter_ids() == [cid(hall, 3)]
    window.submit_outage(dialog.notice_text(), dialog.counter_ids()).wait()
    active3 = hall.incidents.active(cid(hall, 3))
    assert [i.notice for i in active3] == ["系统升级,暂停办理开户业务,敬请谅解。"]
    assert hall.incidents.active(cid(hall, 1)) == []
    qtbot.waitUntil(lambda: len(window.outage_bar.rows) == 1, timeout=5000)
    assert "3号窗口" in window.outage_bar.rows[0].label.text()
    assert window.grid.tile_for_number(3).property("outage") is True
    # Clearing from the bar ends it for the counter too.
    window.outage_bar.rows[0].button.click()  # one counter's: no question asked
    qtbot.waitUntil(lambda: hall.incidents.active(cid(hall, 3)) == [], timeout=10_000)


def test_hall_wide_outage_reaches_every_counter(window, hall):
    window.submit_outage("系统暂时出现故障,正在抢修。", []).wait()
    for number in (1, 5, 8):
        assert [i.notice for i in hall.incidents.active(cid(hall, number))] == \
            ["系统暂时出现故障,正在抢修。"]


def test_marking_a_walkaway_updates_the_figures(qtbot, window, hall):
    hall.tickets.issue(sid(hall, "PAY"))
    hall.tickets.issue(sid(hall, "SIM"))
    hall.ctx.clock.advance(minutes=12)
    # A snapshot read after the clock moved (the one the issue's notice brought may have
    # been read before it: the window's time is its last snapshot's).
    later = hall.ctx.clock.now()
    refreshed(qtbot, window, lambda: window.snap is not None and window.snap.now >= later
              and window.figures.values["waiting"].text() == "2")
    dialog = window.walkaway_dialog()
    assert dialog.select_code("C001")
    assert "已等候12分钟" in dialog.list.currentItem().text()
    window.submit_walkaway(dialog.ticket_id()).wait()
    refreshed(qtbot, window, lambda: window.figures.values["walkaways"].text() == "1")
    assert window.figures.values["waiting"].text() == "1"
    assert window.figures.values["arrived"].text() == "2"


def test_a_queue_longer_than_the_list_says_so_and_walkaway_offers_everyone(qtbot, window, hall,
                                                                           monkeypatch):
    from PySide6.QtWidgets import QDialog

    import hall_app.services.overview as overview_module
    from ui.overview.dialogs import WalkawayDialog

    monkeypatch.setattr(overview_module, "WAITING_SHOWN", 2)
    tickets = [hall.tickets.issue(sid(hall, "PAY")) for _ in range(4)]
    refreshed(qtbot, window, lambda: window.figures.values["waiting"].text() == "4")
    assert window.waiting_table.rowCount() == 2
    assert window.waiting_more.isVisibleTo(window)
    assert window.waiting_more.text() == "共4位顾客等候,此处列出等候最久的2位。"
    offered: list[str] = []

    def choose_the_last(dialog):
        offered.extend(dialog.list.item(i).text().split()[0] for i in range(dialog.list.count()))
        assert dialog.select_code(tickets[-1].code)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(WalkawayDialog, "exec", choose_the_last)
    window.mark_walkaway()
    qtbot.waitUntil(lambda: bool(offered), timeout=5000)
    assert offered == [t.code for t in tickets]  # not only the two the list shows
    refreshed(qtbot, window, lambda: window.figures.values["walkaways"].text() == "1")
    assert window.figures.values["waiting"].text() == "3"


def _make_every_alert(hall, manager, clerk):
    clock = hall.ctx.clock
    c2 = cid(hall, 2)
    hall.counters.sign_in(clerk, c2)
    hall.counters.pause(clerk, c2, "用餐")
    hall.tickets.issue(sid(hall, "PAY"))
    now = clock.now()
    with hall.ctx.write() as s:
        s.add(Complaint(hall_id=hall.ctx.hall.id, business_day=hall.ctx.business_day(now),
                        received_at=now - timedelta(days=1), channel="phone",
                        customer_name="李女士", phone="13900001111", category="服务态度",
                        description="态度不好", recorded_by=manager.staff_id,
                        reply_due_at=now - timedelta(hours=2), hard_due_at=now + timedelta(days=14)))
    clock.advance(minutes=25)  # past PAY's 15-minute standard and the 15-minute pause alert
    hall.desk.escalate(clerk, c2, "客户对话费有异议,需值班长解释")
    hall.incidents.declare_outage(manager, "系统暂时出现故障,正在抢修。")


def test_every_alert_type_appears_and_can_be_acknowledged(qtbot, window, hall, manager, clerk):
    _make_every_alert(hall, manager, clerk)
    kinds = {"outage", "escalation", "longwait", "complaint", "pause"}
    refreshed(qtbot, window,
              lambda: {r.alert.kind for r in window.alerts.rows.values()} >= kinds)
    ordered = [r.alert.kind for r in window.alerts.rows.values()]
    assert ordered[0] == "outage"  # most severe on top
    assert ordered.index("escalation") < ordered.index("pause")
    for key in list(window.alerts.rows):
        row = window.alerts.rows[key]
        assert row.button is not None
        row.button.click()
        ops.wait_idle()
        refreshed(qtbot, window, lambda k=key: window.alerts.rows[k].ack_label is not None)
        text = window.alerts.rows[key].ack_label.text()
        assert "已确认" in text and manager.name in text and "10:25" in text
    assert window.alerts.header.text() == "告警"
    assert hall.desk.open_escalations() == []  # acknowledging the escalation resolved it


def test_unchanged_sections_are_not_redrawn(window):
    snap = window.snap
    before = dict(window.redraws)
    window.apply_snapshot(snap)
    assert window.redraws == before


def test_clerk_is_refused_at_login(qtbot, hall):
    from ui.overview.login import OverviewLoginDialog

    dialog = OverviewLoginDialog(hall, staff="1001")
    qtbot.addWidget(dialog)
    dialog.pin_edit.setText("1234")
    dialog.try_login()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=5000)
    assert dialog.error.text() == "营业员无权使用值班长总览,请使用值班长工号登录。"
    assert dialog.actor is None
    dialog.staff_edit.setText("2001")
    dialog.pin_edit.setText("2468")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.try_login()
    assert dialog.actor.name == "周丽(值班长)"


def test_optional_buttons_follow_available_modules(qtbot, hall, manager, monkeypatch):
    import ui.overview.window as ow

    calls = []

    class FakeList:
        def __init__(self, services, actor):
            calls.append(("list", actor.name))

    def fake_preview(parent, services, day):
        calls.append(("print", day.isoformat()))

    real = ow.OverviewWindow(hall, manager, start=False)  # both modules are in this build
    qtbot.addWidget(real)
    assert real.complaints_button is not None and real.print_button is not None
    monkeypatch.setattr(ow.optional, "available", lambda module: False)
    bare = ow.OverviewWindow(hall, manager, start=False)
    qtbot.addWidget(bare)
    assert bare.complaints_button is None and bare.print_button is None
    table = {"ComplaintListWidget": FakeList, "show_print_preview": fake_preview}
    monkeypatch.setattr(ow.optional, "available", lambda module: True)
    monkeypatch.setattr(ow.optional, "feature", lambda module, name: table.get(name))
    full = ow.OverviewWindow(hall, manager, start=False)
    qtbot.addWidget(full)
    full.print_button.click()
    assert calls == [("print", "2026-11-25")]
    ops.wait_idle()


def test_clearing_a_hall_wide_outage_asks_first(qtbot, window, hall):
    from PySide6.QtWidgets import QMessageBox

    window.submit_outage("系统暂时出现故障,正在抢修。", []).wait()
    qtbot.waitUntil(lambda: len(window.outage_bar.rows) == 1, timeout=5000)
    window.outage_bar.rows[0].button.click()  # one click does not clear it
    box = window.confirm_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "全厅" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.No).click()
    assert ops.wait_idle()
    assert len(hall.incidents.active(cid(hall, 1))) == 1  # still on
    window.outage_bar.rows[0].button.click()
    window.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: hall.incidents.active(cid(hall, 1)) == [], timeout=10_000)


def test_the_window_starts_without_importing_what_its_buttons_open(qtbot, hall, manager,
                                                                  monkeypatch):
    """The complaint list, the analysis, the inspection and the report preview are
    imported on the first click (they cost the window's start ≈ 100 ms up front)."""
    import ui.overview.window as ow

    later = ("ui.complaints.listing", "ui.complaints.analysis", "ui.overview.inspection",
             "ui.report.printing")
    for name in later:
        monkeypatch.delitem(sys.modules, name, raising=False)
    window = ow.OverviewWindow(hall, manager, start=False)
    qtbot.addWidget(window)
    assert [name for name in later if name in sys.modules] == []
    assert window.complaints_button is not None and window.print_button is not None
    assert window.inspection_button is not None and window.analysis_button is not None


def test_the_planner_and_the_inspection_button_wait_for_the_first_paint(qtbot, hall, manager,
                                                                        monkeypatch):
    """The first snapshot is drawn before the window starts its background extras (the
    staffing planner imports numpy and simulates): they would share the interpreter
    with the first paint."""
    import ui.overview.window as ow

    calls: list[str] = []
    monkeypatch.setattr(ow.OverviewWindow, "refresh_staffing", lambda self: calls.append("plan"))
    monkeypatch.setattr(ow.OverviewWindow, "refresh_inspection_button",
                        lambda self: calls.append("inspection"))
    window = ow.OverviewWindow(hall, manager, safety_interval=60)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.snap is not None, timeout=5000)
    assert calls == []
    qtbot.waitUntil(lambda: sorted(calls) == ["inspection", "plan"], timeout=5000)
    window.live.stop()
    ops.wait_idle()
