"""district: the registry of member sites (and, with step 3, the daily rollups)

Revision ID: 0009
Revises: 0002
Create Date: 2026-11-26 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0009'
down_revision = '0002'
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


def downgrade() -> None:
    op.drop_table('district_site')
