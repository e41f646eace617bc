"""`hall-app district report --date D [--week | --month] [--pdf FILE] [--csv DIR]`, headless.

Also `--from D1 --to D2` for any span. Reads the rollups of the database the settings
name (the district's). Without --pdf and --csv the district's figures and the bottom
three per figure are printed as text. Works without a display (offscreen Qt).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hall_app.config import Settings
from hall_app.district.report import DistrictReport, Period
from hall_app.district.report_tables import bottom_table, district_table, write_csv
from hall_app.district.service import DistrictService
from hall_app.errors import ValidationError


def period_from(args: argparse.Namespace) -> Period:
    start, end = getattr(args, "date_from", None), getattr(args, "date_to", None)
    if start or end:
        if args.date or args.week or args.month:
            raise ValidationError("请只用 --date(可加 --week/--month),或只用 --from/--to。",
                                  field="date")
        if not (start and end):
            raise ValidationError("--from 和 --to 须同时给出。", field="date")
        return Period.between(start, end)
    if not args.date:
        raise ValidationError("请给出 --date D(可加 --week 或 --month),或 --from D1 --to D2。",
                              field="date")
    if args.week and args.month:
        raise ValidationError("--week 和 --month 只能选一个。", field="date")
    if args.week:
        return Period.week_of(args.date)
    if args.month:
        return Period.month_of(args.date)
    return Period.day(args.date)


def report_text(report: DistrictReport) -> str:
    lines = [f"区域营业厅对比报表 {report.period.label}(营业厅 {len(report.halls)} 个)"]
    if not report.has_data:
        lines.append("本期没有日汇总。")
    for name, now, before in district_table(report).rows:
        lines.append(f"  {name}:{now}({report.period.comparison_label} {before})")
    lines.append("各指标后三名(倒数第一起):")
    for row in bottom_table(report).rows:
        lines.append(f"  {row[0]}:" + "、".join(c for c in row[2:] if c != "—"))
    return "\n".join(lines)


def main(args: argparse.Namespace, settings: Settings) -> int:
    period = period_from(args)
    service = DistrictService.open(settings)
    try:
        report = service.report(period)
    finally:
        service.close()
    th = settings.thresholds
    if args.pdf:
        from ui.district.report_document import write_pdf

        path = write_pdf(report, Path(args.pdf), sl_target=th.service_level_target_pct,
                         walk_target=th.walkaway_rate_target_pct)
        print(f"已生成区域报表PDF:{path}")
    if args.csv:
        paths = write_csv(report, Path(args.csv))
        print(f"已导出 {len(paths)} 个CSV表格到:{args.csv}")
    if not args.pdf and not args.csv:
        print(report_text(report))
    return 0
