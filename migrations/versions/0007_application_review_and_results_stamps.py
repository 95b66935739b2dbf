"""application: when expert review started and when results went public, stamped by review and awards

The applicant's workflow (return for revision, withdraw) depends on these two facts. They are owned by
higher domains, which now stamp them on the application instead of the application domain querying
review and awards (issue 10: layers). Existing rows are backfilled from the same data the old queries read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:50:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import grantportal.core.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_started_at', grantportal.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('results_published_at', grantportal.core.db.UTCDateTime(), nullable=True))
    # in expert review: an active assignment in a round that has started (the round's opening time is not
    # recorded, so existing rows get the time of this migration)
    op.execute(sa.text(
        "UPDATE application SET review_started_at = :now WHERE EXISTS ("
        " SELECT 1 FROM assignment JOIN review_round ON review_round.id = assignment.round_id"
        " WHERE assignment.application_id = application.id AND assignment.active = :yes"
        " AND review_round.status <> 'draft')"
    ).bindparams(now=datetime.now(UTC).replace(tzinfo=None), yes=True))
    # in public results: an award in a proposal that has been published (公示 or final)
    op.execute(sa.text(
        "UPDATE application SET results_published_at = ("
        " SELECT min(proposal.published_at) FROM award JOIN proposal ON proposal.id = award.proposal_id"
        " WHERE award.application_id = application.id AND proposal.status <> 'draft')"
        " WHERE EXISTS (SELECT 1 FROM award JOIN proposal ON proposal.id = award.proposal_id"
        " WHERE award.application_id = application.id AND proposal.status <> 'draft')"))


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('results_published_at')
        batch_op.drop_column('review_started_at')
