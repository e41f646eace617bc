"""Outages (system faults, with a notice for customers) and facility incidents.

A hall-wide outage names no counters; a counter outage names the counters it affects.
Only a duty manager may declare or clear a hall-wide outage; a clerk may declare one for
their own counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Counter, Incident, IncidentCounter
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, NotFound, ValidationError
from hall_app.services.context import ServiceContext

DEFAULT_OUTAGE_NOTICE = "系统暂时出现故障,正在抢修,给您带来不便,敬请谅解。"
FACILITY_CATEGORIES = ("空调", "打印机", "网络", "叫号系统", "照明", "排队机", "其他")


@dataclass(frozen=True)
class IncidentInfo:
    id: int
    kind: str
    category: str | None
    notice: str
    started_at: datetime
    ended_at: datetime | None
    counter_ids: tuple[int, ...]

    @property
    def hall_wide(self) -> bool:
        return not self.counter_ids

    def concerns(self, counter_id: int | None) -> bool:
        return self.hall_wide or (counter_id is not None and counter_id in self.counter_ids)


def _info(inc: Incident) -> IncidentInfo:
    return IncidentInfo(inc.id, inc.kind, inc.category, inc.notice, inc.started_at,
                        inc.ended_at, tuple(sorted(c.counter_id for c in inc.counters)))


class IncidentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def declare_outage(self, actor: Actor, notice: str | None = None,
                       counter_ids: list[int] | None = None) -> IncidentInfo:
        counter_ids = sorted(set(counter_ids or []))
        permission = (Permission.DECLARE_COUNTER_OUTAGE if counter_ids
                      else Permission.DECLARE_HALL_OUTAGE)
        actor.require(permission)
        notice = (notice or "").strip() or DEFAULT_OUTAGE_NOTICE
        if len(notice) > 500:
            raise ValidationError("告示内容不能超过500个字。", field="notice")
        with self.ctx.acting(actor, permission) as s:
            hall_id = self.ctx.hall.id
            for cid in counter_ids:
                c = s.get(Counter, cid)
                if c is None or c.hall_id != hall_id:
                    raise NotFound("找不到所选窗口。")
            inc = Incident(hall_id=hall_id, kind="outage", notice=notice,
                           started_at=self.ctx.now(), declared_by=actor.staff_id,
                           counters=[IncidentCounter(counter_id=c) for c in counter_ids])
            s.add(inc)
            s.flush()
            self.ctx.notify(s, "incidents")
            return _info(inc)

    def record_facility(self, actor: Actor, category: str, notice: str = "",
                        started_at: datetime | None = None, ended_at: datetime | None = None,
                        counter_ids: list[int] | None = None) -> IncidentInfo:
        actor.require(Permission.RECORD_FACILITY)
        category = (category or "").strip()
        if not category:
            raise ValidationError("请选择故障设施类别。", field="category")
        start = started_at or self.ctx.now()
        if ended_at is not None and ended_at < start:
            raise ValidationError("结束时间不能早于开始时间。", field="ended_at")
        with self.ctx.acting(actor, Permission.RECORD_FACILITY) as s:
            inc = Incident(hall_id=self.ctx.hall.id, kind="facility", category=category,
                           notice=notice.strip(), started_at=start, ended_at=ended_at,
                           declared_by=actor.staff_id,
                           counters=[IncidentCounter(counter_id=c)
                                     for c in sorted(set(counter_ids or []))])
            s.add(inc)
            s.flush()
            self.ctx.notify(s, "incidents")
            return _info(inc)

    def clear(self, actor: Actor, incident_id: int) -> IncidentInfo:
        # The permission depends on the incident, so it is checked once the row is read.
        with self.ctx.acting(actor, None) as s:
            inc = s.get(Incident, incident_id)
            if inc is None or inc.hall_id != self.ctx.hall.id:
                raise NotFound("找不到该故障记录。")
            self.ctx.verify_actor(
                s, actor, Permission.DECLARE_COUNTER_OUTAGE if inc.counters and
                inc.kind == "outage" else
                Permission.DECLARE_HALL_OUTAGE if inc.kind == "outage"
                else Permission.RECORD_FACILITY)
            if inc.ended_at is not None:
                raise IllegalTransition("该故障已经解除。")
            inc.ended_at = self.ctx.now()
            inc.cleared_by = actor.staff_id
            self.ctx.notify(s, "incidents")
            return _info(inc)

    def active(self, counter_id: int | None = None, kind: str | None = "outage"
               ) -> list[IncidentInfo]:
        """Open incidents; with a counter, only those that concern it (hall-wide included)."""
        with self.ctx.read() as s:
            return self.active_in(s, counter_id, kind)

    def active_in(self, s: Session, counter_id: int | None = None,
                  kind: str | None = "outage") -> list[IncidentInfo]:
        """`active`, inside the caller's read (one transaction for a whole window view)."""
        stmt = select(Incident).where(Incident.hall_id == self.ctx.hall.id,
                                      Incident.ended_at.is_(None))
        if kind:
            stmt = stmt.where(Incident.kind == kind)
        items = [_info(i) for i in s.scalars(stmt.order_by(Incident.started_at)).all()]
        return [i for i in items if counter_id is None or i.concerns(counter_id)]

    def last_ended_outage_in(self, s: Session, counter_id: int | None = None
                             ) -> IncidentInfo | None:
        stmt = (select(Incident).where(
            Incident.hall_id == self.ctx.hall.id, Incident.kind == "outage",
            Incident.ended_at.is_not(None))
            .order_by(Incident.ended_at.desc()).limit(20))
        for inc in s.scalars(stmt):
            info = _info(inc)
            if info.concerns(counter_id):
                return info
        return None
