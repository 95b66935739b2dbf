"""purchase methods and funding sources of a call (issue 14)

``call.purchase_method`` is the call's method (公开招标, 邀请招标, 竞争性谈判, 竞争性磋商, 单一来源, 询价, 公益创投;
rules in grantportal/calls/methods.py) and ``call.single_source_reason`` the justification a single-source
purchase publishes. Existing calls are backfilled: 公益创投 calls take 公益创投, purchases 公开招标 (政府采购法
第二十六条: the main method). ``call_funding_source`` holds a call's funding sources and amounts; new, empty.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 03:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

METHODS = ('open_tender', 'invited_tender', 'negotiation', 'consultation', 'single_source', 'quotation', 'venture')


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purchase_method', sa.Enum(*METHODS, name='purchasemethod', native_enum=False,
                                                                 length=32), nullable=True))
        batch_op.add_column(sa.Column('single_source_reason', sa.Text(), nullable=True))
    op.execute('UPDATE "call" SET purchase_method = '
               "CASE WHEN kind = 'venture' THEN 'venture' ELSE 'open_tender' END")
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.alter_column('purchase_method', existing_type=sa.Enum(*METHODS, name='purchasemethod',
                                                                       native_enum=False, length=32),
                              nullable=False)

    op.create_table(
        'call_funding_source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('special_fund', 'lottery', 'department', 'other', name='fundingsourcekind',
                                  native_enum=False, length=32), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_funding_source_call_id_call')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_call_funding_source')),
    )
    with op.batch_alter_table('call_funding_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_funding_source_call_id'), ['call_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_funding_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_funding_source_call_id'))
    op.drop_table('call_funding_source')
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_column('single_source_reason')
        batch_op.drop_column('purchase_method')
