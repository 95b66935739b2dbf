"""audit archive: the cuts of the audit chain archived to files, and the one way archived entries may leave (issue 15)

``audit_archive`` records each archive (core/audit_archive.py): the last archived entry id and its link hash — the
point the chain's verification starts from afterwards — with the file's name and SHA-256. It is append-only like
``audit_entry`` and ``audit_seal``.

The append-only triggers of ``audit_entry`` and ``audit_seal`` keep refusing UPDATE (and TRUNCATE), and now refuse
DELETE except of an entry (or seal) that is both at or below the newest recorded cut and older than six months
(网络安全法 第二十一条) by the database's own clock: the archive command's path, and no other. A cut row can be
inserted by anyone who can insert, but it moves the chain's start (what ``flask audit verify`` reports and compares
with published heads) and never lets a younger entry go.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 14:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

PG_ENTRY_GUARD = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.id <= (SELECT coalesce(max(through_entry_id), 0) FROM audit_archive)
     AND OLD."at" < (now() AT TIME ZONE 'UTC') - interval '6 months' THEN
    RETURN OLD;  -- archived and older than six months (core/audit_archive.py)
  END IF;
  RAISE EXCEPTION 'audit_entry is append-only';
END $$
"""
PG_SEAL_GUARD = """
CREATE FUNCTION audit_seal_archived_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.entry_id <= (SELECT coalesce(max(through_entry_id), 0) FROM audit_archive)
     AND OLD.day <= CAST((now() AT TIME ZONE 'UTC') - interval '6 months' AS date) THEN
    RETURN OLD;  -- archived and older than six months (core/audit_archive.py)
  END IF;
  RAISE EXCEPTION 'audit_seal is append-only';
END $$
"""
SQLITE_ENTRY_GUARD = """
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
WHEN NOT (OLD.id <= (SELECT coalesce(max(through_entry_id), 0) FROM audit_archive)
          AND OLD."at" < datetime('now', '-6 months'))
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END
"""
SQLITE_SEAL_GUARD = """
CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
WHEN NOT (OLD.entry_id <= (SELECT coalesce(max(through_entry_id), 0) FROM audit_archive)
          AND OLD.day <= date('now', '-6 months'))
BEGIN SELECT RAISE(ABORT, 'audit_seal is append-only'); END
"""


def upgrade():
    op.create_table('audit_archive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('made_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('cutoff', sa.Date(), nullable=False),
    sa.Column('start_after', sa.Integer(), nullable=False),
    sa.Column('start_hash', sa.String(length=64), nullable=False),
    sa.Column('through_entry_id', sa.Integer(), nullable=False),
    sa.Column('link_hash', sa.String(length=64), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_archive')),
    sa.UniqueConstraint('through_entry_id', name=op.f('uq_audit_archive_through_entry_id'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER audit_archive_append_only BEFORE UPDATE OR DELETE ON audit_archive "
                   "FOR EACH ROW EXECUTE FUNCTION append_only()")
        op.execute("CREATE TRIGGER audit_archive_no_truncate BEFORE TRUNCATE ON audit_archive "
                   "FOR EACH STATEMENT EXECUTE FUNCTION append_only()")
        op.execute(PG_ENTRY_GUARD)
        op.execute("DROP TRIGGER audit_seal_append_only ON audit_seal")
        op.execute("CREATE TRIGGER audit_seal_append_only BEFORE UPDATE ON audit_seal "
                   "FOR EACH ROW EXECUTE FUNCTION append_only()")
        op.execute(PG_SEAL_GUARD)
        op.execute("CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal "
                   "FOR EACH ROW EXECUTE FUNCTION audit_seal_archived_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_archive_no_{verb.lower()} BEFORE {verb} ON audit_archive "
                       "BEGIN SELECT RAISE(ABORT, 'audit_archive is append-only'); END")
        op.execute("DROP TRIGGER audit_entry_no_delete")
        op.execute(SQLITE_ENTRY_GUARD)
        op.execute("DROP TRIGGER audit_seal_no_delete")
        op.execute(SQLITE_SEAL_GUARD)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_seal_no_delete ON audit_seal")
        op.execute("DROP FUNCTION audit_seal_archived_only()")
        op.execute("DROP TRIGGER audit_seal_append_only ON audit_seal")
        op.execute("CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal "
                   "FOR EACH ROW EXECUTE FUNCTION append_only()")
        op.execute("CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$")
        op.execute("DROP TRIGGER audit_archive_no_truncate ON audit_archive")
        op.execute("DROP TRIGGER audit_archive_append_only ON audit_archive")
    else:
        for table in ("audit_entry", "audit_seal"):
            op.execute(f"DROP TRIGGER {table}_no_delete")
            op.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        op.execute("DROP TRIGGER audit_archive_no_update")
        op.execute("DROP TRIGGER audit_archive_no_delete")
    op.drop_table('audit_archive')
