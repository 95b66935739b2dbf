"""votes: public votes (公众投票) as a review round, with vote rows, flags and the fixed list of entries (issue 13)

A vote round is a ``review_round`` of kind ``vote`` (the column is a VARCHAR(32) without a CHECK constraint,
``core.db.enum_column``, so the new kind needs no change there). ``vote_round`` adds a vote's own settings (limits
per voter per day and in all, whether the live tally is public, the salt of the published receipt hashes, when it
opened and when its tally was published); ``vote_entry`` fixes the projects that entered when the vote opened;
``vote`` is one row per vote (never a counter): the voter (a citizen), the project, when (and the Beijing date, for
the per-day limit), the receipt code (unique), the address and its /24 network, the status (valid, flagged,
voided) and the officer's decision with its reason; ``vote_flag`` keeps each anomaly rule that flagged a vote, with
its reason. Indexes: one vote per voter and project (unique, also the voter's count); the tally by round and project,
and a project's recent votes (the anomaly rules), by round, project, time and status; recent votes by address and by round and network (the challenge, the anomaly rules); the review queue
by round and status. New, empty tables: nothing to backfill.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db

# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

VOTE_STATUS = sa.Enum('valid', 'flagged', 'voided', name='votestatus', native_enum=False, length=32)
ANOMALY_RULE = sa.Enum('burst', 'new_accounts', 'sequential_phones', 'night_lockstep', name='anomalyrule',
                       native_enum=False, length=32)


def upgrade():
    op.create_table(
        'vote_round',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('per_day', sa.Integer(), nullable=False),
        sa.Column('per_voter', sa.Integer(), nullable=False),
        sa.Column('live_tally', sa.Boolean(), nullable=False),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.Column('opened_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('published_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_vote_round_published_by_id_user')),
        sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_vote_round_round_id_review_round')),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_vote_round')),
    )
    op.create_table(
        'vote_entry',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_vote_entry_application_id_application')),
        sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_vote_entry_round_id_review_round')),
        sa.PrimaryKeyConstraint('round_id', 'application_id', name=op.f('pk_vote_entry')),
    )
    op.create_table(
        'vote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('citizen_id', sa.Integer(), nullable=False),
        sa.Column('cast_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('receipt', sa.String(length=16), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('network', sa.String(length=64), nullable=False),
        sa.Column('status', VOTE_STATUS, nullable=False),
        sa.Column('decided_at', grantportal.core.db.UTCDateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_vote_application_id_application')),
        sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_vote_citizen_id_citizen')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_vote_decided_by_id_user')),
        sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_vote_round_id_review_round')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote')),
        sa.UniqueConstraint('receipt', name=op.f('uq_vote_receipt')),
        sa.UniqueConstraint('round_id', 'citizen_id', 'application_id', name=op.f('uq_vote_round_id')),
    )
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index('ix_vote_ip_cast', ['ip', 'cast_at'], unique=False)
        batch_op.create_index('ix_vote_round_application_cast', ['round_id', 'application_id', 'cast_at', 'status'],
                              unique=False)
        batch_op.create_index('ix_vote_round_network_cast', ['round_id', 'network', 'cast_at'], unique=False)
        batch_op.create_index('ix_vote_round_status', ['round_id', 'status', 'id'], unique=False)
    op.create_table(
        'vote_flag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('rule', ANOMALY_RULE, nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', grantportal.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_vote_flag_vote_id_vote')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_flag')),
    )
    with op.batch_alter_table('vote_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_flag_vote_id'), ['vote_id'], unique=False)


def downgrade():
    with op.batch_alter_table('vote_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_flag_vote_id'))
    op.drop_table('vote_flag')
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_index('ix_vote_round_status')
        batch_op.drop_index('ix_vote_round_network_cast')
        batch_op.drop_index('ix_vote_round_application_cast')
        batch_op.drop_index('ix_vote_ip_cast')
        batch_op.drop_index(batch_op.f('ix_vote_citizen_id'))
    op.drop_table('vote')
    op.drop_table('vote_entry')
    op.drop_table('vote_round')
