"""organization bank account: 开户银行, 账号, 户名 printed on contracts (issue 14)

Empty for organizations registered before; a contract is prepared only once the organization has filled them in
(funding/contracts/operations.py). Never shown on public pages.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 04:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization') as batch_op:
        batch_op.add_column(sa.Column('bank_name', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('bank_account', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('bank_account_name', sa.String(length=120), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('organization') as batch_op:
        batch_op.drop_column('bank_account_name')
        batch_op.drop_column('bank_account')
        batch_op.drop_column('bank_name')
