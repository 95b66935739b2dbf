"""call list index: the officer's list of a 200,000-application call read from one covering index

(call, number, id, status, screening) gives the list's order and its filters without reading the rows (a
deep page skips index entries); (call, status, screening), in place of (call, status), gives the call's
counts by status and screening in one pass in index order (bench/workbench.py).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_application_call_status_screening', 'application', ['call_id', 'status', 'screening'],
                    unique=False)
    op.drop_index('ix_application_call_status', table_name='application')
    op.create_index('ix_application_call_number', 'application', ['call_id', 'number', 'id', 'status', 'screening'],
                    unique=False)


def downgrade():
    op.drop_index('ix_application_call_number', table_name='application')
    op.create_index('ix_application_call_status', 'application', ['call_id', 'status'], unique=False)
    op.drop_index('ix_application_call_status_screening', table_name='application')
