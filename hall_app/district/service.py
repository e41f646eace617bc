"""`DistrictService`: every hall of the database side by side, for the area manager (no Qt).

Works on a district database (halls arrive by logical replication) and on one shared
PostgreSQL or SQLite holding several halls (the halls are local, their data is live).
Each hall's *data time* says how current its figures are: a local hall is live; a
replicated hall is as of its site link's data time (`hall_app.district.status`); a hall
whose site is not in the registry has no known data time. A hall whose data is older
than `district_stale_minutes` is stale: the window marks it 数据延迟 with the time and
never shows its figures as live. Figures are today's (the hall's own business day at
its data time); periods read the rollups (`hall_app.district.report`).

    service = DistrictService(database, settings)
    snap = service.snapshot()                 # DistrictSnapshot: rows + alerts
    hall, overview = service.drill_down(code) # one hall's overview figures, read-only
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from db.engine import Database
from db.models import DistrictSite, Hall
from db.site_keys import read_site, site_of_key
from hall_app.clock import Clock, SystemClock
from hall_app.config import Settings
from hall_app.district.live import TodayFigures, today_figures
from hall_app.district.report import DistrictReport, Period, district_report
from hall_app.district.status import SiteLink, site_links
from hall_app.errors import NotFound
from hall_app.services.context import ServiceContext
from hall_app.services.overview import OverviewService
from hall_app.services.overview_model import OverviewSnapshot

log = logging.getLogger(__name__)

LOCAL, REPLICATED, UNREGISTERED = "local", "replicated", "unregistered"
CRITICAL, HIGH, MEDIUM = 3, 2, 1
# A rate judged on fewer customers than this raises no alert (one walkaway at 09:00
# is not a 100 % walkaway rate worth a call).
MIN_CUSTOMERS_FOR_RATE_ALERT = 10


@dataclass(frozen=True)
class HallAlert:
    hall_code: str
    hall_name: str
    kind: str  # stale | outage | longwait | service_level | walkaway | complaint
    severity: int
    text: str


@dataclass(frozen=True)
class HallRow:
    hall_id: int
    code: str
    name: str
    site_no: int
    source: str  # local | replicated | unregistered
    data_time: datetime | None  # None: unknown (never heard from the site)
    stale: bool
    business_day: object  # date of the figures (the hall's own zone)
    waiting: int
    longest_wait_seconds: float | None
    arrived: int
    served: int
    walkaways: int
    walkaway_rate: float | None
    service_level: float | None
    complaints_overdue: int
    outages_active: int
    counters_open: int
    satisfaction: float | None  # None until the rating pad's table exists
    alerts: tuple[HallAlert, ...]

    def data_age_seconds(self, now: datetime) -> float | None:
        if self.data_time is None:
            return None
        return max(0.0, (now - self.data_time).total_seconds())


@dataclass(frozen=True)
class DistrictSnapshot:
    now: datetime
    halls: tuple[HallRow, ...]
    alerts: tuple[HallAlert, ...]
    stale_after_minutes: int
    service_level_target_pct: int
    walkaway_target_pct: int
    long_wait_minutes: int
    has_ratings: bool  # False: the satisfaction column shows 「—」

    @property
    def stale_halls(self) -> tuple[HallRow, ...]:
        return tuple(h for h in self.halls if h.stale)


class QuietFeed:
    """A change feed that never reports a change: the window reloads on its own clock.

    A district database hears no change notices (NOTIFY is not replicated), and on a
    shared server every hall's notices would make the district reload many times a
    second; the window refreshes every few seconds instead (LiveFeed's safety interval).
    """

    def wait_for_change(self, timeout: float) -> bool:
        time.sleep(max(0.0, min(timeout, 1.0)))
        return False

    def close(self) -> None:
        pass


class DistrictService:
    def __init__(self, database: Database, settings: Settings,
                 clock: Clock | None = None) -> None:
        self.db = database
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        th = settings.thresholds
        self.stale_after = timedelta(minutes=th.district_stale_minutes)
        self.sl_target = th.service_level_target_pct
        self.walk_target = th.walkaway_rate_target_pct
        self.long_wait_minutes = th.long_wait_minutes_default

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None) -> DistrictService:
        """On the settings' database, upgraded to the current schema first."""
        from db.migrate import upgrade

        database = Database(settings.database_url)
        upgrade(database)
        return cls(database, settings, clock)

    def close(self) -> None:
        self.db.dispose()

    def change_feed(self) -> QuietFeed:
        return QuietFeed()

    def report(self, period: Period) -> DistrictReport:
        """Halls ranked per figure over `period`, from the rollups (hall_app.district.report)."""
        with self.db.read() as s:
            return district_report(s, period, self.clock.now())

    # -- the whole district --------------------------------------------------------------
    def snapshot(self) -> DistrictSnapshot:
        now = self.clock.now()
        with self.db.read() as s:
            conn = s.connection()
            own_site = read_site(conn)
            links = {link.site_no: link for link in site_links(conn, remember=False)}
            halls = s.execute(select(Hall.id, Hall.code, Hall.name, Hall.timezone)
                              .order_by(Hall.code)).all()
            placed = [self._place(int(h[0]), own_site, links, now) for h in halls]
            as_of = {int(h[0]): p[1] or now for h, p in zip(halls, placed, strict=True)}
            days = {hid: when.astimezone(ZoneInfo(h[3])).date()
                    for h, (hid, when) in zip(halls, as_of.items(), strict=True)}
            figures = today_figures(s, days, now)
        self._remember(links)
        rows = []
        for (hid, code, name, _tz), (source, data_time), in zip(halls, placed, strict=True):
            stale = data_time is None or now - data_time > self.stale_after
            f = figures.get(int(hid), TodayFigures())
            longest = None
            if f.oldest_waiting_since is not None:
                longest = max(0.0, (as_of[int(hid)] - f.oldest_waiting_since).total_seconds())
            rows.append(self._row(int(hid), str(code), str(name), source, data_time, stale,
                                  days[int(hid)], f, longest))
        alerts = sorted((a for r in rows for a in r.alerts),
                        key=lambda a: (-a.severity, a.hall_code, a.kind))
        return DistrictSnapshot(now, tuple(rows), tuple(alerts),
                                int(self.stale_after.total_seconds() // 60), self.sl_target,
                                self.walk_target, self.long_wait_minutes, has_ratings=False)

    def _place(self, hall_id: int, own_site: int, links: dict[int, SiteLink],
               now: datetime) -> tuple[str, datetime | None]:
        site = site_of_key(hall_id)
        link = links.get(site)
        if link is not None:
            return REPLICATED, link.caught_up_at
        if site == own_site:
            return LOCAL, now
        return UNREGISTERED, None

    def _remember(self, links: dict[int, SiteLink]) -> None:
        """Keep the newest data time per site (best effort: a read-only login skips it)."""
        fresh = [(n, link.caught_up_at) for n, link in links.items()
                 if link.caught_up_at is not None]
        if not fresh or not self.db.is_postgres:
            return
        try:
            with self.db.write() as s:
                for site_no, when in fresh:
                    s.execute(update(DistrictSite).where(
                        DistrictSite.site_no == site_no,
                        (DistrictSite.last_heard_at.is_(None))
                        | (DistrictSite.last_heard_at < when)).values(last_heard_at=when))
        except SQLAlchemyError as exc:
            log.info("district: could not store data times (%s)", type(exc).__name__)

    def _row(self, hall_id: int, code: str, name: str, source: str,
             data_time: datetime | None, stale: bool, day: object, f: TodayFigures,
             longest: float | None) -> HallRow:
        alerts: list[HallAlert] = []

        def alert(kind: str, severity: int, text: str) -> None:
            alerts.append(HallAlert(code, name, kind, severity, text))

        if stale:
            when = "从未收到数据" if data_time is None else \
                f"最后数据 {data_time.astimezone(ZoneInfo('Asia/Shanghai')):%m-%d %H:%M}"
            alert("stale", HIGH, f"数据延迟:{when}")
        if f.outages_active:
            alert("outage", CRITICAL, f"系统故障进行中({f.outages_active}起)")
        if longest is not None and longest > self.long_wait_minutes * 60:
            alert("longwait", MEDIUM, f"最长等候 {longest / 60:.0f} 分钟,超过 "
                                      f"{self.long_wait_minutes} 分钟")
        sl = f.service_level
        if sl is not None and f.served_with_wait >= MIN_CUSTOMERS_FOR_RATE_ALERT \
                and sl < self.sl_target:
            alert("service_level", MEDIUM, f"服务达标率 {sl:.1f}%,低于目标 {self.sl_target}%")
        wr = f.walkaway_rate
        if wr is not None and f.arrived >= MIN_CUSTOMERS_FOR_RATE_ALERT \
                and wr > self.walk_target:
            alert("walkaway", MEDIUM, f"弃号率 {wr:.1f}%,高于目标 {self.walk_target}%")
        if f.complaints_overdue:
            alert("complaint", HIGH, f"{f.complaints_overdue} 件投诉超时未回复")
        return HallRow(
            hall_id=hall_id, code=code, name=name, site_no=site_of_key(hall_id),
            source=source, data_time=data_time, stale=stale, business_day=day,
            waiting=f.waiting, longest_wait_seconds=longest, arrived=f.arrived,
            served=f.served, walkaways=f.walkaways, walkaway_rate=wr, service_level=sl,
            complaints_overdue=f.complaints_overdue, outages_active=f.outages_active,
            counters_open=f.counters_open, satisfaction=None, alerts=tuple(alerts))

    # -- one hall --------------------------------------------------------------------------
    def drill_down(self, code: str) -> tuple[HallRow, OverviewSnapshot]:
        """The hall's row and its duty-manager overview figures, read-only."""
        row = next((h for h in self.snapshot().halls if h.code == code), None)
        if row is None:
            raise NotFound(f"找不到营业厅「{code}」。")
        ctx = ServiceContext(self.db, self.settings, self.clock, code)
        return row, OverviewService(ctx).snapshot()
