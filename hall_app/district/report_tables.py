"""The district report's tables as text cells, shared by the PDF and the CSV export.

`—` means no data; ranks are 1 = best; a change is the difference from the previous
period in the figure's unit, with 「↑」/「↓」 for better/worse (not up/down: for a
walkaway rate, lower is better).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from hall_app.district.report import DistrictReport, FigureRanking, RankedValue
from hall_app.errors import HallError

NO_DATA = "—"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def trend_mark(ranking: FigureRanking, r: RankedValue) -> str:
    better = ranking.improved(r)
    if better is None:
        return ""
    return "↑" if better else "↓"


def change_text(ranking: FigureRanking, r: RankedValue) -> str:
    change = r.change
    if change is None:
        return NO_DATA
    f = ranking.figure
    return f"{change:+.{f.digits}f}{f.unit}{trend_mark(ranking, r)}"


def hall_order(report: DistrictReport) -> list[str]:
    """Hall codes in the order the main table lists them: by service level rank."""
    return [r.code for r in report.ranking("service_level").rows]


def halls_table(report: DistrictReport) -> Table:
    headers = ["营业厅", "代码", "汇总天数", "取号人数"]
    for ranking in report.rankings:
        label = ranking.figure.label
        headers += [label, f"{label}名次", f"{label}较{report.period.comparison_label}",
                    f"{label}后三名"]
    totals = {h.code: h for h in report.halls}
    rows = []
    for code in hall_order(report):
        h = totals[code]
        row = [h.name, h.code, str(h.days), str(h.arrived) if h.days else NO_DATA]
        for ranking in report.rankings:
            r = ranking.for_hall(code)
            row += [ranking.figure.text(r.value), str(r.rank) if r.rank else NO_DATA,
                    change_text(ranking, r), "是" if r.bottom else ""]
        rows.append(tuple(row))
    return Table("halls", "各营业厅指标与名次", tuple(headers), tuple(rows))


def bottom_table(report: DistrictReport) -> Table:
    rows = []
    for ranking in report.rankings:
        cells = [f"{b.name} {ranking.figure.text(b.value)}" for b in reversed(ranking.bottom)]
        rows.append((ranking.figure.label, ranking.figure.text(ranking.district),
                     *(cells + [NO_DATA] * (3 - len(cells)))))
    return Table("bottom", "各指标后三名", ("指标", "全区域", "倒数第一", "倒数第二", "倒数第三"),
                 tuple(rows))


def district_table(report: DistrictReport) -> Table:
    d, p = report.district, report.district_previous
    label = report.period.comparison_label
    rows = [("取号人数", str(d.arrived), str(p.arrived) if p.days else NO_DATA),
            ("办结人数", str(d.served), str(p.served) if p.days else NO_DATA)]
    for ranking in report.rankings:
        f = ranking.figure
        rows.append((f.label, f.text(ranking.district), f.text(ranking.district_previous)))
    return Table("district", "全区域概况", ("指标", "本期", label), tuple(rows))


def trend_table(report: DistrictReport) -> Table:
    rows = tuple(
        (p.day.strftime("%Y-%m") if report.monthly_trend else p.day.isoformat(), str(p.arrived),
         NO_DATA if p.service_level is None else f"{p.service_level:.1f}%",
         NO_DATA if p.walkaway_rate is None else f"{p.walkaway_rate:.1f}%",
         NO_DATA if p.mean_wait_minutes is None else f"{p.mean_wait_minutes:.1f}")
        for p in report.trend)
    first = "月份" if report.monthly_trend else "营业日"
    return Table("trend", "全区域逐月趋势" if report.monthly_trend else "全区域逐日趋势",
                 (first, "取号人数", "服务达标率", "弃号率", "平均等候(分)"), rows)


def all_tables(report: DistrictReport) -> list[Table]:
    tables = [district_table(report), bottom_table(report), halls_table(report)]
    if report.trend:
        tables.append(trend_table(report))
    return tables


def file_stem(report: DistrictReport) -> str:
    p = report.period
    if p.start == p.end:
        return f"district_{p.start.isoformat()}"
    return f"district_{p.start.isoformat()}_{p.end.isoformat()}"


def write_csv(report: DistrictReport, directory: Path | str) -> list[Path]:
    """One UTF-8 (with BOM, for Excel) CSV per table in `directory`; returns the paths."""
    out_dir = Path(directory)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for table in all_tables(report):
            path = out_dir / f"{file_stem(report)}_{table.key}.csv"
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(table.headers)
                writer.writerows(table.rows)
            paths.append(path)
        return paths
    except OSError as exc:
        raise HallError(f"无法写入CSV目录 {out_dir}:{exc.strerror or exc}") from exc
