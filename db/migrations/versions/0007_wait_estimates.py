"""wait estimates given at issue (point, 80 % interval, no-counter state, naive estimate)

Revision ID: 0007
Revises: 0002_staffing
Create Date: 2026-12-01 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0002_staffing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('est_wait_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('est_wait_low_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('est_wait_high_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('est_no_counter', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('est_naive_min', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('est_naive_min')
        batch_op.drop_column('est_no_counter')
        batch_op.drop_column('est_wait_high_min')
        batch_op.drop_column('est_wait_low_min')
        batch_op.drop_column('est_wait_seconds')
