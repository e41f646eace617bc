"""ticket queue index: the hop appended, so the waiting are counted from the index alone

Revision ID: 0023
Revises: 0022

The overview counts today's waiting tickets by service, wait bucket, first hop and hour
of issue in one pass (hall_app/services/overview_reads.py, `queue_groups`). With `hop` in
`ix_ticket_queue` that pass reads index entries only, not each waiting ticket's row. The
index's leading columns (what call-next and the queue counts search by) are unchanged.
"""
from __future__ import annotations

from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

_OLD = ['hall_id', 'business_day', 'state', 'service_id', 'issued_at']


def upgrade() -> None:
    op.drop_index('ix_ticket_queue', table_name='ticket')
    op.create_index('ix_ticket_queue', 'ticket', [*_OLD, 'hop'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_queue', table_name='ticket')
    op.create_index('ix_ticket_queue', 'ticket', _OLD, unique=False)
