"""`ReportService`: the daily metrics of the context's hall as one read transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from db.models import Hall
from hall_app.errors import NotFound
from hall_app.metrics.daily import daily_metrics
from hall_app.metrics.model import DailyMetrics
from hall_app.services.context import ServiceContext


class ReportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def daily(self, day: date) -> DailyMetrics:
        """Figures of `day` (a business day in the hall's zone) as of the clock's now."""
        with self.ctx.read() as s:
            hall_row = s.scalars(select(Hall).where(Hall.code == self.ctx.hall_code)).first()
            if hall_row is None:
                raise NotFound(f"找不到营业厅「{self.ctx.hall_code}」,请检查营业厅代码。")
            th = self.ctx.thresholds(hall_row)
            return daily_metrics(s, hall_row, day, self.ctx.now(),
                                 th.service_level_target_pct, th.walkaway_rate_target_pct,
                                 th.satisfaction_target_pct)


def report_service(services: object) -> ReportService:
    """The report service for a `HallServices` facade (or anything with `.ctx`)."""
    existing = getattr(services, "reports", None)
    if isinstance(existing, ReportService):
        return existing
    return ReportService(services.ctx)  # type: ignore[attr-defined]
