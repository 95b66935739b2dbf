"""third party: 第三方评估/监管机构, their staff and appointments, 实地检查 and third-party evaluations (issue 14)

``inspection_agency`` an agency (name, USCC, contact); ``inspection_agency_staff`` its user accounts (role
``third_party``, a new value of the non-native ``user.role`` enum: no schema change); ``inspection_appointment``
an agency appointed to a call or to one contract, with dates; ``inspection_visit`` (with its checklist rows,
``inspection_visit_check``, and photos, ``inspection_visit_photo``) an on-site inspection; ``inspection_evaluation``
(with ``inspection_indicator_score``) a mid-term or final evaluation. New tables, nothing to backfill.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 06:18:28.287186

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inspection_agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('contact_name', sa.String(length=40), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_inspection_agency_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_agency')),
    sa.UniqueConstraint('uscc', name=op.f('uq_inspection_agency_uscc'))
    )
    op.create_table('inspection_agency_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['inspection_agency.id'], name=op.f('fk_inspection_agency_staff_agency_id_inspection_agency')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_inspection_agency_staff_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_agency_staff')),
    sa.UniqueConstraint('user_id', name=op.f('uq_inspection_agency_staff_user_id'))
    )
    with op.batch_alter_table('inspection_agency_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_agency_staff_agency_id'), ['agency_id'], unique=False)

    op.create_table('inspection_appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(call_id IS NULL) <> (contract_id IS NULL)', name=op.f('ck_inspection_appointment_call_or_contract')),
    sa.ForeignKeyConstraint(['agency_id'], ['inspection_agency.id'], name=op.f('fk_inspection_appointment_agency_id_inspection_agency')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_inspection_appointment_call_id_call')),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_inspection_appointment_contract_id_contract')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_inspection_appointment_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_appointment'))
    )
    with op.batch_alter_table('inspection_appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_appointment_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_appointment_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_appointment_contract_id'), ['contract_id'], unique=False)

    op.create_table('inspection_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('midterm', 'final', name='evaluationkind', native_enum=False, length=32), nullable=False),
    sa.Column('surveyed', sa.Integer(), nullable=True),
    sa.Column('satisfaction', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'confirmed', name='workstatus', native_enum=False, length=32), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['inspection_agency.id'], name=op.f('fk_inspection_evaluation_agency_id_inspection_agency')),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_inspection_evaluation_contract_id_contract')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_inspection_evaluation_created_by_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_inspection_evaluation_decided_by_id_user')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_inspection_evaluation_submitted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_evaluation'))
    )
    with op.batch_alter_table('inspection_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_evaluation_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_evaluation_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_evaluation_status'), ['status'], unique=False)

    op.create_table('inspection_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('visited_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('people_met', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'confirmed', name='workstatus', native_enum=False, length=32), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['inspection_agency.id'], name=op.f('fk_inspection_visit_agency_id_inspection_agency')),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_inspection_visit_contract_id_contract')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_inspection_visit_created_by_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_inspection_visit_decided_by_id_user')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_inspection_visit_submitted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_visit'))
    )
    with op.batch_alter_table('inspection_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_visit_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_visit_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_visit_status'), ['status'], unique=False)

    op.create_table('inspection_indicator_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=500), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['inspection_evaluation.id'], name=op.f('fk_inspection_indicator_score_evaluation_id_inspection_evaluation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_indicator_score'))
    )
    with op.batch_alter_table('inspection_indicator_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_indicator_score_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('inspection_visit_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=100), nullable=False),
    sa.Column('result', sa.Enum('meets', 'mostly', 'fails', name='checkresult', native_enum=False, length=32), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['inspection_visit.id'], name=op.f('fk_inspection_visit_check_visit_id_inspection_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_visit_check'))
    )
    with op.batch_alter_table('inspection_visit_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_visit_check_visit_id'), ['visit_id'], unique=False)

    op.create_table('inspection_visit_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_inspection_visit_photo_file_id_stored_file')),
    sa.ForeignKeyConstraint(['visit_id'], ['inspection_visit.id'], name=op.f('fk_inspection_visit_photo_visit_id_inspection_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_visit_photo'))
    )
    with op.batch_alter_table('inspection_visit_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_visit_photo_visit_id'), ['visit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('inspection_visit_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_visit_photo_visit_id'))

    op.drop_table('inspection_visit_photo')
    with op.batch_alter_table('inspection_visit_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_visit_check_visit_id'))

    op.drop_table('inspection_visit_check')
    with op.batch_alter_table('inspection_indicator_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_indicator_score_evaluation_id'))

    op.drop_table('inspection_indicator_score')
    with op.batch_alter_table('inspection_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_visit_status'))
        batch_op.drop_index(batch_op.f('ix_inspection_visit_contract_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_visit_agency_id'))

    op.drop_table('inspection_visit')
    with op.batch_alter_table('inspection_evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_evaluation_status'))
        batch_op.drop_index(batch_op.f('ix_inspection_evaluation_contract_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_evaluation_agency_id'))

    op.drop_table('inspection_evaluation')
    with op.batch_alter_table('inspection_appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_appointment_contract_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_appointment_call_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_appointment_agency_id'))

    op.drop_table('inspection_appointment')
    with op.batch_alter_table('inspection_agency_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_agency_staff_agency_id'))

    op.drop_table('inspection_agency_staff')
    op.drop_table('inspection_agency')
