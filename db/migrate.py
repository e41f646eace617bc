"""Schema migrations through Alembic, configured in code (no alembic.ini to lose)."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from db.engine import Database


def migrations_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "db" / "migrations"
    return Path(__file__).resolve().parent / "migrations"


def alembic_config(database: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return cfg


def head_revision(database: Database) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database)).get_current_head()


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(database: Database, revision: str = "head",
            site: int | None = None) -> tuple[str | None, str | None]:
    """Upgrade to `revision`; returns (before, after). A second call is a no-op.

    `site`: the district site number for revision 0002 to move the keys into (see
    db/migrations/versions/0002_site_keys.py); ignored once that revision is applied.
    """
    before = current_revision(database)
    cfg = alembic_config(database)
    if site is not None:
        cfg.attributes["site_no"] = site
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(database)
