"""Hall metrics for one business day (no Qt): definitions in docs/metrics.md.

    from hall_app.metrics import ReportService
    metrics = ReportService(services.ctx).daily(date(2026, 11, 25))   # DailyMetrics
    write_csv(metrics, Path("out/"))                                  # the same tables as CSV
"""

from hall_app.metrics.csv_export import write_csv
from hall_app.metrics.model import (
    ClerkRow,
    ComplaintRow,
    ComplaintSummary,
    CounterRow,
    DailyMetrics,
    Headline,
    HourRow,
    IncidentRow,
    Outcomes,
    PauseRow,
    ServiceRow,
    Stats,
    WaitBucket,
)
from hall_app.metrics.service import ReportService, report_service

__all__ = [
    "ClerkRow", "ComplaintRow", "ComplaintSummary", "CounterRow", "DailyMetrics", "Headline",
    "HourRow", "IncidentRow", "Outcomes", "PauseRow", "ReportService", "ServiceRow", "Stats",
    "WaitBucket", "report_service", "write_csv",
]
