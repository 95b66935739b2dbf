"""Issue 11: 公示 only when the call is ready for it, a republish when scores change during 公示, explanations
that state their figures, and a clear 409 when a proposal is regenerated while another officer adjusts it."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus, Screening
from grantportal.awards.models import Award, AwardStatus, ProposalStatus, ResultsRevision, RevisionKind
from grantportal.awards.proposals.operations import adjust, generate
from grantportal.awards.proposals.publicity import confirm, publish, republish
from grantportal.awards.proposals.queries import score_changes
from grantportal.awards.proposals.workflow import PROPOSAL, AwardRefused
from grantportal.core.db import db
from grantportal.review.models import Assignment, Review, RoundStatus
from tests import factories as f
from tests.awards.conftest import NOW, PUBLISHED_ENDS, awards_by_app, has_line, proposal_world, reload, set_level


def refused(fn, *args, **kw):
    with pytest.raises(AwardRefused) as info:
        fn(*args, **kw)
    return info.value


def lower_a_score(app, total):
    """One expert's submitted total for ``app`` changes (e.g. a review reopened and resubmitted)."""
    review = db.session.scalars(sa.select(Review).join(Assignment, Review.assignment_id == Assignment.id)
                                .where(Assignment.application_id == app.id).order_by(Review.id)).first()
    review.total = Decimal(total)
    db.session.commit()


def revisions(proposal):
    return db.session.scalars(sa.select(ResultsRevision).where(ResultsRevision.proposal_id == proposal.id)
                              .order_by(ResultsRevision.id)).all()


def test_publish_waits_for_the_application_deadline(officer):
    w = proposal_world(officer, publish=False)
    stage = next(s for s in w.call.stages if s.kind.value == "apply")
    stage.closes_at = NOW + timedelta(days=21)  # still 征集中 three weeks from now
    db.session.commit()
    assert "申报截止时间" in refused(publish, w.proposal, officer, NOW, 5).message
    db.session.rollback()
    assert reload(w.proposal).status == ProposalStatus.DRAFT
    assert all(reload(a).results_published_at is None for a in w.apps)  # nobody was told anything


def test_publish_waits_until_every_submitted_application_is_screened(officer):
    w = proposal_world(officer, publish=False)
    f.ApplicationFactory(call=w.call, status=AppStatus.SUBMITTED, screening=Screening.PENDING)
    e = refused(publish, w.proposal, officer, NOW, 5)
    assert e.status == 409 and "1个已提交的申报尚未完成资格审查" in e.message


def test_publish_waits_until_every_scoring_round_is_closed(officer):
    w = proposal_world(officer, publish=False)
    rnd = w.call.review_rounds[0]
    rnd.status = RoundStatus.OPEN
    db.session.commit()
    assert f"“{rnd.name}”尚未结束" in refused(publish, w.proposal, officer, NOW, 5).message


def test_publish_refuses_a_proposal_older_than_the_scores(officer):
    w = proposal_world(officer, publish=False)
    lower_a_score(w.apps[1], "70")  # 青少年四点半课堂: 88 → 82
    e = refused(publish, w.proposal, officer, NOW, 5)
    assert w.apps[1].number in e.message and "88.00分" in e.message and "82.00分" in e.message
    assert "请重新生成" in e.message
    db.session.rollback()
    generate(w.call, officer, NOW)
    publish(w.proposal, officer, NOW, 5)
    db.session.commit()
    assert reload(w.proposal).status == ProposalStatus.PUBLICIZED


