"""round score sums: lock the round, not each (round, application) pair

Migration 0023 recomputed a pair's sums under a transaction-scoped advisory lock on the pair. Each such lock
takes a slot of PostgreSQL's shared lock table until the transaction ends (``max_locks_per_transaction`` × the
connections: 6,400 slots with the defaults, for every session together), so one transaction that wrote the
assignments or reviews of a few thousand applications — drawing the panels of a large call, a bulk import —
failed with "out of shared memory". The recomputation now locks the round (the one-key form,
``pg_advisory_xact_lock(round id)``): one slot per round a transaction touches. Two experts submitting in the same
round at once are recomputed one after the other, each after the other's commit, as before; submissions in
different rounds do not wait for each other.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 21:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

COLUMNS = "round_id, application_id, n_reviews, sum_tenths, min_tenths, max_tenths, sum_squares"
TENTHS = "CAST(round(review.total * 10) AS INTEGER)"
SUMS = (f"SELECT * FROM (SELECT p_round AS r, p_application AS a, count(*) AS n, sum(t) AS s, min(t) AS lo, "
        f"max(t) AS hi, sum(t * t) AS sq FROM (SELECT {TENTHS} AS t FROM assignment "
        f"JOIN review ON review.assignment_id = assignment.id "
        f"WHERE assignment.round_id = p_round AND assignment.application_id = p_application "
        f"AND assignment.active = true AND review.status = 'submitted' AND review.total IS NOT NULL"
        f") AS counted) AS pair WHERE n > 0")


def _refresh(lock):
    return f"""
CREATE OR REPLACE FUNCTION round_score_sums_refresh(p_round integer, p_application integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_round IS NULL OR p_application IS NULL THEN
        RETURN;
    END IF;
    PERFORM {lock};
    DELETE FROM round_score_sums WHERE round_id = p_round AND application_id = p_application;
    INSERT INTO round_score_sums ({COLUMNS}) {SUMS};
END $$;
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_refresh("pg_advisory_xact_lock(p_round)"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_refresh("pg_advisory_xact_lock(p_round, p_application)"))
