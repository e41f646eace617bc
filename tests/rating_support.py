"""Helpers shared by the rating tests: serve a customer to 办结, bind a pad, read ratings."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Rating, RatingFollowUp
from hall_app.services.ratings import PadCredential, RatingService


def service_id(hall, code: str) -> int:
    return next(s.id for s in hall.queries.services() if s.code == code)


def counter_id(hall, number: int) -> int:
    return hall.queries.counter_for_number(number).id


def serve(hall, clerk, counter: int, code: str = "PAY", *, seconds: float = 120,
          finish: bool = True):
    """Issue a ticket for `code`, call it at `counter`, start it, and (by default) finish it
    after `seconds` on the hall's ManualClock. Returns the TicketInfo."""
    hall.tickets.issue(service_id(hall, code))
    called = hall.tickets.call_next(clerk, counter)
    hall.ctx.clock.advance(seconds=20)
    hall.tickets.start(clerk, called.id, counter)
    hall.ctx.clock.advance(seconds=seconds)
    if not finish:
        return called
    return hall.tickets.finish(clerk, called.id, counter)


def bind_pad(hall, manager, counter: int) -> PadCredential:
    return hall.pads.bind(manager, counter)


def pad_for(hall, credential: PadCredential) -> RatingService:
    return RatingService(hall.ctx, credential)


def ratings(hall) -> list[Rating]:
    with hall.ctx.read() as s:
        return list(s.scalars(select(Rating).order_by(Rating.id)).all())


def follow_ups(hall) -> list[RatingFollowUp]:
    with hall.ctx.read() as s:
        return list(s.scalars(select(RatingFollowUp).order_by(RatingFollowUp.id)).all())
