"""ratings: rating pads, one rating per ticket, follow-ups, the hall's service promise

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-27 09:00:00

Tables for the customer satisfaction pad (issue 17): `rating_pad` (a device bound to a
counter, at most one active per counter), `rating` (one per ticket, a database
constraint), `rating_follow_up` (回访) and `hall_service_promise` (the text the pads
show while idle; no row = the shipped default). Existing tables are not altered.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0006'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hall_service_promise',
        sa.Column('id', db.types.IdType, nullable=False),
        sa.Column('hall_id', db.types.IdType, nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('updated_by', db.types.IdType, nullable=True),
        sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['hall_id'], ['hall.id'],
                                name=op.f('fk_hall_service_promise_hall_id_hall')),
        sa.ForeignKeyConstraint(['updated_by'], ['staff.id'],
                                name=op.f('fk_hall_service_promise_updated_by_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_service_promise')),
        sa.UniqueConstraint('hall_id', name=op.f('uq_hall_service_promise_hall_id')),
    )

    op.create_table(
        'rating_pad',
        sa.Column('id', db.types.IdType, nullable=False),
        sa.Column('hall_id', db.types.IdType, nullable=False),
        sa.Column('counter_id', db.types.IdType, nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('bound_by', db.types.IdType, nullable=False),
        sa.Column('bound_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['bound_by'], ['staff.id'],
                                name=op.f('fk_rating_pad_bound_by_staff')),
        sa.ForeignKeyConstraint(['counter_id'], ['counter.id'],
                                name=op.f('fk_rating_pad_counter_id_counter')),
        sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_rating_pad_hall_id_hall')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_pad')),
        sa.UniqueConstraint('hall_id', 'token_hash', name=op.f('uq_rating_pad_hall_id_token_hash')),
    )
    with op.batch_alter_table('rating_pad', schema=None) as batch_op:
        batch_op.create_index('uq_rating_pad_one_active_per_counter', ['counter_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table(
        'rating',
        sa.Column('id', db.types.IdType, nullable=False),
        sa.Column('hall_id', db.types.IdType, nullable=False),
        sa.Column('business_day', sa.Date(), nullable=False),
        sa.Column('ticket_id', db.types.IdType, nullable=False),
        sa.Column('counter_id', db.types.IdType, nullable=False),
        sa.Column('staff_id', db.types.IdType, nullable=True),
        sa.Column('service_id', db.types.IdType, nullable=False),
        sa.Column('pad_id', db.types.IdType, nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=True),
        sa.Column('wants_contact', sa.Boolean(), nullable=True),
        sa.Column('finished_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('rated_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('explained_at', db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("level IN ('very_satisfied', 'satisfied', 'basic', 'dissatisfied', "
                           "'unrated')", name=op.f('ck_rating_level')),
        sa.CheckConstraint("reason IS NULL OR level = 'dissatisfied'",
                           name=op.f('ck_rating_reason_if_dissatisfied')),
        sa.ForeignKeyConstraint(['counter_id'], ['counter.id'],
                                name=op.f('fk_rating_counter_id_counter')),
        sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_rating_hall_id_hall')),
        sa.ForeignKeyConstraint(['pad_id'], ['rating_pad.id'],
                                name=op.f('fk_rating_pad_id_rating_pad')),
        sa.ForeignKeyConstraint(['service_id'], ['service_type.id'],
                                name=op.f('fk_rating_service_id_service_type')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_rating_staff_id_staff')),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_rating_ticket_id_ticket')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
        sa.UniqueConstraint('hall_id', 'ticket_id', name='uq_rating_one_per_ticket'),
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_hall_day', ['hall_id', 'business_day'], unique=False)

    op.create_table(
        'rating_follow_up',
        sa.Column('id', db.types.IdType, nullable=False),
        sa.Column('hall_id', db.types.IdType, nullable=False),
        sa.Column('rating_id', db.types.IdType, nullable=False),
        sa.Column('ticket_id', db.types.IdType, nullable=False),
        sa.Column('opened_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('handled_by', db.types.IdType, nullable=True),
        sa.Column('handled_at', db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['hall_id'], ['hall.id'],
                                name=op.f('fk_rating_follow_up_hall_id_hall')),
        sa.ForeignKeyConstraint(['handled_by'], ['staff.id'],
                                name=op.f('fk_rating_follow_up_handled_by_staff')),
        sa.ForeignKeyConstraint(['rating_id'], ['rating.id'],
                                name=op.f('fk_rating_follow_up_rating_id_rating')),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'],
                                name=op.f('fk_rating_follow_up_ticket_id_ticket')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_follow_up')),
        sa.UniqueConstraint('hall_id', 'rating_id',
                            name=op.f('uq_rating_follow_up_hall_id_rating_id')),
    )
    with op.batch_alter_table('rating_follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_rating_follow_up_hall_state', ['hall_id', 'state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rating_follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_follow_up_hall_state')
    op.drop_table('rating_follow_up')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_hall_day')
    op.drop_table('rating')
    with op.batch_alter_table('rating_pad', schema=None) as batch_op:
        batch_op.drop_index('uq_rating_pad_one_active_per_counter',
                            sqlite_where=sa.text('revoked_at IS NULL'),
                            postgresql_where=sa.text('revoked_at IS NULL'))
    op.drop_table('rating_pad')
    op.drop_table('hall_service_promise')
