"""citizens: citizen accounts (公众账户) and the SMS codes that open them (issue 13)

A citizen is a ``user`` row with the role ``citizen`` (the role column is a plain VARCHAR: no change there)
and one ``citizen`` row: the confirmed mainland mobile number (unique), when it was confirmed, which
个人信息保护说明 the person agreed to and when, and real-name details left empty until a process needs them.
``sms_code`` keeps the HMAC of each code sent, never the code; the partial unique index ``uq_sms_code_live``
allows one live code per phone and purpose.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('citizen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('phone_verified_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('consented_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('real_name', sa.String(length=40), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_citizen_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen')),
    sa.UniqueConstraint('phone', name=op.f('uq_citizen_phone')),
    sa.UniqueConstraint('user_id', name=op.f('uq_citizen_user_id'))
    )
    op.create_table('sms_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_code'))
    )
    op.create_index('ix_sms_code_phone_created_at', 'sms_code', ['phone', 'created_at'])
    op.create_index('uq_sms_code_live', 'sms_code', ['phone', 'purpose'], unique=True,
                    sqlite_where=sa.text('live'), postgresql_where=sa.text('live'))


def downgrade():
    op.drop_index('uq_sms_code_live', table_name='sms_code')
    op.drop_index('ix_sms_code_phone_created_at', table_name='sms_code')
    op.drop_table('sms_code')
    op.drop_table('citizen')
