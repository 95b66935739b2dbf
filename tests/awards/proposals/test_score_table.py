"""The public score table of a published ranking and its recomputation (issue 12): anyone recomputes the
ranking from the published table alone; a score changed after publication shows as a difference; no expert
name or account appears on the page or in the CSV."""
from decimal import Decimal

import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.awards.proposals.queries import proposal_of
from grantportal.awards.proposals.score_table import differences, recompute, score_table
from grantportal.core.db import db
from grantportal.orgs.models import Grade
from grantportal.review.models import Assignment, Review
from tests import factories as f

SPECS = [
    {"total": 88, "requested": "50000", "matched": "40000", "title": "长者幸福食堂", "grade": Grade.A4},
    {"total": 90, "requested": "60000", "title": "青少年四点半课堂"},
    {"total": 70, "requested": "50000", "title": "社区邻里互助"},
]


def _final():
    call, awards = f.final_awards(SPECS, matched_bonus_per_wan=Decimal("1"))
    return call, awards


def test_public_table_recomputes_the_published_ranking(client):
    call, awards = _final()
    table = score_table(call, proposal_of(call))
    assert len(table.rows) == 3
    row = next(r for r in table.rows if r.title == "长者幸福食堂")
    assert [label for label, _, _ in next(iter(row.scores.values()))] == ["专家A", "专家B", "专家C"]
    again = recompute(table)
    assert differences(table, again) == []
    for award in awards:
        assert again[award.application_id].rank == award.rank
        assert again[award.application_id].final == award.final_score
    resp = client.get(f"/calls/{call.id}/results/scores")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "复核一致" in page and "复核不一致" not in page
    assert "最终得分 =" in page
    assert f"/calls/{call.id}/results/scores" in client.get(f"/calls/{call.id}/results").get_data(as_text=True)


def test_a_score_changed_after_publication_shows_the_difference(client):
    call, awards = _final()
    low = awards[2]
    review = db.session.scalars(sa.select(Review).join(Assignment)
                                .where(Assignment.application_id == low.application_id)).first()
    review.total = Decimal("100.0")  # 70 → 100 from one expert: the mean rises by 10
    db.session.commit()
    table = score_table(call, proposal_of(call))
    diffs = differences(table, recompute(table))
    assert any("社区邻里互助" in d and "公布的最终得分为70.00，复算为80.00" in d for d in diffs)
    f.age_public_checks(call)  # the page shows its kept check until it is due again (test_public_checks.py)
    page = client.get(f"/calls/{call.id}/results/scores").get_data(as_text=True)
    assert "复核不一致" in page and "复算为80.00" in page


def test_no_expert_name_or_username_on_the_page_or_in_the_csv(client):
    call, _ = _final()
    experts = db.session.scalars(sa.select(User).join(Assignment, Assignment.expert_id == User.id)).unique().all()
    assert experts
    page = client.get(f"/calls/{call.id}/results/scores").get_data(as_text=True)
    resp = client.get(f"/calls/{call.id}/results/scores.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.get_data().decode("utf-8-sig")
    assert "专家A" in text and "计算公式" in text and "长者幸福食堂" in text
    for user in experts:
        for shown in (page, text):
            assert user.name not in shown and user.username not in shown


def test_calls_without_published_results_have_no_score_table(client):
    call, _ = f.ranked_call(SPECS)
    assert client.get(f"/calls/{call.id}/results/scores").status_code == 404
    assert client.get(f"/calls/{call.id}/results/scores.csv").status_code == 404
    assert client.get("/calls/999999/results/scores").status_code == 404


def test_bonuses_and_criterion_points_are_printed_when_the_call_publishes_scores(client):
    call, awards = f.final_awards(SPECS, matched_bonus_per_wan=Decimal("1"), publish_scores=True)
    table = score_table(call, proposal_of(call))
    row = next(r for r in table.rows if r.title == "长者幸福食堂")
    assert row.matched_bonus == Decimal("4.00")  # 40,000 yuan matched × 1 point per 10,000
    assert table.criteria and all(points for _, _, points in next(iter(row.scores.values())))
    page = client.get(f"/calls/{call.id}/results/scores").get_data(as_text=True)
    assert "配套资金加分" in page and "复核一致" in page
    assert differences(table, recompute(table)) == []


def test_criterion_points_stay_private_unless_the_call_publishes_scores():
    call, _ = _final()
    table = score_table(call, proposal_of(call))
    assert not table.criteria
    assert all(points == [] for row in table.rows for listed in row.scores.values() for _, _, points in listed)


def test_the_trimmed_mean_drops_one_changed_extreme_score():
    """Five experts and a round that trims from 5 scores: one total raised to 100 is dropped as the highest."""
    call, awards = f.final_awards(SPECS, round_kw={"trim_min_scores": 5}, experts=5)
    review = db.session.scalars(sa.select(Review).join(Assignment)
                                .where(Assignment.application_id == awards[2].application_id)).first()
    review.total = Decimal("100.0")
    db.session.commit()
    table = score_table(call, proposal_of(call))
    assert table.rounds[0].trim_from == 5 and "截尾平均" in table.rounds[0].words
    assert differences(table, recompute(table)) == []


def test_the_table_is_read_in_a_fixed_number_of_queries():
    from sqlalchemy import event

    def count(specs):
        call, _ = f.final_awards(specs)
        proposal = proposal_of(call)
        seen = []
        listener = lambda *a: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            score_table(call, proposal)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = count(SPECS[:2])
    many = count([{"total": 60 + i, "requested": "10000", "title": f"项目{i}"} for i in range(8)])
    assert many == few
