"""workbench indexes: the officer's 待办 counts read by index, never by a scan of the whole table

Applications waiting for screening (status, screening, call), objections waiting for a decision,
payable tranches, and review rounds still open past their closing time.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 09:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_application_screening', 'application', ['status', 'screening', 'call_id'], unique=False)
    op.create_index('ix_objection_status', 'objection', ['status'], unique=False)
    op.create_index('ix_tranche_status', 'tranche', ['status'], unique=False)
    op.create_index('ix_review_round_status_closes', 'review_round', ['status', 'closes_at'], unique=False)


def downgrade():
    op.drop_index('ix_review_round_status_closes', table_name='review_round')
    op.drop_index('ix_tranche_status', table_name='tranche')
    op.drop_index('ix_objection_status', table_name='objection')
    op.drop_index('ix_application_screening', table_name='application')
