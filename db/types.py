"""Column types shared by the models: UTC timestamps and key columns, the same on every database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns an aware UTC datetime.

    PostgreSQL keeps `timestamptz`. SQLite has no time zones, so the value is written as
    naive UTC and tagged as UTC again on the way out. Naive input is refused: every
    timestamp in the app comes from a clock that knows its zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Surrogate keys and the foreign keys that point at them. BIGINT on PostgreSQL, so keys
# can be drawn from a site's own range (docs/decisions.md, "Keys across halls"); plain
# INTEGER on SQLite, where only `INTEGER PRIMARY KEY` is the auto-numbered rowid.
IdType = BigInteger().with_variant(Integer(), "sqlite")
