"""scheduled runs: one row per scheduled task and period, so a task runs once per period (issue 15)

``flask schedule run-due`` (grantportal/schedule.py) claims a task's period by inserting its row; the unique key on
(task, period_start) lets only one scheduler in, however many start at once (core/scheduled_runs.py).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduled_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=40), nullable=False),
    sa.Column('period_start', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('status', sa.Enum('running', 'done', 'failed', name='runstatus', native_enum=False, length=32),
              nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_run')),
    sa.UniqueConstraint('task', 'period_start', name='uq_scheduled_run_task_period')
    )


def downgrade():
    op.drop_table('scheduled_run')
