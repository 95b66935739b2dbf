"""audit chain: seals over audit_entry (append-only, like it) and the verifications' results (issue 15)

``audit_seal`` holds one row per sealed audit entry: its content hash and its link in the hash chain
(core/audit_chain.py). It refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) in the database itself, as
``audit_entry`` does since 0002; the PostgreSQL trigger function names the table it refuses, so that it can serve
both. ``audit_check`` keeps what each verification found.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import grantportal.core.db


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_seal',
    sa.Column('entry_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('link_hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_audit_seal'))
    )
    with op.batch_alter_table('audit_seal', schema=None) as batch_op:
        batch_op.create_index('ix_audit_seal_day', ['day', 'entry_id'], unique=False)

    op.create_table('audit_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', grantportal.core.db.UTCDateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('through_entry_id', sa.Integer(), nullable=True),
    sa.Column('head_hash', sa.String(length=64), nullable=True),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('against', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_audit_check_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_check'))
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal "
            "FOR EACH ROW EXECUTE FUNCTION append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal "
            "FOR EACH STATEMENT EXECUTE FUNCTION append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_seal_no_{verb.lower()} BEFORE {verb} ON audit_seal "
                "BEGIN SELECT RAISE(ABORT, 'audit_seal is append-only'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_seal_no_truncate ON audit_seal")
        op.execute("DROP TRIGGER audit_seal_append_only ON audit_seal")
        op.execute("DROP FUNCTION append_only()")
    else:
        op.execute("DROP TRIGGER audit_seal_no_update")
        op.execute("DROP TRIGGER audit_seal_no_delete")
    op.drop_table('audit_check')
    with op.batch_alter_table('audit_seal', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_seal_day')
    op.drop_table('audit_seal')
