"""funding milestones: the latest 中期评估 and 结项验收 stamped on the contract

Monitoring now tells funding when it records an evaluation (funding.operations.record_milestone), and
funding derives tranche states from its own rows. The new columns are filled from the existing
evaluations: for each stage, the latest evaluation by time, then id (as the tranches were derived before).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('midterm_passed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('midterm_at', grantportal.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('acceptance_passed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('acceptance_at', grantportal.core.db.UTCDateTime(), nullable=True))

    # backfill from the evaluations, in SQL that both SQLite and PostgreSQL run (correlated subqueries; the
    # comparison is a boolean on PostgreSQL and 0/1 on SQLite, which is how SQLite stores booleans)
    for stage in ('midterm', 'acceptance'):
        latest = (f"FROM evaluation e WHERE e.contract_id = contract.id AND e.stage = '{stage}' "
                  "ORDER BY e.evaluated_at DESC, e.id DESC LIMIT 1")
        op.execute(
            f"UPDATE contract SET {stage}_at = (SELECT e.evaluated_at {latest}), "
            f"{stage}_passed = (SELECT e.grade <> 'fail' {latest}) "
            f"WHERE EXISTS (SELECT 1 FROM evaluation e WHERE e.contract_id = contract.id AND e.stage = '{stage}')")


def downgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('acceptance_at')
        batch_op.drop_column('acceptance_passed')
        batch_op.drop_column('midterm_at')
        batch_op.drop_column('midterm_passed')
