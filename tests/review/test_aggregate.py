"""Aggregation and ranking: property tests against a plain reference implementation, the tie-break, and
the loaders (a fixed number of queries, only submitted reviews of active assignments)."""
import math
import random
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace
from unittest import mock

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from grantportal.applications.models import AppStatus
from grantportal.calls.models import Level
from grantportal.core.db import db, utcnow
from grantportal.review.models import Aggregation, Review, ReviewStatus
from grantportal.review.results import aggregate
from grantportal.review.results.aggregate import (
    Ranked,
    call_ranking,
    compute_round,
    rank,
    round_results,
    sort_key,
)
from tests import factories as f

# --- a plain reference implementation (fractions, no shortcuts) ------------------------------------


def ref_round(fr):
    """Round half up to two places (scores are never negative)."""
    return Decimal(math.floor(fr * 100 + Fraction(1, 2))) / 100


def ref_stats(scores, aggregation, trim_min):
    xs = [Fraction(str(s)) for s in scores]
    n = len(xs)
    mean = sum(xs) / n
    trimmed = (sum(sorted(xs)[1:-1]) / (n - 2)) if n >= 3 else None
    var = sum((x - mean) ** 2 for x in xs) / n
    use_trim = aggregation == "trimmed" and n >= max(trim_min, 3)
    return {"n": n, "mean": ref_round(mean), "trimmed": ref_round(trimmed) if trimmed is not None else None,
            "sd": math.sqrt(var), "min": min(xs), "max": max(xs),
            "score": ref_round(trimmed if use_trim else mean), "trimmed_used": use_trim}


half_points = st.integers(min_value=0, max_value=200).map(lambda k: Decimal(k) / 2)
panels = st.dictionaries(st.integers(min_value=1, max_value=10_000), st.lists(half_points, min_size=1, max_size=9),
                         min_size=1, max_size=12)


@pytest.mark.nodb
@settings(max_examples=300, deadline=None)
@given(panels=panels, aggregation=st.sampled_from(["mean", "trimmed"]), trim_min=st.integers(3, 9))
def test_round_figures_match_the_reference(panels, aggregation, trim_min):
    round_ = SimpleNamespace(aggregation=Aggregation(aggregation), trim_min_scores=trim_min)
    totals = [(app_id, s) for app_id, scores in panels.items() for s in scores]
    results = compute_round(round_, totals)
    assert set(results) == set(panels)
    for app_id, scores in panels.items():
        got, ref = results[app_id], ref_stats(scores, aggregation, trim_min)
        assert got.n == ref["n"]
        assert got.mean == ref["mean"]
        assert got.trimmed_mean == ref["trimmed"]
        assert abs(float(got.sd) - ref["sd"]) <= 0.005 + 1e-9
        assert got.min == ref["min"] and got.max == ref["max"]
        assert got.score == ref["score"] and got.trimmed == ref["trimmed_used"]
        for v in (got.mean, got.sd, got.score):
            assert v == v.quantize(Decimal("0.01"))
    order = list(results)
    keys = [(-Fraction(str(results[a].exact_score)), a) for a in order]
    assert keys == sorted(keys)  # best first, ties by lower application id


@pytest.mark.nodb
def test_trimmed_only_from_trim_min_scores():
    round_ = SimpleNamespace(aggregation=Aggregation.TRIMMED, trim_min_scores=5)
    four = compute_round(round_, [(1, Decimal(s)) for s in (60, 70, 80, 90)])[1]
    five = compute_round(round_, [(1, Decimal(s)) for s in (60, 70, 80, 90, 100)])[1]
    assert not four.trimmed and four.score == Decimal("75.00") and four.trimmed_mean == Decimal("75.00")
    assert five.trimmed and five.score == Decimal("80.00")
    skewed = compute_round(round_, [(1, Decimal(s)) for s in (0, 80, 80, 80, 100)])[1]
    assert skewed.mean == Decimal("68.00") and skewed.score == Decimal("80.00")
    mean_round = SimpleNamespace(aggregation=Aggregation.MEAN, trim_min_scores=5)
    assert compute_round(mean_round, [(1, Decimal(s)) for s in (0, 80, 80, 80, 100)])[1].score == Decimal("68.00")


