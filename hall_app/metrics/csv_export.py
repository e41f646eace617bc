"""CSV export of the report's tables: one UTF-8 (with BOM, so Excel reads Chinese) file each."""

from __future__ import annotations

import csv
from pathlib import Path

from hall_app.errors import HallError
from hall_app.metrics.model import DailyMetrics
from hall_app.metrics.tables import all_tables


def write_csv(metrics: DailyMetrics, directory: Path | str) -> list[Path]:
    """Write `<date>_<table>.csv` files into `directory` (created); returns the paths."""
    out_dir = Path(directory)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for table in all_tables(metrics):
            path = out_dir / f"{metrics.hall_code}_{metrics.day.isoformat()}_{table.key}.csv"
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(table.headers)
                writer.writerows(table.rows)
            written.append(path)
        return written
    except OSError as exc:
        raise HallError(f"无法写入CSV目录 {out_dir}:{exc.strerror or exc}") from exc
