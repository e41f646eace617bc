"""Every headline figure of a simulated week, recomputed from docs/metrics.md with plain
SQL (and a little Python arithmetic), compared with the report — on SQLite and PostgreSQL.

The oracle below never calls hall_app.metrics: it reads the tables with hand-written SQL
following the definitions in docs/metrics.md (customers are hop-0 rows and their
continuations, total wait across queues, service level where served, outage time taken
out, walkaway parts, staffed time from resources/report/pause_kinds.toml, clipped
incidents, cash). Each day of the week and the week as a whole are compared, figure by
figure, with the values the report prints (`hall_app.metrics.figures.FIGURES`).
"""

from __future__ import annotations

import importlib.util
import math
import shutil
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from hall_app.metrics import ReportService
from hall_app.metrics.figures import FIGURES

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("week_sim", Path(__file__).with_name("week_sim.py"))
assert _spec and _spec.loader
week_sim = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(week_sim)

TZ = ZoneInfo("Asia/Shanghai")
REPORT_AT = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
PAUSE_KINDS = Path(__file__).resolve().parents[2] / "resources" / "report" / "pause_kinds.toml"
TENTH = Decimal("0.1")


# -- the oracle ---------------------------------------------------------------------------
def half_up(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    return None if not whole else half_up(Decimal(part) * 100 / Decimal(whole))


def mins(seconds: int | float | Decimal | None) -> Decimal | None:
    if seconds is None:
        return None
    return half_up(Decimal(repr(seconds)) / 60 if isinstance(seconds, float)
                   else Decimal(seconds) / 60)


def mean_minutes(values: list[int]) -> Decimal | None:
    return None if not values else half_up(Decimal(sum(values)) / len(values) / 60)


def median(values: list[int]) -> float | None:
    v = sorted(values)
    if not v:
        return None
    n = len(v)
    return (v[(n - 1) // 2] + v[n // 2]) / 2  # the middle one, or the mean of the two


def p90(values: list[int]) -> int | None:
    v = sorted(values)
    return v[math.ceil(0.9 * len(v)) - 1] if v else None  # nearest rank


class Oracle:
    def __init__(self, conn: Any, hall_id: int, now: datetime) -> None:
        self.conn, self.hall, self.now = conn, hall_id, now
        self.sqlite = conn.dialect.name == "sqlite"
        kinds = tomllib.loads(PAUSE_KINDS.read_text(encoding="utf-8"))
        self.not_staffed = {p["reason"] for p in kinds["pause"] if not p["in_staffed_time"]}
        self.default_staffed = kinds.get("default_in_staffed_time", True)
        self.staffed_listed = {p["reason"] for p in kinds["pause"] if p["in_staffed_time"]}

    # SQL details that differ between the two databases
    def secs(self, a: str, b: str) -> str:
        if self.sqlite:
            return f"((julianday({b}) - julianday({a})) * 86400.0)"
        return f"EXTRACT(EPOCH FROM ({b} - {a}))"

    def p(self, value: date | datetime) -> Any:
        """A bound value as the database stores it (SQLite: text)."""
        if not self.sqlite:
            return value
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value.isoformat()

    def ts(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value.astimezone(UTC) if value else None
        return datetime.fromisoformat(value).replace(tzinfo=UTC)

    def rows(self, sql: str, **params: Any) -> list[Any]:
        return list(self.conn.execute(text(sql), {k: self.p(v) if isinstance(v, date) else v
                                                  for k, v in params.items()}))

    def windows(self, days: list[date]) -> list[tuple[datetime, datetime]]:
        out = []
        for d in days:
            lo = datetime.combine(d, time(0), TZ).astimezone(UTC)
            hi = datetime.combine(d + timedelta(days=1), time(0), TZ).astimezone(UTC)
            out.append((lo, min(self.now, hi)))
        return out

    def figures(self, days: list[date]) -> dict[str, Decimal | None]:
        d0, d1 = min(days), max(days)
        assert (d1 - d0).days + 1 == len(days)  # a group is a run of days here
        rows_cte = f"""
            WITH r AS (
              SELECT COALESCE(t.origin_ticket_id, t.id) AS cust, t.hop, t.state, t.recall_count,
                     t.service_seconds, t.started_at, t.created_at, t.first_called_at,
                     t.ended_at, st.target_wait_minutes AS target,
                     CASE WHEN t.first_called_at IS NULL THEN NULL
                          WHEN t.hop = 0 THEN t.wait_seconds
                          ELSE CAST(ROUND({self.secs('t.created_at', 't.first_called_at')}) AS INTEGER)
                     END AS own_wait,
                     CASE WHEN t.first_called_at IS NULL AND t.state = 'transferred'
                          THEN CAST(ROUND({self.secs('t.created_at', 't.ended_at')}) AS INTEGER)
                          ELSE 0 END AS wait_to_transfer
              FROM ticket t JOIN service_type st ON st.id = t.service_id
              WHERE t.hall_id = :hall AND t.business_day >= :d0 AND t.business_day <= :d1),
            c AS (
              SELECT cust,
                     SUM(COALESCE(own_wait, 0) + wait_to_transfer) AS total_wait,
                     MAX(CASE WHEN state <> 'transferred' THEN state END) AS outcome,
                     MAX(CASE WHEN state <> 'transferred' THEN target END) AS final_target,
                     MAX(CASE WHEN state <> 'transferred' AND first_called_at IS NOT NULL
                              THEN 1 ELSE 0 END) AS final_called
              FROM r GROUP BY cust)"""
        args = {"hall": self.hall, "d0": d0, "d1": d1}
        (arrived, recalls, transfers), = self.rows(
            rows_cte + " SELECT SUM(CASE WHEN hop = 0 THEN 1 ELSE 0 END), "
            "COALESCE(SUM(recall_count), 0), SUM(CASE WHEN state = 'transferred' THEN 1 ELSE 0 END) "
            "FROM r", **args)
        outcome = dict(self.rows(rows_cte + " SELECT outcome, COUNT(*) FROM c GROUP BY outcome",
                                 **args))
        total_waits = [int(v) for (v,) in self.rows(
            rows_cte + " SELECT total_wait FROM c WHERE final_called = 1", **args)]
        (served, within), = self.rows(
            rows_cte + " SELECT SUM(CASE WHEN outcome = 'done' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN outcome = 'done' AND total_wait <= final_target * 60 THEN 1 ELSE 0 END) "
            "FROM c", **args)
        queue_waits = [int(v) for (v,) in self.rows(
            rows_cte + " SELECT own_wait FROM r WHERE own_wait IS NOT NULL", **args)]
        services = [int(v) for (v,) in self.rows(
            rows_cte + " SELECT service_seconds FROM r WHERE service_seconds IS NOT NULL", **args)]
        (started, queue_within), = self.rows(
            rows_cte + " SELECT SUM(CASE WHEN started_at IS NOT NULL AND own_wait IS NOT NULL "
            "THEN 1 ELSE 0 END), SUM(CASE WHEN started_at IS NOT NULL AND own_wait <= target * 60 "
            "THEN 1 ELSE 0 END) FROM r", **args)
        # Service level with hall-wide outage time taken out of each served customer's wait.
        outages = self.hall_outages()
        waited = self.rows(
            rows_cte + " SELECT r.cust, r.created_at, COALESCE(r.first_called_at, r.ended_at) "
            "FROM r JOIN c ON c.cust = r.cust WHERE c.outcome = 'done' "
            "AND (r.first_called_at IS NOT NULL OR r.state = 'transferred')", **args)
        inside: dict[int, int] = {}
        for cust, a, b in waited:
            a, b = self.ts(a), self.ts(b)
            inside[cust] = inside.get(cust, 0) + sum(
                int(round(max(0.0, (min(b, e) - max(a, s)).total_seconds())))
                for s, e in outages)
        served_rows = self.rows(
            rows_cte + " SELECT cust, total_wait, final_target FROM c WHERE outcome = 'done'",
            **args)
        within_excl = sum(1 for cust, w, target in served_rows
                          if w - inside.get(cust, 0) <= target * 60)
        signed, staffed = self.staffing(days)
        (serving,), = self.rows(rows_cte + " SELECT COALESCE(SUM(service_seconds), 0) FROM r",
                                **args)
        complaints = same_day = escalations = still_open = 0
        cash = [0, 0, 0, 0]
        for d in days:
            lo = datetime.combine(d, time(0), TZ)
            hi = lo + timedelta(days=1)
            (n, sd), = self.rows(
                "SELECT COUNT(*), SUM(CASE WHEN replied_at IS NOT NULL AND replied_at <= reply_due_at "
                "THEN 1 ELSE 0 END) FROM complaint WHERE hall_id = :hall "
                "AND received_at >= :lo AND received_at < :hi", hall=self.hall, lo=lo, hi=hi)
            complaints, same_day = complaints + n, same_day + int(sd or 0)
            asof = min(self.now, hi)
            (n, o), = self.rows(
                "SELECT COUNT(*), SUM(CASE WHEN resolved_at IS NULL OR resolved_at > :asof "
                "THEN 1 ELSE 0 END) FROM escalation WHERE hall_id = :hall "
                "AND raised_at >= :lo AND raised_at < :hi",
                hall=self.hall, lo=lo, hi=hi, asof=asof)
            escalations, still_open = escalations + n, still_open + int(o or 0)
            (n, due, rec, chg), = self.rows(
                "SELECT COUNT(*), COALESCE(SUM(due_fen), 0), COALESCE(SUM(received_fen), 0), "
                "COALESCE(SUM(change_fen), 0) FROM cash_exchange WHERE hall_id = :hall "
                "AND at >= :lo AND at < :hi", hall=self.hall, lo=lo, hi=hi)
            cash = [cash[0] + n, cash[1] + int(due), cash[2] + int(rec), cash[3] + int(chg)]
        n_outages, outage_secs, facility = self.incidents(days)
        walkaways = sum(outcome.get(s, 0) for s in ("no_show", "walked_away", "abandoned"))
        open_ = sum(outcome.get(s, 0) for s in ("waiting", "called", "serving"))
        arrived = int(arrived or 0)
        return {
            "arrived": Decimal(arrived), "served": Decimal(outcome.get("done", 0)),
            "walkaways": Decimal(walkaways), "walkaway_rate": share(walkaways, arrived),
            "no_show": Decimal(outcome.get("no_show", 0)),
            "no_show_rate": share(outcome.get("no_show", 0), arrived),
            "walked_away": Decimal(outcome.get("walked_away", 0)),
            "walked_away_rate": share(outcome.get("walked_away", 0), arrived),
            "abandoned": Decimal(outcome.get("abandoned", 0)),
            "abandoned_rate": share(outcome.get("abandoned", 0), arrived),
            "cancelled": Decimal(outcome.get("cancelled", 0)), "open": Decimal(open_),
            "service_level": share(int(within or 0), int(served or 0)),
            "service_level_excl_outage": share(within_excl, int(served or 0)),
            "queue_service_level": share(int(queue_within or 0), int(started or 0)),
            "wait_mean": mean_minutes(total_waits), "wait_median": mins(median(total_waits)),
            "wait_p90": mins(p90(total_waits)), "wait_max": mins(max(total_waits, default=None)),
            "queue_wait_mean": mean_minutes(queue_waits),
            "service_mean": mean_minutes(services), "service_median": mins(median(services)),
            "service_p90": mins(p90(services)), "service_max": mins(max(services, default=None)),
            "utilisation": share(int(serving), staffed), "recalls": Decimal(int(recalls)),
            "transfers": Decimal(int(transfers or 0)), "complaints": Decimal(complaints),
            "same_day_reply": share(same_day, complaints),
            "escalations": Decimal(escalations), "escalations_open": Decimal(still_open),
            "outages": Decimal(n_outages), "outage_minutes": mins(outage_secs),
            "facility": Decimal(facility), "cash_count": Decimal(cash[0]),
            "cash_due": Decimal(cash[1]) / 100, "cash_received": Decimal(cash[2]) / 100,
            "cash_change": Decimal(cash[3]) / 100,
            "_signed_in": Decimal(signed),
        }

    def hall_outages(self) -> list[tuple[datetime, datetime]]:
        rows = self.rows(
            "SELECT i.started_at, i.ended_at FROM incident i WHERE i.hall_id = :hall "
            "AND i.kind = 'outage' AND NOT EXISTS (SELECT 1 FROM incident_counter ic "
            "WHERE ic.incident_id = i.id) ORDER BY i.started_at", hall=self.hall)
        merged: list[tuple[datetime, datetime]] = []
        for s, e in rows:
            s, e = self.ts(s), self.ts(e) or self.now
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        return merged

    def clipped(self, start: datetime, end: datetime | None,
                windows: list[tuple[datetime, datetime]]) -> float:
        stop = end or self.now
        return sum(max(0.0, (min(stop, hi) - max(start, lo)).total_seconds()) for lo, hi in windows)

    def staffing(self, days: list[date]) -> tuple[int, int]:
        windows = self.windows(days)
        lo, hi = windows[0][0] - timedelta(hours=24), windows[-1][1]
        sessions = self.rows("SELECT started_at, ended_at FROM counter_session WHERE hall_id = :hall "
                             "AND started_at >= :lo AND started_at < :hi",
                             hall=self.hall, lo=lo, hi=hi)
        pauses = self.rows("SELECT reason, started_at, ended_at FROM counter_pause "
                           "WHERE hall_id = :hall AND started_at >= :lo AND started_at < :hi",
                           hall=self.hall, lo=lo, hi=hi)
        signed = sum(int(round(self.clipped(self.ts(s), self.ts(e), [w])))
                     for s, e in sessions for w in windows)
        away = 0
        for reason, s, e in pauses:
            staffed = (reason in self.staffed_listed
                       or (reason not in self.not_staffed and self.default_staffed))
            if not staffed:
                away += sum(int(round(self.clipped(self.ts(s), self.ts(e), [w])))
                            for w in windows)
        return signed, max(0, signed - away)

    def incidents(self, days: list[date]) -> tuple[int, int, int]:
        windows = self.windows(days)
        rows = self.rows("SELECT kind, started_at, ended_at FROM incident WHERE hall_id = :hall",
                         hall=self.hall)
        outages = seconds = facility = 0
        for kind, s, e in rows:
            s, e = self.ts(s), self.ts(e)
            if not any(s < hi and (e is None or e > lo) for lo, hi in windows):
                continue
            if kind == "outage":
                outages += 1
                seconds += sum(int(round(self.clipped(s, e, [w]))) for w in windows)
            else:
                facility += 1
        return outages, seconds, facility


# -- the simulated week, once per database ------------------------------------------------
@pytest.fixture(scope="module", params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def week(request, tmp_path_factory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    import conftest

    from hall_app.clock import ManualClock

    name = None
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("week") / "hall.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite+pysqlite:///{path}"
    else:
        name = conftest._create_pg_database(template=request.getfixturevalue("_pg_template"))
        url = conftest._pg_url_for(name)
    hall = conftest.make_hall(url, ManualClock(REPORT_AT))
    week_sim.simulate_week(hall)
    hall.ctx.clock.set(REPORT_AT)
    yield hall
    hall.close()
    if name:
        conftest._drop_pg_database(name)


def compare(report_headline: Any, expected: dict[str, Decimal | None]) -> list[str]:
    wrong = []
    for f in FIGURES:
        got = f.value(report_headline)
        if got != expected[f.key]:
            wrong.append(f"{f.key}: report {got}, oracle {expected[f.key]}")
    return wrong


def test_every_headline_figure_of_each_day_matches_plain_sql(week):  # type: ignore[no-untyped-def]
    reports = ReportService(week.ctx)
    with week.ctx.db.engine.connect() as conn:
        oracle = Oracle(conn, week.ctx.hall.id, REPORT_AT.astimezone(UTC))
        for day in week_sim.WEEK.days:
            expected = oracle.figures([day])
            h = reports.daily(day).headline
            assert compare(h, expected) == [], day
            assert h.signed_in_seconds == expected["_signed_in"]


def test_the_week_matches_plain_sql(week):  # type: ignore[no-untyped-def]
    reports = ReportService(week.ctx)
    m = reports.period(week_sim.WEEK)
    with week.ctx.db.engine.connect() as conn:
        oracle = Oracle(conn, week.ctx.hall.id, REPORT_AT.astimezone(UTC))
        assert compare(m.headline, oracle.figures(list(week_sim.WEEK.days))) == []
    # The week exercises what the definitions are about.
    h = m.headline
    o = h.outcomes
    assert h.transfers > 5 and o.no_show and o.walked_away and o.abandoned and o.cancelled
    # Counter 1's customer at Sunday's close: the close finished them (main's day-close
    # rule), so they are served and no ticket is left open.
    assert o.open == 0 and m.finished_at_close == 1
    assert h.within_target_excl_outage > h.within_target  # the outages lengthened waits
    assert h.escalations > h.escalations_open > 0 and h.complaints >= 14
    assert h.staffed_seconds < h.signed_in_seconds
    # The trend's days are the daily reports' days.
    daily = {d: reports.daily(d).headline for d in week_sim.WEEK.days}
    assert [(t.day, t.headline.arrived) for t in m.trend] == [
        (d, daily[d].arrived) for d in week_sim.WEEK.days]
