"""What every part of hall administration shares: the hall row, the audit trail (one
`audit_log` row per changed field), the config notice, the effective settings, and the
check that no waiting ticket is left without an active counter able to call it.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditLog, Counter, CounterService, Hall, ServiceType, Ticket
from hall_app.domain.roles import Actor
from hall_app.errors import NotFound, ValidationError
from hall_app.services.admin.models import DayHours, HallSettings, ThresholdSettings
from hall_app.services.context import ServiceContext

CONFIG_TOPIC = "config"


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


class AdminBase:
    """The context and helpers the admin parts build on (see `AdminService`)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _hall_row(self, s: Session) -> Hall:
        hall = s.get(Hall, self.ctx.hall.id)
        if hall is None:  # pragma: no cover - the hall row is never deleted
            raise NotFound("找不到营业厅。")
        return hall

    def _audit(self, s: Session, actor: Actor, entity: str, entity_id: int | None, field: str,
               old: object, new: object) -> None:
        old_t, new_t = _text(old), _text(new)
        if old_t == new_t:
            return
        s.add(AuditLog(hall_id=self.ctx.hall.id, staff_id=actor.staff_id, at=self.ctx.now(),
                       entity=entity, entity_id=entity_id, field=field, old_value=old_t,
                       new_value=new_t))

    def _set(self, s: Session, actor: Actor, row: object, entity: str, field: str,
             value: object) -> None:
        old = getattr(row, field)
        if old != value:
            self._audit(s, actor, entity, getattr(row, "id", None), field, old, value)
            setattr(row, field, value)

    def _done(self, s: Session) -> None:
        self.ctx.notify(s, CONFIG_TOPIC)

    def _hall_settings(self, hall: Hall) -> HallSettings:
        by_day = {h.weekday: h for h in hall.opening_hours}
        hours = tuple(DayHours(d, by_day[d].opens if d in by_day else None,
                               by_day[d].closes if d in by_day else None) for d in range(7))
        th = self.ctx.thresholds(hall)
        return HallSettings(hall.id, hall.code, hall.name, hall.timezone, hall.hotline,
                            th.closing_prompt_minutes, hours, bool(hall.care_channel))

    def _thresholds(self, hall: Hall) -> ThresholdSettings:
        th = self.ctx.thresholds(hall)
        voice = self.ctx.settings.voice
        return ThresholdSettings(
            th.recalls_before_no_show, th.refresh_interval_ms, th.pause_alert_minutes,
            voice.enabled if hall.voice_enabled is None else bool(hall.voice_enabled),
            hall.voice_station or voice.station)

    def _waiting(self, s: Session, *, any_day: bool = False, **where: object) -> list[Ticket]:
        stmt = select(Ticket).where(Ticket.hall_id == self.ctx.hall.id,
                                    Ticket.state == "waiting")
        if not any_day:
            stmt = stmt.where(Ticket.business_day == self.ctx.business_day())
        for name, value in where.items():
            stmt = stmt.where(getattr(Ticket, name) == value)
        return list(s.scalars(stmt.order_by(Ticket.issued_at, Ticket.id)))

    def stuck_waiting(self, s: Session) -> dict[int, int]:
        """Waiting tickets (of any day: the caller's clock may differ) no active counter can
        call, counted per service."""
        s.flush()
        serving: dict[int, set[int]] = {}
        for cid, sid in s.execute(
                select(CounterService.counter_id, CounterService.service_id)
                .join(Counter, Counter.id == CounterService.counter_id)
                .where(Counter.hall_id == self.ctx.hall.id, Counter.active.is_(True))):
            serving.setdefault(sid, set()).add(cid)
        stuck: dict[int, int] = {}
        for t in self._waiting(s, any_day=True):
            able = serving.get(t.service_id, set())
            if not able or (t.target_counter_id is not None and t.target_counter_id not in able):
                stuck[t.service_id] = stuck.get(t.service_id, 0) + 1
        return stuck

    def _check_not_stranded(self, s: Session, before: dict[int, int]) -> None:
        """Refuse a change that leaves (more) waiting tickets no active counter can call."""
        for sid, n in self.stuck_waiting(s).items():
            if n > before.get(sid, 0):
                sv = s.get(ServiceType, sid)
                raise ValidationError(
                    f"「{sv.name if sv else sid}」还有 {n} 位顾客等候,这样修改后没有启用的窗口能办理,"
                    "请先给其他窗口添加该业务。", field="services")
