"""Registering a complaint: validate the draft (the register's fields of seed 003 §一),
check the chosen links (ticket, counter, clerk, handler) belong to this hall, fix the
reply and hard deadlines from the opening hours, and write the complaint with its first
history row. A complaint about a ticket whose customer was already escalated to the duty
manager at the counter (F7) starts escalated.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Complaint, ComplaintHistory, Counter, Hall, OpeningHours, Staff, Ticket
from hall_app.domain.complaints import (
    CHANNEL_LABELS,
    SEVERITY_LABELS,
    ComplaintAction,
    ComplaintState,
    OpeningTable,
    feedback_due,
    hard_due,
    reply_due,
    require_text,
)
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import PermissionDenied, ValidationError
from hall_app.phone import normalize_phone
from hall_app.services.complaints.base import ComplaintBase
from hall_app.services.complaints.escalation import ticket_was_escalated
from hall_app.services.complaints.models import TOPIC, ComplaintDetail, ComplaintDraft
from hall_app.text import clean_text

A = ComplaintAction


class ComplaintRegister(ComplaintBase):
    def _hours(self, s: Session) -> OpeningTable:
        rows = s.scalars(select(OpeningHours).where(OpeningHours.hall_id == self.ctx.hall.id))
        return {r.weekday: (r.opens, r.closes) for r in rows}

    def _deadlines(self, s: Session, received_at: datetime) -> tuple[datetime, datetime]:
        hall_row = s.get(Hall, self.ctx.hall.id)
        th = self.ctx.thresholds(hall_row)
        tz = self.ctx.hall.tz
        return (reply_due(received_at, tz, self._hours(s), th.complaint_reply_hours),
                hard_due(received_at, tz, th.complaint_hard_limit_days))

    def register(self, actor: Actor, draft: ComplaintDraft) -> ComplaintDetail:
        if actor.staff_id is None:
            raise PermissionDenied("登记投诉需要以员工身份登录(登记人即签名)。")
        data = self._validate(draft)
        with self.ctx.acting(actor, Permission.HANDLE_COMPLAINT) as s:
            self._check_links(s, data)
            received = cast(datetime, data["received_at"])  # _validate always sets it
            reply_at, hard_at = self._deadlines(s, received)
            escalated_before = (data["ticket_id"] is not None and ticket_was_escalated(
                s, self.ctx.hall.id, cast(int, data["ticket_id"])))
            row = Complaint(hall_id=self.ctx.hall.id, business_day=self.ctx.business_day(received),
                            recorded_by=actor.staff_id, state=ComplaintState.REGISTERED.value,
                            escalated=escalated_before, reply_due_at=reply_at,
                            hard_due_at=hard_at, workflow=2, last_contact_at=received,
                            next_feedback_at=feedback_due(
                                received, self._thresholds(s).complaint_feedback_hours),
                            **data)
            if row.handler_id is None:
                row.handler_id = actor.staff_id  # 首问负责: whoever is asked first owns it
            s.add(row)
            s.flush()
            now = self.ctx.now()
            state = ComplaintState.REGISTERED.value
            s.add(ComplaintHistory(complaint_id=row.id, at=now, staff_id=actor.staff_id,
                                   action=A.REGISTER.value, from_state=None, to_state=state))
            if escalated_before:
                s.add(ComplaintHistory(
                    complaint_id=row.id, at=now, staff_id=actor.staff_id,
                    action=A.ESCALATE.value, from_state=state, to_state=state,
                    note="该顾客此前已在窗口请求值班长协助(F7),投诉按已升级处理。"))
            self.ctx.notify(s, TOPIC)
            self.ctx.notify(s, "alerts")
            return self._detail(s, row, actor)

    def _validate(self, d: ComplaintDraft) -> dict[str, object]:
        if d.channel not in CHANNEL_LABELS:
            raise ValidationError("请选择投诉渠道(柜台/电话/信函/其他)。", field="channel")
        name = require_text(d.customer_name, "customer_name", "请填写客户姓名。", 64)
        phone = normalize_phone(d.phone)
        if d.category not in {c.code for c in self.categories()}:
            raise ValidationError("请选择投诉类别。", field="category")
        description = require_text(d.description, "description",
                                   "请用客户的原话记录投诉内容。", 4000)
        expectation = clean_text(d.expectation, "expectation")
        if len(expectation) > 2000:
            raise ValidationError("内容不能超过2000个字。", field="expectation")
        address = clean_text(d.address, "address") or None
        if address and len(address) > 200:
            raise ValidationError("地址不能超过200个字。", field="address")
        if d.severity not in SEVERITY_LABELS:
            raise ValidationError("请选择严重程度。", field="severity")
        company = _optional_text(d.company_name, "company_name", "公司名称", 100)
        business = _optional_text(d.business, "business", "业务名称", 64)
        number = (d.business_number or "").strip() or None
        if number is not None:
            if len(number) > 32 or not all(ch.isdigit() or ch in " -" for ch in number):
                raise ValidationError("业务号码只能包含数字、空格和“-”,不超过32位。",
                                      field="business_number")
            number = number.replace(" ", "")
        onset = _optional_text(d.problem_onset, "problem_onset", "问题开始时间及表现", 1000)
        now = self.ctx.now()
        received = d.received_at or now
        if received.tzinfo is None:
            raise ValidationError("受理时间缺少时区。", field="received_at")
        if received > now + timedelta(minutes=1):
            raise ValidationError("受理时间不能晚于现在。", field="received_at")
        return dict(channel=d.channel, customer_name=name, phone=phone, address=address,
                    ticket_id=d.ticket_id, counter_id=d.counter_id, clerk_id=d.clerk_id,
                    category=d.category, description=description, expectation=expectation,
                    severity=d.severity, handler_id=d.handler_id, received_at=received,
                    company_name=company, business=business, business_number=number,
                    problem_onset=onset)

    def _check_links(self, s: Session, data: dict[str, object]) -> None:
        hall_id = self.ctx.hall.id
        if data["ticket_id"] is not None:
            t = s.get(Ticket, data["ticket_id"])
            if t is None or t.hall_id != hall_id:
                raise ValidationError("找不到所选号票,请重新选择。", field="ticket")
            if data["counter_id"] is None:
                data["counter_id"] = t.counter_id
            if data["clerk_id"] is None:
                data["clerk_id"] = t.staff_id
        if data["counter_id"] is not None:
            c = s.get(Counter, data["counter_id"])
            if c is None or c.hall_id != hall_id:
                raise ValidationError("找不到所选窗口,请重新选择。", field="counter")
        for key, fld in (("clerk_id", "clerk"), ("handler_id", "handler")):
            if data[key] is not None:
                st = s.get(Staff, data[key])
                if st is None or st.hall_id != hall_id or not st.active:
                    raise ValidationError("找不到所选员工,请重新选择。", field=fld)


def _optional_text(value: str | None, field: str, name: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(f"{name}不能超过{limit}个字。", field=field)
    return text or None
