"""A conflict of interest found after an expert submitted: the review stops counting in the results and the
ranking, the officer's pages say so and link to the replacement, the expert can be replaced (the review is
kept), and the applicant never sees its comment."""
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.experts import operations as expert_ops
from grantportal.experts.conflicts import new_conflict
from grantportal.experts.models import ConflictSource
from grantportal.review.models import Assignment, AssignmentSource, Review, ReviewRound, ReviewStatus, RoundStatus
from grantportal.review.results import aggregate
from grantportal.review.results.aggregate import call_ranking, round_figures, round_results
from tests import factories as f

FLAG = "该评分提交后发现回避情形，已不计入汇总"


@pytest.fixture
def w():
    """One application, five experts who all submitted: 60, 70, 80, 90, 100 (trimmed mean 80), comments
    that name their author; three more experts in the pool for replacements."""
    officer = f.UserFactory(officer=True)
    org = f.OrganizationFactory(name="中山市阳光社工服务中心")
    member = f.member_of(org)
    call = f.CallFactory(created_by=officer)
    app = f.screened_application(call, org=org, created_by=member, number="BA-2026-0009", title="长者助餐")
    rnd = f.ReviewRoundFactory(call=call, panel_size=5, trim_min_scores=5, weight_percent=Decimal("60"))
    experts = [f.expert(user_name=name) for name in ("甲评审", "乙评审", "丙评审", "丁评审", "戊评审")]
    spare = f.expert_pool(3)
    assignments = [f.AssignmentFactory(round=rnd, application=app, expert=e) for e in experts]
    for a, total, name in zip(assignments, (60, 70, 80, 90, 100), "甲乙丙丁戊"):
        f.submitted_review(a, total=total, comment=f"{name}的意见")
    return SimpleNamespace(officer=officer, org=org, member=member, call=call, app=app, round=rnd, experts=experts,
                           spare=spare, assignments=assignments, high=assignments[4])


def _set_conflict(w, expert, reason="配偶在该机构任职"):
    conflict = new_conflict(expert.expert_profile, w.officer, reason, ConflictSource.OFFICER, org=w.org)
    db.session.add(conflict)
    db.session.commit()
    return conflict


def _results(rnd):
    db.session.expire_all()
    return round_results(db.session.get(ReviewRound, rnd.id))


# --- the aggregate --------------------------------------------------------------------------------

def test_aggregate_leaves_out_the_review_while_the_conflict_stands(w):
    before = _results(w.round)[w.app.id]
    assert (before.n, before.score, before.trimmed) == (5, Decimal("80.00"), True)
    conflict = _set_conflict(w, w.experts[4])  # the one who gave 100
    after = _results(w.round)[w.app.id]
    # 60, 70, 80, 90: four scores, fewer than the round's 5 for a trimmed mean, so the plain mean
    assert (after.n, after.mean, after.score, after.trimmed) == (4, Decimal("75.00"), Decimal("75.00"), False)
    assert (after.min, after.max) == (Decimal("60.00"), Decimal("90.00"))
    by_level, _ = call_ranking(w.call)
    (item,) = [i for items in by_level.values() for i in items]
    assert item.final == Decimal("45.00")  # 75 × 60%
    _, conflicted = round_figures(db.session.get(ReviewRound, w.round.id))
    assert list(conflicted) == [(w.app.id, w.experts[4].id)]
    assert [r.reason for r in conflicted[(w.app.id, w.experts[4].id)]] == ["配偶在该机构任职"]
    expert_ops.withdraw_conflict(conflict, "经核实不存在利害关系", w.officer)
    db.session.commit()
    assert _results(w.round)[w.app.id].score == Decimal("80.00")  # counts again once withdrawn


def test_a_detected_conflict_counts_too_an_affiliation_the_expert_added(w):
    f.ExpertAffiliationFactory(expert=w.experts[0].expert_profile, org_uscc=w.org.uscc, org_name=w.org.name,
                               role="理事", started_on=date(2021, 1, 1))
    result = _results(w.round)[w.app.id]
    assert (result.n, result.score) == (4, Decimal("85.00"))  # 70, 80, 90, 100


