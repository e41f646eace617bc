"""`ReportService`: the figures of the context's hall as one read transaction.

    reports = ReportService(ctx)
    reports.daily(date(2026, 11, 25))               # a business day
    reports.period(Period.parse_week("2026-W48"))   # a week or a month, same definitions
    reports.report(Period.day(d))                   # figures + the printed sections
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from db.models import Hall
from hall_app.errors import NotFound
from hall_app.metrics.daily import period_metrics
from hall_app.metrics.headline_queries import Targets
from hall_app.metrics.model import DailyMetrics
from hall_app.metrics.period import Period
from hall_app.services.context import ServiceContext

if TYPE_CHECKING:
    from hall_app.metrics.sections import Report


class ReportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def category_names(self) -> dict[str, str]:
        """Complaint category code → the Chinese name in the hall's script book."""
        from hall_app.scripts import default_book, load_scripts

        path = self.ctx.settings.scripts_path
        book = load_scripts(path) if path else default_book()
        return {c.code: c.name for c in book.complaint_categories}

    def daily(self, day: date) -> DailyMetrics:
        """Figures of `day` (a business day in the hall's zone) as of the clock's now."""
        return self.period(Period.day(day))

    def period(self, period: Period) -> DailyMetrics:
        names = self.category_names()
        with self.ctx.read() as s:
            hall_row = s.scalars(select(Hall).where(Hall.code == self.ctx.hall_code)).first()
            if hall_row is None:
                raise NotFound(f"找不到营业厅「{self.ctx.hall_code}」,请检查营业厅代码。")
            th = self.ctx.thresholds(hall_row)
            return period_metrics(s, hall_row, period, self.ctx.now(),
                                  Targets(th.service_level_target_pct,
                                          th.walkaway_rate_target_pct,
                                          th.satisfaction_target_pct), names)

    def report(self, period: Period, builders: tuple[Any, ...] | None = None) -> Report:
        """The figures and the report's sections (hall_app.metrics.sections); `builders`
        picks some sections only (default: all of the period's)."""
        from hall_app.metrics.sections import build_report

        return build_report(self.ctx, self.period(period), builders)


def report_service(services: object) -> ReportService:
    """The report service for a `HallServices` facade (or anything with `.ctx`)."""
    existing = getattr(services, "reports", None)
    if isinstance(existing, ReportService):
        return existing
    return ReportService(services.ctx)  # type: ignore[attr-defined]
