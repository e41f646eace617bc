"""Ticket lifecycle use cases: issue, call next, recall, no-show, start, finish, transfer,
walk-away, cancel (closing the day: `hall_app.services.days`).

Each public method is one transaction that changes the ticket through the guarded
transition of `db.ticket_writes` (locked read, update conditioned on the state read, its
`ticket_event` row — who, which counter, when — and the change notice). A state that
moved between the read and the write is refused in Chinese (`StaleState`), never
overwritten. Issuing checks the hall's opening hours and that the day is not closed.
Call-next claims and calls in its own statements (`db.queue`: one on PostgreSQL, three
under BEGIN IMMEDIATE on SQLite), conditioned the same way on the ticket still waiting.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import queue
from db.day_writes import day_for_issue
from db.models import (
    Counter,
    CounterService,
    Hall,
    OpeningHours,
    ServiceType,
    Ticket,
    TicketEvent,
)
from db.notify import CHANNEL
from db.ticket_writes import LockedTicket, lock_ticket, write_transfer, write_transition
from hall_app.domain.hours import DAY_CLOSED_REFUSAL, day_hours, issue_refusal
from hall_app.domain.roles import Actor, Permission
from hall_app.domain.tickets import STATE_LABELS, TicketAction, TicketState, next_state
from hall_app.errors import (
    DataConflict,
    DayClosed,
    IllegalTransition,
    NotFound,
    QueueEmpty,
    StaleState,
    ValidationError,
)
from hall_app.forecast.issue import estimate_after_issue
from hall_app.forecast.service import ForecastService
from hall_app.security.sessions import token_hash
from hall_app.services.context import HELD_COUNTER, CounterRef, ServiceContext
from hall_app.text import optional_text


@dataclass(frozen=True)
class TicketInfo:
    id: int
    code: str
    state: str
    service_id: int
    service_name: str
    priority: str
    issued_at: datetime
    counter_id: int | None = None
    counter_number: int | None = None
    recall_count: int = 0
    wait_seconds: int | None = None
    ahead: int = 0
    estimated_wait_minutes: int | None = None
    business_day: date | None = None
    # The 80 % interval told at issue (whole minutes), and "no counter serves this now".
    wait_low_minutes: int | None = None
    wait_high_minutes: int | None = None
    no_counter: bool = False
    care: bool = False  # issued through 爱心通道 (served like VIP)


def _called_info(result: Any, counter_id: int, day: date) -> TicketInfo:
    """The TicketInfo of a ticket call-next has just called (either database's result)."""
    t = result.ticket
    return TicketInfo(
        id=t.id, code=t.code, state=TicketState.CALLED, service_id=t.service_id,
        service_name=t.service_name, priority=t.priority, issued_at=t.issued_at,
        counter_id=counter_id, counter_number=result.counter_number, recall_count=0,
        wait_seconds=result.wait_seconds, business_day=day)


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


class TicketService:
    def __init__(self, ctx: ServiceContext, forecast: ForecastService | None = None) -> None:
        self.ctx = ctx
        self.forecast = forecast or ForecastService(ctx)

    # -- helpers ----------------------------------------------------------------------
    def _event(self, s: Session, ticket: Ticket, action: str, from_state: str | None,
               to_state: str, actor: Actor | None, counter_id: int | None,
               detail: str | None = None, at: datetime | None = None) -> None:
        s.add(TicketEvent(
            hall_id=ticket.hall_id, ticket_id=ticket.id, kind=action, from_state=from_state,
            to_state=to_state, at=at or self.ctx.now(), counter_id=counter_id,
            staff_id=actor.staff_id if actor else None, detail=detail,
        ))

    def _info(self, s: Session, t: Ticket, *, ahead: int = 0, est: int | None = None) -> TicketInfo:
        service = s.get(ServiceType, t.service_id)
        counter_number = None
        if t.counter_id is not None:
            c = s.get(Counter, t.counter_id)
            counter_number = c.number if c else None
        return TicketInfo(
            id=t.id, code=t.code, state=t.state, service_id=t.service_id,
            service_name=service.name if service else "", priority=t.priority,
            issued_at=t.issued_at, counter_id=t.counter_id, counter_number=counter_number,
            recall_count=t.recall_count, wait_seconds=t.wait_seconds, ahead=ahead,
            estimated_wait_minutes=est, business_day=t.business_day, care=bool(t.care),
        )

    @staticmethod
    def _check_at_counter(code: str, state: str, at_counter: int | None,
                          counter_id: int | None) -> None:
        """A counter may act only on a called/serving ticket that is at that counter."""
        if counter_id is not None and state in (TicketState.CALLED, TicketState.SERVING) \
                and at_counter != counter_id:
            raise IllegalTransition(f"{code}号不在本窗口,不能操作。")

    # -- issue ---------------------------------------------------------------------------
    def issue(self, service_id: int, *, priority: str = "normal",
              actor: Actor | None = None, care: bool = False) -> TicketInfo:
        """A customer takes a ticket at the kiosk (or the greeter issues one).

        `care`: through 爱心通道 (elderly, pregnant, disabled customers), where the hall
        offers it: the ticket is a VIP one, so every priority rule serves it like VIP,
        and is marked as a 爱心通道 ticket for the counter, the slip and the figures.
        """
        if care:
            priority = "vip"
        if actor is not None:
            actor.require(Permission.ISSUE_TICKET)
        if priority not in ("normal", "vip"):
            raise ValidationError("优先级只能是普通或VIP。", field="priority")
        # A customer at the kiosk has no actor; staff issuing one are checked like any action.
        unit = (self.ctx.write() if actor is None
                else self.ctx.acting(actor, Permission.ISSUE_TICKET))
        with unit as s:
            hall_id = self.ctx.hall.id
            # Share-locked on PostgreSQL: deactivating the service waits for this ticket,
            # and a ticket issued after the deactivation sees it inactive.
            stmt = select(ServiceType).where(ServiceType.id == service_id)
            if self.ctx.db.is_postgres:
                stmt = stmt.with_for_update(read=True)
            service = s.scalars(stmt).first()
            if service is None or service.hall_id != hall_id:
                raise NotFound("找不到该业务类型。")
            if not service.active:
                raise ValidationError(f"「{service.name}」业务暂停取号,请咨询大堂经理。",
                                      field="service")
            if care and not s.scalar(select(Hall.care_channel).where(Hall.id == hall_id)):
                raise ValidationError("本厅暂未开通爱心通道,请咨询大堂经理。", field="care")
            now = self.ctx.now()
            day = self.ctx.business_day(now)
            self._check_open_for_tickets(s, hall_id, day, now)
            if service.is_vip:
                priority = "vip"
            number = queue.next_number(s, hall_id, day, service.prefix)
            ticket = Ticket(
                hall_id=hall_id, business_day=day, service_id=service.id,
                prefix=service.prefix, number=number, hop=0,
                code=f"{service.prefix}{number:03d}", priority=priority, care=care,
                state=TicketState.WAITING, issued_at=now, created_at=now,
            )
            s.add(ticket)
            s.flush()
            self._event(s, ticket, TicketAction.ISSUE, None, TicketState.WAITING, actor, None,
                        at=now)
            ahead = self._ahead(s, ticket)
            est = self._estimate_wait(s, service, ahead)
            ticket.est_naive_min = est
            self.ctx.notify(s, "tickets")
            info = self._info(s, ticket, ahead=ahead, est=est)
        # The forward simulation runs after the ticket committed (never under the lock).
        forecast = estimate_after_issue(self.forecast, info.id, info.code)
        if forecast is None:
            return info
        return replace(info, estimated_wait_minutes=(
            math.ceil(forecast.point_minutes) if forecast.point_minutes is not None
            else None), wait_low_minutes=forecast.low_minutes,
            wait_high_minutes=forecast.high_minutes, no_counter=forecast.no_counter)

    def _check_open_for_tickets(self, s: Session, hall_id: int, day: date,
                                now: datetime) -> None:
        """Refuse a ticket outside the day's hours or into a day already closed.

        The day's row is share-locked (`db.day_writes.day_for_issue`) until this ticket
        commits, so the day's close waits for it, and a workstation whose clock lags
        behind cannot issue into a day another one has closed.
        """
        row = day_for_issue(s, hall_id, day, now)
        if row.closed:
            raise DayClosed(DAY_CLOSED_REFUSAL)
        weekdays = list(s.scalars(select(OpeningHours).where(OpeningHours.hall_id == hall_id)))
        refusal = issue_refusal(now, self.ctx.hall.tz,
                                day_hours(day, self.ctx.hall.tz, weekdays, row.opens_at,
                                          row.closes_at))
        if refusal is not None:
            raise DayClosed(refusal)

    def _ahead(self, s: Session, ticket: Ticket) -> int:
        return int(s.scalar(
            select(func.count(Ticket.id)).where(
                Ticket.hall_id == ticket.hall_id,
                Ticket.business_day == ticket.business_day,
                Ticket.service_id == ticket.service_id,
                Ticket.state == TicketState.WAITING,
                Ticket.id != ticket.id,
                Ticket.issued_at <= ticket.issued_at,
            )
        ) or 0)

    def _estimate_wait(self, s: Session, service: ServiceType, ahead: int) -> int:
        """Minutes: people ahead × recent average service time ÷ open counters serving it."""
        # The WHERE clause excludes NULLs, which the column's type cannot express.
        recent = cast("Sequence[int]", s.execute(
            select(Ticket.service_seconds)
            .where(Ticket.hall_id == service.hall_id, Ticket.service_id == service.id,
                   Ticket.state == TicketState.DONE, Ticket.service_seconds.is_not(None))
            .order_by(Ticket.finished_at.desc())
            .limit(20)
        ).scalars().all())
        per_customer = (sum(recent) / len(recent) / 60) if len(recent) >= 3 else float(
            service.typical_service_minutes)
        open_counters = int(s.scalar(
            select(func.count(Counter.id))
            .join(CounterService, CounterService.counter_id == Counter.id)
            .where(CounterService.service_id == service.id, Counter.state == "open",
                   Counter.active.is_(True))
        ) or 0)
        return math.ceil(ahead * per_customer / max(1, open_counters))

    # -- calling -------------------------------------------------------------------------
    def call_next(self, actor: Actor, counter_id: int) -> TicketInfo:
        """Claim the next waiting ticket for this counter (concurrency-safe).

        The hot path of the whole hall. PostgreSQL: one self-contained statement (session
        check, claim with SKIP LOCKED, mark called, count for the ratio rule, event,
        notice). SQLite: under BEGIN IMMEDIATE, one UPDATE … RETURNING that checks the
        session and the counter and claims, then the count and the event (db.queue).
        """
        actor.require(Permission.SERVE)
        if self.ctx.db.is_postgres:
            return self._call_next_pg(actor, counter_id)
        hall_id = self.ctx.hall.id
        now = self.ctx.now()
        day = self.ctx.business_day(now)
        with self.ctx.write() as s:
            conn = s.connection()  # BEGIN IMMEDIATE: the write lock until the commit
            self.ctx.checkpoint("call_next")
            try:
                result = queue.call_next_sqlite(
                    conn, hall_id=hall_id, day=day, counter_id=counter_id,
                    staff_id=actor.staff_id, role=str(actor.role),
                    token_hash=token_hash(actor.session_token or ""), now=now)
            except (IntegrityError, sqlite3.IntegrityError) as exc:
                raise IllegalTransition("本窗口已有正在处理的顾客。") from exc
            if result is None:
                # Why nothing was called, in the same transaction: the session first
                # (the same check as every other action), then the counter.
                self.ctx.verify_actor(s, actor, Permission.SERVE, counter_id=counter_id)
                self._callable_counter(s, hall_id, counter_id)
                raise QueueEmpty("当前没有等候的顾客。")
        return _called_info(result, counter_id, day)

    def _call_next_pg(self, actor: Actor, counter_id: int) -> TicketInfo:
        """PostgreSQL: the whole call, session check included, as one autocommit
        statement (see db.queue)."""
        hall_id = self.ctx.hall.id
        now = self.ctx.now()
        day = self.ctx.business_day(now)
        try:
            with self.ctx.single_statement() as conn:
                result = queue.call_next_pg(
                    conn, hall_id=hall_id, day=day, counter_id=counter_id,
                    staff_id=actor.staff_id, token_hash=token_hash(actor.session_token or ""),
                    now=now, channel=CHANNEL, payload=f"{hall_id}:tickets")
        except DataConflict as exc:
            raise IllegalTransition("本窗口已有正在处理的顾客。") from exc
        if result is None:
            # Why nothing was called: the session first (the same check as every other
            # action), then the counter.
            with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id,
                                 read_only=True) as s:
                self._callable_counter(s, hall_id, counter_id)
            raise QueueEmpty("当前没有等候的顾客。")
        return _called_info(result, counter_id, day)

    def _callable_counter(self, s: Session, hall_id: int, counter_id: int
                          ) -> queue.CounterCallState:
        """The counter's state, or the Chinese reason it cannot call now."""
        state = queue.counter_call_state(s, hall_id, counter_id)
        if state is None:
            raise NotFound("找不到该窗口。")
        if not state.active:
            raise IllegalTransition(f"{state.number}号窗口已停用。")
        if state.state != "open":
            label = "暂停服务中" if state.state == "paused" else "未开启"
            raise IllegalTransition(f"{state.number}号窗口{label},请先恢复服务再叫号。")
        if state.busy_code:
            raise IllegalTransition(
                f"请先处理当前顾客{state.busy_code}号(开始办理、过号或转移)。")
        return state

    def current(self, counter_id: int) -> TicketInfo | None:
        with self.ctx.read() as s:
            t = s.scalars(select(Ticket).where(
                Ticket.counter_id == counter_id,
                Ticket.state.in_([TicketState.CALLED, TicketState.SERVING]))).first()
            return self._info(s, t) if t else None

    def _transition(self, actor: Actor, ticket_id: int, action: TicketAction,
                    counter_id: int | None = None, detail: str | None = None,
                    permission: Permission = Permission.SERVE) -> TicketInfo:
        """One counter or floor action on one ticket: lock, check, write, event, notice."""
        actor.require(permission)
        # A counter action happens at the counter the session holds; without a counter
        # named, that one (so nobody finishes a ticket at someone else's counter).
        at: CounterRef = counter_id
        if permission is Permission.SERVE and counter_id is None:
            at = HELD_COUNTER
        with self.ctx.acting(actor, permission, counter_id=at) as s:
            counter_id = self.ctx.acting_counter(s)
            row = lock_ticket(s, self.ctx.hall.id, ticket_id)
            if row is None:
                raise NotFound("找不到该号票,可能已被其他窗口处理。")
            self._check_at_counter(row.code, row.state, row.counter_id, counter_id)
            before = row.state
            after = next_state(action, before, row.code)
            now = self.ctx.now()
            values = self._values(action, row, after, now)
            self.ctx.checkpoint(action.value)
            event = {"hall_id": row.hall_id, "ticket_id": row.id, "kind": action.value,
                     "from_state": before, "to_state": after.value, "at": now,
                     "counter_id": row.counter_id or counter_id, "staff_id": actor.staff_id,
                     "detail": detail}
            if not write_transition(s, ticket_id=row.id, from_state=before, values=values,
                                    event=event, notify_payload=f"{row.hall_id}:tickets"):
                raise StaleState(f"{row.code}号的状态已被其他窗口改变,请刷新后再试。")
            return TicketInfo(
                id=row.id, code=row.code, state=after.value, service_id=row.service_id,
                service_name=row.service_name, priority=row.priority, issued_at=row.issued_at,
                counter_id=row.counter_id, counter_number=row.counter_number,
                recall_count=row.recall_count + (1 if action == TicketAction.RECALL else 0),
                wait_seconds=row.wait_seconds, business_day=row.business_day)

    def _values(self, action: TicketAction, row: LockedTicket, after: TicketState,
                now: datetime) -> dict[str, object]:
        """The columns `action` changes (no-show also checks the required recalls)."""
        values: dict[str, object] = {"state": after.value}
        if action == TicketAction.RECALL:
            values.update(recall_count=row.recall_count + 1, last_called_at=now)
        elif action == TicketAction.NO_SHOW:
            limit = row.hall_recalls_before_no_show
            if limit is None:
                limit = self.ctx.settings.thresholds.recalls_before_no_show
            if row.recall_count < limit:
                raise IllegalTransition(
                    f"{row.code}号需重呼{limit}次后才能过号(已重呼{row.recall_count}次)。")
            values.update(ended_at=now)
        elif action == TicketAction.START:
            values.update(started_at=now)
        elif action == TicketAction.FINISH:
            values.update(finished_at=now, ended_at=now,
                          service_seconds=_seconds(now, row.started_at or now))
        elif action in (TicketAction.WALK_AWAY, TicketAction.CANCEL, TicketAction.ABANDON):
            values.update(ended_at=now)
        return values

    def recall(self, actor: Actor, ticket_id: int, counter_id: int | None = None) -> TicketInfo:
        return self._transition(actor, ticket_id, TicketAction.RECALL, counter_id)

    def no_show(self, actor: Actor, ticket_id: int, counter_id: int | None = None) -> TicketInfo:
        return self._transition(actor, ticket_id, TicketAction.NO_SHOW, counter_id)

    def start(self, actor: Actor, ticket_id: int, counter_id: int | None = None) -> TicketInfo:
        return self._transition(actor, ticket_id, TicketAction.START, counter_id)

    def finish(self, actor: Actor, ticket_id: int, counter_id: int | None = None) -> TicketInfo:
        return self._transition(actor, ticket_id, TicketAction.FINISH, counter_id)

    def walk_away(self, actor: Actor, ticket_id: int, note: str | None = None) -> TicketInfo:
        """A waiting customer was seen leaving (marked by floor staff or the duty manager)."""
        note = optional_text(note, "note", limit=500)
        return self._transition(actor, ticket_id, TicketAction.WALK_AWAY, None, note,
                                permission=Permission.MARK_WALKAWAY)

    def cancel(self, actor: Actor, ticket_id: int, reason: str | None = None) -> TicketInfo:
        reason = optional_text(reason, "reason", limit=500)
        return self._transition(actor, ticket_id, TicketAction.CANCEL, None, reason,
                                permission=Permission.CANCEL_TICKET)

    # -- transfer ----------------------------------------------------------------------
    def transfer(self, actor: Actor, ticket_id: int, *, to_service_id: int | None = None,
                 to_counter_id: int | None = None, counter_id: int | None = None,
                 note: str | None = None, expected_state: str | None = None) -> TicketInfo:
        """Move the customer to another service and/or counter; they keep their place.

        At a counter (`counter_id`) the clerk transfers the customer called or served
        there. Away from a counter (the duty manager, the floor) only a waiting customer
        can be transferred: a ticket a counter has called belongs to that counter. The
        caller may pass the state it showed (`expected_state`); if the ticket has moved
        on since, nothing is written and the message says what happened.
        """
        actor.require(Permission.SERVE)
        note = optional_text(note, "note", limit=500)
        if to_service_id is None and to_counter_id is None:
            raise ValidationError("请选择要转往的业务或窗口。", field="target")
        if expected_state is None and counter_id is None:
            expected_state = TicketState.WAITING.value
        with self.ctx.acting(actor, Permission.SERVE, counter_id=counter_id) as s:
            row = lock_ticket(s, self.ctx.hall.id, ticket_id)
            if row is None:
                raise NotFound("找不到该号票,可能已被其他窗口处理。")
            if expected_state is not None and row.state != expected_state:
                raise StaleState(self._moved_on(row, expected_state))
            self._check_at_counter(row.code, row.state, row.counter_id,
                                   self.ctx.acting_counter(s))
            next_state(TicketAction.TRANSFER, row.state, row.code)
            service_id = to_service_id or row.service_id
            service = s.get(ServiceType, service_id)
            if service is None or service.hall_id != row.hall_id or not service.active:
                raise ValidationError("目标业务不存在或已停用。", field="target_service")
            target_number = self._check_target_counter(s, service, to_counter_id)
            if service_id == row.service_id and to_counter_id in (None, row.counter_id) and \
                    row.state == TicketState.WAITING and to_counter_id == row.target_counter_id:
                raise ValidationError("转移目标与当前相同。", field="target")
            now = self.ctx.now()
            target_text = f"→{service.name}" + (
                f" {target_number}号窗口" if target_number is not None else "")
            self.ctx.checkpoint("transfer")
            cont = write_transfer(
                s, row, to_service_id=service_id, to_counter_id=to_counter_id, at=now,
                staff_id=actor.staff_id, counter_id=row.counter_id or counter_id,
                detail=note or target_text,
                in_detail=f"来自{row.code}({row.state})")
            if cont is None:
                raise StaleState(f"{row.code}号的状态已被其他窗口改变,未转移,请刷新后再试。")
            self.ctx.notify(s, "tickets")
            t = s.get(Ticket, cont.id)
            assert t is not None
            return self._info(s, t)

    @staticmethod
    def _moved_on(row: LockedTicket, expected: str) -> str:
        """The Chinese message for a ticket that is no longer in the state shown."""
        if row.state == TicketState.CALLED and row.counter_number is not None:
            return f"{row.code}号刚被{row.counter_number}号窗口叫号,不能再转移。"
        if row.state == TicketState.SERVING and row.counter_number is not None:
            return f"{row.code}号正在{row.counter_number}号窗口办理,不能再转移。"
        label = STATE_LABELS.get(row.state, row.state)
        return (f"{row.code}号的状态已从「{STATE_LABELS.get(expected, expected)}」变为"
                f"「{label}」,未转移,请刷新后再试。")

    def _check_target_counter(self, s: Session, service: ServiceType,
                              to_counter_id: int | None) -> int | None:
        """The target counter's number, if it is active and serves `service`."""
        if to_counter_id is None:
            return None
        target_counter = self.ctx.counter(s, to_counter_id)
        if not target_counter.active:
            raise ValidationError(f"{target_counter.number}号窗口已停用。",
                                  field="target_counter")
        serves = s.scalar(select(CounterService.id).where(
            CounterService.counter_id == to_counter_id,
            CounterService.service_id == service.id))
        if serves is None:
            raise ValidationError(
                f"{target_counter.number}号窗口不办理「{service.name}」业务。",
                field="target_counter")
        return target_counter.number

    # -- end of day --------------------------------------------------------------------
    def close_day(self, actor: Actor, day: date | None = None):  # type: ignore[no-untyped-def]
        """The duty manager closes the day now (`hall_app.services.days.DayService.close`)."""
        from hall_app.services.days import DayService

        return DayService(self.ctx).close(actor, day)
