"""公众投票 end to end through the pages (issue 13): an officer sets up a vote round on a call and opens it; a
citizen votes in two taps and gets a receipt listed under 我的投票; one vote per project, the limits per day and
in all, the window; staff never vote."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.review.models import ReviewRound, RoundKind, RoundStatus
from grantportal.review.results.aggregate import round_results
from grantportal.votes.models import VoteEntry, VoteRound, VoteStatus
from grantportal.votes.operations import VoteRefused
from grantportal.votes.receipts import shown
from tests import factories as f
from tests.votes.conftest import as_user, cast, make_vote, text_of, vote_url, votes


def _form(**kw):
    data = {"name": "公众投票", "opens_at": "2030-05-01T09:00", "closes_at": "2030-05-10T18:00",
            "entry_rule": "screened", "entry_value": "", "source_round_id": "", "per_day": "2", "per_voter": "4",
            "weight_percent": "20", "live_tally": "y"}
    data.update(kw)
    return data


def test_officer_sets_up_a_vote_round_and_opens_it_with_its_projects_fixed(client, world):
    as_user(client, world.officer)
    resp = client.post(f"/manage/calls/{world.call.id}/votes/new", data=_form())
    assert resp.status_code == 303
    rnd = db.session.scalar(sa.select(ReviewRound).where(ReviewRound.kind == RoundKind.VOTE))
    settings = db.session.get(VoteRound, rnd.id)
    assert (rnd.name, rnd.status, rnd.weight_percent, settings.per_day, settings.per_voter, settings.live_tally) == \
        ("公众投票", RoundStatus.DRAFT, 20, 2, 4, True)
    assert f"{rnd.opens_at:%H:%M}" == "01:00" and f"{rnd.closes_at:%H:%M}" == "10:00"  # 09:00 and 18:00 Beijing
    assert len(settings.salt) == 32 and not rnd.criteria

    # the officer's page lists the projects that will enter; the public page does not exist yet
    page = client.get(f"/manage/votes/{rnd.id}").get_data(as_text=True)
    assert all(a.title in page for a in world.apps) and "发布投票" in page
    assert client.get(f"/votes/{rnd.id}").status_code == 404

    resp = client.post(f"/manage/votes/{rnd.id}/open")
    assert resp.status_code == 303
    db.session.refresh(rnd)
    assert rnd.status == RoundStatus.OPEN
    entered = db.session.scalars(sa.select(VoteEntry.application_id).where(VoteEntry.round_id == rnd.id)).all()
    assert sorted(entered) == sorted(a.id for a in world.apps)
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"round.create", "vote_round.create", "vote_round.open"} <= actions
    # once open, the settings are fixed
    assert client.get(f"/manage/votes/{rnd.id}/edit").status_code == 409
    # the call's rounds page lists the vote next to the expert rounds and sends the officer to its own page
    rounds = client.get(f"/manage/calls/{world.call.id}/rounds").get_data(as_text=True)
    assert f"/manage/votes/{rnd.id}" in rounds
    assert client.get(f"/manage/rounds/{rnd.id}").status_code == 403


def test_bad_settings_are_refused_next_to_their_fields_and_kept(client, world):
    as_user(client, world.officer)
    url = f"/manage/calls/{world.call.id}/votes/new"
    page = client.post(url, data=_form(closes_at="2030-04-30T09:00", per_day="5", per_voter="3", name="网络投票"))
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "截止时间应晚于开始时间" in html and "每天可投票数不能多于每人本轮共可投票数" in html
    assert 'value="网络投票"' in html
    html = client.post(url, data=_form(entry_rule="top_n")).get_data(as_text=True)
    assert "请选择作为依据的评审轮次" in html and "请填写入围名额N" in html
    html = client.post(url, data=_form(per_day="０", weight_percent="120")).get_data(as_text=True)
    assert "请使用半角数字" in html and "请填写0到100之间的数" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRound)) == 0


def test_a_citizen_votes_in_two_taps_and_sees_the_receipt_in_my_votes(client, world):
    rnd, _ = make_vote(world.call, world.officer)
    app = world.apps[1]
    as_user(client, world.citizen)
    page = client.get(f"/votes/{rnd.id}").get_data(as_text=True)
    assert app.title in page and app.org.name in page and "投票中" in page
    assert f'href="{vote_url(rnd, app)}"' in page  # tap 1
    confirm = client.get(vote_url(rnd, app)).get_data(as_text=True)
    assert "确认投票" in confirm and app.org.name in confirm
    resp = client.post(vote_url(rnd, app))  # tap 2
    assert resp.status_code == 303
    (vote,) = votes()
    assert vote.status == VoteStatus.VALID and vote.application_id == app.id and vote.network == "127.0.0.0/24"
    receipt = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert shown(vote.receipt) in receipt and "投票成功" in receipt
    mine = client.get("/citizen/").get_data(as_text=True)
    assert shown(vote.receipt) in mine and app.title in mine
    # the round page now says 已投票 for it, and how many votes are left
    page = client.get(f"/votes/{rnd.id}").get_data(as_text=True)
    assert "已投票" in page and "您现在还可以投2票" in page
    # the audit log keeps the vote, with the receipt masked
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "vote.cast"))
    assert vote.receipt not in entry.after and '"receipt": "' + vote.receipt[:2] in entry.after


def test_one_vote_per_project_and_the_limits_per_day_and_in_all(client, world):
    rnd, settings = make_vote(world.call, world.officer, per_day=2, per_voter=3)
    a, b, c, d = world.apps
    as_user(client, world.citizen)
    assert client.post(vote_url(rnd, a)).status_code == 303
    again = client.post(vote_url(rnd, a))
    assert again.status_code == 409 and "已为该项目投过票" in again.get_data(as_text=True)
    assert client.post(vote_url(rnd, b)).status_code == 303
    full = client.post(vote_url(rnd, c))
    assert full.status_code == 409 and "您今天的2票已投完" in full.get_data(as_text=True)
    assert "您今天的票已投完" in client.get(f"/votes/{rnd.id}").get_data(as_text=True)
    # the next day (Beijing time) one more, then the round's three are all cast
    tomorrow = utcnow() + timedelta(days=1)
    rnd.closes_at = tomorrow + timedelta(days=1)
    db.session.commit()
    cast(rnd, c, world.citizen, now=tomorrow)
    with pytest.raises(VoteRefused, match="3票已全部投出"):
        cast(rnd, d, world.citizen, now=tomorrow)
    db.session.rollback()
    assert len(votes()) == 3


def test_outside_the_window_the_page_explains_and_offers_no_button(client, world):
    later, _ = make_vote(world.call, world.officer, opens_at=utcnow() + timedelta(days=1),
                         closes_at=utcnow() + timedelta(days=2))
    as_user(client, world.citizen)
    page = text_of(client.get(f"/votes/{later.id}").get_data(as_text=True))
    assert "投票尚未开始" in page and "确认投票" not in page and 'aria-label="为' not in page
    refused = client.post(vote_url(later, world.apps[0]))
    assert refused.status_code == 409 and "投票尚未开始" in refused.get_data(as_text=True)
    later.opens_at, later.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/votes/{later.id}").get_data(as_text=True)
    assert "已截止" in page and 'aria-label="为' not in page
    assert client.post(vote_url(later, world.apps[0])).status_code == 409
    assert votes() == []


def test_staff_and_organizations_cannot_vote_and_visitors_sign_in_first(client, world):
    rnd, _ = make_vote(world.call, world.officer)
    app = world.apps[0]
    resp = client.post(vote_url(rnd, app))
    assert resp.status_code == 302 and "/citizen/login" in resp.headers["Location"]
    as_user(client, world.officer)
    refused = client.post(vote_url(rnd, app))
    assert refused.status_code == 403 and "工作人员和社会组织账户不能投票" in refused.get_data(as_text=True)
    page = client.get(f"/votes/{rnd.id}").get_data(as_text=True)
    assert "工作人员和社会组织账户不能投票" in page and 'aria-label="为' not in page
    assert votes() == []


def test_a_project_not_in_the_vote_and_wrong_ids_are_404(client, world):
    rnd, _ = make_vote(world.call, world.officer)
    outsider = f.screened_application(f.CallFactory())
    as_user(client, world.citizen)
    assert client.post(vote_url(rnd, outsider)).status_code == 404
    assert client.get("/votes/999999").status_code == 404
    assert client.get(f"/votes/{rnd.id}/projects/999999").status_code == 404
    draft, _ = make_vote(world.call, world.officer, open_=False, name="第二次投票")
    assert client.get(f"/votes/{draft.id}").status_code == 404
    assert votes() == []


def test_another_citizens_receipt_is_not_theirs_to_see(client, world):
    rnd, _ = make_vote(world.call, world.officer)
    vote = cast(rnd, world.apps[0], world.citizens[1].user)
    as_user(client, world.citizen)
    assert client.get(f"/votes/mine/{vote.id}").status_code == 403
    assert shown(vote.receipt) not in client.get("/votes/mine").get_data(as_text=True)


def test_a_project_withdrawn_after_the_vote_opened_takes_no_more_votes_and_scores_nothing(client, world):
    rnd, _ = make_vote(world.call, world.officer)
    cast(rnd, world.apps[0], world.citizens[1].user)
    world.apps[0].status = AppStatus.WITHDRAWN
    db.session.commit()
    as_user(client, world.citizen)
    refused = client.post(vote_url(rnd, world.apps[0]))
    assert refused.status_code == 409 and "已撤回申报" in refused.get_data(as_text=True)
    assert world.apps[0].id not in round_results(rnd) and len(votes()) == 1
