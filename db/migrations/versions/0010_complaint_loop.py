"""complaint loop: register fields, resolution approval, agreement, hand-offs, contact log,
follow-up and feedback times, close kinds, 通报, hall inspections, recovery pauses

Revision ID: 0010
Revises: 0005

Existing complaints move to the new workflow: `confirmed` becomes `agreed`; a closed
complaint gets its close kind (nuisance from its reason, satisfied when the customer said
满意/基本满意, otherwise signed_off, i.e. 未满意结案 — it was closed unsatisfied before a
sign-off existed); they keep `workflow` = 1 (their history follows the old rules, which
the history replay knows), new complaints get 2.

Only plain columns (no foreign keys) are added to existing tables, with plain ALTER
TABLE ADD/DROP COLUMN: a batch copy of `complaint` would fail on SQLite, where the tables
pointing at it keep it from being dropped while foreign keys are enforced, and SQLite
cannot drop a column that carries a foreign key.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None

Id = db.types.IdType
When = db.types.UTCDateTime(timezone=True)

_COMPLAINT_COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ('company_name', sa.String(length=100)),
    ('business', sa.String(length=64)),
    ('business_number', sa.String(length=32)),
    ('problem_onset', sa.Text()),
    ('resolution', sa.Text()),
    ('approval_requested_at', When),
    ('approved_at', When),
    ('agreement_text', sa.Text()),
    ('agreement_signer', sa.String(length=64)),
    ('agreement_signed_at', When),
    ('next_follow_up_at', When),
    ('follow_up_method', sa.String(length=16)),
    ('last_contact_at', When),
    ('next_feedback_at', When),
    ('close_kind', sa.String(length=16)),
)


def _fk(column: str, target: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=f'fk_{table}_{column}_{target}')


def upgrade() -> None:
    for name, type_ in _COMPLAINT_COLUMNS:
        op.add_column('complaint', sa.Column(name, type_, nullable=True))
    op.add_column('complaint', sa.Column('workflow', sa.Integer(), nullable=False,
                                         server_default='1'))
    op.add_column('counter_pause', sa.Column('kind', sa.String(length=16), nullable=False,
                                             server_default='normal'))
    op.create_index('ix_complaint_hall_state', 'complaint', ['hall_id', 'state'])
    op.create_index('ix_complaint_ticket', 'complaint', ['ticket_id'])

    op.create_table(
        'complaint_contact',
        sa.Column('id', Id, nullable=False),
        sa.Column('hall_id', Id, nullable=False),
        sa.Column('complaint_id', Id, nullable=False),
        sa.Column('at', When, nullable=False),
        sa.Column('staff_id', Id, nullable=True),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        _fk('hall_id', 'hall', 'complaint_contact'),
        _fk('complaint_id', 'complaint', 'complaint_contact'),
        _fk('staff_id', 'staff', 'complaint_contact'),
        sa.PrimaryKeyConstraint('id', name='pk_complaint_contact'),
    )
    op.create_index('ix_complaint_contact_complaint', 'complaint_contact', ['complaint_id', 'id'])
    op.create_table(
        'complaint_hand_off',
        sa.Column('id', Id, nullable=False),
        sa.Column('hall_id', Id, nullable=False),
        sa.Column('complaint_id', Id, nullable=False),
        sa.Column('department', sa.String(length=64), nullable=False),
        sa.Column('task', sa.Text(), nullable=False),
        sa.Column('due_at', When, nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('handed_at', When, nullable=False),
        sa.Column('handed_by', Id, nullable=True),
        sa.Column('done_at', When, nullable=True),
        sa.Column('done_by', Id, nullable=True),
        sa.Column('done_note', sa.Text(), nullable=True),
        _fk('hall_id', 'hall', 'complaint_hand_off'),
        _fk('complaint_id', 'complaint', 'complaint_hand_off'),
        _fk('handed_by', 'staff', 'complaint_hand_off'),
        _fk('done_by', 'staff', 'complaint_hand_off'),
        sa.PrimaryKeyConstraint('id', name='pk_complaint_hand_off'),
    )
    op.create_index('ix_complaint_hand_off_complaint', 'complaint_hand_off',
                    ['complaint_id', 'id'])
    op.create_table(
        'complaint_notice',
        sa.Column('id', Id, nullable=False),
        sa.Column('hall_id', Id, nullable=False),
        sa.Column('issued_at', When, nullable=False),
        sa.Column('issued_by', Id, nullable=True),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('lessons', sa.Text(), nullable=False),
        _fk('hall_id', 'hall', 'complaint_notice'),
        _fk('issued_by', 'staff', 'complaint_notice'),
        sa.PrimaryKeyConstraint('id', name='pk_complaint_notice'),
    )
    op.create_index('ix_complaint_notice_hall_issued', 'complaint_notice',
                    ['hall_id', 'issued_at'])
    op.create_table(
        'complaint_notice_item',
        sa.Column('id', Id, nullable=False),
        sa.Column('notice_id', Id, nullable=False),
        sa.Column('complaint_id', Id, nullable=False),
        _fk('notice_id', 'complaint_notice', 'complaint_notice_item'),
        _fk('complaint_id', 'complaint', 'complaint_notice_item'),
        sa.PrimaryKeyConstraint('id', name='pk_complaint_notice_item'),
        sa.UniqueConstraint('notice_id', 'complaint_id',
                            name='uq_complaint_notice_item_notice_id_complaint_id'),
    )
    op.create_table(
        'inspection_round',
        sa.Column('id', Id, nullable=False),
        sa.Column('hall_id', Id, nullable=False),
        sa.Column('business_day', sa.Date(), nullable=False),
        sa.Column('slot', sa.String(length=5), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('started_at', When, nullable=False),
        sa.Column('started_by', Id, nullable=True),
        sa.Column('finished_at', When, nullable=True),
        sa.Column('finished_by', Id, nullable=True),
        _fk('hall_id', 'hall', 'inspection_round'),
        _fk('started_by', 'staff', 'inspection_round'),
        _fk('finished_by', 'staff', 'inspection_round'),
        sa.PrimaryKeyConstraint('id', name='pk_inspection_round'),
        sa.UniqueConstraint('hall_id', 'business_day', 'slot',
                            name='uq_inspection_round_hall_id_business_day_slot'),
    )
    op.create_table(
        'inspection_item',
        sa.Column('id', Id, nullable=False),
        sa.Column('round_id', Id, nullable=False),
        sa.Column('item_key', sa.String(length=32), nullable=False),
        sa.Column('area', sa.String(length=16), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('result', sa.String(length=16), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('checked_at', When, nullable=True),
        sa.Column('checked_by', Id, nullable=True),
        sa.Column('incident_id', Id, nullable=True),
        _fk('round_id', 'inspection_round', 'inspection_item'),
        _fk('checked_by', 'staff', 'inspection_item'),
        _fk('incident_id', 'incident', 'inspection_item'),
        sa.PrimaryKeyConstraint('id', name='pk_inspection_item'),
        sa.UniqueConstraint('round_id', 'item_key', name='uq_inspection_item_round_id_item_key'),
    )
    op.create_table(
        'inspection_event',
        sa.Column('id', Id, nullable=False),
        sa.Column('hall_id', Id, nullable=False),
        sa.Column('round_id', Id, nullable=False),
        sa.Column('item_key', sa.String(length=32), nullable=True),
        sa.Column('action', sa.String(length=24), nullable=False),
        sa.Column('from_state', sa.String(length=16), nullable=True),
        sa.Column('to_state', sa.String(length=16), nullable=False),
        sa.Column('at', When, nullable=False),
        sa.Column('staff_id', Id, nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        _fk('hall_id', 'hall', 'inspection_event'),
        _fk('round_id', 'inspection_round', 'inspection_event'),
        _fk('staff_id', 'staff', 'inspection_event'),
        sa.PrimaryKeyConstraint('id', name='pk_inspection_event'),
    )
    op.create_index('ix_inspection_event_round', 'inspection_event', ['round_id', 'id'])
    op.create_table(
        'recovery_break',
        sa.Column('id', Id, nullable=False),
        sa.Column('hall_id', Id, nullable=False),
        sa.Column('pause_id', Id, nullable=False),
        sa.Column('staff_id', Id, nullable=False),
        sa.Column('complaint_id', Id, nullable=True),
        sa.Column('granted_by', Id, nullable=False),
        sa.Column('granted_at', When, nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        _fk('hall_id', 'hall', 'recovery_break'),
        _fk('pause_id', 'counter_pause', 'recovery_break'),
        _fk('staff_id', 'staff', 'recovery_break'),
        _fk('complaint_id', 'complaint', 'recovery_break'),
        _fk('granted_by', 'staff', 'recovery_break'),
        sa.PrimaryKeyConstraint('id', name='pk_recovery_break'),
    )
    op.create_index('ix_recovery_break_hall_granted', 'recovery_break', ['hall_id', 'granted_at'])
    _move_existing_complaints()


def _move_existing_complaints() -> None:
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE complaint SET state = CASE WHEN state = 'confirmed' THEN 'agreed' "
        "ELSE state END, last_contact_at = COALESCE(replied_at, received_at)"))
    bind.execute(sa.text(
        "UPDATE complaint SET close_kind = CASE "
        "WHEN close_reason LIKE :nuisance THEN 'nuisance' "
        "WHEN satisfaction IN ('satisfied', 'mostly') THEN 'satisfied' "
        "ELSE 'signed_off' END WHERE state = 'closed'"),
        {"nuisance": "非真实投诉(骚扰):%"})


def downgrade() -> None:
    bind = op.get_bind()
    # Back to the old workflow's states (its closest equivalents).
    bind.execute(sa.text(
        "UPDATE complaint SET state = CASE state WHEN 'agreed' THEN 'confirmed' "
        "WHEN 'implementing' THEN 'confirmed' WHEN 'approved' THEN 'in_progress' "
        "ELSE state END"))
    for table in ('recovery_break', 'inspection_event', 'inspection_item', 'inspection_round',
                  'complaint_notice_item', 'complaint_notice', 'complaint_hand_off',
                  'complaint_contact'):
        op.drop_table(table)
    op.drop_index('ix_complaint_ticket', table_name='complaint')
    op.drop_index('ix_complaint_hall_state', table_name='complaint')
    op.drop_column('counter_pause', 'kind')
    op.drop_column('complaint', 'workflow')
    for name, _type in reversed(_COMPLAINT_COLUMNS):
        op.drop_column('complaint', name)
