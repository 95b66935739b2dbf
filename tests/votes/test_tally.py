"""A tally anyone can check (issue 13): after the window the officer publishes the counts and, per project, the list
of receipt hashes with the round's salt, the voided ones marked with their reason; anyone recounts from the
download; a voter finds their vote by its receipt code; no phone number or identity is public. The vote's round
score weighs in the call's final ranking as the printed formula says."""
import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from grantportal.awards.proposals import operations as award_ops
from grantportal.awards.proposals.queries import proposal_of
from grantportal.awards.proposals.ranking import final_ranking
from grantportal.awards.proposals.score_table import differences, recompute, score_table
from grantportal.core.db import db, utcnow
from grantportal.review.models import ReviewRound, RoundStatus
from grantportal.review.results.aggregate import VOTE_SCORE, round_results, vote_score
from grantportal.votes import operations as ops
from grantportal.votes.models import VoteRound
from grantportal.votes.receipts import receipt_hash, shown
from tests import factories as f
from tests.votes.conftest import as_user, cast, make_vote, text_of


def _published(client, world):
    """Three valid votes (two for the first project, one for the second) and one voided for the second; the window
    over and the tally published by the officer through the page."""
    rnd, settings = make_vote(world.call, world.officer)
    a, b = world.apps[0], world.apps[1]
    mine = cast(rnd, a, world.citizens[0].user, ip="10.5.0.1")
    cast(rnd, a, world.citizens[1].user, ip="10.5.1.1")
    cast(rnd, b, world.citizens[1].user, ip="10.5.1.1")
    voided = cast(rnd, b, world.citizens[2].user, ip="10.5.2.1")
    ops.decide(voided, world.officer, "void", "经核查为代投，联系电话13812345678。", utcnow())
    rnd.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    as_user(client, world.officer)
    assert client.post(f"/manage/votes/{rnd.id}/publish", data={"confirm": "y"}).status_code == 303
    db.session.refresh(settings)
    return rnd, settings, mine, voided


def test_the_published_tally_lists_receipt_hashes_that_anyone_can_recount(client, world):
    rnd, settings, mine, voided = _published(client, world)
    a, b = world.apps[0], world.apps[1]
    assert db.session.get(ReviewRound, rnd.id).status == RoundStatus.CLOSED and settings.published_at
    client.delete_cookie("gp_session")  # the public
    page = text_of(client.get(f"/votes/{rnd.id}").get_data(as_text=True))
    assert "计票结果已公布" in page and settings.salt in page and "有效 2 票" in page and "无效 1 票" in page

    body = client.get(f"/votes/{rnd.id}/tally.json")
    assert body.status_code == 200 and "attachment" in body.headers["Content-Disposition"]
    data = json.loads(body.get_data(as_text=True))
    assert data["salt"] == settings.salt and "SHA-256" in data["hash_rule"]
    by_number = {p["number"]: p for p in data["projects"]}
    for project in data["projects"]:  # recount: every project's valid votes from the listed hashes
        assert project["valid"] == sum(v["status"] == "valid" for v in project["votes"])
    assert (by_number[a.number]["valid"], by_number[b.number]["valid"], by_number[b.number]["voided"]) == (2, 1, 1)
    assert receipt_hash(settings.salt, mine.receipt) in {v["hash"] for v in by_number[a.number]["votes"]}
    (void,) = [v for v in by_number[b.number]["votes"] if v["status"] == "voided"]
    assert void["hash"] == receipt_hash(settings.salt, voided.receipt) and "经核查为代投" in void["void_reason"]
    assert "138****5678" in void["void_reason"]  # a number an officer typed is masked

    rows = list(csv.reader(io.StringIO(client.get(f"/votes/{rnd.id}/tally.csv").get_data(as_text=True))))
    listed = [r for r in rows[3:] if r]
    assert sum(1 for r in listed if r[0] == a.number and r[4] == "有效") == 2
    assert any(r[3] == receipt_hash(settings.salt, voided.receipt) and r[4] == "无效" for r in listed)

    hashes = client.get(f"/votes/{rnd.id}/projects/{b.id}/receipts").get_data(as_text=True)
    assert receipt_hash(settings.salt, voided.receipt) in hashes and "经核查为代投" in hashes
    # nothing personal, and no receipt code, anywhere public
    public = body.get_data(as_text=True) + hashes + "".join(",".join(r) for r in rows)
    for citizen in world.citizens:
        assert citizen.phone not in public
    assert mine.receipt not in public and "13812345678" not in public


