"""rectification: the 整改 loop (issue 14)

``rectification_case`` is one 整改 of a project (contract): findings, a deadline (UTC), its 整改通知书, status,
when it was marked overdue; ``rectification_report`` an organization's 整改报告 with its verdict;
``rectification_evidence`` the files of a report. ``contract.paused_reason`` is the pause monitoring stamps on
the contract while a case is open (funding derives its tranches from it); ``call.rectification_days`` the
call's default 整改期限 in working days (15). New tables are empty; existing calls get 15, existing contracts
no pause: nothing else to backfill.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 03:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rectification_days', sa.Integer(), server_default='15', nullable=False))
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_reason', sa.Text(), nullable=True))
    op.create_table(
        'rectification_case',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('findings', sa.Text(), nullable=False),
        sa.Column('deadline', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('status', sa.Enum('open', 'reported', 'closed', name='casestatus', native_enum=False, length=32),
                  nullable=False),
        sa.Column('overdue_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('rounds', sa.Integer(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=False),
        sa.Column('opened_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('closed_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_rectification_case_contract_id_contract')),
        sa.ForeignKeyConstraint(['document_id'], ['issued_document.id'],
                                name=op.f('fk_rectification_case_document_id_issued_document')),
        sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], name=op.f('fk_rectification_case_opened_by_id_user')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_rectification_case_closed_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_case')),
    )
    op.create_index(op.f('ix_rectification_case_contract_id'), 'rectification_case', ['contract_id'], unique=False)
    op.create_index('ix_rectification_case_status_deadline', 'rectification_case', ['status', 'deadline'],
                    unique=False)
    op.create_table(
        'rectification_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=False),
        sa.Column('submitted_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('verdict', sa.Enum('done', 'continue', name='verdict', native_enum=False, length=32), nullable=True),
        sa.Column('verdict_note', sa.Text(), nullable=True),
        sa.Column('new_deadline', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('verified_by_id', sa.Integer(), nullable=True),
        sa.Column('verified_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['rectification_case.id'],
                                name=op.f('fk_rectification_report_case_id_rectification_case')),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'],
                                name=op.f('fk_rectification_report_submitted_by_id_user')),
        sa.ForeignKeyConstraint(['verified_by_id'], ['user.id'], name=op.f('fk_rectification_report_verified_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_report')),
    )
    op.create_index(op.f('ix_rectification_report_case_id'), 'rectification_report', ['case_id'], unique=False)
    op.create_table(
        'rectification_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['rectification_report.id'],
                                name=op.f('fk_rectification_evidence_report_id_rectification_report')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_rectification_evidence_file_id_stored_file')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_evidence')),
    )
    op.create_index(op.f('ix_rectification_evidence_report_id'), 'rectification_evidence', ['report_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_rectification_evidence_report_id'), table_name='rectification_evidence')
    op.drop_table('rectification_evidence')
    op.drop_index(op.f('ix_rectification_report_case_id'), table_name='rectification_report')
    op.drop_table('rectification_report')
    op.drop_index('ix_rectification_case_status_deadline', table_name='rectification_case')
    op.drop_index(op.f('ix_rectification_case_contract_id'), table_name='rectification_case')
    op.drop_table('rectification_case')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('paused_reason')
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_column('rectification_days')