def test_an_old_affiliation_or_a_conflict_with_another_organization_does_not(w):
    f.ExpertAffiliationFactory(expert=w.experts[0].expert_profile, org_uscc=w.org.uscc, org_name=w.org.name,
                               started_on=date(2010, 1, 1), ended_on=date(2015, 1, 1))
    db.session.add(new_conflict(w.experts[1].expert_profile, w.officer, "另一机构", ConflictSource.OFFICER,
                                org=f.OrganizationFactory()))
    db.session.commit()
    assert _results(w.round)[w.app.id].n == 5


def test_an_application_whose_every_review_is_conflicted_leaves_the_results(w):
    for e in w.experts:
        _set_conflict(w, e)
    assert w.app.id not in _results(w.round)


def test_the_conflict_check_costs_a_fixed_number_of_queries(w):
    def statements():
        seen = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        real_fetch = aggregate.fetch_rows

        def fetch(statement):
            seen.append(str(statement))
            return real_fetch(statement)

        db.session.expire_all()
        rnd = db.session.get(ReviewRound, w.round.id)
        _ = rnd.aggregation
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            from unittest import mock
            with mock.patch.object(aggregate, "fetch_rows", fetch):
                round_results(rnd)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    _set_conflict(w, w.experts[4])
    small = statements()
    for _ in range(4):  # more applications, experts and conflicts: the same number of queries
        app = f.screened_application(w.call)
        for e in f.expert_pool(3):
            f.submitted_review(f.AssignmentFactory(round=w.round, application=app, expert=e), total=70)
        _set_conflict(w, e)
    assert statements() == small <= 6


# --- the officer's pages --------------------------------------------------------------------------

def test_results_dashboard_and_detail_pages_flag_it_with_a_link_to_the_replacement(client, auth, w):
    _set_conflict(w, w.experts[4])
    replace = f"/manage/assignments/{w.high.id}/replace"
    auth.login(w.officer)
    html = client.get(f"/manage/rounds/{w.round.id}/results").get_data(as_text=True)
    assert FLAG in html and "戊评审" in html and "配偶在该机构任职" in html and "项目官员设定" in html
    assert replace in html and "75.00" in html
    html = client.get(f"/manage/rounds/{w.round.id}/dashboard").get_data(as_text=True)
    assert FLAG in html and "戊评审" in html and "配偶在该机构任职" in html and replace in html
    assert "1份因回避不计入" in html
    html = client.get(f"/manage/rounds/{w.round.id}/applications/{w.app.id}/reviews").get_data(as_text=True)
    assert FLAG in html and replace in html and "不计入汇总" in html
    assert f"/manage/reviews/{w.high.review.id}/reopen" not in html  # the conflicted expert is not asked again
    html = client.get(f"/manage/rounds/{w.round.id}/applications/{w.app.id}").get_data(as_text=True)
    assert "需回避" in html and replace in html
    auth.logout()
    auth.login(f.UserFactory(auditor=True))  # reads the flag, has no button
    html = client.get(f"/manage/rounds/{w.round.id}/results").get_data(as_text=True)
    assert FLAG in html and replace not in html


def test_no_flag_without_a_conflict(client, auth, w):
    auth.login(w.officer)
    for url in (f"/manage/rounds/{w.round.id}/results", f"/manage/rounds/{w.round.id}/dashboard"):
        html = client.get(url).get_data(as_text=True)
        assert FLAG not in html and "/replace" not in html


def test_a_closed_round_says_the_expert_can_no_longer_be_replaced(client, auth, w):
    _set_conflict(w, w.experts[4])
    w.round.status = RoundStatus.CLOSED
    db.session.commit()
    auth.login(w.officer)
    html = client.get(f"/manage/rounds/{w.round.id}/results").get_data(as_text=True)
    assert FLAG in html and "/replace" not in html and "不能再替换专家" in html
    assert client.post(f"/manage/assignments/{w.high.id}/replace", data={"reason": "回避"}).status_code == 409


