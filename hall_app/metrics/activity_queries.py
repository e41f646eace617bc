"""Everything of one day besides tickets: counter sessions and pauses (clipped to the
day; 调整情绪 breaks apart), incidents with the customers waiting during each,
complaints (names and phones masked; how the day's closed ones ended; 通报), cash
exchanges, and whether anything happened at all.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, select

from db.models import (
    CashExchange,
    Complaint,
    ComplaintNotice,
    Counter,
    CounterPause,
    CounterSession,
    Incident,
    IncidentCounter,
    Staff,
    Ticket,
)
from hall_app.metrics.masking import mask
from hall_app.metrics.model import ComplaintRow, ComplaintSummary, IncidentRow, NoticeRow
from hall_app.metrics.sqlparts import clipped_seconds, overlaps, seconds_between, ts
from hall_app.metrics.window import DayScope
from hall_app.services.complaints import sql as complaint_sql

T = Ticket
#: Sessions and pauses are closed at close of day; look this far back for ones that
#: began before the day (keeps the lookup an index range, not a scan of history).
SESSION_LOOKBACK = timedelta(hours=24)


class ActivityQueries(DayScope):
    def any_activity(self) -> bool:
        """Sessions, incidents or complaints on a day without tickets still make a report."""
        w = self.w
        checks = [
            select(CounterSession.id).where(
                CounterSession.hall_id == self.hid,
                overlaps(CounterSession.started_at, CounterSession.ended_at, w.start, w.end),
                CounterSession.started_at >= ts(w.start - SESSION_LOOKBACK)).limit(1),
            select(Incident.id).where(
                Incident.hall_id == self.hid,
                overlaps(Incident.started_at, Incident.ended_at, w.start, w.end)).limit(1),
            select(Complaint.id).where(Complaint.hall_id == self.hid,
                                       Complaint.received_at >= ts(w.start),
                                       Complaint.received_at < ts(w.end)).limit(1),
        ]
        return any(self.s.scalar(c) is not None for c in checks)

    def _interval_filter(self, model: Any) -> Any:
        w = self.w
        return and_(model.hall_id == self.hid,
                    model.started_at >= ts(w.start - SESSION_LOOKBACK),
                    overlaps(model.started_at, model.ended_at, w.start, w.end))

    def _clipped(self, model: Any) -> Any:
        w = self.w
        end = func.coalesce(model.ended_at, ts(w.as_of))
        return clipped_seconds(model.started_at, end, w.start, w.as_of)

    def session_seconds(self) -> dict[str, dict[int, float]]:
        secs = func.sum(self._clipped(CounterSession))
        out: dict[str, dict[int, float]] = {}
        for name, col in (("counter", CounterSession.counter_id),
                          ("staff", CounterSession.staff_id)):
            rows = self.s.execute(select(col, secs).where(self._interval_filter(CounterSession))
                                  .group_by(col))
            out[name] = {k: max(0.0, round(float(v or 0))) for k, v in rows}
        return out

    def pauses(self) -> dict[str, Any]:
        """Paused seconds per (counter, reason, recovery?) and per (staff, recovery?).

        A pause of kind "recovery" (调整情绪, granted after a hard complaint) is kept
        apart: the report does not count it as idle time.
        """
        secs = func.sum(self._clipped(CounterPause))
        recovery = CounterPause.kind == "recovery"
        rows = self.s.execute(
            select(CounterPause.counter_id, CounterPause.reason, recovery, func.count(), secs)
            .where(self._interval_filter(CounterPause))
            .group_by(CounterPause.counter_id, CounterPause.reason, recovery))
        by_counter = {(cid, reason, bool(rec)): (int(n), max(0.0, round(float(v or 0))))
                      for cid, reason, rec, n, v in rows}
        staff_rows = self.s.execute(
            select(CounterPause.staff_id, recovery, secs)
            .where(self._interval_filter(CounterPause), CounterPause.staff_id.is_not(None))
            .group_by(CounterPause.staff_id, recovery))
        return {"counter": by_counter,
                "staff": {(k, bool(rec)): max(0.0, round(float(v or 0)))
                          for k, rec, v in staff_rows}}

    def incidents(self) -> tuple[IncidentRow, ...]:
        w = self.w
        inc_end = func.coalesce(Incident.ended_at, ts(w.as_of))
        # A row is waiting from its creation (continuations: the transfer) until it is
        # first called, or until it ends without a call, or until the report time.
        wait_end = func.coalesce(T.first_called_at, T.ended_at, ts(w.as_of))
        customer = func.coalesce(T.origin_ticket_id, T.id)
        waiting = (
            select(func.count(func.distinct(customer)))
            .where(self.base, T.created_at < inc_end, wait_end > Incident.started_at)
            .scalar_subquery())
        minutes = seconds_between(Incident.started_at, inc_end) / 60.0
        rows = self.s.execute(
            select(Incident.id, Incident.kind, Incident.category, Incident.notice,
                   Incident.started_at, Incident.ended_at, minutes, waiting)
            .where(Incident.hall_id == self.hid,
                   overlaps(Incident.started_at, Incident.ended_at, w.start, w.end))
            .order_by(Incident.started_at)).all()
        numbers: dict[int, list[int]] = defaultdict(list)
        if rows:
            for iid, num in self.s.execute(
                    select(IncidentCounter.incident_id, Counter.number)
                    .join(Counter, Counter.id == IncidentCounter.counter_id)
                    .where(IncidentCounter.incident_id.in_([r[0] for r in rows]))
                    .order_by(Counter.number)):
                numbers[iid].append(num)
        return tuple(
            IncidentRow(id=iid, kind=kind, category=cat, notice=notice or "",
                        started_at=w.local(start), ended_at=w.local(end),  # type: ignore[arg-type]
                        minutes=round(max(0.0, float(mins or 0)), 1),
                        counter_numbers=tuple(numbers.get(iid, ())),
                        waiting_customers=int(n or 0))
            for iid, kind, cat, notice, start, end, mins, n in rows)

    def complaints(self) -> ComplaintSummary:
        """The day's complaints (received during it), and those closed during it."""
        w = self.w
        day_filter = and_(Complaint.hall_id == self.hid, Complaint.received_at >= ts(w.start),
                          Complaint.received_at < ts(w.end))
        # One definition with the complaint service (hall_app.services.complaints.sql).
        same_day = complaint_sql.replied_on_time()
        overdue = complaint_sql.overdue(ts(w.as_of))
        closed = self._closed_today()
        notices = self._notices()
        total, n_overdue, n_same, n_escalated = self.s.execute(
            select(func.count(), func.sum(case((overdue, 1), else_=0)),
                   func.sum(case((same_day, 1), else_=0)),
                   func.sum(case((Complaint.escalated.is_(True), 1), else_=0)))
            .where(day_filter)).one()
        if not total:
            return ComplaintSummary(closed_by_kind=closed[0], signed_off_reasons=closed[1],
                                    notices=notices)
        by_cat = self.s.execute(
            select(Complaint.category, func.count()).where(day_filter)
            .group_by(Complaint.category).order_by(func.count().desc(), Complaint.category)).all()
        by_state = self.s.execute(
            select(Complaint.state, func.count()).where(day_filter)
            .group_by(Complaint.state).order_by(func.count().desc(), Complaint.state)).all()
        listed = self.s.execute(
            select(Complaint.id, Complaint.received_at, Complaint.channel, Complaint.category,
                   Complaint.state, Complaint.customer_name, Complaint.phone, Counter.number,
                   case((same_day, 1), else_=0), case((overdue, 1), else_=0),
                   Complaint.close_kind, Complaint.escalated)
            .outerjoin(Counter, Counter.id == Complaint.counter_id)
            .where(day_filter).order_by(Complaint.received_at, Complaint.id)).all()
        rows = tuple(
            ComplaintRow(id=cid, received_at=w.local(at),  # type: ignore[arg-type]
                         channel=ch, category=cat, state=st,
                         customer_name=_mask_name(name), phone_masked=mask(phone),
                         counter_number=num, replied_same_day=bool(sd), overdue=bool(od),
                         close_kind=kind, escalated=bool(esc))
            for cid, at, ch, cat, st, name, phone, num, sd, od, kind, esc in listed)
        return ComplaintSummary(
            total=int(total), by_category=tuple((c, int(n)) for c, n in by_cat),
            by_state=tuple((st, int(n)) for st, n in by_state),
            overdue=int(n_overdue or 0), replied_same_day=int(n_same or 0), rows=rows,
            escalated=int(n_escalated or 0), closed_by_kind=closed[0],
            signed_off_reasons=closed[1], notices=notices)

    def _closed_today(self) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[int, str], ...]]:
        w = self.w
        closed = and_(Complaint.hall_id == self.hid, Complaint.closed_at >= ts(w.start),
                      Complaint.closed_at < ts(w.end), Complaint.close_kind.is_not(None))
        kinds = self.s.execute(select(Complaint.close_kind, func.count()).where(closed)
                               .group_by(Complaint.close_kind)
                               .order_by(Complaint.close_kind)).all()
        reasons = self.s.execute(select(Complaint.id, Complaint.close_reason).where(
            closed, Complaint.close_kind == "signed_off").order_by(Complaint.closed_at,
                                                                  Complaint.id)).all()
        return (tuple((str(k), int(n)) for k, n in kinds),
                tuple((int(i), r or "") for i, r in reasons))

    def _notices(self) -> tuple[NoticeRow, ...]:
        w = self.w
        rows = self.s.execute(
            select(ComplaintNotice.issued_at, Staff.name, ComplaintNotice.title,
                   ComplaintNotice.lessons)
            .outerjoin(Staff, Staff.id == ComplaintNotice.issued_by)
            .where(ComplaintNotice.hall_id == self.hid,
                   ComplaintNotice.issued_at >= ts(w.start), ComplaintNotice.issued_at < ts(w.end))
            .order_by(ComplaintNotice.issued_at, ComplaintNotice.id)).all()
        return tuple(NoticeRow(w.local(at), name or "", title, lessons)  # type: ignore[arg-type]
                     for at, name, title, lessons in rows)

    def cash(self) -> tuple[int, int]:
        n, fen = self.s.execute(
            select(func.count(), func.coalesce(func.sum(CashExchange.received_fen), 0))
            .where(CashExchange.hall_id == self.hid, CashExchange.at >= ts(self.w.start),
                   CashExchange.at < ts(self.w.end))).one()
        return int(n), int(fen or 0)


def _mask_name(name: str | None) -> str:
    """王芳 → 王*, 欧阳娜娜 → 欧***: the surname is enough on paper."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
