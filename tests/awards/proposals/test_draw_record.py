"""The public record of the expert draws and its replay (issue 12): after the review, anyone replays each draw
from the published seed and labelled candidates and gets the published result (复核一致); a result or a candidate
list changed in the log shows the difference; before the results are public there is no page; no expert name,
account, phone or conflict detail is ever printed."""
import json
from datetime import timedelta

import sqlalchemy as sa

from grantportal.awards.proposals import operations as award_ops
from grantportal.awards.proposals import publicity
from grantportal.awards.proposals.draw_record import differences, draw_record, public_reason, replay
from grantportal.awards.proposals.queries import proposal_of
from grantportal.calls.models import Level
from grantportal.core.db import db, utcnow
from grantportal.experts.conflicts import new_conflict
from grantportal.experts.models import ConflictSource
from grantportal.review.models import Assignment, Draw, RoundStatus
from grantportal.review.panels import draw as drawing
from grantportal.review.panels import operations as panel_ops
from tests import factories as f

CONFLICT_DETAIL = "曾任该机构理事"


def drawn_call(publish=True):
    """A call whose three applications got their panels of three by a real draw from a pool of six (one of them
    unavailable, one conflicted with the first applicant), were scored, and — with ``publish`` — whose results
    are final. Returns (call, apps, experts)."""
    call = f.close_applications(f.CallFactory())
    officer = call.created_by
    rnd = f.ReviewRoundFactory(call=call, status=RoundStatus.DRAFT, panel_size=3)
    apps = [f.screened_application(call, org=f.OrganizationFactory(), level=Level.CITY, title=title,
                                   budget=f.app_budget("50000"), submitted_at=utcnow() - timedelta(days=30),
                                   number=f"{call.code}-{call.year}-{i:04d}")
            for i, title in enumerate(["长者幸福食堂", "青少年四点半课堂", "社区邻里互助"], 1)]
    experts = f.expert_pool(5, user_phone="13812345678") + [f.expert(available=False)]
    conflicted = experts[0]
    db.session.add(new_conflict(conflicted.expert_profile, conflicted, CONFLICT_DETAIL, ConflictSource.DECLARED,
                                org=apps[0].org))
    db.session.commit()
    panel_ops.draw_all(rnd, officer)
    db.session.commit()
    for app, total in zip(apps, (90, 85, 70)):
        for assignment in db.session.scalars(sa.select(Assignment).where(Assignment.application_id == app.id)):
            f.submitted_review(assignment, total=total)
    rnd.status, rnd.closes_at = RoundStatus.CLOSED, utcnow() - timedelta(days=1)
    db.session.commit()
    if publish:
        now = utcnow()
        award_ops.generate(call, officer, now - timedelta(days=20))
        proposal = proposal_of(call)
        f.confirm_calendar_around(now - timedelta(days=15))
        publicity.publish(proposal, officer, now - timedelta(days=15), 5)
        proposal.ends_at = now - timedelta(days=1)
        publicity.confirm(proposal, officer, now)
        db.session.commit()
    return call, apps, experts


def test_a_real_draw_replays_from_the_public_record(client):
    call, apps, experts = drawn_call()
    record = draw_record(call, proposal_of(call))
    draws = [d for rnd in record for d in rnd.draws]
    assert len(draws) == 3
    for d in draws:
        assert replay(d) == d.picked and len(d.picked) == 3
        assert len(d.candidates) + len(d.excluded) == len(experts)
    assert differences(record) == []
    first = next(d for d in draws if "长者幸福食堂" in d.application)
    reasons = dict(first.excluded)
    assert "回避（与申报方存在利益关系）" in reasons.values() and "本人暂不接受评审" in reasons.values()

    page = client.get(f"/calls/{call.id}/results/draw").get_data(as_text=True)
    assert "复核一致" in page and "复核不一致" not in page
    assert first.seed in page and "第1次抽取" in page and "回避（与申报方存在利益关系）" in page
    for link_from in (f"/calls/{call.id}/results", f"/calls/{call.id}/results/scores"):
        assert f"/calls/{call.id}/results/draw" in client.get(link_from).get_data(as_text=True)

    data = json.loads(client.get(f"/calls/{call.id}/results/draw.json").get_data(as_text=True))
    published = data["rounds"][0]["draws"]
    assert [d["picked"] for d in published] == [d["replayed"] for d in published]
    # anyone's replay: the published Python snippet on the published JSON alone
    scope = {}
    exec(data["replay_code"], scope)  # noqa: S102 - the code the page prints, run as a reader would
    for d in published:
        candidates = [(c["label"], c["load"]) for c in d["candidates"]]
        assert scope["draw"](candidates, d["seed"], d["size"]) == d["picked"]


