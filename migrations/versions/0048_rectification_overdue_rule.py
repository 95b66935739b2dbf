"""rectification overdue rule: a call says whether a 整改 past its deadline leads to terminating the contract (issue 14)

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-07 08:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0048'
down_revision = '0047'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call') as batch_op:
        batch_op.add_column(sa.Column('rectification_overdue_terminates', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('call') as batch_op:
        batch_op.drop_column('rectification_overdue_terminates')
