"""wait estimates given at issue (point, 80 % interval, no-counter state, naive estimate)

Revision ID: 0007
Revises: 0002_staffing
Create Date: 2026-12-01 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None

# Plain ALTER TABLE ADD/DROP COLUMN (SQLite has both since 3.35): a batch copy of
# `ticket` cannot be dropped on SQLite while other tables' foreign keys point at it.
COLUMNS = (
    ('est_wait_seconds', sa.Integer()),
    ('est_wait_low_min', sa.Integer()),
    ('est_wait_high_min', sa.Integer()),
    ('est_no_counter', sa.Boolean()),
    ('est_naive_min', sa.Integer()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column('ticket', sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for name, _type in reversed(COLUMNS):
        op.drop_column('ticket', name)
