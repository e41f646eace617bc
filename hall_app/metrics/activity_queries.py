"""Everything of the report's period besides tickets, for its tables: counter sessions and
pauses (clipped to the period, pauses by reason and kind), incidents (clipped, with the
customers waiting during each), complaints (categories by name; names and phones masked;
how the period's closed ones ended; 通报), cash exchanges by counter and clerk,
escalations with their outcome, and whether anything happened at all. The scope has
one group (0), the period (docs/metrics.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from db.models import (
    CashExchange,
    Complaint,
    ComplaintNotice,
    Counter,
    CounterPause,
    CounterService,
    CounterSession,
    Escalation,
    Incident,
    IncidentCounter,
    Staff,
    Ticket,
)
from hall_app.domain.keys import local_number
from hall_app.domain.tickets import STATE_LABELS
from hall_app.metrics.headline_queries import SESSION_LOOKBACK
from hall_app.metrics.journeys import customer_key
from hall_app.metrics.masking import mask
from hall_app.metrics.model import (
    CashRow,
    ComplaintRow,
    ComplaintSummary,
    EscalationRow,
    IncidentRow,
    NoticeRow,
    SignedOffRow,
)
from hall_app.metrics.scope import Scope
from hall_app.metrics.sqlparts import (
    clipped_seconds,
    earlier_of,
    later_of,
    overlaps,
    ts,
    whole_seconds,
)
from hall_app.services.complaints import sql as complaint_sql

T = Ticket


class ActivityQueries:
    def __init__(self, scope: Scope) -> None:
        self.scope, self.s = scope, scope.s

    def any_activity(self) -> bool:
        """Sessions, incidents or complaints without tickets still make a report."""
        sc = self.scope
        checks = [
            select(CounterSession.id).where(self._interval_filter(CounterSession)).limit(1),
            select(Incident.id).where(
                Incident.hall_id == sc.hid,
                overlaps(Incident.started_at, Incident.ended_at, sc.lo, sc.as_of)).limit(1),
            select(Complaint.id).where(Complaint.hall_id == sc.hid,
                                       sc.at_range(Complaint.received_at)).limit(1),
        ]
        return any(self.s.scalar(c) is not None for c in checks)

    # -- sessions and pauses ---------------------------------------------------------------
    def _interval_filter(self, model: Any) -> Any:
        sc = self.scope
        return and_(model.hall_id == sc.hid,
                    model.started_at >= ts(sc.lo - SESSION_LOOKBACK),
                    overlaps(model.started_at, model.ended_at, sc.lo, sc.as_of))

    def _clipped(self, model: Any) -> Any:
        sc = self.scope
        end = func.coalesce(model.ended_at, ts(sc.as_of))
        return clipped_seconds(model.started_at, end, sc.lo, sc.as_of)

    def session_seconds(self) -> dict[str, dict[int, float]]:
        secs = func.sum(self._clipped(CounterSession))
        out: dict[str, dict[int, float]] = {}
        for name, col in (("counter", CounterSession.counter_id),
                          ("staff", CounterSession.staff_id)):
            rows = self.s.execute(select(col, secs).where(self._interval_filter(CounterSession))
                                  .group_by(col))
            out[name] = {k: max(0.0, round(float(v or 0))) for k, v in rows}
        return out

    def pauses(self) -> dict[str, dict[tuple[int, str, str], tuple[int, float]]]:
        """counter / staff → {(id, reason, kind): (count, seconds)}; kind is the pause's
        `counter_pause.kind` ("recovery": a 调整情绪 break a manager granted)."""
        secs = func.sum(self._clipped(CounterPause))
        out: dict[str, dict[tuple[int, str, str], tuple[int, float]]] = {}
        for name, col in (("counter", CounterPause.counter_id), ("staff", CounterPause.staff_id)):
            rows = self.s.execute(
                select(col, CounterPause.reason, CounterPause.kind, func.count(), secs)
                .where(self._interval_filter(CounterPause), col.is_not(None))
                .group_by(col, CounterPause.reason, CounterPause.kind))
            out[name] = {(k, reason, kind or "normal"): (int(n), max(0.0, round(float(v or 0))))
                         for k, reason, kind, n, v in rows}
        return out

    # -- incidents ---------------------------------------------------------------------------
    def incidents(self) -> tuple[IncidentRow, ...]:
        sc = self.scope
        inc_end = func.coalesce(Incident.ended_at, ts(sc.as_of))
        clip_lo = later_of(Incident.started_at, sc.lo)
        clip_hi = earlier_of(inc_end, sc.as_of)
        # A row is waiting from its creation (continuations: the transfer) until it is
        # first called, or until it ends without a call, or until the report time.
        wait_end = func.coalesce(T.first_called_at, T.ended_at, ts(sc.as_of))
        # A counter incident concerns the customers waiting for that counter's services;
        # one that names no counter, the whole hall. Both subqueries belong to the incident
        # row of the outer statement (explicit correlation across the two levels).
        named = (select(IncidentCounter.id).where(IncidentCounter.incident_id == Incident.id)
                 .correlate(Incident))
        counter_services = (
            select(CounterService.service_id)
            .join(IncidentCounter, IncidentCounter.counter_id == CounterService.counter_id)
            .where(IncidentCounter.incident_id == Incident.id).correlate(Incident))
        waiting = (
            select(func.count(func.distinct(customer_key())))
            .where(sc.ticket_range(), T.created_at < clip_hi, wait_end > clip_lo,
                   or_(~named.exists(), T.service_id.in_(counter_services)))
            .correlate(Incident).scalar_subquery())
        rows = self.s.execute(
            select(Incident.id, Incident.kind, Incident.category, Incident.notice,
                   Incident.started_at, Incident.ended_at, whole_seconds(clip_lo, clip_hi),
                   waiting)
            .where(Incident.hall_id == sc.hid,
                   overlaps(Incident.started_at, Incident.ended_at, sc.lo, sc.as_of))
            .order_by(Incident.started_at, Incident.id)).all()
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
                        started_at=sc.local(start),  # type: ignore[arg-type]
                        ended_at=sc.local(end),
                        minutes=max(0, int(secs or 0)) / 60.0,
                        counter_numbers=tuple(numbers.get(iid, ())),
                        waiting_customers=int(n or 0), seconds=max(0, int(secs or 0)))
            for iid, kind, cat, notice, start, end, secs, n in rows)

    # -- complaints --------------------------------------------------------------------------
    def complaints(self, category_names: Mapping[str, str]) -> ComplaintSummary:
        """The period's complaints (received during it), and those closed during it.

        Replied on time and overdue are the complaint service's own definitions
        (hall_app.services.complaints.sql): by the stored reply deadline, judged at the
        report's as-of time.
        """
        sc = self.scope
        day_filter = and_(Complaint.hall_id == sc.hid, sc.at_range(Complaint.received_at))
        same_day = complaint_sql.replied_on_time()
        overdue = complaint_sql.overdue(ts(sc.as_of))
        closed = self._closed(category_names)
        notices = self._notices()
        total, n_overdue, n_same, n_escalated = self.s.execute(
            select(func.count(), func.sum(case((overdue, 1), else_=0)),
                   func.sum(case((same_day, 1), else_=0)),
                   func.sum(case((Complaint.escalated.is_(True), 1), else_=0)))
            .where(day_filter)).one()
        if not total:
            return ComplaintSummary(closed_by_kind=closed[0], signed_off=closed[1],
                                    notices=notices)
        by_code = self.s.execute(
            select(Complaint.category, func.count()).where(day_filter)
            .group_by(Complaint.category)).all()
        named: dict[str, int] = defaultdict(int)
        for code, n in by_code:
            named[category_names.get(code, code)] += int(n)
        by_cat = tuple(sorted(named.items(), key=lambda kv: (-kv[1], kv[0])))
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
            ComplaintRow(id=cid, received_at=sc.local(at),  # type: ignore[arg-type]
                         channel=ch, category=cat, state=st,
                         customer_name=_mask_name(name), phone_masked=mask(phone),
                         counter_number=num, replied_same_day=bool(sd), overdue=bool(od),
                         category_name=category_names.get(cat, cat), close_kind=kind,
                         escalated=bool(esc), number=local_number(cid) or 0)
            for cid, at, ch, cat, st, name, phone, num, sd, od, kind, esc in listed)
        return ComplaintSummary(
            total=int(total), by_category=by_cat,
            by_state=tuple((st, int(n)) for st, n in by_state),
            overdue=int(n_overdue or 0), replied_same_day=int(n_same or 0), rows=rows,
            escalated=int(n_escalated or 0), closed_by_kind=closed[0], signed_off=closed[1],
            notices=notices)

    def _closed(self, category_names: Mapping[str, str]
                ) -> tuple[tuple[tuple[str, int], ...], tuple[SignedOffRow, ...]]:
        """Complaints closed during the period (whenever received): count by how they
        ended, and the 未满意结案 with the manager's reason."""
        sc = self.scope
        closed = and_(Complaint.hall_id == sc.hid, sc.at_range(Complaint.closed_at),
                      Complaint.closed_at <= ts(sc.as_of), Complaint.close_kind.is_not(None))
        kinds = self.s.execute(select(Complaint.close_kind, func.count()).where(closed)
                               .group_by(Complaint.close_kind)
                               .order_by(Complaint.close_kind)).all()
        signed = self.s.execute(
            select(Complaint.id, Complaint.category, Complaint.close_reason)
            .where(closed, Complaint.close_kind == "signed_off")
            .order_by(Complaint.closed_at, Complaint.id)).all()
        return (tuple((str(k), int(n)) for k, n in kinds),
                tuple(SignedOffRow(local_number(i) or 0, category_names.get(cat, cat), r or "")
                      for i, cat, r in signed))

    def _notices(self) -> tuple[NoticeRow, ...]:
        sc = self.scope
        rows = self.s.execute(
            select(ComplaintNotice.issued_at, Staff.name, ComplaintNotice.title,
                   ComplaintNotice.lessons)
            .outerjoin(Staff, Staff.id == ComplaintNotice.issued_by)
            .where(ComplaintNotice.hall_id == sc.hid, sc.at_range(ComplaintNotice.issued_at))
            .order_by(ComplaintNotice.issued_at, ComplaintNotice.id)).all()
        return tuple(NoticeRow(sc.local(at), name or "", title, lessons)  # type: ignore[arg-type]
                     for at, name, title, lessons in rows)

    # -- cash --------------------------------------------------------------------------------
    def cash(self) -> tuple[CashRow, ...]:
        sc = self.scope
        rows = self.s.execute(
            select(Counter.number, Staff.staff_no, Staff.name, func.count(),
                   func.sum(CashExchange.due_fen), func.sum(CashExchange.received_fen),
                   func.sum(CashExchange.change_fen))
            .select_from(CashExchange)
            .outerjoin(Counter, Counter.id == CashExchange.counter_id)
            .join(Staff, Staff.id == CashExchange.staff_id)
            .where(CashExchange.hall_id == sc.hid, sc.at_range(CashExchange.at))
            .group_by(Counter.number, Staff.staff_no, Staff.name)
            .order_by(Counter.number, Staff.staff_no)).all()
        return tuple(CashRow(num, no, name, int(n), int(d or 0), int(r or 0), int(c or 0))
                     for num, no, name, n, d, r, c in rows)

    # -- escalations -------------------------------------------------------------------------
    def escalations(self) -> tuple[EscalationRow, ...]:
        sc = self.scope
        resolver = aliased(Staff)
        rows = self.s.execute(
            select(Escalation.id, Escalation.raised_at, Counter.number, Staff.staff_no,
                   Staff.name, T.code, Escalation.reason, Escalation.resolved_at, resolver.name,
                   Escalation.ticket_id, customer_key())
            .select_from(Escalation)
            .outerjoin(Counter, Counter.id == Escalation.counter_id)
            .outerjoin(Staff, Staff.id == Escalation.staff_id)
            .outerjoin(resolver, resolver.id == Escalation.resolved_by)
            .outerjoin(T, T.id == Escalation.ticket_id)
            .where(Escalation.hall_id == sc.hid, sc.at_range(Escalation.raised_at))
            .order_by(Escalation.raised_at, Escalation.id)).all()
        customers = {r[10] for r in rows if r[10] is not None}
        finals: dict[int, str] = {}
        if customers:
            # Restricted to the named tickets' own days, so this stays an index range.
            days = list(self.s.scalars(
                select(T.business_day).where(T.id.in_(customers)).distinct()))
            finals = {int(k): st for k, st in self.s.execute(
                select(customer_key(), T.state)
                .where(T.hall_id == sc.hid, T.business_day.in_(days),
                       or_(T.id.in_(customers), T.origin_ticket_id.in_(customers)),
                       T.state != "transferred"))}
        return tuple(
            EscalationRow(
                id=eid, raised_at=sc.local(raised),  # type: ignore[arg-type]
                counter_number=num, staff_no=no, clerk_name=name, ticket_code=code,
                reason=reason, resolved_at=sc.local(resolved), resolver_name=rname,
                customer_outcome=(STATE_LABELS.get(finals[cust], finals[cust])
                                  if cust in finals else None))
            for eid, raised, num, no, name, code, reason, resolved, rname, _tid, cust in rows)


def _mask_name(name: str | None) -> str:
    """王芳 → 王*, 欧阳娜娜 → 欧***: the surname is enough on paper."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
