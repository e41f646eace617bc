"""The configuration rows a daily report lists: services, counters and staff that had
activity, and the day's opening hours.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from db.models import Counter, OpeningHours, ServiceType, Staff
from hall_app.metrics.window import DayScope


class ConfigRows(DayScope):
    def services(self) -> list[ServiceType]:
        return list(self.s.scalars(select(ServiceType).where(ServiceType.hall_id == self.hid)
                                   .order_by(ServiceType.sort_order, ServiceType.id)))

    def counters(self, ids: Iterable[int]) -> list[Counter]:
        ids = list(ids)
        if not ids:
            return []
        return list(self.s.scalars(select(Counter).where(Counter.id.in_(ids))
                                   .order_by(Counter.number)))

    def staff(self, ids: Iterable[int]) -> list[Staff]:
        ids = list(ids)
        if not ids:
            return []
        return list(self.s.scalars(select(Staff).where(Staff.id.in_(ids))
                                   .order_by(Staff.staff_no)))

    def opening_hours_range(self) -> set[int]:
        row = self.s.scalars(select(OpeningHours).where(
            OpeningHours.hall_id == self.hid,
            OpeningHours.weekday == self.w.day.weekday())).first()
        if row is None or row.opens is None or row.closes is None:
            return set()
        last = row.closes.hour - (1 if row.closes.minute == 0 else 0)
        return set(range(row.opens.hour, last + 1))
