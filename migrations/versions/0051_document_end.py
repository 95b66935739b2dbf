"""document end: an issued document whose award stopped is marked 已失效 / 已终止 with a date and a public reason

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-07 09:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0051'
down_revision = '0050'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('issued_document') as batch_op:
        batch_op.add_column(sa.Column('ended_at', grantportal.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('end_state', sa.Enum('lapsed', 'terminated', name='documentend',
                                                           native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_issued_document_ended_by_id_user'), 'user', ['ended_by_id'],
                                    ['id'])


def downgrade():
    with op.batch_alter_table('issued_document') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_issued_document_ended_by_id_user'), type_='foreignkey')
        batch_op.drop_column('ended_by_id')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('end_state')
        batch_op.drop_column('ended_at')
