"""rectification case: why it closed other than by verification (合同终止) (issue 14)

Empty for cases closed by verification (整改完成); a case still open when its contract is terminated closes with
the reason 合同终止 (monitoring/rectification.py ``end_on_termination``).

Revision ID: 0044
Revises: 0042
Create Date: 2026-12-07 06:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0044'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rectification_case') as batch_op:
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('rectification_case') as batch_op:
        batch_op.drop_column('closed_reason')
