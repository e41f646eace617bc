"""爱心通道: a per-hall switch and the mark on tickets issued through it

Revision ID: 0021
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0007'
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN (SQLite has both since 3.35), as in 0005: hall and ticket are
# referenced by most tables, so a SQLite batch copy of either could not drop the original.


def upgrade() -> None:
    op.add_column('hall', sa.Column('care_channel', sa.Boolean(), nullable=False,
                                    server_default=sa.true()))
    op.add_column('ticket', sa.Column('care', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('ticket', 'care')
    op.drop_column('hall', 'care_channel')
