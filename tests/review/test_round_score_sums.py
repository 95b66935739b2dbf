"""The sums a round's results are read from (review.models.RoundScoreSums) are kept by the database itself
(migration 0020): after every kind of write to a review or an assignment — through the operations, the ORM or a
bulk statement — they are exactly what the rows give, and the results computed from them are the same as from
the reviews one by one."""
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus
from grantportal.core.db import db, utcnow
from grantportal.review.models import (
    Aggregation,
    Assignment,
    AssignmentSource,
    Review,
    ReviewRound,
    ReviewStatus,
    RoundScoreSums,
)
from grantportal.review.results.aggregate import compute_round, round_results
from grantportal.review.scoring import operations as scoring_ops
from tests import factories as f
from tests.race import run_together, skip_unless_postgres


def live_sums(round_id):
    """{application id: (n, Σ, min, max, Σ²)} of the counted reviews' totals in tenths, from the rows."""
    t = sa.cast(sa.func.round(Review.total * 10), sa.Integer)
    rows = db.session.execute(
        sa.select(Assignment.application_id, sa.func.count(), sa.func.sum(t), sa.func.min(t), sa.func.max(t),
                  sa.func.sum(t * t))
        .join(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.round_id == round_id, Assignment.active.is_(True), Review.status == ReviewStatus.SUBMITTED,
               Review.total.is_not(None))
        .group_by(Assignment.application_id))
    return {app_id: tuple(int(v) for v in values) for app_id, *values in rows}


def stored_sums(round_id):
    s = RoundScoreSums
    rows = db.session.execute(sa.select(s.application_id, s.n_reviews, s.sum_tenths, s.min_tenths, s.max_tenths,
                                        s.sum_squares).where(s.round_id == round_id))
    return {app_id: tuple(values) for app_id, *values in rows}


def check(*rounds):
    db.session.commit()
    for rnd in rounds:
        assert stored_sums(rnd.id) == live_sums(rnd.id)


def review(assignment, total, status=ReviewStatus.SUBMITTED):
    r = Review(assignment=assignment, status=status, total=Decimal(str(total)),
               submitted_at=utcnow() if status == ReviewStatus.SUBMITTED else None)
    db.session.add(r)
    db.session.commit()
    return r


@pytest.fixture
def w():
    officer = f.UserFactory(officer=True)
    call = f.CallFactory(created_by=officer)
    first = f.ReviewRoundFactory(call=call, weight_percent=Decimal("60"))
    second = f.ReviewRoundFactory(call=call, weight_percent=Decimal("40"), position=2)
    apps = [f.screened_application(call) for _ in range(3)]
    experts = f.expert_pool(4)
    assignments = {(a.id, e.id): f.AssignmentFactory(round=first, application=a, expert=e) for a in apps
                   for e in experts[:3]}
    return SimpleNamespace(officer=officer, call=call, first=first, second=second, apps=apps, experts=experts,
                           assignments=assignments)


def test_the_sums_follow_every_orm_write_of_a_review(w):
    a, b, _ = w.apps
    reviews = [review(w.assignments[(a.id, e.id)], total) for e, total in zip(w.experts, (70, 80.5, 95))]
    check(w.first)
    assert stored_sums(w.first.id)[a.id] == (3, 2455, 700, 950, 700 ** 2 + 805 ** 2 + 950 ** 2)
    draft = review(w.assignments[(b.id, w.experts[0].id)], 60, status=ReviewStatus.DRAFT)
    check(w.first)
    assert b.id not in stored_sums(w.first.id)  # a draft never counts
    draft.status, draft.submitted_at = ReviewStatus.SUBMITTED, utcnow()  # submitted
    check(w.first)
    draft.total = Decimal("65.5")  # its total changed
    check(w.first)
    assert stored_sums(w.first.id)[b.id] == (1, 655, 655, 655, 655 ** 2)
    reviews[2].total = None  # no total: does not count
    check(w.first)
    db.session.delete(reviews[1])
    check(w.first)
    db.session.delete(draft)
    check(w.first)
    assert b.id not in stored_sums(w.first.id)


def test_the_sums_follow_the_scoring_operations(w):
    a = w.apps[0]
    reviews = [review(w.assignments[(a.id, e.id)], total) for e, total in zip(w.experts, (70, 80, 90))]
    check(w.first)
    scoring_ops.reopen(reviews[0], w.officer, "请补充评分理由", utcnow())  # 退回重评: a draft again
    check(w.first)
    assert stored_sums(w.first.id)[a.id][0] == 2


def test_the_sums_follow_every_write_of_an_assignment(w):
    a, b, c = w.apps
    for e, total in zip(w.experts, (70, 80, 90)):
        review(w.assignments[(a.id, e.id)], total)
        review(w.assignments[(b.id, e.id)], total + 1)
    check(w.first, w.second)
    removed = w.assignments[(a.id, w.experts[0].id)]
    removed.active = False  # replaced or removed: its review stops counting
    check(w.first)
    assert stored_sums(w.first.id)[a.id][0] == 2
    removed.active = True
    check(w.first)
    moved = w.assignments[(b.id, w.experts[1].id)]
    moved.round_id = w.second.id  # moved to another round
    check(w.first, w.second)
    moved.application_id = c.id  # and given to another application
    check(w.first, w.second)
    assert stored_sums(w.second.id) == {c.id: (1, 810, 810, 810, 810 ** 2)}
    db.session.delete(moved.review)
    db.session.delete(moved)
    check(w.first, w.second)
    assert stored_sums(w.second.id) == {}
    late = f.AssignmentFactory(round=w.first, application=c, expert=w.experts[3])
    review(late, 55)
    check(w.first)


