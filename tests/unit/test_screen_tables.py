"""The light table clauses the customer screens read (db/screen_tables.py) name real
columns of the mapped models, with the same types: a renamed column or a changed type
in `db.models` fails here, not on a hall's display."""

from __future__ import annotations

from db import screen_tables
from db.models import Base


def test_every_light_column_is_a_model_column_of_the_same_type() -> None:
    for clause in screen_tables.ALL:
        model = Base.metadata.tables[clause.name]
        for col in clause.c:
            assert col.name in model.c, f"{clause.name}.{col.name} is not a column"
            mapped = model.c[col.name].type
            assert type(col.type) is type(mapped), f"{clause.name}.{col.name}"
            assert col.type.compile() == mapped.compile(), f"{clause.name}.{col.name}"


def test_every_read_column_is_there() -> None:
    # Not an empty module: the reads of the display and the kiosk need these.
    names = {c.name: {col.name for col in c.c} for c in screen_tables.ALL}
    assert {"at", "kind", "ticket_id", "counter_id"} <= names["ticket_event"]
    assert {"state", "opens_at", "closes_at"} <= names["business_day"]
