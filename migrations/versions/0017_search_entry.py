"""search entry: the public index (公示索引) of calls, organizations and funded projects

One row per public object with what the public lists show, filter and sort by, each with an index, and the
searchable words (grantportal/core/search_text.py) behind the database's full-text index: on SQLite an FTS5
table over the words (external content, kept by triggers), on PostgreSQL a generated ``tsvector`` column
with a GIN index. Fill it with ``flask search rebuild`` after upgrading a database that has data.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 15:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_search_entry_name": ["kind", "sort_key", "id"],
    "ix_search_entry_date": ["kind", "happened_on", "id"],
    "ix_search_entry_tier": ["kind", "tier", "sort_key", "id"],
    "ix_search_entry_category": ["kind", "category", "sort_key", "id"],
    "ix_search_entry_district": ["kind", "district", "sort_key", "id"],
    "ix_search_entry_year": ["kind", "year", "happened_on", "id"],
    "ix_search_entry_amount": ["kind", "amount", "id"],
    "ix_search_entry_changes_on": ["changes_on"],
    "ix_search_entry_subtitle": ["kind", "subtitle"],  # a code typed in part
}


def upgrade():
    op.create_table(
        'search_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('subtitle', sa.String(length=200), nullable=False),
        sa.Column('sort_key', sa.String(length=255), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=True),
        sa.Column('fields', sa.String(length=200), nullable=False),
        sa.Column('district', sa.String(length=40), nullable=True),
        sa.Column('tier', sa.String(length=4), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('happened_on', sa.Date(), nullable=True),
        sa.Column('changes_on', sa.Date(), nullable=True),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entry')),
        sa.UniqueConstraint('kind', 'ref_id', name='uq_search_entry_kind_ref'),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, 'search_entry', columns, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_entry ADD COLUMN terms_tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED")
        op.execute("CREATE INDEX ix_search_entry_terms ON search_entry USING gin (terms_tsv)")
        return
    op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_entry', content_rowid='id', "
               "tokenize='unicode61 remove_diacritics 0', prefix='2 4')")
    op.execute("CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
               "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END")
    op.execute("CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
               "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END")
    op.execute("CREATE TRIGGER search_entry_au AFTER UPDATE OF terms ON search_entry BEGIN "
               "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
               "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("search_entry_ai", "search_entry_ad", "search_entry_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    for name in INDEXES:
        op.drop_index(name, table_name='search_entry')
    op.drop_table('search_entry')
