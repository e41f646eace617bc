"""Migration 0010 (the complaint loop) on existing data, up and down, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text

from db.engine import Database
from db.migrate import alembic_config, head_revision, upgrade
from hall_app.demo.seed import ensure_demo_hall

BEFORE = "0005"
AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def empty_url(request):
    return request.getfixturevalue(f"empty_{request.param}_url")


def _downgrade(database: Database, revision: str) -> None:
    cfg = alembic_config(database)
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _old_complaints(database: Database) -> None:
    """Complaints as the old workflow left them (inserted with the old schema's columns)."""
    with database.engine.begin() as conn:
        hall, staff = conn.execute(text("SELECT hall_id, id FROM staff LIMIT 1")).one()
        at = AT.replace(tzinfo=None) if database.is_sqlite else AT
        for state, satisfaction, reason in (
                ("confirmed", None, None), ("closed", "mostly", None),
                ("closed", "unsatisfied", None), ("closed", None, "非真实投诉(骚扰):反复来电"),
                ("in_progress", None, None)):
            conn.execute(text(
                "INSERT INTO complaint (hall_id, business_day, received_at, channel, "
                "customer_name, phone, category, description, expectation, severity, "
                "recorded_by, state, escalated, reply_due_at, hard_due_at, satisfaction, "
                "close_reason, replied_at) VALUES (:h, :d, :at, 'counter', '张三', "
                "'13812345678', 'fees', '多收费', '', 'normal', :s, :state, false, :at, :at, "
                ":sat, :reason, :at)"),
                {"h": hall, "d": date(2026, 11, 20), "at": at, "s": staff, "state": state,
                 "sat": satisfaction, "reason": reason})


def test_old_complaints_move_to_the_loop_and_back(empty_url):
    database = Database(empty_url)
    upgrade(database, BEFORE)
    ensure_demo_hall_at_old_schema(database)
    _old_complaints(database)
    assert upgrade(database)[1] == head_revision(database)
    with database.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT state, close_kind, workflow FROM complaint ORDER BY id")).all()
        history = conn.execute(text("SELECT count(*) FROM complaint_history")).scalar()
    assert [tuple(r) for r in rows] == [
        ("agreed", None, 1), ("closed", "satisfied", 1), ("closed", "signed_off", 1),
        ("closed", "nuisance", 1), ("in_progress", None, 1)]
    assert history == 0  # nothing added: the old history stays as it was
    _downgrade(database, BEFORE)
    with database.engine.connect() as conn:
        states = [r[0] for r in conn.execute(text("SELECT state FROM complaint ORDER BY id"))]
        tables = set(inspect(conn).get_table_names())
        columns = {c["name"] for c in inspect(conn).get_columns("complaint")}
    assert states == ["confirmed", "closed", "closed", "closed", "in_progress"]
    assert not tables & {"inspection_round", "complaint_hand_off", "recovery_break"}
    assert "close_kind" not in columns and "workflow" not in columns
    assert upgrade(database)[1] == head_revision(database)  # and up again
    database.dispose()


def ensure_demo_hall_at_old_schema(database: Database) -> None:
    """The demo hall's rows through today's seed, minus what the old schema lacks."""
    upgrade(database)  # the seed writes today's columns …
    ensure_demo_hall(database)
    _downgrade(database, BEFORE)  # … and the hall, staff and services stay
