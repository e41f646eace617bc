"""Hall metrics for a business day, week or month (no Qt): definitions in docs/metrics.md.

    from hall_app.metrics import ReportService, Period, write_csv
    reports = ReportService(services.ctx)
    metrics = reports.daily(date(2026, 11, 25))          # DailyMetrics
    week = reports.period(Period.parse_week("2026-W48"))  # the same figures for a week
    report = reports.report(Period.day(date(2026, 11, 25)))  # figures + printed sections
    write_csv(metrics, Path("out/"))                     # every printed table as CSV

The names below are imported on first use: a window that needs one small module of the
package (its satisfaction figures, say) does not import the whole reporting stack with
it (≈ 95 ms of a counter window's start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
#: Public name → the submodule that defines it (the rest of __all__ is in .model).
_HOME = {"Period": "period", "ReportService": "service", "report_service": "service",
         "write_csv": "csv_export"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = _HOME.get(name, "model")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once found, an ordinary module attribute
    return value
