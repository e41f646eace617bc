"""An oracle for the rating tables, run over a whole simulated day on both databases.

Every stored rating must be explainable by the rules: its ticket ended done at the
pad's counter, it was given within the timeout (未评价 only after it), the clerk is the
one who served, a reason only goes with 不满意, and a follow-up only with a contact wish.
"""

from __future__ import annotations

from datetime import timedelta

from conftest import DEMO_NOW
from sqlalchemy import func, select

from db.models import Rating, RatingFollowUp, RatingPad, Ticket
from hall_app.demo.simulate import SimParams, simulate_day
from hall_app.domain.ratings import TAP_GRACE_SECONDS


def rating_violations(hall) -> list[str]:
    timeout = hall.ctx.thresholds().rating_timeout_seconds
    problems = []
    with hall.ctx.read() as s:
        rows = s.execute(select(Rating, Ticket, RatingPad)
                         .join(Ticket, Ticket.id == Rating.ticket_id)
                         .join(RatingPad, RatingPad.id == Rating.pad_id)).all()
        follow = dict(s.execute(select(RatingFollowUp.rating_id, func.count())
                                .group_by(RatingFollowUp.rating_id)).tuples().all())
    for r, t, pad in rows:
        where = f"rating {r.id} ({t.code})"
        if t.state != "done" or t.finished_at != r.finished_at:
            problems.append(f"{where}: ticket not done or finish time differs")
        if not (r.counter_id == t.counter_id == pad.counter_id):
            problems.append(f"{where}: counter of rating, ticket and pad differ")
        if r.staff_id != t.staff_id or r.service_id != t.service_id:
            problems.append(f"{where}: not the serving clerk / service")
        waited = r.rated_at - r.finished_at
        if r.level == "unrated" and waited < timedelta(seconds=timeout):
            problems.append(f"{where}: 未评价 recorded before the timeout")
        if r.level != "unrated" and waited > timedelta(seconds=timeout + TAP_GRACE_SECONDS):
            problems.append(f"{where}: rated after the timeout")
        if r.reason is not None and r.level != "dissatisfied":
            problems.append(f"{where}: a reason without 不满意")
        if follow.get(r.id, 0) != (1 if r.wants_contact else 0):
            problems.append(f"{where}: follow-ups do not match the contact wish")
    return problems


def test_a_simulated_day_leaves_only_explainable_ratings(hall):
    simulate_day(hall, DEMO_NOW.date(), seed=5, params=SimParams(arrivals_per_hour=25))
    with hall.ctx.read() as s:
        levels = dict(s.execute(select(Rating.level, func.count())
                                .group_by(Rating.level)).tuples().all())
        tickets = int(s.scalar(select(func.count(Rating.ticket_id.distinct()))) or 0)
    assert sum(levels.values()) == tickets > 50  # one rating per ticket
    assert levels.get("unrated", 0) > 0 and levels.get("dissatisfied", 0) > 0
    assert rating_violations(hall) == []
    # The oracle is not vacuous: a 未评价 written at 办结 (a suppressed rating) is caught.
    with hall.ctx.write() as s:
        row = s.scalars(select(Rating).where(Rating.level == "unrated").limit(1)).one()
        row.rated_at = row.finished_at
    assert [p for p in rating_violations(hall) if "before the timeout" in p] != []
