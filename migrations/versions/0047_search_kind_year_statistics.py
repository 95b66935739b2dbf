"""search kind-year statistics: on PostgreSQL, the planner learns how the index's kinds and years go together (issue 12)

A word searched among the projects of one year (长者, 2024) was planned from each column's statistics alone: the
planner multiplied "a project" by "of 2024" as if they were independent, expected 1,300 entries where 14,601 are,
and read the whole site's full-text index for 长者 first (68,515 entries, nearly all organizations: 18 ms, 6.9 times
the floor) instead of walking the year's own index newest first and keeping the entries holding the word (0.2 ms).
Extended statistics on (kind, year) give it the real counts. SQLite has no such statistics; its searches take the
FTS5 path of ``core.search``. ``ANALYZE`` (the bench, autovacuum) fills them.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-07 07:50:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0047'
down_revision = '0046'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE STATISTICS IF NOT EXISTS st_search_entry_kind_year (dependencies, mcv) "
                   "ON kind, year FROM search_entry")
        op.execute("ANALYZE search_entry")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_search_entry_kind_year")
