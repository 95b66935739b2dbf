"""award amount indexes: a results page's per-level counts and sums read from an index alone

The public results page heads each level with how many projects were selected and held in reserve and the sum
awarded, grouped from a call's awards (awards/proposals/views/public.py ``_level_tables``). The indexes it used
held no amount, so the sum read every selected award's row from the table: 16 ms of a page for the biggest call
at national scale (10,901 funded, 36,336 ranked), 5–8× the floor. With the amount as the index's last column
both the final (``ix_award_proposal_final``, rebuilt) and the 公示 state (``ix_award_proposal_status``, new)
are counted and summed from index entries only.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 23:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_award_proposal_final', table_name='award')
    op.create_index('ix_award_proposal_final', 'award', ['proposal_id', 'final_status', 'level', 'rank', 'id', 'amount'],
                    unique=False)
    op.create_index('ix_award_proposal_status', 'award', ['proposal_id', 'status', 'level', 'amount'], unique=False)


def downgrade():
    op.drop_index('ix_award_proposal_status', table_name='award')
    op.drop_index('ix_award_proposal_final', table_name='award')
    op.create_index('ix_award_proposal_final', 'award', ['proposal_id', 'final_status', 'level', 'rank', 'id'],
                    unique=False)
