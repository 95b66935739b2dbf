"""supervision reports: 随手拍 by citizens on projects in execution (issue 13)

``supervision_report`` keeps a citizen's report on a funded project whose contract is in force (履行中): the text,
an optional place, its moderation status (pending → assigned → answered, or closed), the officer it is assigned to,
the organization's written answer when an officer asked for one, and the conclusion — the finding (属实 / 不属实 /
部分属实) with its public summary, or the kind of closing (abusive / duplicate) with its reason.
``supervision_photo`` links up to three photos (``stored_file`` rows written by ``core.photos.store_photo``: EXIF
and GPS stripped) to a report. Indexes: the officers' queue by status, newest first; a project's answered reports
for its public page; a citizen's own reports for 我的参与. New, empty tables: nothing to backfill.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'supervision_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('filed_by_id', sa.Integer(), nullable=False),
        sa.Column('filed_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('place', sa.String(length=100), nullable=True),
        sa.Column('status', sa.Enum('pending', 'assigned', 'answered', 'closed', name='supervisionstatus',
                                    native_enum=False, length=32), nullable=False),
        sa.Column('assigned_to_id', sa.Integer(), nullable=True),
        sa.Column('assigned_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('org_question', sa.Text(), nullable=True),
        sa.Column('org_asked_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('org_asked_by_id', sa.Integer(), nullable=True),
        sa.Column('org_answer', sa.Text(), nullable=True),
        sa.Column('org_answered_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('org_answered_by_id', sa.Integer(), nullable=True),
        sa.Column('finding', sa.Enum('true', 'false', 'partly', name='finding', native_enum=False, length=32),
                  nullable=True),
        sa.Column('public_summary', sa.Text(), nullable=True),
        sa.Column('concluded_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('concluded_by_id', sa.Integer(), nullable=True),
        sa.Column('close_kind', sa.Enum('abusive', 'duplicate', name='closekind', native_enum=False, length=32),
                  nullable=True),
        sa.Column('close_reason', sa.Text(), nullable=True),
        sa.Column('closed_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['assigned_to_id'], ['user.id'],
                                name=op.f('fk_supervision_report_assigned_to_id_user')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_supervision_report_closed_by_id_user')),
        sa.ForeignKeyConstraint(['concluded_by_id'], ['user.id'],
                                name=op.f('fk_supervision_report_concluded_by_id_user')),
        sa.ForeignKeyConstraint(['contract_id'], ['contract.id'],
                                name=op.f('fk_supervision_report_contract_id_contract')),
        sa.ForeignKeyConstraint(['filed_by_id'], ['user.id'], name=op.f('fk_supervision_report_filed_by_id_user')),
        sa.ForeignKeyConstraint(['org_answered_by_id'], ['user.id'],
                                name=op.f('fk_supervision_report_org_answered_by_id_user')),
        sa.ForeignKeyConstraint(['org_asked_by_id'], ['user.id'],
                                name=op.f('fk_supervision_report_org_asked_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_report')),
    )
    with op.batch_alter_table('supervision_report', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_report_contract_status', ['contract_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_report_filed_by_id'), ['filed_by_id'], unique=False)
        batch_op.create_index('ix_supervision_report_status_filed', ['status', 'filed_at'], unique=False)

    op.create_table(
        'supervision_photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'],
                                name=op.f('fk_supervision_photo_file_id_stored_file')),
        sa.ForeignKeyConstraint(['report_id'], ['supervision_report.id'],
                                name=op.f('fk_supervision_photo_report_id_supervision_report')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_photo')),
    )
    with op.batch_alter_table('supervision_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_photo_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('supervision_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_photo_report_id'))
    op.drop_table('supervision_photo')
    with op.batch_alter_table('supervision_report', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_report_status_filed')
        batch_op.drop_index(batch_op.f('ix_supervision_report_filed_by_id'))
        batch_op.drop_index('ix_supervision_report_contract_status')
    op.drop_table('supervision_report')
