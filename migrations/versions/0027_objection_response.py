"""objection response: the written response (书面答复) of the organization an objection is about

An organization whose project is objected to during 公示 may answer in writing before the officer decides
(issue 13): the text, when, and which of its members sent it. The officer reads it next to the objection;
the objector's identity is never shown to the organization.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('responded_at', grantportal.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('responded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_objection_responded_by_id_user'), 'user', ['responded_by_id'],
                                    ['id'])


def downgrade():
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_objection_responded_by_id_user'), type_='foreignkey')
        batch_op.drop_column('responded_by_id')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('response')
