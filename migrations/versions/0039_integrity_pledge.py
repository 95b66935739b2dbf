"""integrity pledge: the 诚信承诺书 a call asks for and each application's signature of it (issue 14)

``call.integrity_pledge`` is the call's own wording (NULL: the default of calls/integrity.py); an application keeps
who signed it (``pledge_signer``), when (``pledge_signed_at``, UTC) and the text as signed (``pledge_text``), set at
each submission. Applications submitted before have none: their receipts print no pledge.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 04:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call') as batch_op:
        batch_op.add_column(sa.Column('integrity_pledge', sa.Text(), nullable=True))
    with op.batch_alter_table('application') as batch_op:
        batch_op.add_column(sa.Column('pledge_signer', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('pledge_signed_at', grantportal.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('pledge_text', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('application') as batch_op:
        batch_op.drop_column('pledge_text')
        batch_op.drop_column('pledge_signed_at')
        batch_op.drop_column('pledge_signer')
    with op.batch_alter_table('call') as batch_op:
        batch_op.drop_column('integrity_pledge')
