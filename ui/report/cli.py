"""`hall-app report --date D [--hall CODE] [--pdf FILE] [--csv DIR]`: the daily summary, headless.

Works without a display (the offscreen Qt platform is chosen when there is none) and
without a printer (QPdfWriter). With neither --pdf nor --csv the headline figures are
printed as text. Errors are raised as HallError; hall_app.cli prints them in Chinese.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from hall_app.config import Settings
from hall_app.metrics import DailyMetrics, report_service, write_csv
from hall_app.metrics.tables import headline_table


def _prepare_headless() -> None:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def headline_text(m: DailyMetrics) -> str:
    lines = [m.not_closed_notice] if m.not_closed_notice else []
    lines.append(f"{m.hall_name}({m.hall_code})营业日报 {m.day.isoformat()}")
    if m.is_future:
        lines.append(f"{m.day.isoformat()} 尚未到来,还没有营业数据。")
        return "\n".join(lines)
    if m.status == "empty":
        lines.append("当日没有客流记录。")
    for name, value, target, verdict in headline_table(m).rows:
        extra = f"(目标{target},{verdict})" if target else ""
        lines.append(f"  {name}:{value}{extra}")
    return "\n".join(lines)


def main(args: argparse.Namespace, settings: Settings) -> int:
    from hall_app.services import HallServices

    pdf = getattr(args, "pdf", None)
    csv_dir = getattr(args, "csv", None)
    if pdf:
        _prepare_headless()
    services = HallServices.open(settings)
    try:
        metrics = report_service(services).daily(args.date)
    finally:
        services.close()
    if metrics.not_closed_notice and (pdf or csv_dir):
        print(metrics.not_closed_notice)
    if metrics.is_future:
        print(f"提示:{args.date.isoformat()} 尚未到来,日报中没有营业数据。")
    elif metrics.status == "empty":
        print(f"提示:{args.date.isoformat()} 没有客流记录。")
    if pdf:
        from ui.report.document import write_pdf

        path = write_pdf(metrics, Path(pdf))
        print(f"已生成日报PDF:{path}")
    if csv_dir:
        paths = write_csv(metrics, Path(csv_dir))
        print(f"已导出 {len(paths)} 个CSV表格到:{csv_dir}")
    if not pdf and not csv_dir:
        print(headline_text(metrics))
    return 0
