"""Outages (system faults, with a notice for customers) and facility incidents.

A hall-wide outage names no counters; a counter outage names the counters it affects.
An outage declared without a notice gets the hall's scripted one (phrase ``outage_notice``
of the hall's script file), never a text fixed in code.
Only a duty manager may declare or clear a hall-wide outage; a clerk may declare one for
their own counter.

Both are guarded like every other state change: declaring locks the hall row (FOR NO KEY
UPDATE on PostgreSQL — ticket writes, which only KEY SHARE it, are not held up) and
refuses an outage whose scope (hall-wide, or the same counters) is already announced, so
two managers pressing at once give one notice, not two; clearing locks the incident row
and ends it only if it is still active, so a second clear says it is already cleared
instead of overwriting who cleared it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Counter, Hall, Incident, IncidentCounter, Staff
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, NotFound, StaleState, ValidationError
from hall_app.services.context import ServiceContext
from hall_app.text import clean_text

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

    def scripted_notice(self) -> str:
        """The hall's edited outage notice (its script file), for customers."""
        from hall_app.scripts import outage_text

        return outage_text(self.ctx.settings.scripts_path)

    def declare_outage(self, actor: Actor, notice: str | None = None,
                       counter_ids: list[int] | None = None) -> IncidentInfo:
        counter_ids = sorted(set(counter_ids or []))
        permission = (Permission.DECLARE_COUNTER_OUTAGE if counter_ids
                      else Permission.DECLARE_HALL_OUTAGE)
        actor.require(permission)
        notice = clean_text(notice, "notice", label="告示内容") or self.scripted_notice()
        if len(notice) > 500:
            raise ValidationError("告示内容不能超过500个字。", field="notice")
        with self.ctx.acting(actor, permission) as s:
            hall_id = self.ctx.hall.id
            for cid in counter_ids:
                c = s.get(Counter, cid)
                if c is None or c.hall_id != hall_id:
                    raise NotFound("找不到所选窗口。")
            self._lock_hall(s, hall_id)
            same = self._active_with_scope(s, hall_id, tuple(counter_ids))
            if same is not None:
                raise StaleState(self._already_declared(s, same, counter_ids))
            self.ctx.checkpoint("declare_outage")
            inc = Incident(hall_id=hall_id, kind="outage", notice=notice,
                           started_at=self.ctx.now(), declared_by=actor.staff_id,
                           counters=[IncidentCounter(counter_id=c) for c in counter_ids])
            s.add(inc)
            s.flush()
            self.ctx.notify(s, "incidents")
            return _info(inc)

    @staticmethod
    def _lock_hall(s: Session, hall_id: int) -> None:
        """Serialise outage declarations of one hall (the hall row as the lock)."""
        stmt = select(Hall.id).where(Hall.id == hall_id)
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(key_share=True)
        s.execute(stmt)

    def _active_with_scope(self, s: Session, hall_id: int, counter_ids: tuple[int, ...]
                           ) -> Incident | None:
        for inc in s.scalars(select(Incident).where(
                Incident.hall_id == hall_id, Incident.kind == "outage",
                Incident.ended_at.is_(None)).order_by(Incident.started_at)):
            if tuple(sorted(c.counter_id for c in inc.counters)) == counter_ids:
                return inc
        return None

    def _already_declared(self, s: Session, inc: Incident, counter_ids: list[int]) -> str:
        who = s.scalar(select(Staff.name).where(Staff.id == inc.declared_by)) \
            if inc.declared_by else None
        since = inc.started_at.astimezone(self.ctx.hall.tz).strftime("%H:%M")
        where = "全厅" if not counter_ids else "该窗口"
        return (f"{where}的故障告示已由{who or '其他人'}于{since}发布,仍在生效,"
                "无需重复发布。")

    def record_facility(self, actor: Actor, category: str, notice: str = "",
                        started_at: datetime | None = None, ended_at: datetime | None = None,
                        counter_ids: list[int] | None = None) -> IncidentInfo:
        actor.require(Permission.RECORD_FACILITY)
        category = clean_text(category, "category", label="故障设施类别",
                              required="请选择故障设施类别。")
        notice = clean_text(notice, "notice", label="故障说明", limit=500)
        start = started_at or self.ctx.now()
        if ended_at is not None and ended_at < start:
            raise ValidationError("结束时间不能早于开始时间。", field="ended_at")
        with self.ctx.acting(actor, Permission.RECORD_FACILITY) as s:
            inc = Incident(hall_id=self.ctx.hall.id, kind="facility", category=category,
                           notice=notice, started_at=start, ended_at=ended_at,
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
            stmt = select(Incident).where(Incident.id == incident_id)
            if s.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(of=Incident)
            inc = s.scalars(stmt).first()
            if inc is None or inc.hall_id != self.ctx.hall.id:
                raise NotFound("找不到该故障记录。")
            self.ctx.verify_actor(
                s, actor, Permission.DECLARE_COUNTER_OUTAGE if inc.counters and
                inc.kind == "outage" else
                Permission.DECLARE_HALL_OUTAGE if inc.kind == "outage"
                else Permission.RECORD_FACILITY)
            if inc.ended_at is not None:
                raise IllegalTransition(self._already_cleared(s, inc))
            self.ctx.checkpoint("clear_incident")
            now = self.ctx.now()
            done = s.execute(
                update(Incident).where(Incident.id == inc.id, Incident.ended_at.is_(None))
                .values(ended_at=now, cleared_by=actor.staff_id)
                .execution_options(synchronize_session=False))
            if int(getattr(done, "rowcount", 0) or 0) != 1:
                s.refresh(inc)
                raise StaleState(self._already_cleared(s, inc))
            s.refresh(inc)
            self.ctx.notify(s, "incidents")
            return _info(inc)

    def _already_cleared(self, s: Session, inc: Incident) -> str:
        who = s.scalar(select(Staff.name).where(Staff.id == inc.cleared_by)) \
            if inc.cleared_by else None
        when = inc.ended_at.astimezone(self.ctx.hall.tz).strftime("%H:%M") \
            if inc.ended_at else ""
        return f"该故障已经由{who or '其他人'}于{when}解除。" if when else "该故障已经解除。"

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