@pytest.mark.nodb
def test_half_up_rounding_and_population_sd():
    round_ = SimpleNamespace(aggregation=Aggregation.MEAN, trim_min_scores=5)
    r = compute_round(round_, [(1, Decimal("80.5")), (1, Decimal("80")), (1, Decimal("80"))])[1]
    assert r.mean == Decimal("80.17")  # 80.1666…
    r = compute_round(round_, [(1, Decimal("0.5")), (1, Decimal("0")), (1, Decimal("0")), (1, Decimal("0"))])[1]
    assert r.mean == Decimal("0.13")  # 0.125 → 0.13 (half up, not banker's)
    r = compute_round(round_, [(1, Decimal(s)) for s in (2, 4, 4, 4, 5, 5, 7, 9)])[1]
    assert r.sd == Decimal("2.00")  # the textbook population example (sample sd would be 2.14)


@pytest.mark.nodb
def test_ranking_tie_break_is_deterministic():
    t0 = utcnow()

    def item(app_id, final, first, submitted):
        return Ranked(application_id=app_id, level=Level.CITY, submitted_at=submitted, round_scores={},
                      bonus=Decimal(0), final=Decimal(final), exact_final=Decimal(final),
                      first_round_score=Decimal(first) if first is not None else None)

    items = [
        item(1, "80", "70", t0),  # same final as 2-5; lower first round
        item(2, "80", "75", t0 + timedelta(hours=1)),  # higher first round, later
        item(3, "80", "75", t0),  # higher first round, earlier
        item(4, "80", "75", t0),  # same as 3, higher id
        item(5, "80", None, t0),  # no first-round score: after those with one
        item(6, "90", "10", t0 + timedelta(days=9)),  # best final
        item(7, "80", "75", None),  # no submission time: after those with one
    ]
    ranked = rank(list(reversed(items)))
    assert [i.application_id for i in ranked] == [6, 3, 4, 2, 7, 1, 5]
    assert [i.rank for i in ranked] == [1, 2, 3, 4, 5, 6, 7]


# --- the loaders ---------------------------------------------------------------------------------

@pytest.fixture
def call_with_rounds():
    officer = f.UserFactory(officer=True)
    call = f.CallFactory(created_by=officer)
    first = f.ReviewRoundFactory(call=call, position=0, weight_percent=Decimal("60"), trim_min_scores=5)
    second = f.ReviewRoundFactory(call=call, position=1, name="答辩复评", weight_percent=Decimal("40"),
                                  rubric=[("答辩表现", 100)])
    return SimpleNamespace(call=call, first=first, second=second)


def _panel(round_, app, totals):
    for t in totals:
        f.submitted_review(f.AssignmentFactory(round=round_, application=app), total=t)