def test_a_changed_result_or_candidate_list_shows_the_difference(client):
    call, apps, _ = drawn_call()
    stored = db.session.scalars(sa.select(Draw).where(Draw.application_id == apps[1].id)).one()
    outsider = next(e for e, _ in stored.candidates if e not in stored.picked)
    stored.picked = [outsider, *stored.picked[1:]]  # one drawn expert swapped for one left out
    db.session.commit()
    diffs = differences(draw_record(call, proposal_of(call)))
    assert len(diffs) == 1 and "青少年四点半课堂" in diffs[0] and "复算为" in diffs[0]
    f.age_public_checks(call)  # the page shows its kept check until it is due again (test_public_checks.py)
    page = client.get(f"/calls/{call.id}/results/draw").get_data(as_text=True)
    assert "复核不一致" in page and "青少年四点半课堂" in page

    stored.picked = drawing.replay(stored)[0]  # put the result back, then give a candidate another load
    stored.candidates = [[e, load + (5 if e == stored.picked[0] else 0)] for e, load in stored.candidates]
    db.session.commit()
    diffs = differences(draw_record(call, proposal_of(call)))
    assert len(diffs) == 1 and "公布的抽取结果为" in diffs[0]


def test_no_page_before_the_results_are_public(client, auth):
    call, _, _ = drawn_call(publish=False)
    for suffix in ("", ".csv", ".json"):
        assert client.get(f"/calls/{call.id}/results/draw{suffix}").status_code == 404
    award_ops.generate(call, call.created_by, utcnow())
    db.session.commit()  # a draft proposal is not public either, even to its officer
    auth.login(call.created_by)
    assert client.get(f"/calls/{call.id}/results/draw").status_code == 404


def test_no_expert_name_account_phone_or_conflict_detail_is_printed(client):
    call, _, experts = drawn_call()
    shown = [client.get(f"/calls/{call.id}/results/draw").get_data(as_text=True),
             client.get(f"/calls/{call.id}/results/draw.csv").get_data().decode("utf-8-sig"),
             json.dumps(json.loads(client.get(f"/calls/{call.id}/results/draw.json").get_data()), ensure_ascii=False)]
    assert "专家A" in shown[1] and "随机种子" in shown[1]
    for text in shown:
        assert CONFLICT_DETAIL not in text and "13812345678" not in text and "1381234" not in text
        for user in experts:
            assert user.name not in text and user.username not in text


def test_labels_are_drawn_at_random_for_each_draw():
    """The public order is a fresh random permutation per draw: labels do not follow account ids (which would
    let a reader follow one expert from draw to draw)."""
    candidates = [[i, 0] for i in range(1, 41)]
    orders = {tuple(drawing.label_order(candidates, [])) for _ in range(5)}
    assert len(orders) > 1 and tuple(range(1, 41)) not in orders


def test_conflict_details_and_round_panel_numbers_are_reduced_to_words():
    assert public_reason(drawing.CONFLICT + CONFLICT_DETAIL) == "回避（与申报方存在利益关系）"
    assert public_reason(f"{drawing.ALREADY_ON_PANEL}（ZS-2025-0001）") == drawing.ALREADY_ON_PANEL
    assert public_reason(drawing.UNAVAILABLE) == "本人暂不接受评审"
    assert public_reason("某位官员写下的说明") == "其他原因"