def test_the_sums_follow_bulk_statements(w):
    a = w.apps[0]
    ids = [w.assignments[(a.id, e.id)].id for e in w.experts[:3]]
    now = utcnow()
    db.session.execute(sa.insert(Review), [{"assignment_id": i, "status": ReviewStatus.SUBMITTED, "total": t,
                                            "comment": "", "submitted_at": now, "updated_at": now, "version": 1}
                                           for i, t in zip(ids, (Decimal(60), Decimal("70.5"), Decimal(99)))])
    check(w.first)
    db.session.execute(sa.update(Review).where(Review.assignment_id == ids[0]).values(total=Decimal(88)))
    check(w.first)
    db.session.execute(sa.update(Assignment).where(Assignment.id == ids[1]).values(round_id=w.second.id))
    check(w.first, w.second)
    assert stored_sums(w.second.id) == {a.id: (1, 705, 705, 705, 705 ** 2)}
    db.session.execute(sa.update(Assignment).where(Assignment.round_id == w.first.id).values(active=False))
    check(w.first)
    assert stored_sums(w.first.id) == {}
    db.session.execute(sa.update(Assignment).where(Assignment.round_id == w.first.id).values(active=True))
    check(w.first)
    db.session.execute(sa.delete(Review).where(Review.assignment_id.in_(ids)))
    check(w.first)
    assert stored_sums(w.first.id) == {}


def test_results_from_the_sums_equal_results_from_the_reviews(w):
    """Withdrawn and screened-out applications are left out when the sums are read."""
    totals = {w.apps[0]: (70, 80, 90.5), w.apps[1]: (60, 61.5, 99), w.apps[2]: (88,)}
    for app, values in totals.items():
        for e, total in zip(w.experts, values):
            review(w.assignments[(app.id, e.id)], total)
    w.first.trim_min_scores = 3
    w.first.aggregation = Aggregation.TRIMMED
    db.session.commit()
    rnd = db.session.get(ReviewRound, w.first.id)
    expected = compute_round(rnd, [(app.id, Decimal(str(t))) for app, values in totals.items() for t in values])
    got = round_results(rnd)
    assert list(got) == list(expected)
    for app_id, stats in expected.items():
        assert (got[app_id].n, got[app_id].mean, got[app_id].trimmed_mean, got[app_id].sd, got[app_id].min,
                got[app_id].max, got[app_id].score, got[app_id].trimmed, got[app_id].exact_score) == \
            (stats.n, stats.mean, stats.trimmed_mean, stats.sd, stats.min, stats.max, stats.score, stats.trimmed,
             stats.exact_score)
    w.apps[1].status = AppStatus.WITHDRAWN
    db.session.commit()
    assert w.apps[1].id not in round_results(db.session.get(ReviewRound, w.first.id))


def test_two_experts_submitting_for_one_application_at_once_both_count(app, w, database):
    """PostgreSQL: each transaction recomputes the pair under an advisory lock, after the other committed."""
    skip_unless_postgres(database["kind"] == "postgresql", "submissions")
    target = w.apps[0]
    drafts = [review(w.assignments[(target.id, e.id)], total, status=ReviewStatus.DRAFT)
              for e, total in zip(w.experts, (70, 80, 90))]

    def load(review_id):
        return (db.session.get(Review, review_id),)

    def act(r):
        r.status, r.submitted_at = ReviewStatus.SUBMITTED, utcnow()
        db.session.flush()

    for _ in range(3):  # a few times: the race is in the timing
        results = run_together(app, [(r.id,) for r in drafts], load, act, "a submission")
        assert results == ["ok"] * len(drafts)
        check(w.first)
        assert stored_sums(w.first.id)[target.id][0] == 3
        db.session.execute(sa.update(Review).where(Review.id.in_([r.id for r in drafts]))
                           .values(status=ReviewStatus.DRAFT))
        check(w.first)


def test_a_write_over_many_applications_takes_one_lock_per_round(w, database):
    """PostgreSQL's shared lock table holds about 6,400 locks for all sessions together: a transaction that writes
    the assignments of thousands of applications (a large call's panels) must not take a lock per application."""
    skip_unless_postgres(database["kind"] == "postgresql", "advisory locks")
    more = [f.screened_application(w.call) for _ in range(4)]
    db.session.commit()
    for a in more:
        db.session.add(Assignment(round=w.first, application=a, expert=w.experts[0], source=AssignmentSource.DRAW,
                                  created_by_id=w.officer.id))
    db.session.flush()
    held = db.session.scalar(sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                     "AND pid = pg_backend_pid()"))
    assert held == 1
    check(w.first)


def test_truncating_the_reviews_empties_the_sums(w, database):
    if database["kind"] != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite deletes row by row, through the triggers)")
    for e, total in zip(w.experts, (70, 80, 90)):
        review(w.assignments[(w.apps[0].id, e.id)], total)
    db.session.execute(sa.text("TRUNCATE review CASCADE"))
    check(w.first)
    assert stored_sums(w.first.id) == {}
