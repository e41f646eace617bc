"""Admin reads: the whole configuration with waiting counts and the audit log in one
snapshot, and the preview of a counter's next calls under an unsaved priority rule.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AuditLog, Counter, ServiceType, Staff, Ticket
from hall_app.domain.priority import PriorityRule, QueuedTicket, RuleConfig, preview_order
from hall_app.domain.roles import Actor, Permission
from hall_app.security.history import VerifyReport, verify_history
from hall_app.services.admin.base import AdminBase
from hall_app.services.admin.models import (
    AdminSnapshot,
    AuditEntry,
    CounterRow,
    PreviewLine,
    ServiceRow,
    StaffRow,
)


class AdminReads(AdminBase):
    def snapshot(self, actor: Actor, audit_limit: int = 100) -> AdminSnapshot:
        actor.require(Permission.VIEW_CONFIG)
        with self.ctx.acting(actor, Permission.VIEW_CONFIG, read_only=True) as s:
            hall = self._hall_row(s)
            day = self.ctx.business_day()
            waiting = dict(s.execute(
                select(Ticket.service_id, func.count(Ticket.id))
                .where(Ticket.hall_id == hall.id, Ticket.business_day == day,
                       Ticket.state == "waiting").group_by(Ticket.service_id)).tuples().all())
            services = tuple(
                ServiceRow(r.id, r.code, r.name, r.prefix, r.target_wait_minutes,
                           r.long_wait_minutes, r.typical_service_minutes, r.is_vip, r.active,
                           int(waiting.get(r.id, 0)), r.commitment)
                for r in s.scalars(select(ServiceType).where(ServiceType.hall_id == hall.id)
                                   .order_by(ServiceType.sort_order, ServiceType.id)))
            counters = tuple(
                CounterRow(c.id, c.number, c.name, tuple(cs.service_id for cs in c.services),
                           c.is_vip, c.active, c.state, c.calls_since_priority)
                for c in s.scalars(select(Counter).where(Counter.hall_id == hall.id)
                                   .order_by(Counter.number)))
            staff = tuple(
                StaffRow(m.id, m.staff_no, m.name, m.role, m.active, m.must_change_pin)
                for m in s.scalars(select(Staff).where(Staff.hall_id == hall.id)
                                   .order_by(Staff.staff_no)))
            names = {m.id: m.name for m in staff}
            audit = tuple(
                AuditEntry(a.at, names.get(a.staff_id or -1, "系统"), a.entity, a.entity_id,
                           a.field, a.old_value, a.new_value)
                for a in s.scalars(select(AuditLog).where(AuditLog.hall_id == hall.id)
                                   .order_by(AuditLog.id.desc()).limit(audit_limit)))
            return AdminSnapshot(
                hall=self._hall_settings(hall), services=services, counters=counters,
                staff=staff, rule=RuleConfig(PriorityRule(hall.priority_rule),
                                             hall.priority_ratio, hall.priority_aging_minutes),
                thresholds=self._thresholds(hall), audit=audit,
                can_edit=actor.can(Permission.ADMIN_CONFIG))

    def verify_history(self, actor: Actor) -> VerifyReport:
        """The hall's history hash chains and seals, recomputed (the admin window's
        「历史记录核对」; `hall-app audit verify` is the same check)."""
        actor.require(Permission.VIEW_CONFIG)
        with self.ctx.acting(actor, Permission.VIEW_CONFIG, read_only=True) as s:
            return verify_history(s, self.ctx.hall.id, self.ctx.hall.code, self.ctx.hall.tz)

    def preview(self, actor: Actor, counter_id: int, config: RuleConfig,
                limit: int = 10) -> list[PreviewLine]:
        """The next `limit` tickets this counter would call now under `config` (not saved)."""
        actor.require(Permission.VIEW_CONFIG)
        config.validate()
        with self.ctx.acting(actor, Permission.VIEW_CONFIG, read_only=True) as s:
            counter = self.ctx.counter(s, counter_id)
            now = self.ctx.now()
            queue, names = self._queue(s, counter, now)
            ranks = {cs.service_id: cs.rank for cs in counter.services}
            order = preview_order(queue, ranks, config, now, counter.calls_since_priority,
                                  limit)
            return [PreviewLine(i + 1, t.code, names[t.service_id], t.priority,
                                int((now - t.issued_at).total_seconds() // 60))
                    for i, t in enumerate(order)]

    def _queue(self, s: Session, counter: Counter, now: datetime
               ) -> tuple[list[QueuedTicket], dict[int, str]]:
        rows = s.scalars(select(Ticket).where(
            Ticket.hall_id == counter.hall_id, Ticket.business_day == self.ctx.business_day(now),
            Ticket.state == "waiting",
            Ticket.target_counter_id.is_(None) | (Ticket.target_counter_id == counter.id))).all()
        names = {sv.id: sv.name for sv in s.scalars(
            select(ServiceType).where(ServiceType.hall_id == counter.hall_id))}
        return [QueuedTicket(t.id, t.code, t.service_id, t.priority, t.issued_at)
                for t in rows], names
