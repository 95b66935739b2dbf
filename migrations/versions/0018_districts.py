"""districts: an organization's 所在镇街 and an application's 服务镇街 (core/districts.py)

Both nullable — rows from before this revision have none and show 未填写 — and indexed: the public
directory filters organizations by district, the statistics group funded projects by it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_organization_district'), ['district'], unique=False)
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_district'), ['district'], unique=False)


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_district'))
        batch_op.drop_column('district')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_district'))
        batch_op.drop_column('district')
