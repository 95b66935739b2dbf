"""verify and open-data indexes: /verify/<code> asks whether a correction replaced the document, by an index
instead of reading every issued document (200,000 at national scale: 20× the floor); the 数据开放 page reads
the newest contract confirmation by an index instead of reading every contract

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 19:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_document_supersedes_id'), ['supersedes_id'], unique=False)
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_confirmed_at'), ['confirmed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_confirmed_at'))
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_document_supersedes_id'))
