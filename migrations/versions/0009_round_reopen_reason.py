"""round reopen reason: why a closed review round was opened again (issue 11 stage guards)

Revision ID: 0009_round_reopen_reason
Revises: 0008
Create Date: 2026-12-06 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_round_reopen_reason'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('review_round', schema=None) as batch_op:
        batch_op.drop_column('reopen_reason')
