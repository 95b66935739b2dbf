"""call files: 申报指南, 申报书模板 and other files the office publishes with a call (issue 11)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'call_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('guide', 'template', 'notice', 'other', name='callfilekind', native_enum=False,
                                  length=32), nullable=False),
        sa.Column('title', sa.String(length=80), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_file_call_id_call')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_call_file_file_id_stored_file')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_call_file_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_call_file')),
    )
    with op.batch_alter_table('call_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_file_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_file_file_id'), ['file_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_file_file_id'))
        batch_op.drop_index(batch_op.f('ix_call_file_call_id'))
    op.drop_table('call_file')
