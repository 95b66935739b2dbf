"""round score sums: per review round and application, the sums of its counted review totals, kept by the database

``round_score_sums`` holds, per (round, application) with at least one submitted review of an active assignment,
the number of those reviews and the count, sum, lowest, highest and sum of squares of their totals in tenths of
a point (exact integers): what a round's results are computed from (review/results/aggregate.py), so that a
10,000-application round reads 10,000 rows instead of joining 70,000 reviews to their assignments. Withdrawn or
screened-out applications and conflicts of interest are still applied when the results are read.

Triggers keep it, in the transaction that writes the review or the assignment, whatever wrote it (the ORM, a
bulk statement, a console): every insert, delete and change of a review's assignment, status or total, and of
an assignment's round, application or active flag, recomputes the sums of the (round, application) pairs it
touches from the rows themselves. On PostgreSQL the recomputation first takes a transaction-scoped advisory
lock on the pair (the two-key form, ``pg_advisory_xact_lock(round id, application id)``; nothing else in the
application uses advisory locks), so two experts submitting for the same application at once are computed one
after the other, the second with the first's review committed (READ COMMITTED takes a new snapshot per
statement). TRUNCATE of either table empties the sums.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TENTHS = "CAST(round(review.total * 10) AS INTEGER)"


def _sums_select(round_id, application_id, active):
    """The sums of one (round, application) pair from the rows; no row when it has no counted review."""
    return (f"SELECT * FROM (SELECT {round_id} AS r, {application_id} AS a, count(*) AS n, sum(t) AS s, min(t) AS lo, "
            f"max(t) AS hi, sum(t * t) AS sq FROM (SELECT {TENTHS} AS t FROM assignment "
            f"JOIN review ON review.assignment_id = assignment.id "
            f"WHERE assignment.round_id = {round_id} AND assignment.application_id = {application_id} "
            f"AND assignment.active = {active} AND review.status = 'submitted' AND review.total IS NOT NULL"
            f") AS counted) AS pair WHERE n > 0")


COLUMNS = "round_id, application_id, n_reviews, sum_tenths, min_tenths, max_tenths, sum_squares"


def _sqlite_refresh(round_id, application_id):
    return (f"DELETE FROM round_score_sums WHERE round_id = {round_id} AND application_id = {application_id}; "
            f"INSERT INTO round_score_sums ({COLUMNS}) {_sums_select(round_id, application_id, 1)};")


def _sqlite_of_review(ref):
    """The pair of the assignment a review row (NEW or OLD) belongs to."""
    return (f"(SELECT round_id FROM assignment WHERE id = {ref}.assignment_id)",
            f"(SELECT application_id FROM assignment WHERE id = {ref}.assignment_id)")


SQLITE_TRIGGERS = {
    "round_score_sums_review_ai": ("AFTER INSERT ON review", ["NEW"], _sqlite_of_review),
    "round_score_sums_review_au": ("AFTER UPDATE OF assignment_id, status, total ON review", ["OLD", "NEW"],
                                   _sqlite_of_review),
    "round_score_sums_review_ad": ("AFTER DELETE ON review", ["OLD"], _sqlite_of_review),
    "round_score_sums_assignment_ai": ("AFTER INSERT ON assignment", ["NEW"],
                                       lambda ref: (f"{ref}.round_id", f"{ref}.application_id")),
    "round_score_sums_assignment_au": ("AFTER UPDATE OF round_id, application_id, active ON assignment", ["OLD", "NEW"],
                                       lambda ref: (f"{ref}.round_id", f"{ref}.application_id")),
    "round_score_sums_assignment_ad": ("AFTER DELETE ON assignment", ["OLD"],
                                       lambda ref: (f"{ref}.round_id", f"{ref}.application_id")),
}

PG_FUNCTIONS = f"""
CREATE FUNCTION round_score_sums_refresh(p_round integer, p_application integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_round IS NULL OR p_application IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(p_round, p_application);
    DELETE FROM round_score_sums WHERE round_id = p_round AND application_id = p_application;
    INSERT INTO round_score_sums ({COLUMNS}) {_sums_select("p_round", "p_application", "true")};
END $$;

CREATE FUNCTION round_score_sums_review() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pair record;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT round_id, application_id INTO pair FROM assignment WHERE id = OLD.assignment_id;
        IF FOUND THEN
            PERFORM round_score_sums_refresh(pair.round_id, pair.application_id);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT round_id, application_id INTO pair FROM assignment WHERE id = NEW.assignment_id;
        IF FOUND THEN
            PERFORM round_score_sums_refresh(pair.round_id, pair.application_id);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION round_score_sums_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM round_score_sums_refresh(OLD.round_id, OLD.application_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM round_score_sums_refresh(NEW.round_id, NEW.application_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION round_score_sums_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM round_score_sums;
    RETURN NULL;
END $$;
"""

PG_TRIGGERS = {
    "round_score_sums_review": "AFTER INSERT OR UPDATE OF assignment_id, status, total OR DELETE ON review "
                               "FOR EACH ROW EXECUTE FUNCTION round_score_sums_review()",
    "round_score_sums_assignment": "AFTER INSERT OR UPDATE OF round_id, application_id, active OR DELETE "
                                   "ON assignment FOR EACH ROW EXECUTE FUNCTION round_score_sums_assignment()",
    "round_score_sums_review_truncate": "AFTER TRUNCATE ON review "
                                        "FOR EACH STATEMENT EXECUTE FUNCTION round_score_sums_truncate()",
    "round_score_sums_assignment_truncate": "AFTER TRUNCATE ON assignment "
                                            "FOR EACH STATEMENT EXECUTE FUNCTION round_score_sums_truncate()",
}
PG_TRIGGER_TABLES = {"round_score_sums_review": "review", "round_score_sums_assignment": "assignment",
                     "round_score_sums_review_truncate": "review",
                     "round_score_sums_assignment_truncate": "assignment"}


def upgrade():
    op.create_table(
        'round_score_sums',
        sa.Column('round_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('application_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n_reviews', sa.Integer(), nullable=False),
        sa.Column('sum_tenths', sa.BigInteger(), nullable=False),
        sa.Column('min_tenths', sa.Integer(), nullable=False),
        sa.Column('max_tenths', sa.Integer(), nullable=False),
        sa.Column('sum_squares', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('round_id', 'application_id', name=op.f('pk_round_score_sums')),
    )
    active = "true" if op.get_bind().dialect.name == "postgresql" else "1"
    op.execute(
        f"INSERT INTO round_score_sums ({COLUMNS}) "
        f"SELECT assignment.round_id, assignment.application_id, count(*), sum({TENTHS}), min({TENTHS}), "
        f"max({TENTHS}), sum({TENTHS} * {TENTHS}) FROM assignment JOIN review ON review.assignment_id = assignment.id "
        f"WHERE assignment.active = {active} AND review.status = 'submitted' AND review.total IS NOT NULL "
        f"GROUP BY assignment.round_id, assignment.application_id")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTIONS)
        for name, spec in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {spec}")
        return
    for name, (when, refs, pair_of) in SQLITE_TRIGGERS.items():
        body = " ".join(_sqlite_refresh(*pair_of(ref)) for ref in refs)
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, table in PG_TRIGGER_TABLES.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in ("round_score_sums_review()", "round_score_sums_assignment()", "round_score_sums_truncate()",
                         "round_score_sums_refresh(integer, integer)"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('round_score_sums')
