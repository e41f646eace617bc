"""The satisfaction figures as one table of text cells (printed summary and CSV).

One row per group: the hall in total, then each clerk, counter, service and hour, with
served, rated, each level, 未评价, the satisfaction and the participation rate.
"""

from __future__ import annotations

from hall_app.domain.ratings import reason_label
from hall_app.metrics.model import DailyMetrics
from hall_app.metrics.satisfaction import SatisfactionFigures, SatisfactionSummary
from hall_app.metrics.tables import Table, pct

HEADERS = ("分组", "名称", "办结", "参评", "非常满意", "满意", "基本满意", "不满意", "未评价",
           "满意率", "参评率")


def _cells(group: str, name: str, f: SatisfactionFigures) -> tuple[str, ...]:
    return (group, name, str(f.served), str(f.rated), str(f.very_satisfied), str(f.satisfied),
            str(f.basic), str(f.dissatisfied), str(f.unrated), pct(f.satisfaction_rate),
            pct(f.participation_rate))


def satisfaction_rows(sat: SatisfactionSummary) -> tuple[tuple[str, ...], ...]:
    rows = [_cells("全厅", "合计", sat.total)]
    for group, items in (("营业员", sat.by_clerk), ("窗口", sat.by_counter),
                         ("业务", sat.by_service), ("时段", sat.by_hour)):
        rows.extend(_cells(group, r.label, r.figures) for r in items)
    return tuple(rows)


def satisfaction_table(m: DailyMetrics) -> Table:
    rows = satisfaction_rows(m.satisfaction) if m.satisfaction is not None else ()
    return Table("satisfaction", "服务评价", HEADERS, rows)


def reasons_text(sat: SatisfactionSummary) -> str:
    """「等候时间长 2次、未选择 1次」 for the day's 不满意, most frequent first."""
    return "、".join(f"{reason_label(r) or '未选择'} {n}次" for r, n in sat.reasons)
