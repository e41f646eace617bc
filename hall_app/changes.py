"""Change notices: how a window learns that another workstation changed the hall.

One small interface for both databases: PostgreSQL pushes LISTEN/NOTIFY messages
(sent inside the same transaction as the change), SQLite is polled through
`PRAGMA data_version`, a counter that moves whenever another connection commits.
A feed is used from one worker thread; it never touches Qt.
"""

from __future__ import annotations

from typing import Protocol

from db.notify import CHANNEL

__all__ = ["CHANNEL", "ChangeFeed"]


class ChangeFeed(Protocol):
    """Blocking source of "something changed" signals for one hall."""

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to `timeout` seconds. True if the data changed since the previous call.

        Raises `hall_app.errors.DatabaseUnavailable` when the database cannot be reached;
        the caller retries later and should treat the first success afterwards as a change.
        """
        ...

    def close(self) -> None:
        """Release the feed's connection."""
        ...
