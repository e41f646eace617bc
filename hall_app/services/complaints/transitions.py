"""The complaint workflow up to the reply and the ways a complaint ends: start, assign,
resolution proposal and its approval, reply (with the forbidden-phrase check), reopen,
escalate, the three closings (satisfied, signed off as 未满意结案, nuisance) and notes.

Each command is one unit of work on the row-locked complaint, checked by
`hall_app.domain.complaints.check_action`, written as a guarded transition with one
history row (`ComplaintBase._move`). The loop after the reply (agreement, hand-offs,
contacts, follow-ups) is in `follow_up.py`.
"""

from __future__ import annotations

from db.models import Escalation, Staff
from hall_app.domain.complaints import (
    NUISANCE_PREFIX,
    RULES,
    SATISFACTION_LABELS,
    ComplaintAction,
    feedback_due,
    require_text,
)
from hall_app.domain.keys import local_number
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ValidationError
from hall_app.services.complaints.base import ComplaintBase
from hall_app.services.complaints.models import TOPIC, ComplaintDetail, ForbiddenPhraseFound
from hall_app.text import clean_text

A = ComplaintAction


class ComplaintTransitions(ComplaintBase):
    def start(self, actor: Actor, complaint_id: int, note: str | None = None) -> ComplaintDetail:
        with self.ctx.acting(actor, RULES[A.START].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.START)
            values = {"handler_id": actor.staff_id} if row.handler_id is None else {}
            self._move(s, row, actor, A.START, target, _opt(note), values)
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    def assign(self, actor: Actor, complaint_id: int, handler_id: int,
               note: str | None = None) -> ComplaintDetail:
        extra = _opt(note)
        with self.ctx.acting(actor, RULES[A.ASSIGN].permission) as s:
            st = s.get(Staff, handler_id)
            if st is None or st.hall_id != self.ctx.hall.id or not st.active:
                raise ValidationError("找不到所选处理人。", field="handler")
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.ASSIGN)
            self._move(s, row, actor, A.ASSIGN, target,
                       f"处理人:{st.name}" + (f";{extra}" if extra else ""),
                       {"handler_id": handler_id})
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    def propose_resolution(self, actor: Actor, complaint_id: int, resolution: str,
                           compensation: str | None = None) -> ComplaintDetail:
        """The handler's proposed resolution (处理意见), sent to the duty manager for
        approval (seed 003 §一 step 4: 申请领导批准后,要及时答复客户)."""
        text = require_text(resolution, "resolution", "请写明拟定的处理方案。", 2000)
        comp = (compensation or "").strip() or None
        if comp is not None and len(comp) > 1000:
            raise ValidationError("补偿内容不能超过1000个字。", field="compensation")
        note = text + (f";补偿:{comp}" if comp else "")
        return self._act(actor, complaint_id, A.PROPOSE_RESOLUTION, note[:2000], {
            "resolution": text, "compensation": comp,
            "approval_requested_at": self.ctx.now(), "approved_at": None})

    def propose_compensation(self, actor: Actor, complaint_id: int,
                             compensation: str) -> ComplaintDetail:
        """A resolution that is a compensation (kept for callers of the first version)."""
        text = require_text(compensation, "compensation", "请写明拟给客户的补偿方案。", 1000)
        return self.propose_resolution(actor, complaint_id, f"补偿:{text}", text)

    def approve(self, actor: Actor, complaint_id: int, note: str | None = None) -> ComplaintDetail:
        return self._act(actor, complaint_id, A.APPROVE, _opt(note),
                         {"approved_at": self.ctx.now()})

    def reject(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        text = require_text(reason, "reason", "请写明驳回处理方案的原因。", 1000)
        return self._act(actor, complaint_id, A.REJECT, text,
                         {"approval_requested_at": None, "compensation": None})

    def reply(self, actor: Actor, complaint_id: int, text: str,
              override_reason: str | None = None) -> ComplaintDetail:
        """Save the reply to the customer (the approved resolution). Forbidden phrases block
        it (ForbiddenPhraseFound) unless a duty manager overrides with a written reason."""
        reply = require_text(text, "reply_text", "请填写答复客户的内容。", 4000)
        hits = self.check_reply(reply)
        note = None
        if hits:
            if override_reason is None:
                raise ForbiddenPhraseFound(hits)
            actor.require(Permission.OVERRIDE_FORBIDDEN)
            reason = clean_text(override_reason, "override_reason", label="放行理由")
            if not reason:
                raise ValidationError("放行忌语检查须写明理由。", field="override_reason")
            phrases = "、".join(dict.fromkeys(h.phrase for h in hits))
            note = f"忌语检查放行(含「{phrases}」),理由:{reason}"
        with self.ctx.acting(actor, RULES[A.REPLY].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.REPLY)
            now = self.ctx.now()
            hours = self._thresholds(s).complaint_feedback_hours
            # The first reply is the one the reply deadline (当日答复) is about.
            self._move(s, row, actor, A.REPLY, target, note, {
                "reply_text": reply, "replied_at": row.replied_at or now,
                "last_contact_at": now, "next_feedback_at": feedback_due(now, hours)})
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    def reopen(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        """The customer does not accept the reply or the result (also after closing): back to
        handling, and the complaint counts as escalated from now on."""
        text = require_text(reason, "reason", "请记录客户不满意的原因。", 1000)
        return self._act(actor, complaint_id, A.REOPEN, text, {
            "escalated": True, "close_kind": None, "closed_at": None, "close_reason": None,
            "next_follow_up_at": None, "approval_requested_at": None, "approved_at": None})

    def close(self, actor: Actor, complaint_id: int, note: str | None = None) -> ComplaintDetail:
        """结案 once the customer answered 满意/基本满意 at the last follow-up and every
        hand-off is done (seed 003 §一 step 7: 直到客户答复满意为止)."""
        with self.ctx.acting(actor, RULES[A.CLOSE].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.CLOSE)
            label = SATISFACTION_LABELS.get(row.satisfaction or "", "")
            extra = _opt(note)
            self._move(s, row, actor, A.CLOSE, target,
                       f"客户满意度:{label}" + (f";{extra}" if extra else ""),
                       {"close_kind": "satisfied", "closed_at": self.ctx.now(),
                        "next_follow_up_at": None, "next_feedback_at": None})
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    def sign_off(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        """A duty manager closes a complaint the customer is not satisfied with, with a
        written reason; the report shows it as 未满意结案."""
        text = require_text(reason, "reason", "签批未满意结案须写明理由。", 1000)
        return self._act(actor, complaint_id, A.SIGN_OFF, text, {
            "close_kind": "signed_off", "close_reason": text, "closed_at": self.ctx.now(),
            "next_follow_up_at": None, "next_feedback_at": None})

    def escalate(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        """Flag for the duty manager; also raises an escalation alert for the overview."""
        text = require_text(reason, "reason", "请简要说明升级原因。", 200)
        with self.ctx.acting(actor, RULES[A.ESCALATE].permission) as s:
            row = self._row(s, complaint_id, lock=True)
            target = self._check(s, row, actor, A.ESCALATE)
            counter_id, ticket_id = row.counter_id, row.ticket_id
            self._move(s, row, actor, A.ESCALATE, target, text, {"escalated": True})
            s.add(Escalation(hall_id=self.ctx.hall.id, counter_id=counter_id,
                             staff_id=actor.staff_id, ticket_id=ticket_id,
                             reason=f"投诉#{local_number(complaint_id)} 升级:{text}"[:200],
                             raised_at=self.ctx.now()))
            self.ctx.notify(s, TOPIC)
            self.ctx.notify(s, "alerts")
            return self._detail(s, row, actor)

    def close_as_nuisance(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        """Refused once the complaint was escalated in any way (F7, reopen, not accepted):
        the conditional update also requires `escalated` to be still false."""
        actor.require(Permission.CLOSE_AS_NUISANCE)
        text = require_text(reason, "reason", "按非真实投诉关闭须写明理由。", 1000)
        return self._act(actor, complaint_id, A.CLOSE_NUISANCE, text, {
            "close_kind": "nuisance", "close_reason": NUISANCE_PREFIX + text,
            "closed_at": self.ctx.now(), "next_follow_up_at": None, "next_feedback_at": None})

    def add_note(self, actor: Actor, complaint_id: int, note: str) -> ComplaintDetail:
        text = require_text(note, "note", "请填写备注内容。", 2000)
        return self._act(actor, complaint_id, A.NOTE, text)


def _opt(note: str | None) -> str | None:
    return clean_text(note, "note") or None
