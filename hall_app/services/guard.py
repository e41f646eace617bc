"""The write half of a guarded transition: an UPDATE conditional on what the caller read,
whose row count says whether the row was still as read (the model is db/ticket_writes.py).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session


def rows_updated(session: Session, stmt: Update) -> int:
    """Run `stmt` in the session's transaction (objects in the session are not refreshed:
    expire them) and return how many rows it changed."""
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)
