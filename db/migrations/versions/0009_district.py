"""district: the registry of member sites, the daily rollups and their monthly sums

Revision ID: 0009
Revises: 0002
Create Date: 2026-11-26 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('district_site',
    sa.Column('id', ID, nullable=False),
    sa.Column('site_no', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('subscription', sa.String(length=63), nullable=False),
    sa.Column('publisher', sa.String(length=300), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_heard_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_site')),
    sa.UniqueConstraint('site_no', name=op.f('uq_district_site_site_no')),
    sa.UniqueConstraint('subscription', name=op.f('uq_district_site_subscription'))
    )
    op.create_table('day_rollup',
    sa.Column('id', ID, nullable=False),
    sa.Column('arrived', sa.Integer(), nullable=False),
    sa.Column('walked_away', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Integer(), nullable=False),
    sa.Column('open_tickets', sa.Integer(), nullable=False),
    sa.Column('recalled_tickets', sa.Integer(), nullable=False),
    sa.Column('served_with_wait', sa.Integer(), nullable=False),
    sa.Column('within_target', sa.Integer(), nullable=False),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.Column('complaints_overdue', sa.Integer(), nullable=False),
    sa.Column('complaints_replied_same_day', sa.Integer(), nullable=False),
    sa.Column('outages', sa.Integer(), nullable=False),
    sa.Column('outage_seconds', sa.Integer(), nullable=False),
    sa.Column('facility_incidents', sa.Integer(), nullable=False),
    sa.Column('cash_exchanges', sa.Integer(), nullable=False),
    sa.Column('cash_received_fen', sa.BigInteger(), nullable=False),
    sa.Column('wait_lt5', sa.Integer(), nullable=False),
    sa.Column('wait_lt10', sa.Integer(), nullable=False),
    sa.Column('wait_lt15', sa.Integer(), nullable=False),
    sa.Column('wait_lt20', sa.Integer(), nullable=False),
    sa.Column('wait_lt30', sa.Integer(), nullable=False),
    sa.Column('wait_lt45', sa.Integer(), nullable=False),
    sa.Column('wait_lt60', sa.Integer(), nullable=False),
    sa.Column('wait_ge60', sa.Integer(), nullable=False),
    sa.Column('service_level_target_pct', sa.Integer(), nullable=False),
    sa.Column('walkaway_target_pct', sa.Integer(), nullable=False),
    sa.Column('hall_id', ID, nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('served', sa.Integer(), nullable=False),
    sa.Column('no_show', sa.Integer(), nullable=False),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('transfers', sa.Integer(), nullable=False),
    sa.Column('wait_count', sa.Integer(), nullable=False),
    sa.Column('wait_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('wait_median_s', sa.Float(), nullable=True),
    sa.Column('wait_p90_s', sa.Float(), nullable=True),
    sa.Column('wait_max_s', sa.Float(), nullable=True),
    sa.Column('service_count', sa.Integer(), nullable=False),
    sa.Column('service_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('service_median_s', sa.Float(), nullable=True),
    sa.Column('service_p90_s', sa.Float(), nullable=True),
    sa.Column('service_max_s', sa.Float(), nullable=True),
    sa.Column('written_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_day_rollup_hall_id_hall')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_rollup')),
    sa.UniqueConstraint('hall_id', 'business_day', name=op.f('uq_day_rollup_hall_id_business_day'))
    )
    op.create_index('ix_day_rollup_day', 'day_rollup', ['business_day'], unique=False)

    op.create_table('day_rollup_clerk',
    sa.Column('id', ID, nullable=False),
    sa.Column('staff_id', ID, nullable=False),
    sa.Column('serving_s', sa.Integer(), nullable=False),
    sa.Column('signed_in_s', sa.Integer(), nullable=False),
    sa.Column('paused_s', sa.Integer(), nullable=False),
    sa.Column('hall_id', ID, nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('served', sa.Integer(), nullable=False),
    sa.Column('no_show', sa.Integer(), nullable=False),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('transfers', sa.Integer(), nullable=False),
    sa.Column('wait_count', sa.Integer(), nullable=False),
    sa.Column('wait_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('wait_median_s', sa.Float(), nullable=True),
    sa.Column('wait_p90_s', sa.Float(), nullable=True),
    sa.Column('wait_max_s', sa.Float(), nullable=True),
    sa.Column('service_count', sa.Integer(), nullable=False),
    sa.Column('service_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('service_median_s', sa.Float(), nullable=True),
    sa.Column('service_p90_s', sa.Float(), nullable=True),
    sa.Column('service_max_s', sa.Float(), nullable=True),
    sa.Column('written_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_day_rollup_clerk_hall_id_hall')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_day_rollup_clerk_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_rollup_clerk')),
    sa.UniqueConstraint('hall_id', 'business_day', 'staff_id', name=op.f('uq_day_rollup_clerk_hall_id_business_day_staff_id'))
    )
    op.create_table('day_rollup_service',
    sa.Column('id', ID, nullable=False),
    sa.Column('service_id', ID, nullable=False),
    sa.Column('target_wait_minutes', sa.Integer(), nullable=False),
    sa.Column('arrived', sa.Integer(), nullable=False),
    sa.Column('walked_away', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Integer(), nullable=False),
    sa.Column('open_tickets', sa.Integer(), nullable=False),
    sa.Column('served_with_wait', sa.Integer(), nullable=False),
    sa.Column('within_target', sa.Integer(), nullable=False),
    sa.Column('hall_id', ID, nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('served', sa.Integer(), nullable=False),
    sa.Column('no_show', sa.Integer(), nullable=False),
    sa.Column('transfers', sa.Integer(), nullable=False),
    sa.Column('wait_count', sa.Integer(), nullable=False),
    sa.Column('wait_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('wait_median_s', sa.Float(), nullable=True),
    sa.Column('wait_p90_s', sa.Float(), nullable=True),
    sa.Column('wait_max_s', sa.Float(), nullable=True),
    sa.Column('service_count', sa.Integer(), nullable=False),
    sa.Column('service_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('service_median_s', sa.Float(), nullable=True),
    sa.Column('service_p90_s', sa.Float(), nullable=True),
    sa.Column('service_max_s', sa.Float(), nullable=True),
    sa.Column('written_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_day_rollup_service_hall_id_hall')),
    sa.ForeignKeyConstraint(['service_id'], ['service_type.id'], name=op.f('fk_day_rollup_service_service_id_service_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_rollup_service')),
    sa.UniqueConstraint('hall_id', 'business_day', 'service_id', name=op.f('uq_day_rollup_service_hall_id_business_day_service_id'))
    )
    op.create_table('day_rollup_counter',
    sa.Column('id', ID, nullable=False),
    sa.Column('counter_id', ID, nullable=False),
    sa.Column('serving_s', sa.Integer(), nullable=False),
    sa.Column('open_s', sa.Integer(), nullable=False),
    sa.Column('paused_s', sa.Integer(), nullable=False),
    sa.Column('hall_id', ID, nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('served', sa.Integer(), nullable=False),
    sa.Column('no_show', sa.Integer(), nullable=False),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('transfers', sa.Integer(), nullable=False),
    sa.Column('wait_count', sa.Integer(), nullable=False),
    sa.Column('wait_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('wait_median_s', sa.Float(), nullable=True),
    sa.Column('wait_p90_s', sa.Float(), nullable=True),
    sa.Column('wait_max_s', sa.Float(), nullable=True),
    sa.Column('service_count', sa.Integer(), nullable=False),
    sa.Column('service_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('service_median_s', sa.Float(), nullable=True),
    sa.Column('service_p90_s', sa.Float(), nullable=True),
    sa.Column('service_max_s', sa.Float(), nullable=True),
    sa.Column('written_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_day_rollup_counter_counter_id_counter')),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_day_rollup_counter_hall_id_hall')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_rollup_counter')),
    sa.UniqueConstraint('hall_id', 'business_day', 'counter_id', name=op.f('uq_day_rollup_counter_hall_id_business_day_counter_id'))
    )


    op.create_table('month_rollup',
    sa.Column('id', ID, nullable=False),
    sa.Column('hall_id', ID, nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('arrived', sa.Integer(), nullable=False),
    sa.Column('served', sa.Integer(), nullable=False),
    sa.Column('no_show', sa.Integer(), nullable=False),
    sa.Column('walked_away', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('served_with_wait', sa.Integer(), nullable=False),
    sa.Column('within_target', sa.Integer(), nullable=False),
    sa.Column('wait_count', sa.Integer(), nullable=False),
    sa.Column('wait_sum_s', sa.BigInteger(), nullable=False),
    sa.Column('long_waits', sa.Integer(), nullable=False),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.Column('complaints_overdue', sa.Integer(), nullable=False),
    sa.Column('outage_seconds', sa.Integer(), nullable=False),
    sa.Column('written_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_month_rollup_hall_id_hall')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_rollup')),
    sa.UniqueConstraint('hall_id', 'month', name=op.f('uq_month_rollup_hall_id_month'))
    )
    op.create_index('ix_month_rollup_month', 'month_rollup', ['month'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_month_rollup_month', table_name='month_rollup')
    op.drop_table('month_rollup')
    op.drop_table('day_rollup_counter')
    op.drop_table('day_rollup_service')
    op.drop_table('day_rollup_clerk')
    op.drop_index('ix_day_rollup_day', table_name='day_rollup')
    op.drop_table('day_rollup')
    op.drop_table('district_site')
