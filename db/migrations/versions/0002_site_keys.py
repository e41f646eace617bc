"""site keys: BIGINT keys, the site table, key sequences bounded to the site's range

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:00:00

PostgreSQL: every key and foreign-key column becomes BIGINT (one rewrite per table) and
every key sequence is bounded to the site's range (docs/decisions.md, "Keys across
halls"). SQLite: types stay INTEGER (64-bit there anyway). Both: a one-row `site` table.

A site number may be given to this migration; then the existing keys move into that
site's range in the same transaction as the rest of the upgrade:
  * `db.migrate.upgrade(database, site=S)` (what `hall-app db upgrade --site S` calls),
  * `alembic -x site=S upgrade head`, or
  * the environment variable HALL_SITE_NO=S.
Without one the database is site 0 (not in a district); it can join one later with
`hall-app district setup hall --site S`.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

import db.types
from db.site_keys import SiteKeyError, bound_sequences, check_site_number, renumber_site

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The key and foreign-key columns at this revision (frozen: later tables bring their own
# BIGINT columns through IdType).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "hall": ('id',),
    "opening_hours": ('id', 'hall_id'),
    "service_type": ('id', 'hall_id'),
    "staff": ('id', 'hall_id'),
    "ticket_sequence": ('id', 'hall_id'),
    "alert_ack": ('id', 'hall_id', 'acknowledged_by'),
    "audit_log": ('id', 'hall_id', 'staff_id', 'entity_id'),
    "counter": ('id', 'hall_id', 'staff_id'),
    "incident": ('id', 'hall_id', 'declared_by', 'cleared_by'),
    "counter_pause": ('id', 'hall_id', 'counter_id', 'staff_id'),
    "counter_service": ('id', 'counter_id', 'service_id'),
    "counter_session": ('id', 'hall_id', 'counter_id', 'staff_id'),
    "incident_counter": ('id', 'incident_id', 'counter_id'),
    "ticket": ('id', 'hall_id', 'service_id', 'counter_id', 'staff_id', 'target_counter_id',
               'origin_ticket_id', 'transferred_from_service_id'),
    "cash_exchange": ('id', 'hall_id', 'ticket_id', 'counter_id', 'staff_id'),
    "complaint": ('id', 'hall_id', 'ticket_id', 'counter_id', 'clerk_id', 'recorded_by',
                  'handler_id'),
    "escalation": ('id', 'hall_id', 'counter_id', 'staff_id', 'ticket_id', 'resolved_by'),
    "ticket_event": ('id', 'hall_id', 'ticket_id', 'counter_id', 'staff_id'),
    "complaint_history": ('id', 'complaint_id', 'staff_id'),
}


def requested_site() -> int | None:
    """The site number asked for (attribute, -x site=S, or HALL_SITE_NO), if any."""
    value: object = context.config.attributes.get("site_no")
    if value is None:
        value = context.get_x_argument(as_dictionary=True).get("site")
    if value is None:
        value = os.environ.get("HALL_SITE_NO") or None
    if value is None:
        return None
    try:
        site = int(str(value))
    except ValueError:
        raise SiteKeyError(f"站点号「{value}」不是整数。") from None
    check_site_number(site, allow_zero=True)
    return site


def _alter_types(type_name: str) -> None:
    for table, columns in KEY_COLUMNS.items():
        clauses = ", ".join(f'ALTER COLUMN "{c}" TYPE {type_name}' for c in columns)
        op.execute(f'ALTER TABLE "{table}" {clauses}')


def upgrade() -> None:
    site = requested_site()
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        _alter_types("BIGINT")
    op.create_table('site',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False,
              nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('joined_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_site_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site'))
    )
    op.execute("INSERT INTO site (id, number) VALUES (1, 0)")
    if site:
        renumber_site(bind, site)
        site_table = sa.table('site', sa.column('id', sa.Integer()),
                              sa.column('joined_at', db.types.UTCDateTime()))
        bind.execute(site_table.update().where(site_table.c.id == 1)
                     .values(joined_at=datetime.now(UTC)))
    elif postgres:
        bound_sequences(bind, 0)


def downgrade() -> None:
    bind = op.get_bind()
    renumber_site(bind, 0)
    op.drop_table('site')
    if bind.dialect.name == "postgresql":
        _alter_types("INTEGER")
        for table in KEY_COLUMNS:
            seq = bind.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"),
                               {"t": table}).scalar()
            if seq:
                op.execute(f"ALTER SEQUENCE {seq} AS integer MINVALUE 1 "
                           f"MAXVALUE 2147483647 START WITH 1")