def test_round_results_count_only_submitted_reviews_of_active_assignments(call_with_rounds):
    c = call_with_rounds
    app = f.ApplicationFactory(call=c.call, status=AppStatus.SUBMITTED)
    _panel(c.first, app, [70, 80, 90])
    draft = f.AssignmentFactory(round=c.first, application=app)
    db.session.add(Review(assignment=draft, status=ReviewStatus.DRAFT, total=Decimal(0)))
    removed = f.AssignmentFactory(round=c.first, application=app, active=False)
    f.submitted_review(removed, total=0)
    db.session.commit()
    round_ = db.session.get(type(c.first), c.first.id)
    assert round_.aggregation is not None  # loaded before counting
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    real_fetch = aggregate.fetch_rows

    def fetch(statement):  # round_results reads the driver's tuples directly (no engine event)
        statements.append(str(statement))
        return real_fetch(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with mock.patch.object(aggregate, "fetch_rows", fetch):
            res = round_results(round_)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # one for the sums the database keeps (round_score_sums, not the reviews), four for the conflict check
    # (experts with their names, their organizations, conflicts, affiliations), whatever the size
    # (test_conflict_after_submission.py); a fifth only when a pair is conflicted
    assert len(selects) == 5 and sum("FROM round_score_sums" in s for s in selects) == 1
    assert not any("round(review.total" in s for s in selects)
    assert res[app.id].n == 3 and res[app.id].mean == Decimal("80.00") and not res[app.id].trimmed


def test_call_ranking_weights_rounds_and_ranks_per_level(call_with_rounds):
    c = call_with_rounds
    t0 = utcnow()
    a = f.ApplicationFactory(call=c.call, status=AppStatus.SUBMITTED, submitted_at=t0)
    b = f.ApplicationFactory(call=c.call, status=AppStatus.SUBMITTED, submitted_at=t0 - timedelta(hours=1))
    town = f.ApplicationFactory(call=c.call, status=AppStatus.SUBMITTED, level=Level.TOWN, submitted_at=t0)
    _panel(c.first, a, [60, 70, 80, 90, 100])  # trimmed: 80
    _panel(c.first, b, [85, 85, 85])  # mean: 85
    _panel(c.first, town, [50, 50, 50])
    _panel(c.second, a, [95, 95, 95])  # a: 80×0.6 + 95×0.4 = 86.00
    _panel(c.second, b, [87.5, 87.5, 87.5])  # b: 85×0.6 + 87.5×0.4 = 86.00 — tie: b's first round is higher
    by_level, rounds = call_ranking(c.call)
    assert [r.id for r in rounds] == [c.first.id, c.second.id]
    city = by_level[Level.CITY]
    assert [(i.application_id, i.final, i.rank) for i in city] == [(b.id, Decimal("86.00"), 1),
                                                                  (a.id, Decimal("86.00"), 2)]
    assert [(i.application_id, i.final) for i in by_level[Level.TOWN]] == [(town.id, Decimal("30.00"))]


def test_results_and_ranking_pages(client, auth, call_with_rounds):
    c = call_with_rounds
    a = f.ApplicationFactory(call=c.call, status=AppStatus.SUBMITTED, title="长者助餐甲")
    _panel(c.first, a, [60, 70, 80, 90, 100])
    auth.login(c.call.created_by)
    html = client.get(f"/manage/rounds/{c.first.id}/results").get_data(as_text=True)
    assert "长者助餐甲" in html and "80.00" in html and "14.14" in html and "去极值" in html
    html = client.get(f"/manage/calls/{c.call.id}/ranking").get_data(as_text=True)
    assert "48.00" in html  # 80 × 60%
    assert "第一轮（初评）得分高者在前" in html and "最终得分 = Σ" in html
    assert "公众投票得分" not in html  # no public vote in this call: its rule is not printed
    assert client.get(f"/manage/rounds/{c.first.id}/applications/{a.id}/reviews").status_code == 200


def test_rank_gives_the_order_of_the_whole_sort_key_however_many_ties():
    """``rank`` sorts by final score and only the runs of equal final scores by the whole key: the same order."""
    rnd = random.Random(12)
    t0 = utcnow()
    finals = [Decimal("80"), Decimal("80.00"), Decimal("81.5"), Decimal("79"), Decimal("80.000001")]
    firsts = [None, Decimal("80"), Decimal("80.0"), Decimal("75.5"), Decimal("90")]
    for _ in range(20):
        items = [Ranked(application_id=i, level=None, submitted_at=rnd.choice([None, t0, t0 - timedelta(hours=1)]),
                        round_scores={}, bonus=Decimal(0), final=Decimal(0), first_round_score=rnd.choice(firsts),
                        exact_final=rnd.choice(finals), tier=rnd.choice([0, -3, -5]))
                 for i in rnd.sample(range(1000), 300)]
        expected = [i.application_id for i in sorted(items, key=sort_key)]
        assert [i.application_id for i in rank(items)] == expected

