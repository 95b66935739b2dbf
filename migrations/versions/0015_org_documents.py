"""org documents: an organization's standing documents (常用材料) kept once with their validity (issue 11)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'org_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id'], name=op.f('fk_org_document_org_id_organization')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_org_document_file_id_stored_file')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_org_document_uploaded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_document')),
        sa.UniqueConstraint('org_id', 'name', name=op.f('uq_org_document_org_id')),
    )
    with op.batch_alter_table('org_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_document_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_document_file_id'), ['file_id'], unique=False)


def downgrade():
    with op.batch_alter_table('org_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_document_file_id'))
        batch_op.drop_index(batch_op.f('ix_org_document_org_id'))
    op.drop_table('org_document')
