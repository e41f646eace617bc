"""How good wait estimates were: the figures the backtest, the bench and the daily summary print.

All in minutes, over tickets that were really called (a real wait exists):
MAE, median absolute error, the share under-predicted by more than 5 minutes (the
customer waited over 5 minutes longer than told), the share of real waits inside the
interval (for estimators that give one), and the mean signed error (bias).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

UNDER_LIMIT_MIN = 5.0


@dataclass(frozen=True)
class Estimate:
    """One estimate against the real wait (minutes)."""

    point: float
    real: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Accuracy:
    n: int
    mae: float | None
    median_ae: float | None
    under5_share: float | None
    coverage: float | None
    bias: float | None

    def row(self) -> tuple[str, ...]:
        def num(v: float | None) -> str:
            return "—" if v is None else f"{v:.2f}"

        def pct(v: float | None) -> str:
            return "—" if v is None else f"{v * 100:.1f}%"

        return (str(self.n), num(self.mae), num(self.median_ae), pct(self.under5_share),
                pct(self.coverage), num(self.bias))


HEADERS_ZH = ("票数", "平均绝对误差(分)", "绝对误差中位数(分)", "少估超5分钟", "80%区间覆盖", "平均偏差(分)")
HEADERS_EN = ("n", "MAE", "median AE", "under >5 min", "80% coverage", "bias")


def accuracy(items: Iterable[Estimate]) -> Accuracy:
    rows = list(items)
    n = len(rows)
    if not n:
        return Accuracy(0, None, None, None, None, None)
    errors = [r.point - r.real for r in rows]
    abs_err = [abs(e) for e in errors]
    under = sum(1 for r in rows if r.real - r.point > UNDER_LIMIT_MIN)
    with_interval = [r for r in rows if r.low is not None and r.high is not None]
    inside = sum(1 for r in with_interval
                 if r.low is not None and r.high is not None and r.low <= r.real <= r.high)
    coverage = inside / len(with_interval) if with_interval else None
    return Accuracy(n, sum(abs_err) / n, float(median(abs_err)), under / n, coverage,
                    sum(errors) / n)


def format_table(rows: list[tuple[str, Accuracy]], english: bool = False) -> str:
    """A plain-text table: one line per estimator."""
    headers = ("", *(HEADERS_EN if english else HEADERS_ZH))
    body = [(name, *acc.row()) for name, acc in rows]
    widths = [max(_width(r[i]) for r in [headers, *body]) for i in range(len(headers))]
    lines = []
    for r in [headers, *body]:
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(r, widths, strict=True)))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
