"""round reopen reason: why a closed review round was opened again (issue 11 stage guards)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('review_round', schema=None) as batch_op:
        batch_op.drop_column('reopen_reason')