def test_the_export_marks_the_review_that_does_not_count(client, auth, w):
    from grantportal.review.results.exports import sheet

    _set_conflict(w, w.experts[4])
    summary, header, detail = sheet(db.session.get(ReviewRound, w.round.id))
    assert summary[0][5] == 4 and header[-1] == "备注"
    notes = {row[4]: row[-1] for row in detail}
    assert notes["戊评审"].startswith(FLAG) and "配偶在该机构任职" in notes["戊评审"]
    assert notes["甲评审"] == ""


# --- the replacement ------------------------------------------------------------------------------

def test_officer_replaces_a_conflicted_expert_who_had_submitted_keeping_the_review(client, auth, w):
    _set_conflict(w, w.experts[4])
    review_id = w.high.review.id
    url = f"/manage/assignments/{w.high.id}/replace"
    auth.login(w.officer)
    page = client.get(url).get_data(as_text=True)
    assert "配偶在该机构任职" in page and FLAG in page
    assert "请填写理由" in client.post(url, data={"expert_id": "", "reason": ""}).get_data(as_text=True)
    resp = client.post(url, data={"expert_id": "", "reason": "提交后发现配偶在申报机构任职，依规回避"})
    assert resp.status_code == 302
    db.session.expire_all()
    old = db.session.get(Assignment, w.high.id)
    assert not old.active and old.removed_reason == "提交后发现配偶在申报机构任职，依规回避"
    kept = db.session.get(Review, review_id)
    assert kept is not None and kept.status == ReviewStatus.SUBMITTED and kept.total == Decimal("100")
    new = db.session.scalars(sa.select(Assignment).where(Assignment.round_id == w.round.id,
                                                         Assignment.source == AssignmentSource.REPLACEMENT)).one()
    assert new.active and new.expert_id in {e.id for e in w.spare} and new.draw_id is not None
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "assignment.replace_conflicted",
                                                           AuditEntry.object_type == "assignment")).all()
    assert any("依规回避" in (e.after or "") for e in entry)
    # the old review stays out; the new expert's review counts once submitted
    assert _results(w.round)[w.app.id].n == 4
    f.submitted_review(db.session.get(Assignment, new.id), total=85)
    result = _results(w.round)[w.app.id]
    assert (result.n, result.score) == (5, Decimal("78.33"))  # 60 70 80 85 90 → trimmed (70+80+85)/3
    # the page no longer flags it: the assignment is inactive
    html = client.get(f"/manage/rounds/{w.round.id}/results").get_data(as_text=True)
    assert FLAG not in html


def test_a_submitted_review_without_a_conflict_still_cannot_be_replaced(client, auth, w):
    _set_conflict(w, w.experts[4])
    auth.login(w.officer)
    resp = client.post(f"/manage/assignments/{w.assignments[0].id}/replace", data={"reason": "x"})
    assert resp.status_code == 409 and "已提交评分" in resp.get_data(as_text=True)
    assert db.session.get(Assignment, w.assignments[0].id).active


def test_a_conflicted_review_cannot_be_reopened_to_its_expert(client, auth, w):
    _set_conflict(w, w.experts[4])
    review = w.high.review
    auth.login(w.officer)
    resp = client.post(f"/manage/reviews/{review.id}/reopen", data={"reason": "请修改", "version": str(review.version)})
    assert resp.status_code == 409 and "回避" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Review, review.id).status == ReviewStatus.SUBMITTED


# --- what the applicant sees -------------------------------------------------------------------------

def test_applicant_does_not_see_the_conflicted_review_or_its_comment(client, auth, w):
    _set_conflict(w, w.experts[4])
    w.round.status = RoundStatus.CLOSED
    w.round.closes_at = utcnow() - timedelta(hours=1)
    w.round.results_published_at = utcnow()
    w.app.status = AppStatus.SUBMITTED
    db.session.commit()
    auth.login(w.member)
    html = client.get(f"/applications/{w.app.id}").get_data(as_text=True)
    assert "专家评审结果" in html and "75.00" in html
    for name in "甲乙丙丁":
        assert f"{name}的意见" in html
    assert "戊的意见" not in html and "专家五" not in html and "80.00" not in html
