"""Hall metrics for a business day, week or month (no Qt): definitions in docs/metrics.md.

    from hall_app.metrics import ReportService, Period, write_csv
    reports = ReportService(services.ctx)
    metrics = reports.daily(date(2026, 11, 25))          # DailyMetrics
    week = reports.period(Period.parse_week("2026-W48"))  # the same figures for a week
    report = reports.report(Period.day(date(2026, 11, 25)))  # figures + printed sections
    write_csv(metrics, Path("out/"))                     # every printed table as CSV
"""

from hall_app.metrics.csv_export import write_csv
from hall_app.metrics.model import (
    CashRow,
    ClerkRow,
    Comparison,
    ComplaintRow,
    ComplaintSummary,
    CounterRow,
    DailyMetrics,
    DayFigures,
    EscalationRow,
    Headline,
    HourRow,
    IncidentRow,
    LongWaitRow,
    Outcomes,
    PauseRow,
    ServiceRow,
    Stats,
    WaitBucket,
)
from hall_app.metrics.period import Period
from hall_app.metrics.service import ReportService, report_service

__all__ = [
    "CashRow", "ClerkRow", "Comparison", "ComplaintRow", "ComplaintSummary", "CounterRow",
    "DailyMetrics", "DayFigures", "EscalationRow", "Headline", "HourRow", "IncidentRow",
    "LongWaitRow", "Outcomes", "PauseRow", "Period", "ReportService", "ServiceRow", "Stats",
    "WaitBucket", "report_service", "write_csv",
]
