"""The loop after the reply (seed 003 §一 steps 5–7, seed 004 §追踪与回馈): the signed
handling agreement (处理协议) with the agreed follow-up time, actions handed to
departments and their completion, the contact log (phone, fax, visit) with interim
feedback (定期回馈), scheduled follow-ups (回访) and their outcome.

Every contact with the customer moves the interim-feedback deadline on by
`Thresholds.complaint_feedback_hours`. A follow-up answered 不满意 reopens the complaint
(escalated) in the same transaction: two history rows, each a legal move.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Complaint, ComplaintContact, ComplaintHandOff
from hall_app.domain.complaints import (
    CONTACT_METHOD_LABELS,
    CONTACT_PURPOSE_LABELS,
    FOLLOW_UP_OUTCOMES,
    RULES,
    ComplaintAction,
    feedback_due,
    require_text,
)
from hall_app.domain.roles import Actor
from hall_app.errors import IllegalTransition, NotFound, ValidationError
from hall_app.services.complaints.base import STALE, ComplaintBase
from hall_app.services.complaints.models import TOPIC, ComplaintDetail
from hall_app.services.guard import rows_updated

A = ComplaintAction


def _method(method: str) -> str:
    if method not in CONTACT_METHOD_LABELS:
        raise ValidationError("请选择联系方式(电话/传真/上门面谈/柜台面谈)。", field="method")
    return method


class ComplaintFollowUp(ComplaintBase):
    def _when(self, at: datetime | None, field: str, what: str) -> datetime:
        if at is None:
            raise ValidationError(f"请约定{what}时间。", field=field)
        if at.tzinfo is None:
            raise ValidationError(f"{what}时间缺少时区。", field=field)
        if at < self.ctx.now():
            raise ValidationError(f"{what}时间不能早于现在。", field=field)
        return at

    def _contact(self, s: Session, row: Complaint, actor: Actor, method: str, purpose: str,
                 note: str) -> dict[str, object]:
        """Log a contact; the feedback deadline moves on from it (values for the move)."""
        now = self.ctx.now()
        s.add(ComplaintContact(hall_id=self.ctx.hall.id, complaint_id=row.id, at=now,
                               staff_id=actor.staff_id, method=method, purpose=purpose,
                               note=note))
        hours = self._thresholds(s).complaint_feedback_hours
        return {"last_contact_at": now, "next_feedback_at": feedback_due(now, hours)}

    # -- step 5: the signed agreement ----------------------------------------------
    def sign_agreement(self, actor: Actor, complaint_id: int, agreement: str, signer: str,
                       follow_up_at: datetime | None, method: str = "phone") -> ComplaintDetail:
        """客户确认处理方案后,签下处理协议: the agreed text, who signed it, and the
        follow-up time both sides agreed on (双方约定)."""
        text = require_text(agreement, "agreement", "请填写处理协议的内容。", 4000)
        who = require_text(signer, "signer", "请填写签署协议的客户姓名。", 64)
        when = self._when(follow_up_at, "follow_up_at", "回访")
        _method(method)
        with self.ctx.acting(actor, RULES[A.SIGN_AGREEMENT].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.SIGN_AGREEMENT)
            values = self._contact(s, row, actor, method, "other",
                                   f"签订处理协议:{text}"[:2000])
            values.update(agreement_text=text, agreement_signer=who,
                          agreement_signed_at=self.ctx.now(), next_follow_up_at=when,
                          follow_up_method=method)
            self._move(s, row, actor, A.SIGN_AGREEMENT, target, f"客户{who}签署处理协议", values)
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    # -- step 6: hand the actions to the departments -------------------------------
    def hand_off(self, actor: Actor, complaint_id: int, department: str, task: str,
                 due_at: datetime | None = None) -> ComplaintDetail:
        dept = require_text(department, "department", "请填写负责落实的部门。", 64)
        what = require_text(task, "task", "请写明交办的事项。", 2000)
        if due_at is not None and due_at.tzinfo is None:
            raise ValidationError("完成期限缺少时区。", field="due_at")
        with self.ctx.acting(actor, RULES[A.HAND_OFF].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.HAND_OFF)
            s.add(ComplaintHandOff(hall_id=self.ctx.hall.id, complaint_id=row.id,
                                   department=dept, task=what, due_at=due_at, state="handed",
                                   handed_at=self.ctx.now(), handed_by=actor.staff_id))
            self._move(s, row, actor, A.HAND_OFF, target, f"交办{dept}:{what}"[:2000])
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    def hand_off_done(self, actor: Actor, complaint_id: int, hand_off_id: int,
                      note: str) -> ComplaintDetail:
        """The department carried the action out (recorded by the handler who checked)."""
        text = require_text(note, "note", "请记录落实情况。", 2000)
        with self.ctx.acting(actor, RULES[A.HAND_OFF_DONE].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.HAND_OFF_DONE)
            item = s.scalars(select(ComplaintHandOff).where(
                ComplaintHandOff.id == hand_off_id,
                ComplaintHandOff.complaint_id == row.id).with_for_update()).first()
            if item is None:
                raise NotFound("找不到该交办事项。")
            if item.state == "done":
                raise IllegalTransition("该交办事项已经落实。")
            department = item.department
            changed = rows_updated(s, update(ComplaintHandOff)
                .where(ComplaintHandOff.id == item.id, ComplaintHandOff.state == "handed")
                .values(state="done", done_at=self.ctx.now(), done_by=actor.staff_id,
                        done_note=text))
            if changed != 1:
                raise IllegalTransition(STALE)
            self._move(s, row, actor, A.HAND_OFF_DONE, target,
                       f"{department}已落实:{text}"[:2000])
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    # -- the contact log and interim feedback ---------------------------------------
    def contact(self, actor: Actor, complaint_id: int, method: str, note: str,
                purpose: str = "feedback") -> ComplaintDetail:
        """A call, fax or visit: to learn more (了解情况) or to tell the customer how it
        stands (进度回馈, the periodic feedback while handling takes long)."""
        _method(method)
        if purpose not in CONTACT_PURPOSE_LABELS:
            raise ValidationError("请选择联系目的。", field="purpose")
        text = require_text(note, "note", "请记录联系的内容和客户的反馈。", 2000)
        with self.ctx.acting(actor, RULES[A.CONTACT].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.CONTACT)
            values = self._contact(s, row, actor, method, purpose, text)
            label = f"{CONTACT_METHOD_LABELS[method]}·{CONTACT_PURPOSE_LABELS[purpose]}"
            self._move(s, row, actor, A.CONTACT, target, f"{label}:{text}"[:2000], values)
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    # -- step 7: follow-ups until the customer is satisfied --------------------------
    def schedule_follow_up(self, actor: Actor, complaint_id: int, at: datetime | None,
                           method: str = "phone") -> ComplaintDetail:
        when = self._when(at, "follow_up_at", "回访")
        _method(method)
        return self._act(actor, complaint_id, A.SCHEDULE_FOLLOW_UP,
                         f"{CONTACT_METHOD_LABELS[method]}回访,约定于 "
                         f"{when.astimezone(self.ctx.hall.tz):%Y-%m-%d %H:%M}",
                         {"next_follow_up_at": when, "follow_up_method": method})

    def follow_up(self, actor: Actor, complaint_id: int, outcome: str, note: str,
                  method: str = "phone", next_at: datetime | None = None) -> ComplaintDetail:
        """Record a follow-up (回访) and what the customer answered.

        满意 / 基本满意: the complaint may be closed (once every hand-off is done).
        尚未落实完: the next follow-up time is required. 不满意: the complaint is reopened
        and marked escalated in the same transaction.
        """
        if outcome not in FOLLOW_UP_OUTCOMES:
            raise ValidationError("请选择回访结果(满意/基本满意/尚未落实完/不满意)。",
                                  field="outcome")
        text = require_text(note, "note", "请记录回访情况(方式、客户的答复)。", 2000)
        _method(method)
        when = self._when(next_at, "next_at", "下次回访") if outcome == "pending" else None
        with self.ctx.acting(actor, RULES[A.FOLLOW_UP].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.FOLLOW_UP)
            values = self._contact(s, row, actor, method, "follow_up", text)
            values.update(
                satisfaction=outcome if outcome != "pending" else None,
                next_follow_up_at=when, follow_up_method=method if when else None)
            self._move(s, row, actor, A.FOLLOW_UP, target,
                       f"{CONTACT_METHOD_LABELS[method]}回访,客户:"
                       f"{FOLLOW_UP_OUTCOMES[outcome]};{text}"[:2000], values)
            if outcome == "unsatisfied":
                again = self._check(s, row, actor, A.REOPEN)
                self._move(s, row, actor, A.REOPEN, again, f"回访时客户不满意:{text}"[:2000],
                           {"escalated": True, "approval_requested_at": None,
                            "approved_at": None})
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)
