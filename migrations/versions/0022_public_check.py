"""public check: a published ranking's recomputation (复核) kept with the rows of each of its pages (issue 12)

The public score table and the expert-draw record used to be built and recomputed on every request (about 20 s
for the biggest call at national scale). A job now computes each once, when results are published, revised or
made final and again when the kept one is older than PUBLIC_CHECK_SECONDS; a page reads one ``public_check`` row
and one ``public_check_page`` row (awards/proposals/checks.py).

The public results page reads a level's selected rows in rank order, then its reserves, from an index over
(proposal, level, status or final status, rank, id): no sort of the whole level, no scan of the call's unselected
applications. The first replaces (proposal, level, status), of which it is an extension.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('scores', 'draw', name='checkkind', native_enum=False, length=32), nullable=False),
    sa.Column('changed_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('requested_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('computed_at', grantportal.core.db.UTCDateTime(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('per_page', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('differences', sa.JSON(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('json_file_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_public_check_file_id_stored_file')),
    sa.ForeignKeyConstraint(['json_file_id'], ['stored_file.id'],
                            name=op.f('fk_public_check_json_file_id_stored_file')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_public_check_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_check')),
    sa.UniqueConstraint('proposal_id', 'kind', name=op.f('uq_public_check_proposal_id'))
    )
    op.create_table('public_check_page',
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['public_check.id'], name=op.f('fk_public_check_page_check_id_public_check')),
    sa.PrimaryKeyConstraint('check_id', 'number', name=op.f('pk_public_check_page'))
    )


    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index('ix_award_public', ['proposal_id', 'level', 'status', 'rank', 'id'], unique=False)
        batch_op.create_index('ix_award_public_final', ['proposal_id', 'level', 'final_status', 'rank', 'id'],
                              unique=False)
        batch_op.drop_index('ix_award_proposal_level_status')


def downgrade():
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index('ix_award_proposal_level_status', ['proposal_id', 'level', 'status'], unique=False)
        batch_op.drop_index('ix_award_public_final')
        batch_op.drop_index('ix_award_public')
    op.drop_table('public_check_page')
    op.drop_table('public_check')
