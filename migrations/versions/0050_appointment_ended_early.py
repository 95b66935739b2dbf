"""third-party appointment ended early (提前结束): the first day no longer covered, the reason, who ended it and
when (issue 14)

Empty for appointments that run to their planned ``ends_on``; nothing to backfill.

Revision ID: 0050
Revises: 0048
Create Date: 2026-12-07 09:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0050'
down_revision = '0048'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection_appointment') as batch_op:
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', grantportal.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_inspection_appointment_ended_by_id_user'), 'user',
                                    ['ended_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('inspection_appointment') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_inspection_appointment_ended_by_id_user'), type_='foreignkey')
        batch_op.drop_column('ended_by_id')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('ended_on')
