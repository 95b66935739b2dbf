"""defence days: the logged random running order of a 答辩/路演 round and its slots with attendance (issue 14)

``defence_draw`` keeps every draw of a round's running order (seed, entrants, order; a redraw's reason), so that
the order can be replayed and earlier draws stay in the log. ``defence_slot`` is one applicant's time on a defence
day (UTC start, minutes, venue and/or meeting link, what to bring) and its attendance (到场 / 缺席).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 04:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'defence_draw',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('seed', sa.String(length=64), nullable=False),
        sa.Column('entrants', sa.JSON(), nullable=False),
        sa.Column('order', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_defence_draw_round_id_review_round')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_defence_draw_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_defence_draw')),
    )
    op.create_index(op.f('ix_defence_draw_round_id'), 'defence_draw', ['round_id'], unique=False)
    op.create_table(
        'defence_slot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('venue', sa.String(length=120), nullable=False),
        sa.Column('meeting_link', sa.String(length=300), nullable=False),
        sa.Column('bring', sa.Text(), nullable=False),
        sa.Column('attendance', sa.Enum('pending', 'present', 'absent', name='attendance', native_enum=False,
                                        length=32), nullable=False),
        sa.Column('attendance_note', sa.Text(), nullable=False),
        sa.Column('attendance_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('attendance_by_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_defence_slot_round_id_review_round')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_defence_slot_application_id_application')),
        sa.ForeignKeyConstraint(['attendance_by_id'], ['user.id'], name=op.f('fk_defence_slot_attendance_by_id_user')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_defence_slot_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_defence_slot')),
    )
    op.create_index('ix_defence_slot_round_app', 'defence_slot', ['round_id', 'application_id'], unique=False)
    op.create_index('ix_defence_slot_venue_starts', 'defence_slot', ['venue', 'starts_at'], unique=False)


def downgrade():
    op.drop_index('ix_defence_slot_venue_starts', table_name='defence_slot')
    op.drop_index('ix_defence_slot_round_app', table_name='defence_slot')
    op.drop_table('defence_slot')
    op.drop_index(op.f('ix_defence_draw_round_id'), table_name='defence_draw')
    op.drop_table('defence_draw')
