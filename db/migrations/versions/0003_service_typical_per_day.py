"""service_type.typical_per_day: customers on a typical day (staffing advice for a new hall)

Revision ID: 0002_staffing
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_staffing'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service_type') as batch:
        batch.add_column(sa.Column('typical_per_day', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('service_type') as batch:
        batch.drop_column('typical_per_day')
