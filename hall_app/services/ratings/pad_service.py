"""The rating pad's side: what the pad shows, and the three writes it may make.

    pad = RatingService(ctx, credential)      # the credential from the pad's binding
    board = pad.board()                       # PadBoard: one read, for the LiveFeed
    pad.rate(ticket_id, "satisfied")          # a tap on one of the four levels
    pad.explain(rating_id, "long_wait", True) # 不满意: the reason and 「需要值班长联系您吗?」
    pad.time_out(ticket_id)                   # the countdown ran out: 未评价

Who may rate what (checked in the writing transaction, the ticket row locked):
  * the credential must be an active pad of this hall (`verify_pad`), and the ticket
    must be at that pad's counter: a counter window has no credential, a pad cannot
    rate another counter's customer;
  * only the counter's LAST finished ticket, and only until the next customer's
    service starts there;
  * a tap only within the timeout after 办结 (plus a few seconds for a tap in flight);
    未评价 only once the timeout has passed (so nobody can suppress a rating early);
  * once per ticket: checked first, and guaranteed by `uq_rating_one_per_ticket`;
  * the reason is added once, by the pad that rated, within its own countdowns.
Every write records the pad (`rating.pad_id`). Each is one transaction: a lost
connection leaves nothing behind (`DatabaseUnavailable`, nothing written).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import (
    Counter,
    Hall,
    HallServicePromise,
    Rating,
    RatingFollowUp,
    RatingPad,
    ServiceType,
    Ticket,
)
from hall_app.domain.ratings import (
    CUSTOMER_LEVELS,
    DissatisfiedReason,
    RatingLevel,
    explain_open,
    rating_open,
    timeout_reached,
)
from hall_app.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from hall_app.services.context import ServiceContext
from hall_app.services.ratings.holder import counter_holder
from hall_app.services.ratings.models import (
    TOPIC,
    PadBoard,
    PadTicket,
    PendingRating,
    RatingReceipt,
)
from hall_app.services.ratings.pads import PadCredential, verify_pad
from hall_app.services.ratings.texts import PadTexts, load_pad_texts

NOT_THIS_COUNTER = "只能评价本窗口刚刚办结的服务。"
ALREADY_RATED = "本次服务已评价,谢谢您。"
TOO_LATE = "评价时间已过,谢谢您。"
TOO_EARLY = "评价时间未到,暂不能记为未评价。"


@dataclass(frozen=True)
class _FinishedTicket:
    id: int
    hall_id: int
    code: str
    state: str
    business_day: date
    counter_id: int | None
    staff_id: int | None
    service_id: int
    finished_at: datetime | None


class RatingService:
    """One pad's reads and writes. Not part of `HallServices`: only a pad builds it."""

    def __init__(self, ctx: ServiceContext, credential: PadCredential,
                 texts: PadTexts | None = None) -> None:
        self.ctx = ctx
        self.credential = credential
        self.texts = texts or load_pad_texts()

    # -- reading ----------------------------------------------------------------------
    def timeout_seconds(self, hall_row: Hall | None) -> int:
        return self.ctx.thresholds(hall_row).rating_timeout_seconds

    def board(self) -> PadBoard:
        """Everything the pad shows, in one read (also says when the pad is not bound)."""
        info = self.ctx.hall
        cred = self.credential
        with self.ctx.read() as s:
            now = self.ctx.now()
            hall_row = s.get(Hall, info.id)
            timeout = self.timeout_seconds(hall_row)
            promise = s.scalar(select(HallServicePromise.text).where(
                HallServicePromise.hall_id == info.id)) or self.texts.default_promise
            counter = s.get(Counter, cred.counter_id)
            pad = s.get(RatingPad, cred.pad_id)
            try:
                verify_pad(s, info.id, cred)
                bound = counter is not None and pad is not None and pad.counter_id == counter.id
            except PermissionDenied:
                bound = False
            number = counter.number if counter is not None else cred.counter_number
            if not bound or counter is None:
                return PadBoard(now, False, info.name, number, False, None, promise, timeout)
            open_now = counter.active and counter.state != "closed"
            current = self._current(s, counter.id)
            pending = self._pending(s, counter.id, self.ctx.business_day(now), current, timeout)
            return PadBoard(now, True, info.name, counter.number, open_now,
                            counter_holder(s, counter.id), promise, timeout, current, pending)

    def _current(self, s: Session, counter_id: int) -> PadTicket | None:
        row = s.execute(
            select(Ticket.id, Ticket.code, ServiceType.name, Ticket.state, Ticket.started_at)
            .join(ServiceType, ServiceType.id == Ticket.service_id)
            .where(Ticket.counter_id == counter_id, Ticket.state.in_(("called", "serving")))
        ).first()
        return PadTicket(int(row[0]), row[1], row[2], row[3]) if row else None

    def _pending(self, s: Session, counter_id: int, day: date, current: PadTicket | None,
                 timeout: int) -> PendingRating | None:
        row = s.execute(
            select(Ticket.id, Ticket.code, ServiceType.name, Ticket.finished_at)
            .join(ServiceType, ServiceType.id == Ticket.service_id)
            .where(Ticket.hall_id == self.ctx.hall.id, Ticket.business_day == day,
                   Ticket.counter_id == counter_id, Ticket.state == "done")
            .order_by(Ticket.finished_at.desc(), Ticket.id.desc()).limit(1)
        ).first()
        if row is None or row[3] is None:
            return None
        if current is not None and current.state == "serving":
            return None  # the next customer is already being served
        rated = s.scalar(select(Rating.id).where(Rating.hall_id == self.ctx.hall.id,
                                                 Rating.ticket_id == row[0]))
        if rated is not None:
            return None
        finished = row[3]
        return PendingRating(int(row[0]), row[1], row[2], finished,
                             finished + timedelta(seconds=timeout))

    # -- checks shared by the writes -----------------------------------------------------
    def _lock_ticket(self, s: Session, ticket_id: int) -> _FinishedTicket:
        stmt = select(Ticket.id, Ticket.hall_id, Ticket.code, Ticket.state, Ticket.business_day,
                      Ticket.counter_id, Ticket.staff_id, Ticket.service_id, Ticket.finished_at
                      ).where(Ticket.id == ticket_id, Ticket.hall_id == self.ctx.hall.id)
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = s.execute(stmt).first()
        if row is None:
            raise NotFound("找不到该号票。")
        return _FinishedTicket(*row)

    def _check_last_finished(self, s: Session, pad: RatingPad, t: _FinishedTicket) -> datetime:
        """Refuse unless `t` is the pad's counter's last finished ticket (and nobody newer is
        being served there). Returns its finish time."""
        if t.counter_id != pad.counter_id:
            raise PermissionDenied(NOT_THIS_COUNTER)
        if t.state != "done" or t.finished_at is None:
            raise IllegalTransition(f"{t.code}号尚未办结,不能评价。")
        finished = t.finished_at
        newer = s.scalar(select(exists().where(
            Ticket.hall_id == t.hall_id, Ticket.business_day == t.business_day,
            Ticket.counter_id == pad.counter_id, Ticket.id != t.id,
            or_(and_(Ticket.state == "done",
                     or_(Ticket.finished_at > finished,
                         and_(Ticket.finished_at == finished, Ticket.id > t.id))),
                and_(Ticket.state == "serving", Ticket.started_at > finished)))))
        if newer:
            raise IllegalTransition(NOT_THIS_COUNTER)
        return finished

    def _refuse_if_rated(self, s: Session, ticket_id: int) -> None:
        if s.scalar(select(Rating.id).where(Rating.hall_id == self.ctx.hall.id,
                                            Rating.ticket_id == ticket_id)) is not None:
            raise IllegalTransition(ALREADY_RATED)

    def _insert(self, level: RatingLevel, ticket_id: int, *, checkpoint: str,
                window: str) -> RatingReceipt:
        try:
            with self.ctx.write() as s:
                hall_id = self.ctx.hall.id
                pad = verify_pad(s, hall_id, self.credential)
                t = self._lock_ticket(s, ticket_id)
                finished = self._check_last_finished(s, pad, t)
                now = self.ctx.now()
                timeout = self.timeout_seconds(s.get(Hall, hall_id))
                if window == "tap" and not rating_open(finished, now, timeout):
                    raise IllegalTransition(TOO_LATE)
                if window == "timeout" and not timeout_reached(finished, now, timeout):
                    raise IllegalTransition(TOO_EARLY)
                self._refuse_if_rated(s, t.id)
                self.ctx.checkpoint(checkpoint)
                row = Rating(hall_id=hall_id, business_day=t.business_day, ticket_id=t.id,
                             counter_id=pad.counter_id, staff_id=t.staff_id,
                             service_id=t.service_id, pad_id=pad.id, level=level.value,
                             finished_at=finished, rated_at=now)
                s.add(row)
                s.flush()
                self.ctx.notify(s, TOPIC)
                if level == RatingLevel.DISSATISFIED:
                    self.ctx.notify(s, "alerts")
                return RatingReceipt(row.id, t.id, level.value)
        except IntegrityError as exc:  # the other tap (or the timeout) won the race
            raise IllegalTransition(ALREADY_RATED) from exc

    # -- the writes -----------------------------------------------------------------------
    def rate(self, ticket_id: int, level: str) -> RatingReceipt:
        """The customer tapped `level` for the ticket just finished at this pad's counter."""
        try:
            chosen = RatingLevel(level)
        except ValueError:
            chosen = None
        if chosen not in CUSTOMER_LEVELS:
            raise ValidationError("请选择非常满意、满意、基本满意或不满意。", field="level")
        assert chosen is not None
        return self._insert(chosen, ticket_id, checkpoint="rating.rate", window="tap")

    def time_out(self, ticket_id: int) -> RatingReceipt:
        """Nobody tapped before the countdown ended: record 未评价 (closes the question)."""
        return self._insert(RatingLevel.UNRATED, ticket_id, checkpoint="rating.time_out",
                            window="timeout")

    def explain(self, rating_id: int, reason: str, wants_contact: bool | None) -> RatingReceipt:
        """Add the reason (and whether the customer wants the duty manager to call) to this
        pad's 不满意 rating; `wants_contact=True` opens a follow-up (回访) with it."""
        try:
            why = DissatisfiedReason(reason)
        except ValueError:
            raise ValidationError("请选择不满意的原因。", field="reason") from None
        try:
            with self.ctx.write() as s:
                hall_id = self.ctx.hall.id
                pad = verify_pad(s, hall_id, self.credential)
                stmt = select(Rating).where(Rating.id == rating_id, Rating.hall_id == hall_id)
                if s.get_bind().dialect.name == "postgresql":
                    stmt = stmt.with_for_update()
                rating = s.scalars(stmt).first()
                if rating is None:
                    raise NotFound("找不到该评价。")
                if rating.pad_id != pad.id:
                    raise PermissionDenied("只能由作出评价的评价器补充原因。")
                if rating.level != RatingLevel.DISSATISFIED or rating.reason is not None:
                    raise IllegalTransition("原因已记录,谢谢您。")
                now = self.ctx.now()
                if not explain_open(rating.rated_at, now,
                                    self.timeout_seconds(s.get(Hall, hall_id))):
                    raise IllegalTransition(TOO_LATE)
                self.ctx.checkpoint("rating.explain")
                changed = s.execute(
                    update(Rating)
                    .where(Rating.id == rating.id, Rating.reason.is_(None),
                           Rating.level == RatingLevel.DISSATISFIED.value)
                    .values(reason=why.value, wants_contact=wants_contact, explained_at=now)
                    .execution_options(synchronize_session=False))
                if changed.rowcount != 1:  # type: ignore[attr-defined]
                    raise IllegalTransition("原因已记录,谢谢您。")
                follow_up_id = None
                if wants_contact:
                    follow_up = RatingFollowUp(hall_id=hall_id, rating_id=rating.id,
                                               ticket_id=rating.ticket_id, opened_at=now,
                                               state="open")
                    s.add(follow_up)
                    s.flush()
                    follow_up_id = follow_up.id
                self.ctx.notify(s, TOPIC)
                self.ctx.notify(s, "alerts")
                return RatingReceipt(rating.id, rating.ticket_id, rating.level, follow_up_id)
        except IntegrityError as exc:
            raise IllegalTransition("原因已记录,谢谢您。") from exc
