"""staffing plan: plans kept with the fingerprint of their inputs

Revision ID: 0022
Revises: 0003

A plan takes 1–3 s of simulation; the daily summary, the overview's strip and
`hall-app staffing plan` read a stored plan when its inputs are unchanged
(hall_app/staffing/stored.py). A new, empty table: nothing to convert.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types
from db.site_keys import bound_sequences, read_site

revision = '0022'
down_revision = '0003'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('staffing_plan',
    sa.Column('id', _ID, nullable=False),
    sa.Column('hall_id', _ID, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('made_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_staffing_plan_hall_id_hall')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staffing_plan')),
    sa.UniqueConstraint('hall_id', 'day', 'fingerprint',
                        name=op.f('uq_staffing_plan_hall_id_day_fingerprint'))
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bound_sequences(bind, read_site(bind))


def downgrade() -> None:
    op.drop_table('staffing_plan')
