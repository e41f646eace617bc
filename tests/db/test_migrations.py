"""Alembic: empty → head on both databases, a second upgrade is a no-op, models match."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from db.engine import Database
from db.migrate import current_revision, head_from_files, head_revision, upgrade
from db.models import Base


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def empty_url(request):
    return request.getfixturevalue(f"empty_{request.param}_url")


def test_upgrade_from_empty_then_noop(empty_url):
    database = Database(empty_url)
    assert current_revision(database) is None
    before, after = upgrade(database)
    assert before is None and after == head_revision(database)
    tables = set(inspect(database.engine).get_table_names())
    assert {"hall", "ticket", "ticket_event", "incident", "complaint"} <= tables
    assert upgrade(database) == (after, after)
    database.dispose()


def test_migrations_match_the_models(empty_url):
    database = Database(empty_url)
    upgrade(database)
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    database.dispose()
    assert diff == []


def test_the_files_name_the_same_head_as_alembic(tmp_path):
    database = Database(f"sqlite+pysqlite:///{tmp_path / 'hall.db'}")
    assert head_from_files() == head_revision(database) is not None
    database.dispose()


def test_a_window_starting_on_a_current_database_does_not_run_alembic(empty_url, monkeypatch):
    database = Database(empty_url)
    _, head = upgrade(database)
    calls: list[str] = []
    monkeypatch.setattr(command, "upgrade", lambda cfg, rev: calls.append(rev))
    assert upgrade(database) == (head, head)
    assert calls == []  # answered from the version row and the files
    # One revision behind (a hall updating the program): Alembic is asked again.
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    upgrade(database)
    assert calls == ["head"]
    database.dispose()


def test_the_models_partial_indexes_match_the_database_they_are_opened_on(empty_url):
    """Both databases' DDL keep the WHERE of the one-open-ticket-per-counter index; a
    SQLite start does not import the PostgreSQL dialect to say so (≈ 34 ms)."""
    import subprocess
    import sys

    from sqlalchemy.schema import CreateIndex

    database = Database(empty_url)
    (index,) = [i for i in Base.metadata.tables["ticket"].indexes
                if i.name == "uq_ticket_one_open_per_counter"]
    ddl = str(CreateIndex(index).compile(dialect=database.engine.dialect))
    database.dispose()
    assert ddl.endswith("WHERE state IN ('called', 'serving')")
    code = ("import sys, hall_app.services.context, hall_app.services.days, db.queue, "
            "db.day_writes, db.staffing_plans\n"
            "from db.engine import Database\n"
            f"Database({empty_url if database.is_sqlite else 'sqlite://'!r}).dispose()\n"
            "print('sqlalchemy.dialects.postgresql' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_a_database_a_newer_release_upgraded_is_refused_in_chinese_and_left_alone(empty_url):
    # Another workstation was updated first and upgraded the shared database: this older
    # program must say so, not fail inside Alembic, and must change nothing.
    from hall_app.config import Settings
    from hall_app.errors import ProgramOutdated
    from hall_app.services import HallServices

    database = Database(empty_url)
    upgrade(database)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(ProgramOutdated) as refused:
        HallServices.open(Settings(database_url=empty_url))
    assert "较新版本" in refused.value.message and "9999" in refused.value.message
    assert "请先把本机升级到最新版本" in refused.value.message
    assert current_revision(database) == "9999"
    database.dispose()


def test_the_upgrade_command_on_a_newer_database_prints_the_chinese_reason(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    url = f"sqlite+pysqlite:///{tmp_path / 'hall.db'}"
    database = Database(url)
    upgrade(database)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database.dispose()
    env = dict(os.environ, HALL_DATABASE_URL=url, HALL_LOG_DIR=str(tmp_path / "logs"),
               HALL_DATA_DIR=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("HALL_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "hall_app", "db", "upgrade"], env=env,
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 2, done.stderr
    assert "数据库已由较新版本的营业厅程序升级" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
