"""INSERT … ON CONFLICT for the database at hand, importing only that database's dialect
(the PostgreSQL one brings asyncio with it: ≈ 34 ms of a SQLite window's start)."""

from __future__ import annotations

from typing import Any


def dialect_insert(dialect: str) -> Any:
    """`insert` of `dialect` ("postgresql" or "sqlite"), with ``on_conflict_do_*``."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