def test_a_voter_finds_their_vote_by_its_receipt_and_a_forged_one_is_not_found(client, world):
    rnd, settings = make_vote(world.call, world.officer)
    mine = cast(rnd, world.apps[0], world.citizen)
    before = client.get(f"/votes/{rnd.id}/check", query_string={"code": mine.receipt}).get_data(as_text=True)
    assert "计票结果公布后" in before and "已在公布的清单中找到" not in before
    assert client.get(f"/votes/{rnd.id}/projects/{world.apps[0].id}/receipts").status_code == 404
    assert client.get(f"/votes/{rnd.id}/tally.json").status_code == 404
    rnd.closes_at = utcnow() - timedelta(minutes=1)
    ops.publish_tally(rnd, settings, world.officer, utcnow(), confirmed=True)
    db.session.commit()

    typed = shown(mine.receipt).lower().replace("-", " ")  # as a person types it
    found = client.get(f"/votes/{rnd.id}/check", query_string={"code": typed}).get_data(as_text=True)
    assert "已在公布的清单中找到该票" in found and world.apps[0].title in found
    assert receipt_hash(settings.salt, mine.receipt) in found
    forged = client.get(f"/votes/{rnd.id}/check", query_string={"code": "AAAA-BBBB-CCCC"}).get_data(as_text=True)
    assert "本轮投票中没有这个回执码" in forged and "已在公布的清单中找到" not in forged
    garbled = client.get(f"/votes/{rnd.id}/check", query_string={"code": "12345"}).get_data(as_text=True)
    assert "回执码应为12位字母和数字" in garbled
    # the voter's own receipt page shows the hash once published
    as_user(client, world.citizen)
    assert receipt_hash(settings.salt, mine.receipt) in client.get(f"/votes/mine/{mine.id}").get_data(as_text=True)


def test_the_vote_weighs_in_the_final_ranking_as_the_printed_formula_says(world):
    call, (strong, popular) = f.ranked_call([dict(total=80), dict(total=70)])
    expert_round = call.review_rounds[0]
    expert_round.weight_percent = Decimal("80")
    db.session.commit()
    rnd, settings = make_vote(call, call.created_by, weight_percent=Decimal("20"))
    voters = [f.CitizenFactory().user for _ in range(7)]
    for i, user in enumerate(voters):
        cast(rnd, popular, user, ip=f"10.6.{i}.1")
    for i, user in enumerate(voters[:3]):
        cast(rnd, strong, user, ip=f"10.6.{i}.1")

    scores = round_results(rnd)
    assert list(scores) == [popular.id, strong.id]  # best first
    assert (scores[popular.id].n, scores[popular.id].score, scores[strong.id].score) == (7, Decimal("100.00"),
                                                                                          Decimal("42.90"))
    assert vote_score(3, 7) == Decimal("42.9") and vote_score(0, 0) == 0
    ranking = final_ranking(call)
    (items,) = ranking.by_level.values()
    # 70 × 80% + 100 × 20% = 76 before 80 × 80% + 42.9 × 20% = 72.58
    assert [(i.application_id, i.final) for i in items] == [(popular.id, Decimal("76.00")),
                                                            (strong.id, Decimal("72.58"))]
    assert "公众投票得分 × 20%" in ranking.formula and VOTE_SCORE in ranking.formula

    # published and proposed: the public score table lists the vote's score and recomputes to the same ranking
    rnd.closes_at = utcnow() - timedelta(minutes=1)
    ops.publish_tally(rnd, db.session.get(VoteRound, rnd.id), call.created_by, utcnow(), confirmed=True)
    award_ops.generate(call, call.created_by, utcnow())
    db.session.commit()
    table = score_table(call, proposal_of(call))
    row = next(r for r in table.rows if r.application_id == strong.id)
    assert row.scores[rnd.id] == [("有效票3票", Decimal("42.90"), [])]
    assert differences(table, recompute(table)) == []
    assert any("公众投票" in r.words for r in table.rounds)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRound)) == 2


def test_a_vote_held_before_the_expert_review_is_not_the_first_round_of_the_tie_break(world):
    call, (strong, popular) = f.ranked_call([dict(total=80), dict(total=70)])
    call.review_rounds[0].weight_percent = Decimal("80")
    rnd, _ = make_vote(call, call.created_by, weight_percent=Decimal("20"))
    rnd.position = -1  # the vote came first (资格审查 → 公众投票 → 专家评审)
    db.session.commit()
    voters = [f.CitizenFactory().user for _ in range(5)]
    for i, user in enumerate(voters):
        cast(rnd, popular, user, ip=f"10.8.{i}.1")
    for i, user in enumerate(voters[:3]):
        cast(rnd, strong, user, ip=f"10.8.{i}.1")
    db.session.expire_all()
    (items,) = final_ranking(call).by_level.values()
    # 80 × 80% + 60 × 20% = 76 = 70 × 80% + 100 × 20%: the expert round (初评) decides, not the vote
    assert [(i.application_id, i.final) for i in items] == [(strong.id, Decimal("76.00")),
                                                            (popular.id, Decimal("76.00"))]
