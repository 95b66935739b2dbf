"""project lists: what the public lists of funded projects read by index (issue 12)

- ``contract.paid`` and ``contract.recovered``: the sums of a contract's payments and recoveries, written by
  ``record_payment`` / ``record_recovery`` under the contract's row lock, so that a call's projects and their
  totals read one row per project instead of summing every payment (filled here from the rows);
- ``ix_award_proposal_final``: a call's funded projects (final 入选) in their order (level, rank), so that a
  page of them is read from the index;
- the public index (``search_entry``): a service field (``fields``) in 拼音 order, and a service field, a status
  (``category``) or a 镇街 newest first — the filters of the 项目执行 list.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

ENTRY_INDEXES = {
    "ix_search_entry_fields": ["kind", "fields", "sort_key", "id"],
    "ix_search_entry_fields_date": ["kind", "fields", "happened_on", "id"],
    "ix_search_entry_category_date": ["kind", "category", "happened_on", "id"],
    "ix_search_entry_district_date": ["kind", "district", "happened_on", "id"],
}


def upgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid', sa.Numeric(precision=14, scale=2), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('recovered', sa.Numeric(precision=14, scale=2), server_default='0',
                                      nullable=False))
    for table in ('payment', 'recovery'):
        column = 'paid' if table == 'payment' else 'recovered'
        op.execute(f"UPDATE contract SET {column} = (SELECT coalesce(sum({table}.amount), 0) FROM {table} "
                   f"WHERE {table}.contract_id = contract.id) "
                   f"WHERE EXISTS (SELECT 1 FROM {table} WHERE {table}.contract_id = contract.id)")
    op.create_index('ix_award_proposal_final', 'award', ['proposal_id', 'final_status', 'level', 'rank', 'id'],
                    unique=False)
    for name, columns in ENTRY_INDEXES.items():
        op.create_index(name, 'search_entry', columns, unique=False)


def downgrade():
    for name in ENTRY_INDEXES:
        op.drop_index(name, table_name='search_entry')
    op.drop_index('ix_award_proposal_final', table_name='award')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('recovered')
        batch_op.drop_column('paid')
