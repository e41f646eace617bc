"""CSV export: every table of the printed report as one UTF-8 file (with BOM, so Excel
reads Chinese), named `<hall>_<period>_<table>.csv` (period: 2026-11-25, 2026-W48, 2026-11).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from hall_app.errors import HallError
from hall_app.metrics.model import DailyMetrics


def write_csv(metrics: DailyMetrics, directory: Path | str, report: Any = None) -> list[Path]:
    """Write the report's tables into `directory` (created); returns the paths.

    `report` is a `sections.Report` already built for these figures (built here if None).
    """
    from hall_app.metrics.sections import build_report

    report = report or build_report(None, metrics)
    out_dir = Path(directory)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for table in report.tables():
            path = out_dir / f"{metrics.hall_code}_{metrics.span.key}_{table.key}.csv"
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(table.csv_headers)
                writer.writerows(table.rows)
            written.append(path)
        return written
    except OSError as exc:
        raise HallError(f"无法写入CSV目录 {out_dir}:{exc.strerror or exc}") from exc
