"""statistics snapshot: the public statistics as last computed, read by the page instead of summing every
funded project on a request (disclosure/statistics/queries.py)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'statistics_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statistics_snapshot')),
    )


def downgrade():
    op.drop_table('statistics_snapshot')
