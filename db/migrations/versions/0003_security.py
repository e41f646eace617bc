"""security: staff sessions, login throttle, lockout clock, append-only hash-chained history

Revision ID: 0003
Revises: 0021
Create Date: 2026-11-27 09:00:00

* `staff_session` (server-side sessions), `login_throttle` (per-workstation attempts),
  the lockout columns on `staff` (duration from a recorded clock point) and
  `staff.default_pin`.
* `prev_hash`/`row_hash` on ticket_event, complaint_history and audit_log (plus
  `chain_seq` on audit_log), `history_seal`; existing rows are chained here, in key
  order, before the triggers that chain new rows and refuse UPDATE/DELETE are
  installed (db/history_chain.py).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types
from db.history_chain import backfill_chains, create_history_triggers, drop_history_triggers

revision = '0003'
down_revision = '0021'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN (no batch "move and copy": staff is referenced by many rows).
    op.add_column('staff', sa.Column('lock_seconds', sa.Integer(), nullable=False,
                                     server_default='0'))
    op.add_column('staff', sa.Column('lock_started_at', TS, nullable=True))
    op.add_column('staff', sa.Column('lock_started_mono', sa.Float(), nullable=True))
    op.add_column('staff', sa.Column('default_pin', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))

    op.create_table('staff_session',
    sa.Column('id', ID, nullable=False),
    sa.Column('hall_id', ID, nullable=False),
    sa.Column('staff_id', ID, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('workstation', sa.String(length=64), nullable=False),
    sa.Column('counter_id', ID, nullable=True),
    sa.Column('pin_change_required', sa.Boolean(), nullable=False),
    sa.Column('started_at', TS, nullable=False),
    sa.Column('last_seen_at', TS, nullable=False),
    sa.Column('ended_at', TS, nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'],
                            name=op.f('fk_staff_session_counter_id_counter')),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_staff_session_hall_id_hall')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                            name=op.f('fk_staff_session_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_session_token_hash'))
    )
    op.create_index('ix_staff_session_staff_ended', 'staff_session', ['staff_id', 'ended_at'])
    op.create_index('ix_staff_session_counter_ended', 'staff_session',
                    ['counter_id', 'ended_at'])

    op.create_table('login_throttle',
    sa.Column('id', ID, nullable=False),
    sa.Column('hall_id', ID, nullable=False),
    sa.Column('workstation', sa.String(length=64), nullable=False),
    sa.Column('window_started_at', TS, nullable=False),
    sa.Column('window_started_mono', sa.Float(), nullable=True),
    sa.Column('accounts', sa.Text(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('lock_seconds', sa.Integer(), nullable=False),
    sa.Column('lock_started_at', TS, nullable=True),
    sa.Column('lock_started_mono', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'],
                            name=op.f('fk_login_throttle_hall_id_hall')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
    sa.UniqueConstraint('hall_id', 'workstation',
                        name=op.f('uq_login_throttle_hall_id_workstation'))
    )

    op.create_table('history_seal',
    sa.Column('id', ID, nullable=False),
    sa.Column('hall_id', ID, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', TS, nullable=False),
    sa.Column('ticket_event_through', ID, nullable=True),
    sa.Column('complaint_history_through', ID, nullable=True),
    sa.Column('audit_log_through', ID, nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('seal_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], name=op.f('fk_history_seal_hall_id_hall')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history_seal')),
    sa.UniqueConstraint('hall_id', 'seq', name=op.f('uq_history_seal_hall_id_seq'))
    )

    for table in ('ticket_event', 'complaint_history', 'audit_log'):
        if table == 'audit_log':
            op.add_column(table, sa.Column('chain_seq', sa.Integer(), nullable=True))
        op.add_column(table, sa.Column('prev_hash', sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column('row_hash', sa.String(length=64), nullable=True))
    op.create_index('uq_audit_log_hall_chain', 'audit_log', ['hall_id', 'chain_seq'],
                    unique=True)

    bind = op.get_bind()
    backfill_chains(bind)
    create_history_triggers(bind)


def _drop_columns(table: str, *columns: str) -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch "move and copy" of staff
    # would drop a table other rows reference.
    for column in columns:
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def downgrade() -> None:
    bind = op.get_bind()
    drop_history_triggers(bind)
    op.drop_index('uq_audit_log_hall_chain', table_name='audit_log')
    for table in ('ticket_event', 'complaint_history'):
        _drop_columns(table, 'row_hash', 'prev_hash')
    _drop_columns('audit_log', 'row_hash', 'prev_hash', 'chain_seq')
    op.drop_table('history_seal')
    op.drop_table('login_throttle')
    op.drop_index('ix_staff_session_counter_ended', table_name='staff_session')
    op.drop_index('ix_staff_session_staff_ended', table_name='staff_session')
    op.drop_table('staff_session')
    _drop_columns('staff', 'default_pin', 'lock_started_mono', 'lock_started_at',
                  'lock_seconds')
