"""Complaint register and workflow (投诉登记与处理): commands, queries and day aggregates.

    svc = ComplaintService(services.ctx)
    detail = svc.register(actor, ComplaintDraft(channel="counter", customer_name="王先生",
                          phone="13812345678", category="waiting", description="…"))
    svc.start(actor, detail.id); svc.reply(actor, detail.id, "…")
    svc.query(actor, ComplaintFilter(overdue=True))      # list rows, phone masked per role
    svc.alert_counts()                                   # overview: due soon / overdue
    svc.summary_for_day(day)                             # report: SQL aggregates

Every command is one unit of work that also appends a `complaint_history` row (who,
when, what, note). Phone numbers in returned data are masked unless the actor holds
Permission.VIEW_PHONE. Rules live in `hall_app.domain.complaints`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from db.models import (
    Complaint,
    ComplaintHistory,
    Counter,
    Escalation,
    Hall,
    OpeningHours,
    Staff,
    Ticket,
)
from hall_app.domain.complaints import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    NUISANCE_PREFIX,
    SATISFACTION_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
    UNREPLIED_STATES,
    ComplaintAction,
    ComplaintState,
    DeadlineStatus,
    OpeningTable,
    allowed_actions,
    check_action,
    deadline_status,
    hard_due,
    reply_due,
    require_text,
)
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import NotFound, PermissionDenied, ValidationError
from hall_app.phone import normalize_phone, shown_phone
from hall_app.scripts import ComplaintCategory, ForbiddenHit, ScriptBook, find_forbidden
from hall_app.services.context import ServiceContext

A = ComplaintAction
DUE_SOON_MINUTES = 120
TOPIC = "complaints"


class ForbiddenPhraseFound(ValidationError):
    """The reply contains 服务忌语; `hits` say which phrase and where (indices into the text)."""

    def __init__(self, hits: list[ForbiddenHit]) -> None:
        phrases = "、".join(dict.fromkeys(f"「{h.phrase}」" for h in hits))
        super().__init__(f"答复中含有服务忌语{phrases},请换一种说法后再保存。", field="reply_text")
        self.hits = tuple(hits)


# -- input / output data ----------------------------------------------------------

@dataclass(frozen=True)
class ComplaintDraft:
    """What the register form collects. Links are ids chosen from lists, never typed."""

    channel: str
    customer_name: str
    phone: str
    category: str
    description: str
    expectation: str = ""
    address: str | None = None
    severity: str = "normal"
    ticket_id: int | None = None
    counter_id: int | None = None
    clerk_id: int | None = None
    handler_id: int | None = None
    received_at: datetime | None = None  # None = now


@dataclass(frozen=True)
class ComplaintFilter:
    state: str | None = None  # a ComplaintState value, "open", or None for all
    category: str | None = None
    overdue: bool = False
    escalated: bool | None = None
    day_from: date | None = None
    day_to: date | None = None
    sort: str = "received_desc"  # received_desc | received_asc | due | severity | state
    limit: int = 500


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    received_at: datetime
    business_day: date
    channel: str
    customer_name: str
    phone: str  # masked unless the viewer may see it
    category: str
    category_name: str
    severity: str
    state: str
    escalated: bool
    handler_id: int | None
    handler_name: str | None
    counter_number: int | None
    ticket_code: str | None
    reply_due_at: datetime
    hard_due_at: datetime
    replied_at: datetime | None
    deadline: DeadlineStatus

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    staff_id: int | None
    staff_name: str
    action: str
    from_state: str | None
    to_state: str
    note: str | None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


@dataclass(frozen=True)
class ComplaintDetail:
    row: ComplaintRow
    address: str | None
    description: str
    expectation: str
    clerk_name: str | None
    recorder_name: str
    compensation: str | None
    reply_text: str | None
    satisfaction: str | None
    close_reason: str | None
    closed_at: datetime | None
    history: tuple[HistoryEntry, ...]
    actions: tuple[ComplaintAction, ...]  # what the viewer may do next

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def state(self) -> str:
        return self.row.state

    @property
    def satisfaction_label(self) -> str | None:
        return SATISFACTION_LABELS.get(self.satisfaction or "", self.satisfaction)


@dataclass(frozen=True)
class AlertCounts:
    open: int
    due_soon: int
    reply_overdue: int
    hard_overdue: int
    escalated_open: int
    awaiting_approval: int

    @property
    def overdue(self) -> int:
        return self.reply_overdue


@dataclass(frozen=True)
class DaySummary:
    day: date
    total: int
    by_category: tuple[tuple[str, str, int], ...]  # (code, name, count), configured order
    by_state: dict[str, int]
    by_counter: tuple[tuple[int | None, int], ...]  # (counter number or None, count)
    by_clerk: tuple[tuple[str | None, int], ...]  # (clerk name or None, count)
    by_satisfaction: dict[str, int]
    replied: int
    replied_on_time: int  # replied by the reply deadline (same business day by default)
    overdue: int  # replied late, or still unreplied past the deadline
    escalated: int
    nuisance: int

    @property
    def same_day_reply_rate(self) -> float | None:
        return self.replied_on_time / self.total if self.total else None


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class LinkChoices:
    """What the form offers for the related ticket / counter / clerk / handler."""

    tickets: tuple[Choice, ...]
    counters: tuple[Choice, ...]
    clerks: tuple[Choice, ...]
    categories: tuple[ComplaintCategory, ...] = field(default=())


# -- the service --------------------------------------------------------------------

class ComplaintService:
    def __init__(self, ctx: ServiceContext, book: ScriptBook | None = None) -> None:
        self.ctx = ctx
        self._book = book

    @property
    def book(self) -> ScriptBook:
        if self._book is None:
            from hall_app.scripts import default_book, load_scripts

            path = self.ctx.settings.scripts_path
            self._book = load_scripts(path) if path else default_book()
        return self._book

    def categories(self) -> tuple[ComplaintCategory, ...]:
        return self.book.complaint_categories

    def _category_name(self, code: str) -> str:
        return next((c.name for c in self.categories() if c.code == code), code)

    def check_reply(self, text: str) -> list[ForbiddenHit]:
        """Forbidden phrases in a draft reply (no database; the form checks as you type)."""
        return find_forbidden(self.book, text or "")

    # -- deadlines ----------------------------------------------------------------
    def _hours(self, s: Session) -> OpeningTable:
        rows = s.scalars(select(OpeningHours).where(OpeningHours.hall_id == self.ctx.hall.id))
        return {r.weekday: (r.opens, r.closes) for r in rows}

    def _deadlines(self, s: Session, received_at: datetime) -> tuple[datetime, datetime]:
        hall_row = s.get(Hall, self.ctx.hall.id)
        th = self.ctx.thresholds(hall_row)
        tz = self.ctx.hall.tz
        return (reply_due(received_at, tz, self._hours(s), th.complaint_reply_hours),
                hard_due(received_at, tz, th.complaint_hard_limit_days))

    # -- register -----------------------------------------------------------------
    def register(self, actor: Actor, draft: ComplaintDraft) -> ComplaintDetail:
        if actor.staff_id is None:
            raise PermissionDenied("登记投诉需要以员工身份登录(登记人即签名)。")
        data = self._validate(draft)
        with self.ctx.acting(actor, None) as s:
            self._check_links(s, data)
            received = cast(datetime, data["received_at"])  # _validate always sets it
            reply_at, hard_at = self._deadlines(s, received)
            row = Complaint(hall_id=self.ctx.hall.id, business_day=self.ctx.business_day(received),
                            recorded_by=actor.staff_id, state=ComplaintState.REGISTERED.value,
                            escalated=False, reply_due_at=reply_at, hard_due_at=hard_at, **data)
            if row.handler_id is None:
                row.handler_id = actor.staff_id  # 首问负责: whoever is asked first owns it
            s.add(row)
            s.flush()
            self._history(s, row, actor, A.REGISTER, None, None)
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
        expectation = (d.expectation or "").strip()
        if len(expectation) > 2000:
            raise ValidationError("内容不能超过2000个字。", field="expectation")
        address = (d.address or "").strip() or None
        if address and len(address) > 200:
            raise ValidationError("地址不能超过200个字。", field="address")
        if d.severity not in SEVERITY_LABELS:
            raise ValidationError("请选择严重程度。", field="severity")
        now = self.ctx.now()
        received = d.received_at or now
        if received.tzinfo is None:
            raise ValidationError("受理时间缺少时区。", field="received_at")
        if received > now + timedelta(minutes=1):
            raise ValidationError("受理时间不能晚于现在。", field="received_at")
        return dict(channel=d.channel, customer_name=name, phone=phone, address=address,
                    ticket_id=d.ticket_id, counter_id=d.counter_id, clerk_id=d.clerk_id,
                    category=d.category, description=description, expectation=expectation,
                    severity=d.severity, handler_id=d.handler_id, received_at=received)

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

    # -- transitions --------------------------------------------------------------
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

    @staticmethod
    def _is_handler(row: Complaint, actor: Actor) -> bool:
        return row.handler_id is None or row.handler_id == actor.staff_id

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

    # -- reads --------------------------------------------------------------------
    def get(self, actor: Actor, complaint_id: int) -> ComplaintDetail:
        with self.ctx.acting(actor, None, read_only=True) as s:
            return self._detail(s, self._row(s, complaint_id), actor)

    def query(self, actor: Actor, flt: ComplaintFilter | None = None) -> list[ComplaintRow]:
        flt = flt or ComplaintFilter()
        now = self.ctx.now()
        handler = aliased(Staff)
        stmt = (select(Complaint, handler.name, Counter.number, Ticket.code)
                .outerjoin(handler, handler.id == Complaint.handler_id)
                .outerjoin(Counter, Counter.id == Complaint.counter_id)
                .outerjoin(Ticket, Ticket.id == Complaint.ticket_id)
                .where(Complaint.hall_id == self.ctx.hall.id))
        if flt.state == "open":
            stmt = stmt.where(Complaint.state != ComplaintState.CLOSED.value)
        elif flt.state:
            if flt.state not in STATE_LABELS:
                raise ValidationError("未知的投诉状态。", field="state")
            stmt = stmt.where(Complaint.state == flt.state)
        if flt.category:
            stmt = stmt.where(Complaint.category == flt.category)
        if flt.escalated is not None:
            stmt = stmt.where(Complaint.escalated.is_(flt.escalated))
        if flt.day_from:
            stmt = stmt.where(Complaint.business_day >= flt.day_from)
        if flt.day_to:
            stmt = stmt.where(Complaint.business_day <= flt.day_to)
        if flt.overdue:
            stmt = stmt.where(_overdue_clause(now))
        severity_rank = case({"high": 0, "normal": 1, "low": 2}, value=Complaint.severity, else_=3)
        order = {
            "received_desc": (Complaint.received_at.desc(), Complaint.id.desc()),
            "received_asc": (Complaint.received_at, Complaint.id),
            "due": (Complaint.reply_due_at, Complaint.id),
            "severity": (severity_rank, Complaint.received_at.desc()),
            "state": (Complaint.state, Complaint.received_at.desc()),
        }.get(flt.sort)
        if order is None:
            raise ValidationError("未知的排序方式。", field="sort")
        stmt = stmt.order_by(*order).limit(max(1, min(flt.limit, 5000)))
        with self.ctx.acting(actor, None, read_only=True) as s:
            return [self._row_info(c, hname, number, code, actor, now)
                    for c, hname, number, code in s.execute(stmt).all()]

    def alert_counts(self, soon_minutes: int = DUE_SOON_MINUTES) -> AlertCounts:
        """For the overview's alerts: open complaints due soon / overdue / escalated."""
        now = self.ctx.now()
        unreplied = Complaint.state.in_([s.value for s in UNREPLIED_STATES])
        is_open = Complaint.state != ComplaintState.CLOSED.value
        soon = now + timedelta(minutes=soon_minutes)

        def n(cond):  # type: ignore[no-untyped-def]
            return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)
        stmt = select(
            n(is_open),
            n(and_(unreplied, Complaint.reply_due_at >= now, Complaint.reply_due_at <= soon)),
            n(and_(unreplied, Complaint.reply_due_at < now)),
            n(and_(is_open, Complaint.hard_due_at < now)),
            n(and_(is_open, Complaint.escalated.is_(True))),
            n(Complaint.state == ComplaintState.AWAITING_APPROVAL.value),
        ).where(Complaint.hall_id == self.ctx.hall.id)
        with self.ctx.read() as s:
            values = s.execute(stmt).one()
        return AlertCounts(*(int(v) for v in values))

    def summary_for_day(self, day: date) -> DaySummary:
        """Complaints received on business day `day`, aggregated in SQL."""
        now = self.ctx.now()
        base = and_(Complaint.hall_id == self.ctx.hall.id, Complaint.business_day == day)
        unreplied = Complaint.state.in_([s.value for s in UNREPLIED_STATES])

        def n(cond):  # type: ignore[no-untyped-def]
            return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)
        scalars = select(
            func.count(Complaint.id),
            n(Complaint.replied_at.is_not(None)),
            n(Complaint.replied_at <= Complaint.reply_due_at),
            n(or_(Complaint.replied_at > Complaint.reply_due_at,
                  and_(unreplied, Complaint.reply_due_at < now))),
            n(Complaint.escalated.is_(True)),
            n(Complaint.close_reason.like(NUISANCE_PREFIX + "%")),
        ).where(base)
        with self.ctx.read() as s:
            total, replied, on_time, overdue, escalated, nuisance = (
                int(v) for v in s.execute(scalars).one())
            cats = dict(s.execute(select(Complaint.category, func.count())
                                  .where(base).group_by(Complaint.category)).tuples().all())
            states = dict(s.execute(select(Complaint.state, func.count())
                                    .where(base).group_by(Complaint.state)).tuples().all())
            # NULLs are filtered out in SQL, which the column's type cannot express.
            sats = cast("dict[str, int]", dict(s.execute(
                select(Complaint.satisfaction, func.count())
                .where(base, Complaint.satisfaction.is_not(None))
                .group_by(Complaint.satisfaction)).tuples().all()))
            counters = s.execute(
                select(Counter.number, func.count(Complaint.id))
                .select_from(Complaint).outerjoin(Counter, Counter.id == Complaint.counter_id)
                .where(base).group_by(Counter.number)
                .order_by(func.count(Complaint.id).desc(), Counter.number)).all()
            clerk = aliased(Staff)
            clerks = s.execute(
                select(clerk.name, func.count(Complaint.id))
                .select_from(Complaint).outerjoin(clerk, clerk.id == Complaint.clerk_id)
                .where(base).group_by(clerk.name)
                .order_by(func.count(Complaint.id).desc(), clerk.name)).all()
        known = [c.code for c in self.categories()]
        ordered = known + sorted(set(cats) - set(known))
        return DaySummary(
            day=day, total=total,
            by_category=tuple((c, self._category_name(c), int(cats.get(c, 0))) for c in ordered),
            by_state={k: int(v) for k, v in states.items()},
            by_counter=tuple((num, int(cnt)) for num, cnt in counters),
            by_clerk=tuple((name, int(cnt)) for name, cnt in clerks),
            by_satisfaction={k: int(v) for k, v in sats.items()},
            replied=replied, replied_on_time=on_time, overdue=overdue,
            escalated=escalated, nuisance=nuisance)

    def link_choices(self, day: date | None = None) -> LinkChoices:
        """Tickets of the day (served or called), counters and staff for the form's lists."""
        day = day or self.ctx.business_day()
        hall_id = self.ctx.hall.id
        with self.ctx.read() as s:
            served = aliased(Staff)
            tickets = s.execute(
                select(Ticket.id, Ticket.code, Counter.number, served.name)
                .outerjoin(Counter, Counter.id == Ticket.counter_id)
                .outerjoin(served, served.id == Ticket.staff_id)
                .where(Ticket.hall_id == hall_id, Ticket.business_day == day,
                       Ticket.first_called_at.is_not(None))
                .order_by(Ticket.last_called_at.desc()).limit(300)).all()
            counters = s.execute(select(Counter.id, Counter.number, Counter.name).where(
                Counter.hall_id == hall_id, Counter.active.is_(True))
                .order_by(Counter.number)).all()
            staff = s.execute(select(Staff.id, Staff.staff_no, Staff.name).where(
                Staff.hall_id == hall_id, Staff.active.is_(True),
                Staff.role.in_(("clerk", "duty_manager"))).order_by(Staff.staff_no)).all()
        return LinkChoices(
            tickets=tuple(Choice(i, f"{code}" + (f"({num}号窗口 {name or ''})" if num else ""))
                          for i, code, num, name in tickets),
            counters=tuple(Choice(i, name or f"{num}号窗口") for i, num, name in counters),
            clerks=tuple(Choice(i, f"{no} {name}") for i, no, name in staff),
            categories=self.categories())

    # -- helpers ------------------------------------------------------------------
    def _row(self, s: Session, complaint_id: int, *, lock: bool = False) -> Complaint:
        stmt = select(Complaint).where(Complaint.id == complaint_id)
        if lock:
            stmt = stmt.with_for_update()
        row = s.scalars(stmt).first()
        if row is None or row.hall_id != self.ctx.hall.id:
            raise NotFound("找不到该投诉记录。")
        return row

    def _history(self, s: Session, row: Complaint, actor: Actor, action: ComplaintAction,
                 before: str | None, note: str | None) -> None:
        s.add(ComplaintHistory(complaint_id=row.id, at=self.ctx.now(), staff_id=actor.staff_id,
                               action=action.value, from_state=before, to_state=row.state,
                               note=note))

    def _row_info(self, c: Complaint, handler_name: str | None, counter_number: int | None,
                  ticket_code: str | None, actor: Actor, now: datetime) -> ComplaintRow:
        return ComplaintRow(
            id=c.id, received_at=c.received_at, business_day=c.business_day, channel=c.channel,
            customer_name=c.customer_name, phone=shown_phone(c.phone, actor),
            category=c.category, category_name=self._category_name(c.category),
            severity=c.severity, state=c.state, escalated=c.escalated, handler_id=c.handler_id,
            handler_name=handler_name, counter_number=counter_number, ticket_code=ticket_code,
            reply_due_at=c.reply_due_at, hard_due_at=c.hard_due_at, replied_at=c.replied_at,
            deadline=deadline_status(c.state, now, c.reply_due_at, c.hard_due_at,
                                     DUE_SOON_MINUTES))

    def _detail(self, s: Session, c: Complaint, actor: Actor) -> ComplaintDetail:
        s.flush()
        # Keyed by optional ids too: a missing handler/clerk/staff simply finds no name.
        names: dict[int | None, str] = dict(s.execute(select(Staff.id, Staff.name).where(
            Staff.hall_id == self.ctx.hall.id)).tuples().all())
        counter = s.get(Counter, c.counter_id) if c.counter_id else None
        ticket = s.get(Ticket, c.ticket_id) if c.ticket_id else None
        history = s.scalars(select(ComplaintHistory).where(
            ComplaintHistory.complaint_id == c.id).order_by(ComplaintHistory.id)).all()
        row = self._row_info(c, names.get(c.handler_id), counter.number if counter else None,
                             ticket.code if ticket else None, actor, self.ctx.now())
        return ComplaintDetail(
            row=row, address=c.address, description=c.description, expectation=c.expectation,
            clerk_name=names.get(c.clerk_id), recorder_name=names.get(c.recorded_by, ""),
            compensation=c.compensation, reply_text=c.reply_text, satisfaction=c.satisfaction,
            close_reason=c.close_reason, closed_at=c.closed_at,
            history=tuple(HistoryEntry(h.at, h.staff_id, names.get(h.staff_id, "系统"),
                                       h.action, h.from_state, h.to_state, h.note)
                          for h in history),
            actions=allowed_actions(c.state, actor, escalated=c.escalated,
                                    is_handler=self._is_handler(c, actor)))


def _opt(note: str | None) -> str | None:
    return (note or "").strip() or None


def _overdue_clause(now: datetime):  # type: ignore[no-untyped-def]
    unreplied = Complaint.state.in_([s.value for s in UNREPLIED_STATES])
    is_open = Complaint.state != ComplaintState.CLOSED.value
    return or_(and_(unreplied, Complaint.reply_due_at < now),
               and_(is_open, Complaint.hard_due_at < now))
