"""The duty manager's hall inspection (巡检, seed 002): rounds at set times of the day.

    svc = InspectionService(ctx)                   # the shipped checklist, or checklist=…
    today = svc.day()                              # each set time: status and its round
    r = svc.start_round(manager, "11:00")          # the round with every item unchecked
    svc.record(manager, r.id, "air_conditioning", "problem", "空调不制冷")
    svc.open_incident(manager, r.id, "air_conditioning")   # a facility incident (空调)
    svc.finish(manager, r.id)                      # every item must be recorded

Every change goes through `ctx.acting(actor, Permission.INSPECT_HALL)` as a guarded
transition: the round read under lock, an update conditional on what was read with its
row count checked, and one `inspection_event` row. The items are copied into the round
when it starts, so a later edit of the checklist file does not change old rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Incident, InspectionEvent, InspectionItem, InspectionRound, Staff
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import IllegalTransition, NotFound, ValidationError
from hall_app.inspection.checklist import Checklist, load_checklist
from hall_app.inspection.rules import (
    PENDING,
    check_finish,
    check_incident,
    check_record,
    slot_status,
)
from hall_app.services.context import ServiceContext
from hall_app.services.guard import rows_updated

TOPIC = "inspections"
STALE = "巡检记录刚被其他人更新,请刷新后重试。"


@dataclass(frozen=True)
class ItemInfo:
    key: str
    area: str
    label: str
    look: str
    case: str | None
    facility: str | None
    result: str | None  # None = not yet checked | ok | problem
    note: str | None
    checked_at: datetime | None
    checked_by: str | None
    incident_id: int | None


@dataclass(frozen=True)
class RoundInfo:
    id: int
    business_day: date
    slot: str
    state: str  # open | done
    started_at: datetime
    started_by: str
    finished_at: datetime | None
    finished_by: str | None
    items: tuple[ItemInfo, ...]

    @property
    def problems(self) -> tuple[ItemInfo, ...]:
        return tuple(i for i in self.items if i.result == "problem")

    @property
    def unchecked(self) -> tuple[ItemInfo, ...]:
        return tuple(i for i in self.items if i.result is None)


@dataclass(frozen=True)
class SlotInfo:
    slot: str  # "HH:MM"
    at: datetime  # the set time, UTC
    status: str  # upcoming | due | missed | open | done
    round: RoundInfo | None


@dataclass(frozen=True)
class DayInspections:
    day: date
    slots: tuple[SlotInfo, ...]

    @property
    def due(self) -> tuple[SlotInfo, ...]:
        return tuple(s for s in self.slots if s.status in ("due", "open"))


class InspectionService:
    def __init__(self, ctx: ServiceContext, checklist: Checklist | None = None) -> None:
        self.ctx = ctx
        self.checklist = checklist or load_checklist()

    # -- reads -----------------------------------------------------------------------
    def day(self, day: date | None = None) -> DayInspections:
        """Every set time of `day` (default today) with its status and round."""
        now = self.ctx.now()
        day = day or self.ctx.business_day(now)
        tz = self.ctx.hall.tz
        with self.ctx.read() as s:
            rounds = {r.slot: r for r in rounds_of_day(s, self.ctx.hall.id, day,
                                                      self.checklist)}
        times = [datetime.combine(day, Checklist.slot_time(t), tzinfo=tz).astimezone(UTC)
                 for t in self.checklist.times]
        slots = []
        for i, slot in enumerate(self.checklist.times):
            nxt = times[i + 1] if i + 1 < len(times) else None
            r = rounds.get(slot)
            slots.append(SlotInfo(slot, times[i], slot_status(times[i], nxt, now,
                                                                r.state if r else None), r))
        for slot, r in sorted(rounds.items()):  # rounds of times no longer in the file
            if slot not in self.checklist.times:
                slots.append(SlotInfo(slot, r.started_at, r.state, r))
        return DayInspections(day, tuple(sorted(slots, key=lambda x: x.slot)))

    def round(self, round_id: int) -> RoundInfo:
        with self.ctx.read() as s:
            return _round_info(s, self._round(s, round_id), self.checklist)

    # -- commands --------------------------------------------------------------------
    def start_round(self, actor: Actor, slot: str) -> RoundInfo:
        if slot not in self.checklist.times:
            raise ValidationError("巡检时间不在巡检表中。", field="slot")
        try:
            with self.ctx.acting(actor, Permission.INSPECT_HALL) as s:
                now = self.ctx.now()
                day = self.ctx.business_day(now)
                existing = s.execute(select(Staff.name).join(
                    InspectionRound, InspectionRound.started_by == Staff.id).where(
                    InspectionRound.hall_id == self.ctx.hall.id,
                    InspectionRound.business_day == day, InspectionRound.slot == slot)).first()
                if existing is not None:
                    raise IllegalTransition(f"{slot} 的巡检已由{existing[0]}开始。")
                row = InspectionRound(hall_id=self.ctx.hall.id, business_day=day, slot=slot,
                                      state="open", started_at=now, started_by=actor.staff_id)
                s.add(row)
                s.flush()
                s.add_all(InspectionItem(round_id=row.id, item_key=i.key, area=i.area,
                                         label=i.label) for i in self.checklist.items)
                self._event(s, row.id, None, "start", None, "open", actor, None)
                self.ctx.notify(s, TOPIC)
                return _round_info(s, row, self.checklist)
        except IntegrityError as exc:  # another workstation started it at the same instant
            raise IllegalTransition(f"{slot} 的巡检已由其他值班长开始。") from exc

    def record(self, actor: Actor, round_id: int, item_key: str, result: str,
               note: str | None = None) -> RoundInfo:
        with self.ctx.acting(actor, Permission.INSPECT_HALL) as s:
            row = self._round(s, round_id, lock=True)
            text = check_record(row.state, result, note)
            item = self._item(s, row.id, item_key)
            seen = item.result
            self.ctx.checkpoint("inspection.record")
            open_round = exists().where(InspectionRound.id == row.id,
                                        InspectionRound.state == "open")
            changed = rows_updated(s, update(InspectionItem)
                .where(InspectionItem.id == item.id, open_round,
                       InspectionItem.result.is_(None) if seen is None
                       else InspectionItem.result == seen)
                .values(result=result, note=text, checked_at=self.ctx.now(),
                        checked_by=actor.staff_id))
            if changed != 1:
                raise IllegalTransition(STALE)
            self._event(s, row.id, item_key, "record", seen or PENDING, result, actor, text)
            self.ctx.notify(s, TOPIC)
            s.expire_all()
            return _round_info(s, row, self.checklist)

    def open_incident(self, actor: Actor, round_id: int, item_key: str) -> RoundInfo:
        """Open a facility incident for a problem item (category from the checklist)."""
        actor.require(Permission.RECORD_FACILITY)
        with self.ctx.acting(actor, Permission.INSPECT_HALL) as s:
            self.ctx.verify_actor(s, actor, Permission.RECORD_FACILITY)
            row = self._round(s, round_id, lock=True)
            item = self._item(s, row.id, item_key)
            check_incident(row.state, item.result, item.incident_id)
            spec = self.checklist.item(item_key)
            now = self.ctx.now()
            incident = Incident(hall_id=self.ctx.hall.id, kind="facility",
                                category=(spec.facility if spec and spec.facility else "其他"),
                                notice=f"巡检发现:{item.label}" + (f",{item.note}" if item.note
                                                                  else ""),
                                started_at=now, declared_by=actor.staff_id)
            s.add(incident)
            s.flush()
            self.ctx.checkpoint("inspection.incident")
            changed = rows_updated(s, update(InspectionItem)
                .where(InspectionItem.id == item.id, InspectionItem.incident_id.is_(None),
                       InspectionItem.result == "problem")
                .values(incident_id=incident.id))
            if changed != 1:
                raise IllegalTransition(STALE)
            self._event(s, row.id, item_key, "incident", "problem", "problem", actor,
                        f"设施故障 #{incident.id}")
            self.ctx.notify(s, TOPIC)
            self.ctx.notify(s, "incidents")
            s.expire_all()
            return _round_info(s, row, self.checklist)

    def finish(self, actor: Actor, round_id: int) -> RoundInfo:
        with self.ctx.acting(actor, Permission.INSPECT_HALL) as s:
            row = self._round(s, round_id, lock=True)
            unrecorded = list(s.scalars(select(InspectionItem.label).where(
                InspectionItem.round_id == row.id, InspectionItem.result.is_(None))
                .order_by(InspectionItem.id)))
            check_finish(row.state, unrecorded)
            self.ctx.checkpoint("inspection.finish")
            changed = rows_updated(s, update(InspectionRound)
                .where(InspectionRound.id == row.id, InspectionRound.state == "open")
                .values(state="done", finished_at=self.ctx.now(), finished_by=actor.staff_id))
            if changed != 1:
                raise IllegalTransition(STALE)
            self._event(s, row.id, None, "finish", "open", "done", actor, None)
            self.ctx.notify(s, TOPIC)
            s.expire_all()
            return _round_info(s, row, self.checklist)

    # -- helpers ---------------------------------------------------------------------
    def _round(self, s: Session, round_id: int, *, lock: bool = False) -> InspectionRound:
        stmt = select(InspectionRound).where(InspectionRound.id == round_id)
        if lock:
            stmt = stmt.with_for_update()
        row = s.scalars(stmt).first()
        if row is None or row.hall_id != self.ctx.hall.id:
            raise NotFound("找不到该巡检记录。")
        return row

    @staticmethod
    def _item(s: Session, round_id: int, item_key: str) -> InspectionItem:
        item = s.scalars(select(InspectionItem).where(
            InspectionItem.round_id == round_id, InspectionItem.item_key == item_key)).first()
        if item is None:
            raise NotFound("找不到该巡检项。")
        return item

    def _event(self, s: Session, round_id: int, item_key: str | None, action: str,
               before: str | None, after: str, actor: Actor, note: str | None) -> None:
        s.add(InspectionEvent(hall_id=self.ctx.hall.id, round_id=round_id, item_key=item_key,
                              action=action, from_state=before, to_state=after,
                              at=self.ctx.now(), staff_id=actor.staff_id, note=note))
        s.flush()


def rounds_of_day(s: Session, hall_id: int, day: date,
                  checklist: Checklist | None = None) -> list[RoundInfo]:
    """The day's rounds with their items (read in the caller's session; also the report's)."""
    rows = s.scalars(select(InspectionRound).where(
        InspectionRound.hall_id == hall_id, InspectionRound.business_day == day)
        .order_by(InspectionRound.slot)).all()
    return [_round_info(s, r, checklist) for r in rows]


def _round_info(s: Session, r: InspectionRound, checklist: Checklist | None = None) -> RoundInfo:
    names: dict[int | None, str] = dict(s.execute(select(Staff.id, Staff.name).where(
        Staff.hall_id == r.hall_id)).tuples().all())
    spec = {i.key: i for i in (checklist or load_checklist()).items}
    items = s.scalars(select(InspectionItem).where(InspectionItem.round_id == r.id)
                      .order_by(InspectionItem.id)).all()
    return RoundInfo(
        id=r.id, business_day=r.business_day, slot=r.slot, state=r.state,
        started_at=r.started_at, started_by=names.get(r.started_by, ""),
        finished_at=r.finished_at, finished_by=names.get(r.finished_by) if r.finished_by else None,
        items=tuple(ItemInfo(
            key=i.item_key, area=i.area, label=i.label,
            look=spec[i.item_key].look if i.item_key in spec else "",
            case=spec[i.item_key].case if i.item_key in spec else None,
            facility=spec[i.item_key].facility if i.item_key in spec else None,
            result=i.result, note=i.note, checked_at=i.checked_at,
            checked_by=names.get(i.checked_by) if i.checked_by else None,
            incident_id=i.incident_id) for i in items))
