"""Portable SQL building blocks for the metrics (SQLite and PostgreSQL alike).

* `seconds_between(a, b)` — b − a in seconds: `julianday` arithmetic on SQLite,
  `EXTRACT(EPOCH FROM …)` on PostgreSQL.
* `whole_seconds(a, b)` — the same, rounded to whole seconds (an integer).
* `later_of` / `earlier_of` — clip a timestamp to a bound (a value or a column) with a
  plain CASE; `overlap_seconds` — seconds of [a, b) inside a list of fixed intervals.
* `hour_bucket(col, starts)` — the local hour a UTC timestamp falls in, as a CASE over
  bound hour boundaries (half-open: a time equal to a boundary belongs to the later hour).
* `distribution(src)` — count, mean, median, 90th percentile, maximum and sum per group, with
  window functions both databases have (ROW_NUMBER / COUNT OVER); see docs/metrics.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.sql.selectable import Subquery

from db.types import UTCDateTime
from hall_app.metrics.model import Stats


class seconds_between(FunctionElement[float]):  # noqa: N801 - reads like a SQL function
    """Seconds from the first timestamp argument to the second."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return (f"((julianday({compiler.process(b, **kw)}) - "
            f"julianday({compiler.process(a, **kw)})) * 86400.0)")


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(b, **kw)} - {compiler.process(a, **kw)}))"


def ts(value: datetime) -> ColumnElement[datetime]:
    """A bound UTC timestamp usable inside expressions."""
    return literal(value, UTCDateTime())


def _bound(value: Any) -> Any:
    return ts(value) if isinstance(value, datetime) else value


def whole_seconds(a: Any, b: Any) -> ColumnElement[int]:
    """b − a rounded to whole seconds."""
    return cast(func.round(seconds_between(a, b)), Integer)


def later_of(col: Any, bound: Any) -> ColumnElement[Any]:
    b = _bound(bound)
    return case((col < b, b), else_=col)


def earlier_of(col: Any, bound: Any) -> ColumnElement[Any]:
    b = _bound(bound)
    return case((col > b, b), else_=col)


def clipped_seconds(start: Any, end: Any, lo: Any, hi: Any) -> ColumnElement[float]:
    """Seconds of [start, end) that fall inside [lo, hi) (rows must overlap the window)."""
    return seconds_between(later_of(start, lo), earlier_of(end, hi))


def overlap_seconds(a: Any, b: Any, intervals: list[tuple[datetime, datetime]]
                    ) -> ColumnElement[int]:
    """Whole seconds of [a, b) inside the (disjoint) fixed `intervals`; 0 without any."""
    terms: list[Any] = [
        case((and_(a < ts(e), b > ts(s)), whole_seconds(later_of(a, s), earlier_of(b, e))),
             else_=0)
        for s, e in intervals]
    if not terms:
        return literal(0, Integer)
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def hour_bucket(col: Any, starts: list[tuple[int, datetime]]) -> ColumnElement[int]:
    """Local hour number of `col`.

    `starts` are (hour, UTC start) in ascending order followed by one sentinel (the end
    of the day); values past the end fall in the last hour.
    """
    whens = [(col < ts(nxt), hour)
             for (hour, _), (_, nxt) in zip(starts, starts[1:], strict=False)]
    return case(*whens, else_=starts[-2][0])


def overlaps(start: Any, end: Any, lo: Any, hi: Any) -> ColumnElement[bool]:
    """[start, end) intersects [lo, hi); a NULL end means 'still going' (until hi)."""
    return and_(start < _bound(hi), or_(end.is_(None), end > _bound(lo)))


def distribution(src: Subquery) -> Any:
    """Per group `g` of `src(g, v)`: n, mean, median, p90, max of the non-NULL v.

    Median: mean of the middle one or two values. P90: nearest rank, the value at
    position ceil(0.9·n) in ascending order. Integer division is the same on both
    databases, so ceil(0.9·n) is written (9n + 9) // 10.
    """
    ranked = (
        select(
            src.c.g,
            src.c.v,
            func.row_number().over(partition_by=src.c.g, order_by=src.c.v).label("rn"),
            func.count().over(partition_by=src.c.g).label("n"),
        )
        .where(src.c.v.is_not(None))
        .subquery()
    )
    rn, n, v = ranked.c.rn, ranked.c.n, ranked.c.v
    middle = or_(rn == (n + 1) // 2, rn == (n + 2) // 2)
    return select(
        ranked.c.g,
        func.max(n),
        func.avg(v * 1.0),
        func.avg(case((middle, v * 1.0))),
        func.max(case((rn == (n * 9 + 9) // 10, v))),
        func.max(v),
        func.sum(v),
    ).group_by(ranked.c.g)


def fetch_distribution(session: Any, src: Subquery) -> dict[Any, Stats]:
    out: dict[Any, Stats] = {}
    for g, n, mean, median, p90, mx, total in session.execute(distribution(src)):
        out[g] = Stats(int(n), _f(mean), _f(median), _f(p90), _f(mx), int(total or 0))
    return out


def _f(value: Any) -> float | None:
    return None if value is None else float(value)
