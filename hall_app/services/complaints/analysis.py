"""The duty manager's complaint analysis (投诉分析): complaints received in a period by
category (beside the published survey's shares), by counter and by clerk, the weekly
trend, the same-day reply rate against the hall's target, how they ended, and the
complaints closed unsatisfied (未满意结案) with who signed them off and why.

All figures are SQL aggregates over `complaint` (grouped rows only come to Python); the
definitions are those of `sql.py`, the same as the daily report's.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from db.models import Complaint, ComplaintHistory, Counter, Staff
from hall_app.domain.complaints import ComplaintAction
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ValidationError
from hall_app.services.complaints import sql
from hall_app.services.complaints.base import ComplaintBase
from hall_app.services.complaints.models import (
    CategoryShare,
    ComplaintAnalysis,
    GroupCount,
    SignedOffCase,
    WeekRow,
)

MAX_DAYS = 370


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class ComplaintAnalysisQueries(ComplaintBase):
    def analysis(self, actor: Actor, day_from: date, day_to: date) -> ComplaintAnalysis:
        if day_to < day_from:
            raise ValidationError("结束日期不能早于开始日期。", field="day_to")
        if (day_to - day_from).days > MAX_DAYS:
            raise ValidationError(f"分析期间不能超过{MAX_DAYS}天。", field="day_from")
        base = and_(Complaint.hall_id == self.ctx.hall.id, Complaint.business_day >= day_from,
                    Complaint.business_day <= day_to)
        n = sql.count_if
        on_time, escalated = n(sql.replied_on_time()), n(Complaint.escalated.is_(True))
        with self.ctx.acting(actor, Permission.ISSUE_NOTICE, read_only=True) as s:
            target = self._thresholds(s).complaint_same_day_target_pct
            total, on_time_n, esc_n, open_n, satisfied, signed_off, nuisance = (
                int(v) for v in s.execute(select(
                    func.count(Complaint.id), on_time, escalated, n(sql.is_open()),
                    n(Complaint.close_kind == "satisfied"),
                    n(Complaint.close_kind == "signed_off"),
                    n(Complaint.close_kind == "nuisance")).where(base)).one())
            cats = dict(s.execute(select(Complaint.category, func.count(Complaint.id))
                                  .where(base).group_by(Complaint.category)).tuples().all())
            counters = s.execute(
                select(Counter.number, func.count(Complaint.id), on_time, escalated)
                .select_from(Complaint).outerjoin(Counter, Counter.id == Complaint.counter_id)
                .where(base).group_by(Counter.number)
                .order_by(func.count(Complaint.id).desc(), Counter.number)).all()
            clerk = aliased(Staff)
            clerks = s.execute(
                select(clerk.staff_no, clerk.name, func.count(Complaint.id), on_time, escalated)
                .select_from(Complaint).outerjoin(clerk, clerk.id == Complaint.clerk_id)
                .where(base).group_by(clerk.staff_no, clerk.name)
                .order_by(func.count(Complaint.id).desc(), clerk.staff_no)).all()
            days = s.execute(select(Complaint.business_day, func.count(Complaint.id), on_time)
                             .where(base).group_by(Complaint.business_day)).all()
            cases = self._signed_off(s, base)
        known = {c.code: c for c in self.categories()}
        by_category = tuple(CategoryShare(c.code, c.name, int(cats.get(c.code, 0)), c.share)
                            for c in self.categories())
        by_category += tuple(CategoryShare(code, code, int(cnt), 0.0)
                             for code, cnt in sorted(cats.items()) if code not in known)
        return ComplaintAnalysis(
            day_from=day_from, day_to=day_to, total=total, replied_on_time=on_time_n,
            target_pct=target, by_category=by_category,
            by_counter=tuple(GroupCount(f"{num}号窗口" if num else "(未关联窗口)", int(c),
                                        int(t), int(e)) for num, c, t, e in counters),
            by_clerk=tuple(GroupCount(f"{name}({no})" if name else "(未关联营业员)", int(c),
                                      int(t), int(e)) for no, name, c, t, e in clerks),
            weeks=_weeks(day_from, day_to, [(d, int(c), int(t)) for d, c, t in days]),
            escalated=esc_n, open=open_n, closed_satisfied=satisfied, signed_off=signed_off,
            nuisance=nuisance, signed_off_cases=cases)

    def _signed_off(self, s, base) -> tuple[SignedOffCase, ...]:  # type: ignore[no-untyped-def]
        signer = aliased(Staff)
        rows = s.execute(
            select(Complaint.id, Complaint.received_at, Complaint.category, Complaint.closed_at,
                   Complaint.close_reason, signer.name, ComplaintHistory.id)
            .outerjoin(ComplaintHistory, and_(
                ComplaintHistory.complaint_id == Complaint.id,
                ComplaintHistory.action == ComplaintAction.SIGN_OFF.value))
            .outerjoin(signer, signer.id == ComplaintHistory.staff_id)
            .where(base, Complaint.close_kind == "signed_off")
            .order_by(Complaint.closed_at.desc(), Complaint.id, ComplaintHistory.id)
            .limit(500)).all()
        last: dict[int, SignedOffCase] = {}
        for cid, received, cat, closed, reason, name, _hid in rows:
            last[cid] = SignedOffCase(cid, received, self._category_name(cat), closed,
                                      name or "(迁移前按不满意结案)", reason or "")
        return tuple(last.values())


def _weeks(day_from: date, day_to: date,
           days: list[tuple[date, int, int]]) -> tuple[WeekRow, ...]:
    """Fold day counts into Monday-based weeks, every week of the period listed."""
    totals: dict[date, list[int]] = {}
    week = monday(day_from)
    while week <= day_to:
        totals[week] = [0, 0]
        week += timedelta(days=7)
    for day, count, on_time in days:
        slot = totals.setdefault(monday(day), [0, 0])
        slot[0] += count
        slot[1] += on_time
    return tuple(WeekRow(w, t[0], t[1]) for w, t in sorted(totals.items()))
