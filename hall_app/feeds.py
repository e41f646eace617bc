"""Opening the right change feed for the configured database.

Wraps db.changes so callers only ever see `DatabaseUnavailable` (Chinese message).
"""

from __future__ import annotations

from sqlalchemy.engine import make_url

from db.changes import FeedUnavailable, PostgresListenFeed, SQLitePollFeed
from hall_app.errors import DatabaseUnavailable
from hall_app.services.context import ServiceContext


class _Guarded:
    def __init__(self, inner: SQLitePollFeed | PostgresListenFeed) -> None:
        self.inner = inner

    def wait_for_change(self, timeout: float) -> bool:
        try:
            return self.inner.wait_for_change(timeout)
        except FeedUnavailable as exc:
            raise DatabaseUnavailable(detail=type(exc).__name__) from exc

    @property
    def last_topics(self) -> frozenset[str] | None:
        """Topics of the change the last wait reported; None = unknown (reload all)."""
        return self.inner.last_topics

    def close(self) -> None:
        self.inner.close()


def open_feed(ctx: ServiceContext, interval: float | None = None) -> _Guarded:
    url = make_url(ctx.db.url)
    if url.get_backend_name() == "sqlite":
        poll = interval if interval is not None else ctx.settings.thresholds.refresh_interval_ms / 1000
        return _Guarded(SQLitePollFeed(url.database or "", poll))
    try:
        hall_id = ctx.hall.id
    except DatabaseUnavailable:
        hall_id = None
    return _Guarded(PostgresListenFeed(ctx.db.url, hall_id))
