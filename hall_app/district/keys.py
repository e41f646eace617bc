"""Joining a district, key side: move this site's keys into its range (no Qt, no network).

`move_to_site(database, S)` runs `db.site_keys.renumber_site` in one transaction and
stamps the site row with the time it joined. Every window of the hall must be closed
first: they hold keys in memory that change here (`other_sessions` counts them on
PostgreSQL so the command can refuse while any are open).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text, update

from db.engine import Database
from db.models import Site
from db.site_keys import RenumberResult, SiteKeyError, key_range, read_site, renumber_site
from hall_app.clock import Clock, SystemClock
from hall_app.errors import HallError, ValidationError


@dataclass(frozen=True)
class SiteMove:
    old_site: int
    new_site: int
    rows_moved: int
    key_low: int
    key_high: int

    @property
    def moved(self) -> bool:
        return self.old_site != self.new_site


def current_site(database: Database) -> int:
    with database.engine.connect() as conn:
        return read_site(conn)


def other_sessions(database: Database) -> int:
    """PostgreSQL: client connections to this database other than ours (0 on SQLite)."""
    if not database.is_postgres:
        return 0
    with database.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalar() or 0)


def move_to_site(database: Database, site: int, *, clock: Clock | None = None,
                 allow_change: bool = False) -> SiteMove:
    """Give this database site number `site`, moving every key into its range at once.

    A database already numbered `site` is left as it is. One numbered differently is
    refused unless `allow_change` (its rows may already sit at a district under the old
    numbers).
    """
    clock = clock or SystemClock()
    try:
        key_low, key_high = key_range(site)
        with database.engine.begin() as conn:
            old = read_site(conn)
            if old not in (0, site) and not allow_change:
                raise ValidationError(
                    f"本库已是站点 {old} 号,不能改为 {site} 号(区域中心可能已有按 {old} 号"
                    f"编排的数据)。", field="site")
            result: RenumberResult = renumber_site(conn, site)
            if result.moved:
                conn.execute(update(Site).where(Site.id == 1).values(joined_at=clock.now()))
    except SiteKeyError as exc:
        raise HallError(exc.message) from exc
    return SiteMove(result.old_site, result.new_site, sum(result.rows.values()),
                    key_low, key_high)
