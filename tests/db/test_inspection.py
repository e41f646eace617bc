"""The duty manager's hall inspection (巡检, seed 002) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.models import InspectionEvent
from hall_app.errors import IllegalTransition, PermissionDenied, ValidationError
from hall_app.metrics.service import ReportService
from hall_app.metrics.tables import inspection_table

SH = ZoneInfo("Asia/Shanghai")


def test_the_day_has_the_checklists_set_times_with_their_status(hall, manager, clock):
    day = hall.inspection.day()  # 10:00 local
    assert [(s.slot, s.status) for s in day.slots] == [
        ("09:00", "due"), ("11:00", "upcoming"), ("14:00", "upcoming"),
        ("16:30", "upcoming")]
    clock.set(datetime(2026, 11, 25, 11, 5, tzinfo=SH))
    assert [s.status for s in hall.inspection.day().slots][:2] == ["missed", "due"]
    checklist = hall.inspection.checklist
    assert [a.title for a in checklist.areas] == ["客户", "设施", "员工"]
    assert {i.key for i in checklist.items} >= {
        "waiting", "customer_mood", "seats", "air_conditioning", "printers", "screens",
        "kiosk", "queue_system", "dress", "staff_mood", "smiling", "teamwork"}


def test_a_round_item_by_item_with_a_problem_that_opens_an_incident(hall, manager, clock):
    clock.set(datetime(2026, 11, 25, 11, 5, tzinfo=SH))
    svc = hall.inspection
    r = svc.start_round(manager, "11:00")
    assert r.state == "open" and len(r.unchecked) == len(svc.checklist.items)
    with pytest.raises(IllegalTransition, match="已由周丽"):
        svc.start_round(manager, "11:00")
    with pytest.raises(ValidationError) as err:
        svc.record(manager, r.id, "air_conditioning", "problem", "  ")
    assert err.value.field == "note"
    r = svc.record(manager, r.id, "air_conditioning", "problem", "空调不制冷,营业员出汗")
    with pytest.raises(IllegalTransition, match="未检查的项目"):
        svc.finish(manager, r.id)
    r = svc.open_incident(manager, r.id, "air_conditioning")
    item = next(i for i in r.items if i.key == "air_conditioning")
    assert item.incident_id is not None
    incident = next(i for i in hall.incidents.active(kind="facility"))
    assert (incident.id, incident.category) == (item.incident_id, "空调")
    assert "空调不制冷" in incident.notice
    with pytest.raises(IllegalTransition, match="已登记设施故障"):
        svc.open_incident(manager, r.id, "air_conditioning")
    with pytest.raises(IllegalTransition, match="只有“有问题”"):
        svc.open_incident(manager, r.id, "printers")
    for i in r.items:
        if i.result is None:
            r = svc.record(manager, r.id, i.key, "ok")
    r = svc.record(manager, r.id, "smiling", "problem", "3号窗口营业员无笑容")  # re-recorded
    r = svc.finish(manager, r.id)
    assert r.state == "done" and [p.key for p in r.problems] == ["air_conditioning", "smiling"]
    with pytest.raises(IllegalTransition, match="已完成"):
        svc.record(manager, r.id, "seats", "problem", "座位不够")
    day = hall.inspection.day()
    assert [s.status for s in day.slots][:2] == ["missed", "done"]
    with hall.ctx.read() as s:
        events = [(e.action, e.item_key, e.from_state, e.to_state) for e in s.scalars(
            select(InspectionEvent).where(InspectionEvent.round_id == r.id)
            .order_by(InspectionEvent.id))]
    assert events[0] == ("start", None, None, "open")
    assert events[1] == ("record", "air_conditioning", "pending", "problem")
    assert events[2] == ("incident", "air_conditioning", "problem", "problem")
    assert ("record", "smiling", "ok", "problem") in events
    assert events[-1] == ("finish", None, "open", "done")


def test_a_clerk_cannot_inspect(hall, clerk):
    with pytest.raises(PermissionDenied):
        hall.inspection.start_round(clerk, "09:00")


def test_the_report_prints_the_days_inspections(hall, manager, clock):
    clock.set(datetime(2026, 11, 25, 9, 10, tzinfo=SH))
    svc = hall.inspection
    r = svc.start_round(manager, "09:00")
    for i in r.items:
        svc.record(manager, r.id, i.key, "problem" if i.key == "seats" else "ok",
                   "等候区座位不够,三位客户站着等" if i.key == "seats" else None)
    svc.finish(manager, r.id)
    clock.set(datetime(2026, 11, 25, 14, 20, tzinfo=SH))
    svc.start_round(manager, "14:00")  # started, not finished
    clock.set(datetime(2026, 11, 25, 18, 30, tzinfo=SH))
    m = ReportService(hall.ctx).daily(date(2026, 11, 25))
    rows = {row[0]: row for row in inspection_table(m).rows}
    assert rows["09:00"][1:3] == ("周丽(值班长)", "09:10")
    assert rows["09:00"][4:7] == ("11", "1", "0")
    assert rows["09:00"][7] == "等候座位:等候区座位不够,三位客户站着等"
    assert rows["11:00"][2] == "未巡检"
    assert rows["14:00"][3] == "未完成" and rows["14:00"][6] == "12"
    assert set(rows) == {"09:00", "11:00", "14:00", "16:30"}
    assert m.inspections[0].started_at.utcoffset() == timedelta(hours=8)  # hall time
