"""Database side of the scripts (issue 15): document exchanges, commitment times, the
counter view's facts for the phrases, and the hall's scripted outage notice."""

from __future__ import annotations

import dataclasses
import types
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditLog, DocumentExchange
from hall_app.config import Settings
from hall_app.config_io import config_dict, export_main, import_main
from hall_app.errors import NotFound, ValidationError
from hall_app.scripts import DocumentItem
from hall_app.scripts.loader import default_script_path
from hall_app.services import calls
from hall_app.services.admin import AdminService, ServiceEdit


def service_id(hall, code: str) -> int:
    return next(s.id for s in hall.queries.services() if s.code == code)


def counter_id(hall, number: int) -> int:
    return hall.queries.counter_for_number(number).id


def serve_one(hall, clerk, code: str = "BB", number: int = 4):
    cid = counter_id(hall, number)
    hall.counters.sign_in(clerk, cid)
    ticket = hall.tickets.issue(service_id(hall, code))
    hall.tickets.call_next(clerk, cid)
    hall.tickets.start(clerk, ticket.id, cid)
    return cid, ticket


# -- 证件唱收唱交 records ----------------------------------------------------------------
def test_document_exchange_is_recorded_per_document_with_the_phrase(hall, clerk):
    cid, ticket = serve_one(hall, clerk)
    rows = hall.desk.record_documents(
        clerk, [DocumentItem("身份证", "returned"), DocumentItem("业务单", "kept"),
                DocumentItem("发票", "handed")], counter_id=cid, ticket_id=ticket.id)
    phrase = "收您身份证、业务单,这是您的身份证、发票,请收好。"
    assert [(r.document, r.disposition, r.phrase) for r in rows] == [
        ("身份证", "returned", phrase), ("业务单", "kept", phrase), ("发票", "handed", phrase)]
    stored = hall.desk.documents_for_ticket(ticket.id)
    assert [(r.document, r.disposition) for r in stored] == [
        ("身份证", "returned"), ("业务单", "kept"), ("发票", "handed")]
    assert len({r.at for r in stored}) == 1


def test_bad_document_input_writes_nothing(hall, clerk):
    cid, ticket = serve_one(hall, clerk)
    with pytest.raises(ValidationError) as info:
        hall.desk.record_documents(clerk, [DocumentItem("身份证", "returned"),
                                           DocumentItem(" ", "kept")],
                                   counter_id=cid, ticket_id=ticket.id)
    assert "名称" in info.value.message
    with pytest.raises(ValidationError):
        hall.desk.record_documents(clerk, [DocumentItem("身份证", "lost")], counter_id=cid)
    with hall.ctx.read() as s:
        assert s.scalars(select(DocumentExchange)).all() == []


def test_documents_for_a_ticket_or_counter_of_another_hall_are_refused(hall, clerk):
    cid, _ = serve_one(hall, clerk)
    with pytest.raises(NotFound):
        hall.desk.record_documents(clerk, [DocumentItem("身份证", "returned")],
                                   counter_id=cid, ticket_id=10**9)
    with pytest.raises(NotFound):
        hall.desk.record_documents(clerk, [DocumentItem("身份证", "returned")],
                                   counter_id=10**9)


def test_phrase_comes_from_the_halls_script_file(hall, clerk, tmp_path):
    text = default_script_path().read_text(encoding="utf-8").replace(
        'text = "收您{item},这是您的{return_item},请收好。"',
        'text = "收您{item},这是您的{return_item},请您收好。"')
    path = tmp_path / "hall_scripts.toml"
    path.write_text(text, encoding="utf-8")
    hall.ctx.settings = dataclasses.replace(hall.ctx.settings, scripts_path=str(path))
    cid, _ = serve_one(hall, clerk)
    [row] = hall.desk.record_documents(clerk, [DocumentItem("身份证", "returned")],
                                       counter_id=cid)
    assert row.phrase == "收您身份证,这是您的身份证,请您收好。"


# -- the counter view's facts -----------------------------------------------------------
def test_current_ticket_carries_its_services_commitment_time(hall, clerk):
    cid, ticket = serve_one(hall, clerk, "BB", 4)
    view = hall.queries.counter_view(cid)
    assert view.current is not None and view.current.commitment == "3个工作日"
    assert {s.code: s.commitment for s in view.services} == {"OPEN": "2小时", "BB": "3个工作日"}


def test_last_finished_ticket_is_in_the_view_for_the_farewell(hall, clerk, clock):
    cid, ticket = serve_one(hall, clerk, "BB", 4)
    assert hall.queries.counter_view(cid).last_finished is None
    clock.advance(minutes=5)
    hall.tickets.finish(clerk, ticket.id, cid)
    view = hall.queries.counter_view(cid)
    assert view.current is None
    last = view.last_finished
    assert last is not None
    assert (last.ticket_id, last.code, last.service_name, last.commitment) == (
        ticket.id, ticket.code, "宽带业务", "3个工作日")
    assert last.finished_at == clock.now()


