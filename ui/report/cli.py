"""`hall-app report (--date D | --week W | --month M) [--pdf FILE] [--csv DIR]`, headless.

A day, an ISO week (2026-W48) or a month (2026-11), with the same definitions
(docs/metrics.md). Works without a display (the offscreen Qt platform is chosen when
there is none) and without a printer (QPdfWriter). With neither --pdf nor --csv the
headline figures are printed as text. Errors are raised as HallError; hall_app.cli
prints them in Chinese.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from hall_app.config import Settings
from hall_app.errors import ValidationError
from hall_app.metrics import DailyMetrics, Period, report_service, write_csv
from hall_app.metrics.sections import Report, heading_date
from hall_app.metrics.sections.overview import headline_section


def _prepare_headless() -> None:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def period_of(args: argparse.Namespace) -> Period:
    """The period the arguments name (exactly one of --date, --week, --month)."""
    chosen = [(k, getattr(args, k, None)) for k in ("date", "week", "month")]
    given = [(k, v) for k, v in chosen if v]
    if len(given) != 1:
        raise ValidationError("请用 --date、--week 或 --month 中的一个指定报表期间。", field="period")
    kind, value = given[0]
    if kind == "date":
        return Period.day(value)
    if kind == "week":
        return Period.parse_week(value)
    return Period.parse_month(value)


def headline_text(report: Report) -> str:
    m: DailyMetrics = report.metrics
    # A day not closed says so on the first line, as the printed report does.
    lines = [p.text for p in report.status if p.style == "status"]
    lines.append(f"{m.hall_name}({m.hall_code}){m.span.title} {heading_date(m)}")
    lines += [p.text for p in report.status if p.style != "status"]
    if m.is_future:
        return "\n".join(lines)
    headline = next((s for s in report.sections if s.key == "headline"), None)
    if headline is not None:
        for name, value in headline.tables[0].rows:
            lines.append(f"  {name}:{value}")
    return "\n".join(lines)


def main(args: argparse.Namespace, settings: Settings) -> int:
    from hall_app.services import HallServices

    period = period_of(args)
    pdf = getattr(args, "pdf", None)
    csv_dir = getattr(args, "csv", None)
    if pdf:
        _prepare_headless()
    services = HallServices.open(settings)
    try:
        # The text output shows the key figures only: no other section is computed.
        only = None if (pdf or csv_dir) else (headline_section,)
        report = report_service(services).report(period, only)
    finally:
        services.close()
    metrics = report.metrics
    if metrics.not_closed_notice and (pdf or csv_dir):
        print(metrics.not_closed_notice)
    if metrics.is_future:
        print(f"提示:{period.label} 尚未到来,报表中没有营业数据。")
    elif metrics.status == "empty":
        print(f"提示:{period.label} 没有客流记录。")
    if pdf:
        from ui.report.document import write_pdf

        path = write_pdf(report, Path(pdf))
        print(f"已生成{period.title}PDF:{path}")
    if csv_dir:
        paths = write_csv(metrics, Path(csv_dir), report)
        print(f"已导出 {len(paths)} 个CSV表格到:{csv_dir}")
    if not pdf and not csv_dir:
        print(headline_text(report))
    return 0
