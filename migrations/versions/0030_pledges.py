"""pledges: public pledges (公众认捐, "1+1+1") by citizens and companies to projects in execution (issue 13)

``pledge`` keeps a citizen's pledge to a funded project whose contract is in force: the amount promised, whether
the citizen pledges for themselves or for a company (its name and 统一社会信用代码), the name to be shown or
anonymity (爱心人士), its status (pledged → received → verified, or returned → received again; pledged → withdrawn), the organization's confirmation of receipt (date, amount received, note, the evidence as a
``stored_file``), the officer's verification or return with its reason, and the ``matched_fund`` row the
verification created (unique: one per pledge). Indexes: a project's verified pledges for its public page; the
officers' queue by status, newest first; a citizen's own pledges for 我的参与.

``matched_fund.source_kind`` gains the value ``pledge`` (公众认捐): the column is a VARCHAR(32) without a CHECK
constraint (``core.db.enum_column``), so nothing changes in the database for it. New, empty table: nothing to
backfill.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pledge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('pledged_by_id', sa.Integer(), nullable=False),
        sa.Column('pledged_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('donor_kind', sa.Enum('individual', 'company', name='donorkind', native_enum=False, length=32),
                  nullable=False),
        sa.Column('company_name', sa.String(length=120), nullable=True),
        sa.Column('company_uscc', sa.String(length=18), nullable=True),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('public_name', sa.String(length=40), nullable=True),
        sa.Column('status', sa.Enum('pledged', 'received', 'verified', 'returned', 'withdrawn', name='pledgestatus',
                                    native_enum=False, length=32), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('received_amount', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('receipt_note', sa.Text(), nullable=True),
        sa.Column('evidence_file_id', sa.Integer(), nullable=True),
        sa.Column('receipt_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('receipt_by_id', sa.Integer(), nullable=True),
        sa.Column('verified_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('verified_by_id', sa.Integer(), nullable=True),
        sa.Column('matched_fund_id', sa.Integer(), nullable=True),
        sa.Column('returned_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('returned_by_id', sa.Integer(), nullable=True),
        sa.Column('return_reason', sa.Text(), nullable=True),
        sa.Column('withdrawn_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_pledge_contract_id_contract')),
        sa.ForeignKeyConstraint(['evidence_file_id'], ['stored_file.id'],
                                name=op.f('fk_pledge_evidence_file_id_stored_file')),
        sa.ForeignKeyConstraint(['matched_fund_id'], ['matched_fund.id'],
                                name=op.f('fk_pledge_matched_fund_id_matched_fund')),
        sa.ForeignKeyConstraint(['pledged_by_id'], ['user.id'], name=op.f('fk_pledge_pledged_by_id_user')),
        sa.ForeignKeyConstraint(['receipt_by_id'], ['user.id'], name=op.f('fk_pledge_receipt_by_id_user')),
        sa.ForeignKeyConstraint(['returned_by_id'], ['user.id'], name=op.f('fk_pledge_returned_by_id_user')),
        sa.ForeignKeyConstraint(['verified_by_id'], ['user.id'], name=op.f('fk_pledge_verified_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge')),
        sa.UniqueConstraint('matched_fund_id', name=op.f('uq_pledge_matched_fund_id')),
    )
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.create_index('ix_pledge_contract_status', ['contract_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledge_pledged_by_id'), ['pledged_by_id'], unique=False)
        batch_op.create_index('ix_pledge_status_pledged', ['status', 'pledged_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_index('ix_pledge_status_pledged')
        batch_op.drop_index(batch_op.f('ix_pledge_pledged_by_id'))
        batch_op.drop_index('ix_pledge_contract_status')
    op.drop_table('pledge')
