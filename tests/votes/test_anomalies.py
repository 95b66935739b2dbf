"""Against 刷票 (issue 13): each anomaly rule on a crafted pattern flags the votes with its reason; an officer
confirms, voids or restores a vote with a reason (audited; the voter is told of a void); the public tally shows
valid, under-review and voided votes per project, counted from the rows; the tally cannot be published while a vote
is under review."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.core.timeutil import local_to_utc
from grantportal.votes import operations as ops
from grantportal.votes.models import AnomalyRule, Vote, VoteFlag, VoteRound, VoteStatus
from grantportal.votes.queries import tally
from tests import factories as f
from tests.votes.conftest import as_user, cast, make_vote, text_of, votes


def _flags():
    return db.session.execute(sa.select(VoteFlag.vote_id, VoteFlag.rule, VoteFlag.reason).order_by(VoteFlag.id)).all()


def _voters(n, **kw):
    return [f.CitizenFactory(**kw).user for _ in range(n)]


def test_a_burst_for_one_project_flags_the_votes_of_the_burst(app, world):
    app.config.update(VOTE_BURST_VOTES=4, VOTE_BURST_SECONDS=60)
    rnd, _ = make_vote(world.call, world.officer)
    target, other = world.apps[0], world.apps[1]
    now = utcnow()
    early = cast(rnd, target, world.citizens[0].user, ip="10.9.0.1", now=now - timedelta(minutes=10))
    voters = _voters(4)
    for i, user in enumerate(voters[:3]):
        cast(rnd, target, user, ip=f"10.9.{i + 1}.1", now=now - timedelta(seconds=30 - i))
    calm = cast(rnd, other, world.citizens[1].user, ip="10.9.9.1", now=now)
    assert _flags() == []  # three votes in a minute: below the threshold
    fourth = cast(rnd, target, voters[3], ip="10.9.8.1", now=now)
    flagged = {v.id for v in votes() if v.status == VoteStatus.FLAGGED}
    assert fourth.id in flagged and len(flagged) == 4 and early.id not in flagged and calm.id not in flagged
    (reason,) = {r for _, rule, r in _flags() if rule == AnomalyRule.BURST}
    assert "60秒内收到4票" in reason and "阈值：60秒内4票" in reason
    counts = tally(rnd.id)
    assert (counts[target.id].valid, counts[target.id].flagged) == (1, 4)


def test_many_new_accounts_from_one_network_are_flagged(app, world):
    app.config.update(VOTE_NEW_ACCOUNTS=3)
    rnd, _ = make_vote(world.call, world.officer)
    old = f.CitizenFactory(created_at=utcnow() - timedelta(days=30)).user
    cast(rnd, world.apps[0], old, ip="203.0.113.7")  # an old account from the block: not counted
    new = _voters(3)
    cast(rnd, world.apps[0], new[0], ip="203.0.113.8")
    cast(rnd, world.apps[1], new[1], ip="198.51.100.9")  # another block
    cast(rnd, world.apps[2], new[2], ip="203.0.113.200")
    assert _flags() == []
    fourth = f.CitizenFactory().user
    cast(rnd, world.apps[3], fourth, ip="203.0.113.9")
    flagged = {v.citizen.user_id for v in votes() if v.status == VoteStatus.FLAGGED}
    assert flagged == {new[0].id, new[2].id, fourth.id}
    reason = _flags()[0].reason
    assert "203.0.113.0/24" in reason and "3个开通不足24小时" in reason


def test_sequential_phone_numbers_voting_for_one_project_are_flagged(app, world):
    app.config.update(VOTE_SEQUENTIAL_VOTERS=2, VOTE_SEQUENTIAL_SPAN=10)
    rnd, _ = make_vote(world.call, world.officer)
    users = [f.CitizenFactory(phone=f"1391234{n:04d}").user for n in (5001, 5003, 5007, 6000)]
    cast(rnd, world.apps[0], users[0], ip="10.1.1.1")
    cast(rnd, world.apps[1], users[1], ip="10.1.2.1")  # another project: not part of the pattern
    cast(rnd, world.apps[0], users[3], ip="10.1.3.1")  # far away
    cast(rnd, world.apps[0], users[2], ip="10.1.4.1")  # 5007: one neighbour so far (5001)
    assert _flags() == []
    extra = f.CitizenFactory(phone="13912345005").user
    cast(rnd, world.apps[0], extra, ip="10.1.5.1")
    flagged = sorted(v.citizen.phone for v in votes() if v.status == VoteStatus.FLAGGED)
    assert flagged == ["13912345001", "13912345005", "13912345007"]
    reason = _flags()[0].reason
    assert "2个与本账户手机号码相邻" in reason and "1391234" not in reason  # never a number in the reason


def test_votes_in_lockstep_at_night_are_flagged(app, world):
    app.config.update(VOTE_NIGHT_VOTES=3, VOTE_NIGHT_SECONDS=120)
    night = local_to_utc(datetime.combine(utcnow().date() + timedelta(days=1), datetime.min.time()).replace(hour=3))
    rnd, _ = make_vote(world.call, world.officer, opens_at=utcnow() - timedelta(hours=1),
                       closes_at=night + timedelta(days=2))
    users = _voters(3)
    day = night + timedelta(hours=9)  # 12:00 Beijing: the same pattern by day is not this rule's
    for i, user in enumerate(users[:2]):
        cast(rnd, world.apps[0], user, ip=f"10.2.{i}.1", now=night - timedelta(seconds=40 - i))
    cast(rnd, world.apps[1], users[2], ip="10.2.9.1", now=day)
    assert _flags() == []
    third = f.CitizenFactory().user
    cast(rnd, world.apps[0], third, ip="10.2.5.1", now=night)
    assert len([v for v in votes() if v.status == VoteStatus.FLAGGED]) == 3
    (rule, reason) = _flags()[0][1:]
    assert rule == AnomalyRule.NIGHT_LOCKSTEP and "深夜03:00前后" in reason and "120秒内集中收到3票" in reason


def _flagged_vote(app, world):
    app.config.update(VOTE_BURST_VOTES=1)
    rnd, settings = make_vote(world.call, world.officer)
    vote = cast(rnd, world.apps[0], world.citizen, ip="10.3.0.1")
    assert vote.status == VoteStatus.FLAGGED
    return rnd, settings, vote


def test_an_officer_confirms_a_flagged_vote_with_a_reason_and_it_counts(client, app, world):
    rnd, _, vote = _flagged_vote(app, world)
    as_user(client, world.officer)
    page = client.get(f"/manage/votes/{rnd.id}/queue").get_data(as_text=True)
    assert "单个项目短时间内得票激增" in page and "待核查（1）" in page
    missing = client.post(f"/manage/votes/items/{vote.id}/decide", data={"decision": "confirm", "reason": ""})
    assert missing.status_code == 400 and "请填写理由" in missing.get_data(as_text=True)
    resp = client.post(f"/manage/votes/items/{vote.id}/decide",
                       data={"decision": "confirm", "reason": "经电话回访，投票人确认本人投票。"})
    assert resp.status_code == 303
    db.session.refresh(vote)
    assert vote.status == VoteStatus.VALID and vote.decided_by_id == world.officer.id
    assert tally(rnd.id)[world.apps[0].id].valid == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "vote.confirm"))
    assert "经电话回访" in entry.after and '"flagged"' in entry.before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice).where(
        Notice.user_id == world.citizen.id)) == 0  # a confirmed vote is not news to its voter
    # an officer's confirmation is final for the rules: the vote is never flagged again
    app.config.update(VOTE_BURST_VOTES=1)
    cast(rnd, world.apps[0], world.citizens[1].user, ip="10.3.1.1")
    db.session.refresh(vote)
    assert vote.status == VoteStatus.VALID


def test_a_voided_vote_stops_counting_its_voter_is_told_and_it_can_be_restored(client, app, world):
    rnd, settings, vote = _flagged_vote(app, world)
    as_user(client, world.officer)
    resp = client.post(f"/manage/votes/items/{vote.id}/decide",
                       data={"decision": "void", "reason": "同一设备短时间内切换多个账户投票。"})
    assert resp.status_code == 303
    db.session.refresh(vote)
    assert vote.status == VoteStatus.VOIDED
    counts = tally(rnd.id)[world.apps[0].id]
    assert (counts.valid, counts.flagged, counts.voided) == (0, 0, 1)
    notice = db.session.scalar(sa.select(Notice).where(Notice.user_id == world.citizen.id))
    assert "作废" in notice.title and "同一设备短时间内切换多个账户投票" in notice.body
    public = text_of(client.get(f"/votes/{rnd.id}").get_data(as_text=True))
    assert "有效 0 票 · 无效 1 票" in public
    # restored with a reason: counts again, the voter is told
    resp = client.post(f"/manage/votes/items/{vote.id}/decide",
                       data={"decision": "restore", "reason": "复核确认为本人在不同设备上投票。"})
    assert resp.status_code == 303
    db.session.refresh(vote)
    assert vote.status == VoteStatus.VALID and tally(rnd.id)[world.apps[0].id].valid == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice).where(
        Notice.user_id == world.citizen.id)) == 2
    # confirming a valid vote is not a step there is
    refused = client.post(f"/manage/votes/items/{vote.id}/decide", data={"decision": "confirm", "reason": "再次确认。"})
    assert refused.status_code == 409


def test_the_tally_is_not_published_while_a_vote_is_under_review_nor_before_the_window_ends(client, app, world):
    rnd, settings, vote = _flagged_vote(app, world)
    as_user(client, world.officer)
    early = client.post(f"/manage/votes/{rnd.id}/publish", data={"confirm": "y"})
    assert early.status_code == 409 and "尚未到" in early.get_data(as_text=True)
    rnd.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    blocked = client.post(f"/manage/votes/{rnd.id}/publish", data={"confirm": "y"})
    assert blocked.status_code == 409 and "还有1票待核查" in blocked.get_data(as_text=True)
    ops.decide(vote, world.officer, "void", "同一设备切换多个账户投票。", utcnow())
    db.session.commit()
    unticked = client.post(f"/manage/votes/{rnd.id}/publish", data={})
    assert unticked.status_code == 400 and "请勾选确认后再公布" in unticked.get_data(as_text=True)
    assert db.session.get(VoteRound, rnd.id).published_at is None


def test_the_tally_is_counted_from_the_rows(world):
    rnd, _ = make_vote(world.call, world.officer)
    for i, citizen in enumerate(world.citizens):
        cast(rnd, world.apps[0], citizen.user, ip=f"10.4.{i}.1")
    cast(rnd, world.apps[1], world.citizen, ip="10.4.9.1")
    # a row changed behind the platform's back is what the tally says: there is no counter to drift
    db.session.execute(sa.update(Vote).where(Vote.citizen_id == world.citizens[2].id).values(status=VoteStatus.VOIDED))
    db.session.commit()
    first, second = (tally(rnd.id)[a.id] for a in world.apps[:2])
    assert (first.valid, first.voided, second.valid) == (2, 1, 1)


def test_the_unique_index_holds_one_vote_per_voter_and_project(world):
    rnd, _ = make_vote(world.call, world.officer)
    first = cast(rnd, world.apps[0], world.citizen)
    db.session.add(Vote(round_id=rnd.id, application_id=world.apps[0].id, citizen_id=first.citizen_id,
                        cast_at=utcnow(), day=first.day, receipt="ABCDEFGHJKMN", ip="10.0.0.9", network="10.0.0.0/24"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_decisions_are_refused_once_the_tally_is_published(world):
    rnd, settings = make_vote(world.call, world.officer)
    vote = cast(rnd, world.apps[0], world.citizen)
    rnd.closes_at = utcnow() - timedelta(minutes=1)
    ops.publish_tally(rnd, settings, world.officer, utcnow(), confirmed=True)
    db.session.commit()
    with pytest.raises(ops.VoteRefused, match="计票结果已公布"):
        ops.decide(vote, world.officer, "void", "迟到的举报。", utcnow())
    db.session.rollback()