def test_peer_counters_are_the_open_ones_serving_the_same_services(hall, clerk):
    # Counter 6 serves DEV and ASK; counter 7 serves ASK too; counter 1 neither.
    c6, c7, c1 = counter_id(hall, 6), counter_id(hall, 7), counter_id(hall, 1)
    hall.counters.sign_in(clerk, c6)
    assert hall.queries.counter_view(c6).peer_open_counters == 1
    hall.counters.sign_in(hall.auth.login("1002", "1234"), c7)
    hall.counters.sign_in(hall.auth.login("1003", "1234"), c1)
    view = hall.queries.counter_view(c6)
    assert (view.peer_open_counters, view.open_counters) == (2, 3)
    assert hall.queries.counter_view(c1).peer_open_counters == 2  # 1 and 7 share PAY


# -- outage notice from the hall's script -----------------------------------------------
def _hall_script(tmp_path: Path, notice: str) -> str:
    text = default_script_path().read_text(encoding="utf-8").replace(
        'text = "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。"', f'text = "{notice}"')
    path = tmp_path / "hall_scripts.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_outage_without_a_notice_uses_the_halls_edited_script(hall, manager, tmp_path):
    edited = "营业系统故障,工作人员正在处理,请您稍候。"
    hall.ctx.settings = dataclasses.replace(hall.ctx.settings,
                                            scripts_path=_hall_script(tmp_path, edited))
    incident = hall.incidents.declare_outage(manager)
    assert incident.notice == edited
    assert calls.kiosk_board(hall.ctx).outage.text == edited
    assert calls.display_board(hall.ctx).outage.text == edited
    assert hall.overview.default_outage_notice() == edited


def test_outage_with_the_managers_own_text_keeps_it(hall, manager):
    incident = hall.incidents.declare_outage(manager, "宽带系统升级,15:00恢复。")
    assert calls.outage_notice(hall.ctx).text == "宽带系统升级,15:00恢复。"
    assert incident.notice == "宽带系统升级,15:00恢复。"


def test_broken_hall_script_still_gives_a_notice(hall, manager, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[meta\n", encoding="utf-8")
    hall.ctx.settings = dataclasses.replace(hall.ctx.settings, scripts_path=str(path))
    incident = hall.incidents.declare_outage(manager)
    assert incident.notice == "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。"


# -- commitment time in the admin and the config file ------------------------------------
@pytest.fixture
def adm(hall):
    return AdminService(hall.ctx)


def _edit(row, **changes) -> ServiceEdit:
    base = dict(id=row.id, code=row.code, name=row.name, prefix=row.prefix,
                target_wait_minutes=row.target_wait_minutes,
                long_wait_minutes=row.long_wait_minutes,
                typical_service_minutes=row.typical_service_minutes, is_vip=row.is_vip,
                active=row.active, commitment=row.commitment)
    return ServiceEdit(**{**base, **changes})


def test_admin_sets_a_commitment_time_and_it_is_audited(hall, adm, admin):
    pay = next(s for s in adm.snapshot(admin).services if s.code == "PAY")
    assert pay.commitment is None
    adm.save_service(admin, _edit(pay, commitment=" 30 分钟 "))
    assert next(s for s in adm.snapshot(admin).services if s.code == "PAY").commitment == \
        "30分钟"
    with hall.ctx.read() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.field == "commitment")).all()
    assert [(a.old_value, a.new_value) for a in audit] == [(None, "30分钟")]
    adm.save_service(admin, _edit(pay, commitment=""))
    assert next(s for s in adm.snapshot(admin).services if s.code == "PAY").commitment is None


@pytest.mark.parametrize("bad", ["很快", "24", "0小时", "三天", "2周"])
def test_admin_refuses_a_malformed_commitment_time(adm, admin, bad):
    bb = next(s for s in adm.snapshot(admin).services if s.code == "BB")
    with pytest.raises(ValidationError) as info:
        adm.save_service(admin, _edit(bb, commitment=bad))
    assert info.value.field == "commitment" and "开通时限" in info.value.message
    assert next(s for s in adm.snapshot(admin).services if s.code == "BB").commitment == \
        "3个工作日"


def test_commitment_survives_export_and_import(hall, db_url, tmp_path, monkeypatch):
    # Export and import run under the administrator's login (issue 14), with a real PIN.
    admin = hall.auth.login("9001", "9999")
    hall.auth.change_pin(admin, "9999", "246813")
    monkeypatch.setattr("hall_app.cli_login.read_pin", lambda prompt="": "246813")
    path = tmp_path / "hall.toml"
    export_main(types.SimpleNamespace(file=str(path), staff="9001"),
                Settings(database_url=db_url))
    text = path.read_text(encoding="utf-8")
    assert 'commitment = "3个工作日"' in text
    path.write_text(text.replace('commitment = "3个工作日"', 'commitment = "5个工作日"', 1),
                    encoding="utf-8")
    import_main(types.SimpleNamespace(file=str(path), dry_run=False, hall_code=None,
                                      staff="9001"),
                Settings(database_url=db_url))
    with hall.ctx.read() as s:
        services = {x["code"]: x.get("commitment") for x in config_dict(s, "DEMO")["services"]}
    assert services["BB"] == "5个工作日" and services["PAY"] is None
