"""The configuration rows a report lists: services, counters and staff that had activity,
and the hall's opening hours (which days it opens, and the hours of a day).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Counter, OpeningHours, ServiceType, Staff


class ConfigRows:
    def __init__(self, s: Session, hall_id: int) -> None:
        self.s, self.hid = s, hall_id

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

    def _hours(self) -> dict[int, OpeningHours]:
        return {row.weekday: row for row in self.s.scalars(
            select(OpeningHours).where(OpeningHours.hall_id == self.hid))}

    def opens_on(self, day: date) -> bool | None:
        """Whether the opening hours say the hall opens that weekday (None: not configured)."""
        rows = self._hours()
        if not rows:
            return None
        row = rows.get(day.weekday())
        return row is not None and row.opens is not None and row.closes is not None

    def opening_hours_range(self, day: date) -> set[int]:
        row = self._hours().get(day.weekday())
        if row is None or row.opens is None or row.closes is None:
            return set()
        last = row.closes.hour - (1 if row.closes.minute == 0 else 0)
        return set(range(row.opens.hour, last + 1))
