"""script data: service commitment times, document exchanges (证件唱收唱交)

Revision ID: 0005
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0005'
down_revision = '0002_staffing'
branch_labels = None
depends_on = None


# Plain ALTER TABLE ADD/DROP COLUMN (SQLite has both since 3.35): a batch copy of
# service_type would fail on SQLite, where the tables pointing at it keep it from being
# dropped while foreign keys are enforced.


def upgrade() -> None:
    op.add_column('service_type', sa.Column('commitment', sa.String(length=16), nullable=True))
    op.create_table(
        'document_exchange',
        sa.Column('id', db.types.IdType, nullable=False),
        sa.Column('hall_id', db.types.IdType, nullable=False),
        sa.Column('ticket_id', db.types.IdType, nullable=True),
        sa.Column('counter_id', db.types.IdType, nullable=True),
        sa.Column('staff_id', db.types.IdType, nullable=False),
        sa.Column('document', sa.String(length=32), nullable=False),
        sa.Column('disposition', sa.String(length=16), nullable=False),
        sa.Column('phrase', sa.Text(), nullable=False),
        sa.Column('at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("disposition IN ('returned', 'kept', 'handed')",
                           name=op.f('ck_document_exchange_disposition')),
        sa.ForeignKeyConstraint(['counter_id'], ['counter.id'],
                                name=op.f('fk_document_exchange_counter_id_counter')),
        sa.ForeignKeyConstraint(['hall_id'], ['hall.id'],
                                name=op.f('fk_document_exchange_hall_id_hall')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                                name=op.f('fk_document_exchange_staff_id_staff')),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'],
                                name=op.f('fk_document_exchange_ticket_id_ticket')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_exchange')),
    )
    op.create_index('ix_document_exchange_hall_at', 'document_exchange', ['hall_id', 'at'])
    op.create_index('ix_document_exchange_ticket', 'document_exchange', ['ticket_id'])


def downgrade() -> None:
    op.drop_index('ix_document_exchange_ticket', table_name='document_exchange')
    op.drop_index('ix_document_exchange_hall_at', table_name='document_exchange')
    op.drop_table('document_exchange')
    op.drop_column('service_type', 'commitment')
