"""Schema migrations through Alembic, configured in code (no alembic.ini to lose).

Every window runs `upgrade` when it starts. When the database is already at the head
revision — the normal case — that is answered without loading Alembic (its import is
≈ 80 ms of a window's start): the head is read from the migration files' own
``revision`` / ``down_revision`` lines and compared with the ``alembic_version`` row.
Anything unusual (no such table, several heads, a line that is not a plain string)
goes through Alembic as before.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import Database

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*(.+?)\s*$", re.MULTILINE)


def migrations_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "db" / "migrations"
    return Path(__file__).resolve().parent / "migrations"


def alembic_config(database: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return cfg


def head_revision(database: Database) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(database)).get_current_head()


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(database: Database, revision: str = "head",
            site: int | None = None) -> tuple[str | None, str | None]:
    """Upgrade to `revision`; returns (before, after). A second call is a no-op.

    NewerSchema, before anything is changed, if a newer release already upgraded it.

    `site`: the district site number for revision 0002 to move the keys into (see
    db/migrations/versions/0002_site_keys.py); ignored once that revision is applied.
    """
    if revision == "head":
        at_head = _already_at_head(database)
        if at_head is not None:
            return at_head, at_head
    _refuse_newer(database)
    from alembic import command

    before = current_revision(database)
    cfg = alembic_config(database)
    if site is not None:
        cfg.attributes["site_no"] = site
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(database)


class NewerSchema(Exception):
    """The database is at a revision none of this program's migration files names: a newer
    release of the program upgraded it (another workstation updated first). This program
    must not use it or write to it; the caller says so in Chinese."""

    def __init__(self, revisions: list[str]) -> None:
        super().__init__(f"database revision {', '.join(revisions)} is unknown to this program")
        self.revisions = revisions


def known_revisions() -> set[str] | None:
    """Every revision the migration files name; None when unsure (Alembic decides)."""
    known: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        lines = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(lines["revision"])
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        known.add(revision)
    return known


def _refuse_newer(database: Database) -> None:
    """NewerSchema if the database's version row names a revision the files do not."""
    known = known_revisions()
    if not known:
        return
    with database.engine.connect() as conn:
        try:
            rows = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
        except DBAPIError:  # no such table yet (an empty database)
            return
    unknown = [r for r in rows if r not in known]
    if unknown:
        raise NewerSchema(unknown)


def head_from_files() -> str | None:
    """The head revision from the migration files' lines alone; None when unsure."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        lines = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(lines["revision"])
            parent = ast.literal_eval(lines.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str) or not (parent is None or isinstance(parent, str)):
            return None  # a merge point or a computed value: Alembic decides
        revisions.add(revision)
        if parent is not None:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _already_at_head(database: Database) -> str | None:
    """The head revision if the database is exactly there, else None (Alembic's turn)."""
    head = head_from_files()
    if head is None:
        return None
    with database.engine.connect() as conn:  # an unreachable server: the caller's error
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # no such table yet (an empty database): Alembic's turn
            return None
    return head if [r[0] for r in rows] == [head] else None
