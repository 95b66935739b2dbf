"""work calendar: each year's holidays and make-up working days confirmed by an officer; rating validity reason

calendar_year / calendar_day: the State Council's annual arrangement as an officer confirmed it; 公示 periods
are counted only in confirmed years (grantportal/calendar). rating_record.validity_reason: why a rating's
validity differs from the one computed from its announcement date (NULL when it does not).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_year',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('notice_title', sa.String(length=200), nullable=False),
        sa.Column('notice_number', sa.String(length=100), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], name=op.f('fk_calendar_year_confirmed_by_id_user')),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year')),
    )
    op.create_table(
        'calendar_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.Enum('holiday', 'workday', name='daykind', native_enum=False, length=32), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['year'], ['calendar_year.year'], name=op.f('fk_calendar_day_year_calendar_year')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_day')),
        sa.UniqueConstraint('day', name=op.f('uq_calendar_day_day')),
    )
    with op.batch_alter_table('calendar_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_day_year'), ['year'], unique=False)
    with op.batch_alter_table('rating_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('validity_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('rating_record', schema=None) as batch_op:
        batch_op.drop_column('validity_reason')
    with op.batch_alter_table('calendar_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_day_year'))
    op.drop_table('calendar_day')
    op.drop_table('calendar_year')
