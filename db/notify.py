"""Sending change notices inside the writing transaction.

On PostgreSQL `pg_notify` is transactional: listeners hear it only if the change commits.
On SQLite nothing is sent; pollers watch `PRAGMA data_version` instead (see db.changes).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

CHANNEL = "hall_changes"


def notify_change(session: Session, hall_id: int, topic: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": f"{hall_id}:{topic}"},
        )