def test_a_score_change_during_publicity_needs_a_republish_before_confirming(officer):
    w = proposal_world(officer)
    after = PUBLISHED_ENDS + timedelta(hours=1)
    assert not PROPOSAL.check(officer, w.proposal, "republish", after)  # nothing changed: no republish
    lower_a_score(w.apps[1], "70")  # e.g. a late conflict removed one expert's score
    changes = score_changes(reload(w.proposal))
    assert [c.award.application_id for c in changes][0] == w.apps[1].id
    e = refused(confirm, reload(w.proposal), officer, after)
    assert "公示发布后评审得分或排名已变化" in e.message and "重新发布公示" in e.message
    db.session.rollback()

    republish(reload(w.proposal), officer, after)
    db.session.commit()
    proposal = reload(w.proposal)
    history = revisions(proposal)
    assert [r.kind for r in history] == [RevisionKind.PUBLISHED, RevisionKind.PUBLISHED]
    assert "重新发布公示" in history[-1].summary and w.apps[1].number in history[-1].summary
    s2 = awards_by_app(proposal)[w.apps[1].id]
    assert s2.final_score == Decimal("82.00") and s2.rank == 4
    assert has_line(s2, "公示期间得分或排名变化", "已重新发布公示")
    assert proposal.published_at == after and proposal.ends_at > after  # a full new period
    assert score_changes(proposal) == []
    e = refused(confirm, proposal, officer, after)
    assert "公示期结束后才能确定最终结果" in e.message  # the new period runs first
    db.session.rollback()
    confirm(reload(w.proposal), officer, proposal.ends_at + timedelta(minutes=1))
    db.session.commit()
    assert reload(w.proposal).status == ProposalStatus.FINAL


def test_officers_see_the_warning_and_only_the_republish_button(client, auth, officer):
    w = proposal_world(officer)
    auth.login(officer)
    page = client.get(f"/manage/calls/{w.call.id}/proposal").get_data(as_text=True)
    assert "已变化" not in page and "确定最终结果" in page and "重新发布公示" not in page
    lower_a_score(w.apps[1], "70")
    page = client.get(f"/manage/calls/{w.call.id}/proposal").get_data(as_text=True)
    assert "公示发布后评审得分或排名已变化" in page and f"{w.apps[1].number}：88.00分、第2位→82.00分、第4位" in page
    assert f"/manage/calls/{w.call.id}/proposal/republish" in page
    assert f'href="/manage/calls/{w.call.id}/proposal/confirm"' not in page
    resp = client.post(f"/manage/calls/{w.call.id}/proposal/republish")
    assert resp.status_code == 303
    assert len(revisions(w.proposal)) == 2
    assert client.post(f"/manage/calls/{w.call.id}/proposal/republish").status_code == 409  # up to date now


def test_explanations_state_the_remaining_budget_the_cap_and_why_a_smaller_project_fitted(officer):
    """市级 10万: 6万 selected (4万 left); 5万 does not fit (reserve, then not selected with no reserve
    places); the next, 3万 project fits the 4万 left."""
    call, apps = f.ranked_call([
        {"total": 90, "requested": "60000", "title": "长者幸福食堂"},
        {"total": 88, "requested": "50000", "title": "残障人士就业支持"},
        {"total": 85, "requested": "30000", "title": "青少年四点半课堂"},
    ], created_by=officer, reserve_per_level=0)
    set_level(call, budget=100000, max_grant=80000)
    proposal = generate(call, officer, NOW)
    db.session.commit()
    first, skipped, smaller = (awards_by_app(proposal)[a.id] for a in apps)
    assert first.status == AwardStatus.SELECTED
    assert has_line(first, "拟资助6万")
    assert has_line(first, "安排前本级别剩余可用预算10万元", "资助上限6万元", "安排后剩余4万元")
    assert skipped.status == AwardStatus.NOT_SELECTED
    assert has_line(skipped, "剩余可用预算4万", "资助上限5万", "候补名额（0个）已满")
    assert not has_line(skipped, "预算已分配完毕")
    assert smaller.status == AwardStatus.SELECTED
    assert has_line(smaller, "安排前本级别剩余可用预算4万")
    assert has_line(smaller, "第2位项目所需金额超出", "本项目金额3万元在剩余预算之内")


def test_adjusting_an_award_that_a_regeneration_replaced_is_a_409_not_a_500(officer):
    """The adjusting officer's request has the award loaded when another officer's regeneration (committed
    first) deletes it: the adjustment is refused in Chinese (409), never "Could not refresh instance"."""
    w = proposal_world(officer, publish=False)
    award = reload(w.s2)
    assert award.proposal.status == ProposalStatus.DRAFT  # loaded, as the view does before the operation
    db.session.execute(sa.delete(Award).where(Award.id == award.id))  # the other transaction's regeneration
    e = refused(adjust, award, officer, AwardStatus.RESERVE, Decimal("30000"), "预算调整", NOW)
    assert e.status == 409 and "已被其他项目官员重新生成" in e.message
