"""Alembic environment: runs migrations on the connection or URL the app passes in."""

from __future__ import annotations

from alembic import context

from db.engine import make_engine
from db.models import Base
from db.site_keys import bound_sequences, has_site_table, read_site

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "postgresql" and has_site_table(connection):
            # Tables added by later migrations get their sequences bounded too.
            bound_sequences(connection, read_site(connection))


run_migrations_online()
