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


# Plain ALTER on both databases: a SQLite batch copy would drop service_type, which other
# tables point at (SQLite >= 3.35 drops a column in place).
def upgrade() -> None:
    op.add_column('service_type', sa.Column('typical_per_day', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('service_type', 'typical_per_day')
