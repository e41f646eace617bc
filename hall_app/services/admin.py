"""Hall administration: hall data, services, counters, staff, priority rule, thresholds.

Every edit takes the acting `Actor`, checks `Permission.ADMIN_CONFIG`, validates (a
`ValidationError` whose `field` names the input the Chinese message belongs beside),
applies the change in one unit of work, writes one `audit_log` row per changed field
(who, when, old → new) and sends the "config" change notice. Reads need
`Permission.VIEW_CONFIG` (duty managers may look, not edit) and return frozen dataclasses.

Nothing a ticket references is ever deleted: services and counters are deactivated.
Deactivating one that still has waiting customers needs a decision (`waiting=`):
"finish" (a service stops issuing, its queue is still called) or "transfer" (tickets
move to another service, or pinned tickets go back to the common queue). A change that
would leave a waiting ticket with no active counter able to call it is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    AuditLog,
    Counter,
    CounterPause,
    CounterService,
    CounterSession,
    Hall,
    OpeningHours,
    ServiceType,
    Staff,
    Ticket,
    TicketEvent,
)
from hall_app.commitment import parse_commitment
from hall_app.domain.priority import PriorityRule, QueuedTicket, RuleConfig, preview_order
from hall_app.domain.roles import Actor, Permission, Role
from hall_app.errors import NotFound, ValidationError
from hall_app.services.auth import hash_pin, validate_pin_format
from hall_app.services.context import ServiceContext

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
VOICE_STATIONS = {"display": "叫号屏", "counter": "营业员窗口", "none": "不播报"}
THRESHOLD_LIMITS: dict[str, tuple[int, int, str]] = {
    "recalls_before_no_show": (0, 10, "过号前重呼次数"),
    "refresh_interval_ms": (100, 60000, "刷新间隔(毫秒)"),
    "pause_alert_minutes": (1, 600, "暂停告警分钟数"),
}
CONFIG_TOPIC = "config"


class NeedsDecision(ValidationError):
    """Waiting customers are affected: ask the admin what to do (`waiting=`), then retry."""

    def __init__(self, message: str, *, count: int, options: tuple[str, ...]) -> None:
        super().__init__(message, field="waiting")
        self.count = count
        self.options = options


# -- read models -------------------------------------------------------------------------
@dataclass(frozen=True)
class DayHours:
    weekday: int
    opens: time | None
    closes: time | None


@dataclass(frozen=True)
class HallSettings:
    id: int
    code: str
    name: str
    timezone: str
    hotline: str
    closing_prompt_minutes: int
    hours: tuple[DayHours, ...]  # always 7, Monday first


@dataclass(frozen=True)
class ServiceRow:
    id: int
    code: str
    name: str
    prefix: str
    target_wait_minutes: int
    long_wait_minutes: int
    typical_service_minutes: int
    is_vip: bool
    active: bool
    waiting: int
    commitment: str | None = None  # the farewell's commitment time, e.g. "24小时"


@dataclass(frozen=True)
class CounterRow:
    id: int
    number: int
    name: str
    service_ids: tuple[int, ...]
    is_vip: bool
    active: bool
    state: str
    calls_since_priority: int


@dataclass(frozen=True)
class StaffRow:
    id: int
    staff_no: str
    name: str
    role: str
    active: bool
    must_change_pin: bool


@dataclass(frozen=True)
class ThresholdSettings:
    recalls_before_no_show: int
    refresh_interval_ms: int
    pause_alert_minutes: int
    voice_enabled: bool
    voice_station: str


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    staff_name: str
    entity: str
    entity_id: int | None
    field: str
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class AdminSnapshot:
    hall: HallSettings
    services: tuple[ServiceRow, ...]
    counters: tuple[CounterRow, ...]
    staff: tuple[StaffRow, ...]
    rule: RuleConfig
    thresholds: ThresholdSettings
    audit: tuple[AuditEntry, ...]
    can_edit: bool


@dataclass(frozen=True)
class PreviewLine:
    position: int
    code: str
    service_name: str
    priority: str
    waited_minutes: int


# -- edit requests -------------------------------------------------------------------------
@dataclass(frozen=True)
class HallEdit:
    name: str
    hotline: str
    timezone: str
    closing_prompt_minutes: int
    hours: tuple[DayHours, ...]


@dataclass(frozen=True)
class ServiceEdit:
    id: int | None
    code: str
    name: str
    prefix: str
    target_wait_minutes: int = 15
    long_wait_minutes: int = 20
    typical_service_minutes: int = 8
    is_vip: bool = False
    active: bool = True
    commitment: str | None = None  # as typed; checked by hall_app.commitment


@dataclass(frozen=True)
class CounterEdit:
    id: int | None
    number: int
    name: str
    service_ids: tuple[int, ...]
    is_vip: bool = False
    active: bool = True


@dataclass(frozen=True)
class StaffEdit:
    id: int | None
    staff_no: str
    name: str
    role: str
    active: bool = True


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _hours_text(opens: time | None, closes: time | None) -> str:
    if opens is None or closes is None:
        return "休息"
    return f"{opens:%H:%M}-{closes:%H:%M}"


class AdminService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- helpers ----------------------------------------------------------------------------
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

    # -- reads ----------------------------------------------------------------------------------
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

    def _hall_settings(self, hall: Hall) -> HallSettings:
        by_day = {h.weekday: h for h in hall.opening_hours}
        hours = tuple(DayHours(d, by_day[d].opens if d in by_day else None,
                               by_day[d].closes if d in by_day else None) for d in range(7))
        th = self.ctx.thresholds(hall)
        return HallSettings(hall.id, hall.code, hall.name, hall.timezone, hall.hotline,
                            th.closing_prompt_minutes, hours)

    def _thresholds(self, hall: Hall) -> ThresholdSettings:
        th = self.ctx.thresholds(hall)
        voice = self.ctx.settings.voice
        return ThresholdSettings(
            th.recalls_before_no_show, th.refresh_interval_ms, th.pause_alert_minutes,
            voice.enabled if hall.voice_enabled is None else bool(hall.voice_enabled),
            hall.voice_station or voice.station)

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

    # -- hall ----------------------------------------------------------------------------------
    def update_hall(self, actor: Actor, edit: HallEdit) -> None:
        actor.require(Permission.ADMIN_CONFIG)
        name = edit.name.strip()
        if not name:
            raise ValidationError("请填写营业厅名称。", field="name")
        if len(name) > 100:
            raise ValidationError("营业厅名称不能超过100个字。", field="name")
        hotline = edit.hotline.strip()
        if not re.fullmatch(r"[0-9\-]{3,32}", hotline):
            raise ValidationError("服务热线只能包含数字和“-”,至少3位。", field="hotline")
        try:
            ZoneInfo(edit.timezone)
        except Exception as exc:
            raise ValidationError(f"未知时区「{edit.timezone}」。", field="timezone") from exc
        if not 0 <= edit.closing_prompt_minutes <= 240:
            raise ValidationError("闭厅提醒应在 0 到 240 分钟之间。", field="closing_prompt_minutes")
        if sorted(h.weekday for h in edit.hours) != list(range(7)):
            raise ValidationError("营业时间应包含周一到周日。", field="hours")
        for h in edit.hours:
            if (h.opens is None) != (h.closes is None):
                raise ValidationError(f"{WEEKDAY_LABELS[h.weekday]}请同时填写开门和关门时间。",
                                      field=f"hours_{h.weekday}")
            if h.opens is not None and h.closes is not None and h.closes <= h.opens:
                raise ValidationError(f"{WEEKDAY_LABELS[h.weekday]}的关门时间应晚于开门时间。",
                                      field=f"hours_{h.weekday}")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall = self._hall_row(s)
            self._set(s, actor, hall, "hall", "name", name)
            self._set(s, actor, hall, "hall", "hotline", hotline)
            self._set(s, actor, hall, "hall", "timezone", edit.timezone)
            old_prompt = self.ctx.thresholds(hall).closing_prompt_minutes
            if old_prompt != edit.closing_prompt_minutes:
                self._audit(s, actor, "hall", hall.id, "closing_prompt_minutes", old_prompt,
                            edit.closing_prompt_minutes)
            hall.closing_prompt_minutes = edit.closing_prompt_minutes
            by_day = {h.weekday: h for h in hall.opening_hours}
            for h in edit.hours:
                row = by_day.get(h.weekday)
                old = _hours_text(row.opens, row.closes) if row else "休息"
                new = _hours_text(h.opens, h.closes)
                if row is None:
                    row = OpeningHours(weekday=h.weekday)
                    hall.opening_hours.append(row)
                row.opens, row.closes = h.opens, h.closes
                self._audit(s, actor, "opening_hours", hall.id, WEEKDAY_LABELS[h.weekday],
                            old, new)
            self._done(s)
        self.ctx.forget_hall()

    # -- services ----------------------------------------------------------------------------
    def save_service(self, actor: Actor, edit: ServiceEdit, *, waiting: str | None = None,
                     transfer_to: int | None = None) -> int:
        """Create (id None) or update a service type. Returns its id."""
        actor.require(Permission.ADMIN_CONFIG)
        code = edit.code.strip().upper()
        name = edit.name.strip()
        prefix = edit.prefix.strip().upper()
        if not re.fullmatch(r"[A-Z0-9_]{1,32}", code):
            raise ValidationError("业务代码应为1到32位英文字母、数字或下划线。", field="code")
        if not name or len(name) > 64:
            raise ValidationError("请填写业务名称(不超过64个字)。", field="name")
        if not re.fullmatch(r"[A-Z]", prefix):
            raise ValidationError("号票字母应为一个英文字母(A–Z)。", field="prefix")
        for fld, label in (("target_wait_minutes", "目标等候时间"),
                           ("long_wait_minutes", "长时等候阈值"),
                           ("typical_service_minutes", "平均办理时长")):
            if not 1 <= getattr(edit, fld) <= 600:
                raise ValidationError(f"{label}应在 1 到 600 分钟之间。", field=fld)
        if edit.long_wait_minutes < edit.target_wait_minutes:
            raise ValidationError("长时等候阈值不能小于目标等候时间。", field="long_wait_minutes")
        try:
            commitment = parse_commitment(edit.commitment)
        except ValueError as exc:
            raise ValidationError(str(exc), field="commitment") from exc
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall_id = self.ctx.hall.id
            others = s.scalars(select(ServiceType).where(ServiceType.hall_id == hall_id)).all()
            for o in others:
                if o.id == edit.id:
                    continue
                if o.code == code:
                    raise ValidationError(f"业务代码「{code}」已被「{o.name}」使用。", field="code")
                if o.prefix == prefix:
                    raise ValidationError(
                        f"号票字母「{prefix}」已被「{o.name}」使用,请换一个字母。", field="prefix")
            if edit.id is None:
                created = ServiceType(
                    hall_id=hall_id, code=code, name=name, prefix=prefix,
                    target_wait_minutes=edit.target_wait_minutes,
                    long_wait_minutes=edit.long_wait_minutes,
                    typical_service_minutes=edit.typical_service_minutes,
                    is_vip=edit.is_vip, active=edit.active, commitment=commitment,
                    sort_order=max((o.sort_order for o in others), default=-1) + 1)
                s.add(created)
                s.flush()
                self._audit(s, actor, "service", created.id, "新建", None,
                            f"{code} {name} {prefix}")
                self._done(s)
                return created.id
            row = next((o for o in others if o.id == edit.id), None)
            if row is None:
                raise NotFound("找不到该业务类型。")
            was_active = row.active
            before = self.stuck_waiting(s)
            for fld, value in (("code", code), ("name", name), ("prefix", prefix),
                               ("target_wait_minutes", edit.target_wait_minutes),
                               ("long_wait_minutes", edit.long_wait_minutes),
                               ("typical_service_minutes", edit.typical_service_minutes),
                               ("is_vip", edit.is_vip), ("active", edit.active),
                               ("commitment", commitment)):
                self._set(s, actor, row, "service", fld, value)
            s.flush()
            if was_active and not edit.active:
                self._deactivate_service(s, actor, row, waiting, transfer_to)
            self._check_not_stranded(s, before)
            self._done(s)
            return row.id

    def _waiting(self, s: Session, *, any_day: bool = False, **where: object) -> list[Ticket]:
        stmt = select(Ticket).where(Ticket.hall_id == self.ctx.hall.id,
                                    Ticket.state == "waiting")
        if not any_day:
            stmt = stmt.where(Ticket.business_day == self.ctx.business_day())
        for name, value in where.items():
            stmt = stmt.where(getattr(Ticket, name) == value)
        return list(s.scalars(stmt.order_by(Ticket.issued_at, Ticket.id)))

    def _deactivate_service(self, s: Session, actor: Actor, row: ServiceType,
                            waiting: str | None, transfer_to: int | None) -> None:
        tickets = self._waiting(s, service_id=row.id)
        if not tickets:
            return
        if waiting is None:
            raise NeedsDecision(
                f"「{row.name}」还有 {len(tickets)} 位顾客在等候:请选择转到其他业务,"
                "或停止取号、让已取号的顾客办完。", count=len(tickets),
                options=("finish", "transfer"))
        if waiting == "finish":
            return
        if waiting != "transfer":
            raise ValidationError("请选择如何处理等候中的顾客。", field="waiting")
        target = s.get(ServiceType, transfer_to) if transfer_to is not None else None
        if target is None or target.hall_id != row.hall_id or not target.active \
                or target.id == row.id:
            raise ValidationError("请选择一个启用中的其他业务来接收等候的顾客。",
                                  field="transfer_to")
        now = self.ctx.now()
        for t in tickets:
            t.state, t.ended_at = "transferred", now
            s.add(TicketEvent(hall_id=t.hall_id, ticket_id=t.id, kind="transfer",
                              from_state="waiting", to_state="transferred", at=now,
                              staff_id=actor.staff_id,
                              detail=f"业务停用→{target.name}"))
            s.flush()
            cont = Ticket(hall_id=t.hall_id, business_day=t.business_day,
                          service_id=target.id, prefix=t.prefix, number=t.number,
                          hop=t.hop + 1, code=t.code, priority=t.priority, state="waiting",
                          issued_at=t.issued_at, created_at=now,
                          origin_ticket_id=t.origin_ticket_id or t.id,
                          transferred_from_service_id=t.service_id)
            s.add(cont)
            s.flush()
            s.add(TicketEvent(hall_id=t.hall_id, ticket_id=cont.id, kind="transfer_in",
                              from_state=None, to_state="waiting", at=now,
                              staff_id=actor.staff_id, detail=f"来自{t.code}(业务停用)"))
        self._audit(s, actor, "service", row.id, "等候顾客", f"{len(tickets)}位",
                    f"转至{target.name}")
        self.ctx.notify(s, "tickets")

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

    # -- counters ---------------------------------------------------------------------------
    def save_counter(self, actor: Actor, edit: CounterEdit, *, waiting: str | None = None) -> int:
        actor.require(Permission.ADMIN_CONFIG)
        name = edit.name.strip()
        if not 1 <= edit.number <= 999:
            raise ValidationError("窗口号应在 1 到 999 之间。", field="number")
        if not name or len(name) > 64:
            raise ValidationError("请填写窗口名称(不超过64个字)。", field="name")
        if not edit.service_ids:
            raise ValidationError("窗口至少要办理一种业务。", field="services")
        if len(set(edit.service_ids)) != len(edit.service_ids):
            raise ValidationError("同一业务不能重复添加。", field="services")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall_id = self.ctx.hall.id
            valid = {sv.id: sv for sv in s.scalars(
                select(ServiceType).where(ServiceType.hall_id == hall_id))}
            if any(sid not in valid for sid in edit.service_ids):
                raise ValidationError("所选业务不存在。", field="services")
            if edit.active and not any(valid[sid].active for sid in edit.service_ids):
                raise ValidationError("窗口至少要办理一种启用中的业务。", field="services")
            clash = s.scalar(select(Counter.name).where(
                Counter.hall_id == hall_id, Counter.number == edit.number,
                Counter.id != (edit.id or -1)))
            if clash:
                raise ValidationError(f"窗口号 {edit.number} 已被「{clash}」使用。", field="number")
            codes = "、".join(valid[sid].code for sid in edit.service_ids)
            if edit.id is None:
                created = Counter(hall_id=hall_id, number=edit.number, name=name,
                                  is_vip=edit.is_vip, active=edit.active, state="closed")
                created.services = [CounterService(service_id=sid, rank=rank)
                                    for rank, sid in enumerate(edit.service_ids)]
                s.add(created)
                s.flush()
                self._audit(s, actor, "counter", created.id, "新建", None,
                            f"{edit.number} {name} [{codes}]")
                self._done(s)
                return created.id
            counter = self.ctx.counter(s, edit.id)
            was_active = counter.active
            before = self.stuck_waiting(s)
            for fld, value in (("number", edit.number), ("name", name),
                               ("is_vip", edit.is_vip), ("active", edit.active)):
                self._set(s, actor, counter, "counter", fld, value)
            old_ids = tuple(cs.service_id for cs in counter.services)
            if old_ids != tuple(edit.service_ids):
                self._audit(s, actor, "counter", counter.id, "services",
                            "、".join(valid[i].code for i in old_ids if i in valid), codes)
                by_service = {cs.service_id: cs for cs in counter.services}
                for sid in old_ids:
                    if sid not in edit.service_ids:
                        counter.services.remove(by_service[sid])
                s.flush()
                for rank, sid in enumerate(edit.service_ids):
                    if sid in by_service:
                        by_service[sid].rank = rank
                    else:
                        counter.services.append(CounterService(service_id=sid, rank=rank))
            s.flush()
            if was_active and not edit.active:
                self._deactivate_counter(s, actor, counter)
            self._release_pinned(s, actor, counter, waiting)
            self._check_not_stranded(s, before)
            self._done(s)
            return counter.id

    def _deactivate_counter(self, s: Session, actor: Actor, counter: Counter) -> None:
        busy = s.scalar(select(Ticket.code).where(Ticket.counter_id == counter.id,
                                                  Ticket.state.in_(["called", "serving"])))
        if busy:
            raise ValidationError(f"{counter.number}号窗口正在接待{busy}号,请办理完毕后再停用。",
                                  field="active")
        now = self.ctx.now()
        for session_row in s.scalars(select(CounterSession).where(
                CounterSession.counter_id == counter.id, CounterSession.ended_at.is_(None))):
            session_row.ended_at = now
        for pause_row in s.scalars(select(CounterPause).where(
                CounterPause.counter_id == counter.id, CounterPause.ended_at.is_(None))):
            pause_row.ended_at = now
        counter.state, counter.staff_id, counter.pause_reason = "closed", None, None
        counter.state_since = now
        self.ctx.notify(s, "counters")

    def _release_pinned(self, s: Session, actor: Actor, counter: Counter,
                        waiting: str | None) -> None:
        """Tickets pinned to this counter that it can no longer call go to the common queue."""
        served = {cs.service_id for cs in counter.services} if counter.active else set()
        pinned = [t for t in self._waiting(s, target_counter_id=counter.id)
                  if t.service_id not in served]
        if not pinned:
            return
        if waiting != "transfer":
            raise NeedsDecision(
                f"有 {len(pinned)} 位顾客被指定到{counter.number}号窗口等候,"
                "修改后将转入其他窗口的公共队列继续等候。", count=len(pinned),
                options=("transfer",))
        now = self.ctx.now()
        for t in pinned:
            t.target_counter_id = None
            s.add(TicketEvent(hall_id=t.hall_id, ticket_id=t.id, kind="reassign",
                              from_state="waiting", to_state="waiting", at=now,
                              counter_id=counter.id, staff_id=actor.staff_id,
                              detail=f"{counter.number}号窗口调整→公共队列"))
        self._audit(s, actor, "counter", counter.id, "指定等候顾客", f"{len(pinned)}位",
                    "转入公共队列")
        self.ctx.notify(s, "tickets")

    # -- staff ------------------------------------------------------------------------------
    def save_staff(self, actor: Actor, edit: StaffEdit, *, pin: str | None = None) -> int:
        """Create (id None, needs a one-time `pin`) or update a staff member."""
        actor.require(Permission.ADMIN_CONFIG)
        staff_no = edit.staff_no.strip()
        name = edit.name.strip()
        if not re.fullmatch(r"[0-9A-Za-z]{1,32}", staff_no):
            raise ValidationError("工号应为1到32位数字或字母。", field="staff_no")
        if not name or len(name) > 64:
            raise ValidationError("请填写姓名(不超过64个字)。", field="name")
        if edit.role not in {r.value for r in Role}:
            raise ValidationError("请选择角色。", field="role")
        if edit.id is None:
            if not pin:
                raise ValidationError("新员工需要设置一次性密码。", field="pin")
            validate_pin_format(pin, "pin")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall_id = self.ctx.hall.id
            clash = s.scalar(select(Staff.name).where(
                Staff.hall_id == hall_id, Staff.staff_no == staff_no,
                Staff.id != (edit.id or -1)))
            if clash:
                raise ValidationError(f"工号「{staff_no}」已被{clash}使用。", field="staff_no")
            if edit.id is None:
                created = Staff(hall_id=hall_id, staff_no=staff_no, name=name, role=edit.role,
                                pin_hash=hash_pin(pin or ""), active=edit.active,
                                must_change_pin=True)
                s.add(created)
                s.flush()
                self._audit(s, actor, "staff", created.id, "新建", None,
                            f"{staff_no} {name} {edit.role}")
                self._done(s)
                return created.id
            row = s.get(Staff, edit.id)
            if row is None or row.hall_id != hall_id:
                raise NotFound("找不到该员工。")
            for fld, value in (("staff_no", staff_no), ("name", name), ("role", edit.role),
                               ("active", edit.active)):
                self._set(s, actor, row, "staff", fld, value)
            self._check_admin_left(s, "active" if not edit.active else "role")
            self._done(s)
            return row.id

    def set_staff_active(self, actor: Actor, staff_id: int, active: bool) -> None:
        actor.require(Permission.ADMIN_CONFIG)
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            row = s.get(Staff, staff_id)
            if row is None or row.hall_id != self.ctx.hall.id:
                raise NotFound("找不到该员工。")
            self._set(s, actor, row, "staff", "active", active)
            self._check_admin_left(s, "active")
            self._done(s)

    def _check_admin_left(self, s: Session, field: str) -> None:
        s.flush()
        admins = s.scalar(select(func.count(Staff.id)).where(
            Staff.hall_id == self.ctx.hall.id, Staff.role == "admin", Staff.active.is_(True)))
        if not admins:
            raise ValidationError("这是最后一名在职的管理员,不能停用或改为其他角色。", field=field)

    def reset_pin(self, actor: Actor, staff_id: int, pin: str) -> None:
        """Set a one-time PIN; the staff member must change it at the next login."""
        actor.require(Permission.ADMIN_CONFIG)
        validate_pin_format(pin, "pin")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            row = s.get(Staff, staff_id)
            if row is None or row.hall_id != self.ctx.hall.id:
                raise NotFound("找不到该员工。")
            row.pin_hash = hash_pin(pin)
            row.must_change_pin = True
            row.failed_logins = 0
            row.locked_until = None
            self._audit(s, actor, "staff", row.id, "pin", "******", "已重置(下次登录须修改)")
            self._done(s)

    # -- priority rule and thresholds ----------------------------------------------------------
    def set_priority_rule(self, actor: Actor, config: RuleConfig) -> None:
        actor.require(Permission.ADMIN_CONFIG)
        config.validate()
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall = self._hall_row(s)
            self._set(s, actor, hall, "priority", "priority_rule", str(config.rule))
            self._set(s, actor, hall, "priority", "priority_ratio", config.ratio)
            self._set(s, actor, hall, "priority", "priority_aging_minutes", config.aging_minutes)
            self._done(s)

    def update_thresholds(self, actor: Actor, edit: ThresholdSettings) -> None:
        actor.require(Permission.ADMIN_CONFIG)
        for fld, (lo, hi, label) in THRESHOLD_LIMITS.items():
            if not lo <= getattr(edit, fld) <= hi:
                raise ValidationError(f"{label}应在 {lo} 到 {hi} 之间。", field=fld)
        if edit.voice_station not in VOICE_STATIONS:
            raise ValidationError("请选择由哪里播报叫号。", field="voice_station")
        with self.ctx.acting(actor, Permission.ADMIN_CONFIG) as s:
            hall = self._hall_row(s)
            before = self._thresholds(hall)
            for fld in (*THRESHOLD_LIMITS, "voice_enabled", "voice_station"):
                old, new = getattr(before, fld), getattr(edit, fld)
                self._audit(s, actor, "thresholds", hall.id, fld, old, new)
                setattr(hall, fld, new)
            self._done(s)
