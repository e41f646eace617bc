"""Change notices: how a window learns that another workstation changed the hall.

One small interface for both databases: PostgreSQL pushes LISTEN/NOTIFY messages
(sent inside the same transaction as the change), SQLite is polled through
`PRAGMA data_version`, a counter that moves whenever another connection commits
(read at once when the WAL file is written, db.wal_watch).
A feed is used from one worker thread; it never touches Qt.

Topics: every notice names what changed (the second half of "hall:topic"). A window
that shows only part of the hall lists the topics it needs (``FLOOR_TOPICS`` for the
kiosk and the hall display) and skips the reload for the others — a complaint note
does not reload the ticket machine. SQLite carries no topic (``last_topics`` None):
every change reloads.
"""

from __future__ import annotations

from typing import Protocol

from db.notify import CHANNEL

__all__ = ["CHANNEL", "FLOOR_TOPICS", "ChangeFeed", "concerns"]

# What the floor shows (queue, calls, counters, outages, opening hours and settings).
FLOOR_TOPICS = frozenset({"tickets", "counters", "incidents", "config", "day"})


def concerns(seen: frozenset[str] | None, wanted: frozenset[str] | None) -> bool:
    """Whether a change with topics `seen` (None = unknown) matters to a window that
    wants `wanted` (None = everything)."""
    return seen is None or wanted is None or not seen.isdisjoint(wanted)


class ChangeFeed(Protocol):
    """Blocking source of "something changed" signals for one hall."""

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to `timeout` seconds. True if the data changed since the previous call.

        Raises `hall_app.errors.DatabaseUnavailable` when the database cannot be reached;
        the caller retries later and should treat the first success afterwards as a change.
        """
        ...

    # Optional: `last_topics` (frozenset[str] | None), the topics of the change the last
    # wait reported; feeds without it are treated as "unknown" (see `concerns`).

    def close(self) -> None:
        """Release the feed's connection."""
        ...
