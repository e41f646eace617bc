"""The overview's day figures on a small hall, worked out by hand: hour edges to the
microsecond, a transferred customer counted once, the long-wait alert moving on, a
调整情绪 break longer than the usual pause alert."""

from __future__ import annotations

from datetime import timedelta

from hall_app.services.complaints import ComplaintDraft
from hall_app.services.overview import OverviewService


def test_small_day_by_hand(hall, clerk, manager, clock):
    overview = OverviewService(hall.ctx)  # one overview, refreshed again and again
    services = {s.code: s.id for s in hall.queries.services()}
    c1 = hall.queries.counter_for_number(1).id
    hall.counters.sign_in(clerk, c1)
    clock.advance(seconds=-0.000001)  # 09:59:59.999999: still the 9 o'clock hour
    first = hall.tickets.issue(services["PAY"])
    clock.advance(seconds=0.000001)  # 10:00:00 sharp: the 10 o'clock hour
    second = hall.tickets.issue(services["PAY"])
    called = hall.tickets.call_next(clerk, c1)
    assert called.id == first.id
    hall.tickets.start(clerk, first.id, c1)
    moved = hall.tickets.transfer(manager, second.id, to_service_id=services["SIM"])
    clock.advance(minutes=60)  # 11:00:00 sharp: finished in the 11 o'clock hour
    hall.tickets.finish(clerk, first.id, c1)

    snap = overview.snapshot()
    f = snap.figures
    # Two customers arrived (the transfer is the same customer), one served, one waiting.
    assert (f.arrived, f.served, f.walkaways, f.waiting, f.in_service) == (2, 1, 0, 1, 0)
    assert f.avg_service_seconds == 3600
    hourly = {h.hour: (h.arrivals, h.served) for h in snap.hourly}
    assert (hourly[9], hourly[10], hourly[11]) == ((1, 0), (1, 0), (0, 1))
    assert sum(a for a, _ in hourly.values()) == 2 and sum(s for _, s in hourly.values()) == 1
    queues = {q.code: q for q in snap.queues}
    assert queues["PAY"].waiting == 0 and queues["SIM"].waiting == 1
    # The transferred customer keeps their place: the original time of issue.
    assert queues["SIM"].oldest_issued_at == second.issued_at
    assert [w.code for w in snap.waiting] == [second.code]
    assert snap.waiting[0].id == moved.id and snap.waiting[0].service_name == "补卡换卡"
    assert (snap.day_status.issued, snap.day_status.served, snap.day_status.waiting) == (2, 1, 1)
    assert snap.satisfaction.figures.served == 1

    longwait = [a for a in snap.alerts if a.kind == "longwait"]
    assert [a.title for a in longwait] == [f"{second.code}号已等候60分钟"]
    clock.advance(minutes=1)
    again = [a for a in overview.snapshot().alerts if a.kind == "longwait"]
    assert [a.title for a in again] == [f"{second.code}号已等候61分钟"]
    assert again[0].since == second.issued_at + timedelta(minutes=queues["SIM"].long_wait_minutes)

    # A 30-minute 调整情绪 break: no pause alert at 20 minutes (the usual limit is 15),
    # one once the granted 30 minutes have passed.
    complaint = hall.complaints.register(clerk, ComplaintDraft(
        channel="counter", customer_name="王先生", phone="13812345678", category="attitude",
        description="营业员态度冷淡。", expectation="希望道歉", ticket_id=first.id)).id
    hall.staff_care.grant_recovery_break(manager, clerk.staff_id, 30, complaint)
    clock.advance(minutes=20)
    assert not [a for a in overview.snapshot().alerts if a.kind == "pause"]
    clock.advance(minutes=11)
    assert [a.title for a in overview.snapshot().alerts if a.kind == "pause"] == \
        ["1号窗口暂停已31分钟"]


def test_customers_still_waiting_count_as_arrived_in_the_hour_they_took_a_ticket(
        hall, manager, clock):
    # The waiting are counted apart from the rest of the day (overview_reads.queue_groups):
    # they must still show as arrivals, in their hour, and a transfer still as one customer.
    overview = OverviewService(hall.ctx)
    services = {s.code: s.id for s in hall.queries.services()}
    early = hall.tickets.issue(services["PAY"])  # 10:00
    clock.advance(minutes=70)  # 11:10
    hall.tickets.issue(services["SIM"])
    moved = hall.tickets.issue(services["PAY"])
    hall.tickets.transfer(manager, moved.id, to_service_id=services["SIM"])

    snap = overview.snapshot()
    f = snap.figures
    assert (f.arrived, f.waiting, f.served, f.in_service) == (3, 3, 0, 0)
    hourly = {h.hour: h.arrivals for h in snap.hourly}
    assert (hourly[10], hourly[11]) == (1, 2)
    assert sum(hourly.values()) == 3
    assert (snap.day_status.issued, snap.day_status.waiting) == (3, 3)
    assert sum(b.count for b in snap.wait_buckets) == 3
    queues = {q.code: q.waiting for q in snap.queues}
    assert (queues["PAY"], queues["SIM"]) == (1, 2)
    assert snap.waiting[0].id == early.id
