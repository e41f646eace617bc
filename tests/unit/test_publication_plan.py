"""What a hall sends its district: every table decided, no personal data by accident."""

from __future__ import annotations

from db.models import Base
from db.publication import (
    ALLOWED_SENSITIVE_NAMES,
    LOCAL_TABLES,
    PUBLISHED_WHOLE,
    SENSITIVE_WORDS,
    WITHHELD,
    publication_plan,
    unclassified_tables,
)

COLUMNS = {name: [c.name for c in t.columns] for name, t in Base.metadata.tables.items()}


def test_every_table_is_published_or_kept_local_on_purpose():
    assert unclassified_tables(Base.metadata) == []
    assert not (LOCAL_TABLES & (set(WITHHELD) | PUBLISHED_WHOLE))


def test_withheld_columns_exist_and_keys_always_travel():
    for table, columns in WITHHELD.items():
        assert columns <= set(COLUMNS[table]), table
    for t in publication_plan(COLUMNS):
        pk = [c.name for c in Base.metadata.tables[t.name].primary_key.columns]
        assert set(pk) <= set(t.columns), t.name  # UPDATE/DELETE need the replica identity


def test_no_published_column_looks_personal_unless_allowed():
    suspicious = [f"{t.name}.{c}" for t in publication_plan(COLUMNS) for c in t.columns
                  if any(w in c for w in SENSITIVE_WORDS)
                  and (t.name, c) not in ALLOWED_SENSITIVE_NAMES]
    assert suspicious == []


def test_pin_hashes_and_complainants_stay_at_the_hall():
    plan = {t.name: t for t in publication_plan(COLUMNS)}
    assert "pin_hash" not in plan["staff"].columns
    assert {"customer_name", "phone", "address"} <= set(plan["complaint"].withheld)
    assert {"category", "state", "reply_due_at", "replied_at"} <= set(plan["complaint"].columns)
    assert "site" not in plan and "ticket" in plan and plan["ticket"].complete


def test_people_see_the_number_within_the_site():
    from db.site_keys import SITE_BITS, SITE_SPAN
    from hall_app.domain import keys

    assert keys.SITE_BITS == SITE_BITS
    assert keys.local_number(5 * SITE_SPAN + 12) == 12
    assert keys.local_number(12) == 12 and keys.local_number(None) is None
