"""Weeks of complaints worked through the real service (for the analysis view's tests and
screenshot): registered at the demo hall's counters by its clerks, most replied before
closing, some late, some closed satisfied, a few signed off unsatisfied, some still open.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hall_app.services.complaints import ComplaintDraft

SH = ZoneInfo("Asia/Shanghai")
CATEGORIES = (("attitude", 35), ("fees", 28), ("waiting", 27), ("pushy_selling", 12),
              ("technique", 10), ("after_sales", 6), ("advertising", 4), ("other", 8))


def seed_weeks(hall, end: date, weeks: int = 8, seed: int = 15) -> int:  # type: ignore[no-untyped-def]
    """Complaints on every open day of the `weeks` weeks up to `end`; returns how many."""
    rng = random.Random(seed)
    clock = hall.ctx.clock
    keep = clock.now()
    manager = hall.auth.login("2001", "2468")
    clerks = [hall.auth.login(no, "1234") for no in ("1001", "1002", "1003", "1004")]
    counters = {c.number: c.id for c in hall.queries.counters()}
    svc = hall.complaints
    start = end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)
    n = 0
    day = start
    while day <= end:
        # More complaints in the middle weeks, fewer late replies towards the end.
        per_day = rng.choice((0, 1, 1, 2, 2, 3))
        for _ in range(per_day):
            at = datetime.combine(day, time(9, 0), tzinfo=SH) + timedelta(
                minutes=rng.randrange(0, 7 * 60))
            clock.set(at)
            k = rng.randrange(4)
            clerk = clerks[k]
            category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
            cid = svc.register(clerk, ComplaintDraft(
                channel=rng.choice(("counter", "counter", "phone")), customer_name="客户",
                phone="13800001111", category=category, description="客户反映的问题",
                counter_id=counters[k + 1], clerk_id=clerk.staff_id)).id
            n += 1
            roll = rng.random()
            if roll < 0.08 and day > end - timedelta(days=3):
                continue  # still being handled
            svc.start(clerk, cid)
            svc.propose_resolution(clerk, cid, "致歉并按规定处理")
            svc.approve(manager, cid)
            late = roll > 0.82 - 0.02 * ((day - start).days // 7)
            clock.set(datetime.combine(day, time(19, 30), tzinfo=SH) if late
                      else min(at + timedelta(minutes=rng.randrange(20, 90)),
                               datetime.combine(day, time(17, 55), tzinfo=SH)))
            svc.reply(clerk, cid, "非常抱歉,已按规定为您处理。")
            if rng.random() < 0.15:
                svc.reopen(clerk, cid, "客户不接受答复")
                continue
            visit = datetime.combine(day + timedelta(days=1), time(10, 0), tzinfo=SH) + \
                timedelta(minutes=rng.randrange(0, 6 * 60))
            svc.sign_agreement(clerk, cid, "致歉并按规定处理", "客户", visit)
            clock.set(visit)
            if rng.random() < 0.1:
                svc.sign_off(manager, cid, "已按公司规定补偿,客户仍要求额外赔偿")
            else:
                svc.follow_up(clerk, cid, "satisfied", "电话回访,客户满意")
                svc.close(clerk, cid)
        day += timedelta(days=1)
    clock.set(keep)
    return n
