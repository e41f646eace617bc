"""business day: the day-lifecycle table (opened by the first ticket, closed exactly once)

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27 09:00:00

Every (hall, day) that already has tickets gets an `open` row, so the first workstation
that starts after this upgrade closes those past days in order (docs/decisions.md,
"Closing the business day"): their customers left waiting stay waiting forever otherwise.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types
from db.site_keys import bound_sequences, key_range, read_site

revision = '0004'
down_revision = '0006'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('business_day',
    sa.Column('id', _ID, nullable=False),
    sa.Column('hall_id', _ID, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opened_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opens_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extended_by', _ID, nullable=True),
    sa.Column('closed_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', _ID, nullable=True),
    sa.Column('closed_by_system', sa.Boolean(), nullable=False),
    sa.Column('workstation', sa.String(length=128), nullable=True),
    sa.Column('issued', sa.Integer(), nullable=True),
    sa.Column('served', sa.Integer(), nullable=True),
    sa.Column('abandoned_waiting', sa.Integer(), nullable=True),
    sa.Column('abandoned_called', sa.Integer(), nullable=True),
    sa.Column('finished_at_close', sa.Integer(), nullable=True),
    sa.Column('counters_closed', sa.Integer(), nullable=True),
    sa.Column('sessions_ended', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by'], ['staff.id'], name=op.f('fk_business_day_closed_by_staff')),
    sa.ForeignKeyConstraint(['extended_by'], ['staff.id'], name=op.f('fk_business_day_extended_by_staff')),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_business_day_hall_id_hall')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_day')),
    sa.UniqueConstraint('hall_id', 'day', name=op.f('uq_business_day_hall_id_day'))
    )
    with op.batch_alter_table('business_day', schema=None) as batch_op:
        batch_op.create_index('ix_business_day_hall_state', ['hall_id', 'state', 'day'],
                              unique=False)
    bind = op.get_bind()
    site = read_site(bind)
    if bind.dialect.name == "postgresql":
        # Bound the new key sequence to the site's range before the first row is made.
        bound_sequences(bind, site)
        bind.execute(sa.text(
            "INSERT INTO business_day (hall_id, day, state, opened_at, closed_by_system) "
            "SELECT hall_id, business_day, 'open', MIN(created_at), false FROM ticket "
            "GROUP BY hall_id, business_day"))
    else:
        # SQLite numbers a new row max(id) + 1: the first ones are placed in the range.
        bind.execute(sa.text(
            "INSERT INTO business_day (id, hall_id, day, state, opened_at, closed_by_system) "
            "SELECT :first + ROW_NUMBER() OVER (ORDER BY hall_id, business_day) - 1, "
            "hall_id, business_day, 'open', MIN(created_at), 0 FROM ticket "
            "GROUP BY hall_id, business_day"), {"first": key_range(site)[0]})


def downgrade() -> None:
    with op.batch_alter_table('business_day', schema=None) as batch_op:
        batch_op.drop_index('ix_business_day_hall_state')
    op.drop_table('business_day')
