"""dataset file: the bulk XLSX of open data built by a job and kept as a stored file (issue 12)

Building the XLSX of every funded project (100,000 at national scale) takes minutes: no request does it any more
(opendata/bulk.py).

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 06:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dataset_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.Column('built_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('requested_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_dataset_file_file_id_stored_file')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dataset_file')),
        sa.UniqueConstraint('name', name=op.f('uq_dataset_file_name')),
    )


def downgrade():
    op.drop_table('dataset_file')
