"""The complaint workflow after registering: each action (start, assign, compensation,
approve / reject, reply with the forbidden-phrase check, reopen, confirm, follow-up,
close, escalate, nuisance, note) is one unit of work on the row-locked complaint, checked
by `hall_app.domain.complaints.check_action`, with one history row.
"""

from __future__ import annotations

from collections.abc import Callable

from db.models import Complaint, Escalation, Staff
from hall_app.domain.complaints import (
    NUISANCE_PREFIX,
    SATISFACTION_LABELS,
    ComplaintAction,
    check_action,
    require_text,
)
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ValidationError
from hall_app.services.complaints.base import ComplaintBase
from hall_app.services.complaints.models import TOPIC, ComplaintDetail, ForbiddenPhraseFound

A = ComplaintAction


class ComplaintTransitions(ComplaintBase):
    def _apply(self, actor: Actor, complaint_id: int, action: ComplaintAction,
               note: str | None = None, change: Callable[[Complaint], None] | None = None,
               ) -> ComplaintDetail:
        with self.ctx.acting(actor, None) as s:
            row = self._row(s, complaint_id, lock=True)
            target = check_action(action, row.state, actor, escalated=row.escalated,
                                  is_handler=self._is_handler(row, actor))
            before = row.state
            if change is not None:
                change(row)
            if target is not None:
                row.state = target.value
            self._history(s, row, actor, action, before, note)
            self.ctx.notify(s, TOPIC)
            return self._detail(s, row, actor)

    def start(self, actor: Actor, complaint_id: int, note: str | None = None) -> ComplaintDetail:
        def take(row: Complaint) -> None:
            if row.handler_id is None:
                row.handler_id = actor.staff_id
        return self._apply(actor, complaint_id, A.START, _opt(note), take)

    def assign(self, actor: Actor, complaint_id: int, handler_id: int,
               note: str | None = None) -> ComplaintDetail:
        with self.ctx.read() as s:
            st = s.get(Staff, handler_id)
            if st is None or st.hall_id != self.ctx.hall.id or not st.active:
                raise ValidationError("找不到所选处理人。", field="handler")
            name = st.name
        extra = _opt(note)

        def put(row: Complaint) -> None:
            row.handler_id = handler_id
        return self._apply(actor, complaint_id, A.ASSIGN,
                           f"处理人:{name}" + (f";{extra}" if extra else ""), put)

    def propose_compensation(self, actor: Actor, complaint_id: int,
                             compensation: str) -> ComplaintDetail:
        text = require_text(compensation, "compensation", "请写明拟给客户的补偿方案。", 1000)

        def put(row: Complaint) -> None:
            row.compensation = text
        return self._apply(actor, complaint_id, A.PROPOSE_COMPENSATION, text, put)

    def approve(self, actor: Actor, complaint_id: int, note: str | None = None) -> ComplaintDetail:
        return self._apply(actor, complaint_id, A.APPROVE, _opt(note))

    def reject(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        text = require_text(reason, "reason", "请写明驳回补偿方案的原因。", 1000)

        def clear(row: Complaint) -> None:
            row.compensation = None
        return self._apply(actor, complaint_id, A.REJECT, text, clear)

    def reply(self, actor: Actor, complaint_id: int, text: str,
              override_reason: str | None = None) -> ComplaintDetail:
        """Save the reply to the customer. Forbidden phrases block it (ForbiddenPhraseFound)
        unless a duty manager overrides with a written reason (kept in the history)."""
        reply = require_text(text, "reply_text", "请填写答复客户的内容。", 4000)
        hits = self.check_reply(reply)
        note = None
        if hits:
            if override_reason is None:
                raise ForbiddenPhraseFound(hits)
            actor.require(Permission.OVERRIDE_FORBIDDEN)
            reason = override_reason.strip()
            if not reason:
                raise ValidationError("放行忌语检查须写明理由。", field="override_reason")
            phrases = "、".join(dict.fromkeys(h.phrase for h in hits))
            note = f"忌语检查放行(含「{phrases}」),理由:{reason}"

        def put(row: Complaint) -> None:
            row.reply_text = reply
            row.replied_at = self.ctx.now()
        return self._apply(actor, complaint_id, A.REPLY, note, put)

    def reopen(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        text = require_text(reason, "reason", "请记录客户不接受答复的原因。", 1000)
        return self._apply(actor, complaint_id, A.REOPEN, text)

    def confirm(self, actor: Actor, complaint_id: int, note: str | None = None) -> ComplaintDetail:
        return self._apply(actor, complaint_id, A.CONFIRM, _opt(note))

    def follow_up(self, actor: Actor, complaint_id: int, note: str) -> ComplaintDetail:
        text = require_text(note, "note", "请记录回访情况(时间、方式、客户反馈)。", 2000)
        return self._apply(actor, complaint_id, A.FOLLOW_UP, text)

    def close(self, actor: Actor, complaint_id: int, satisfaction: str,
              note: str | None = None) -> ComplaintDetail:
        if satisfaction not in SATISFACTION_LABELS:
            raise ValidationError("请选择客户满意度(满意/基本满意/不满意)。", field="satisfaction")
        label = SATISFACTION_LABELS[satisfaction]
        extra = _opt(note)

        def put(row: Complaint) -> None:
            row.satisfaction = satisfaction
            row.closed_at = self.ctx.now()
        return self._apply(actor, complaint_id, A.CLOSE,
                           f"客户满意度:{label}" + (f";{extra}" if extra else ""), put)

    def escalate(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        """Flag for the duty manager; also raises an escalation alert for the overview."""
        text = require_text(reason, "reason", "请简要说明升级原因。", 200)

        with self.ctx.acting(actor, None) as s:
            row = self._row(s, complaint_id, lock=True)
            check_action(A.ESCALATE, row.state, actor, escalated=row.escalated,
                         is_handler=self._is_handler(row, actor))
            row.escalated = True
            self._history(s, row, actor, A.ESCALATE, row.state, text)
            s.add(Escalation(hall_id=row.hall_id, counter_id=row.counter_id,
                             staff_id=actor.staff_id, ticket_id=row.ticket_id,
                             reason=f"投诉#{row.id} 升级:{text}"[:200],
                             raised_at=self.ctx.now()))
            self.ctx.notify(s, TOPIC)
            self.ctx.notify(s, "alerts")
            return self._detail(s, row, actor)

    def close_as_nuisance(self, actor: Actor, complaint_id: int, reason: str) -> ComplaintDetail:
        actor.require(Permission.CLOSE_AS_NUISANCE)
        text = require_text(reason, "reason", "按非真实投诉关闭须写明理由。", 1000)

        def put(row: Complaint) -> None:
            row.close_reason = NUISANCE_PREFIX + text
            row.closed_at = self.ctx.now()
        return self._apply(actor, complaint_id, A.CLOSE_NUISANCE, text, put)

    def add_note(self, actor: Actor, complaint_id: int, note: str) -> ComplaintDetail:
        text = require_text(note, "note", "请填写备注内容。", 2000)
        return self._apply(actor, complaint_id, A.NOTE, text)


def _opt(note: str | None) -> str | None:
    return (note or "").strip() or None
