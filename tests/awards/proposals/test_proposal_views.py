"""The officer's award proposal pages: generate within the budget, adjust with a reason, publish for 公示
(working days), confirm the final results; refusals are explained and change nothing."""
import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus
from grantportal.awards.models import (
    Award,
    AwardStatus,
    FinalStatus,
    Objection,
    ObjectionStatus,
    Proposal,
    ProposalStatus,
)
from grantportal.awards.proposals import operations as ops
from grantportal.awards.proposals import publicity, queries
from grantportal.calls.models import Level
from grantportal.calls.tier_rules import TierRules
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.core.timeutil import format_datetime
from grantportal.core.workdays import publicity_end
from grantportal.review.models import ReviewStatus
from tests import factories as f
from tests.awards.conftest import confirm_years
from tests.permissions.world import built_once, restore_world


def _call(budget="200000", tier_rules=None, specs=None):
    """Four unrated city applications asking 8万元 each (scores 90, 85, 80, 75) in a city budget of
    ``budget``; the town level has no applications."""
    specs = specs or [{"total": t, "requested": "80000", "title": f"项目{t}"} for t in (90, 85, 80, 75)]
    call, apps = f.ranked_call(specs)
    city = next(lv for lv in call.levels if lv.level == Level.CITY)
    city.budget_total = Decimal(budget)
    call.tier_rules = tier_rules
    db.session.commit()
    for app in apps:
        f.member_of(app.org)
    return SimpleNamespace(call=call, apps=apps, officer=call.created_by)


@pytest.fixture(scope="module")
def w_snapshot(database, tmp_path_factory):
    def build():
        confirm_years()
        return _call()

    return built_once(database, tmp_path_factory, build)


@pytest.fixture
def w(w_snapshot):
    """``_call()``'s world, built once per module and restored for this test."""
    return restore_world(w_snapshot)


def generated(w):
    proposal = ops.generate(w.call, w.officer, utcnow())
    db.session.commit()
    return proposal


def award_of(proposal, app):
    db.session.expire_all()
    return db.session.scalar(sa.select(Award).where(Award.proposal_id == proposal.id,
                                                    Award.application_id == app.id))


def proposal_of(w):
    db.session.expire_all()
    return queries.proposal_of(w.call)


def page(client, url):
    resp = client.get(url)
    return resp.status_code, resp.get_data(as_text=True)


def value_of(html, name):
    """What a form field shows (the page keeps what was typed)."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    if found is None:
        found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*([^<]*)</textarea>', html)
    return found.group(1) if found else None


# --- the empty state and generating -------------------------------------------------------------

def test_without_scores_the_page_explains_and_generating_is_refused(client, auth):
    officer = f.UserFactory(officer=True)
    call = f.CallFactory(created_by=officer)
    auth.login(officer)
    status, html = page(client, f"/manage/calls/{call.id}/proposal")
    assert status == 200
    assert "尚未生成拟资助方案" in html and "仅工作人员可见" in html
    assert "disabled" in html and "还没有任何评审得分" in html
    resp = client.post(f"/manage/calls/{call.id}/proposal/generate", follow_redirects=True)
    assert "还没有任何评审得分，不能生成拟资助方案" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0


def test_generate_selects_within_the_budget_and_lists_reserves(client, auth, w):
    auth.login(w.officer)
    status, html = page(client, f"/manage/calls/{w.call.id}/proposal")
    assert "尚未生成拟资助方案" in html and "市级 4 个" in html
    resp = client.post(f"/manage/calls/{w.call.id}/proposal/generate")
    assert resp.status_code == 303
    proposal = proposal_of(w)
    assert proposal.status == ProposalStatus.DRAFT
    awards = [award_of(proposal, app) for app in w.apps]
    assert [a.status for a in awards] == [AwardStatus.SELECTED, AwardStatus.SELECTED, AwardStatus.RESERVE,
                                          AwardStatus.RESERVE]
    assert sum(a.amount for a in awards if a.status == AwardStatus.SELECTED) == Decimal("160000.00")
    assert [a.reserve_position for a in awards[2:]] == [1, 2]

    status, html = page(client, f"/manage/calls/{w.call.id}/proposal")
    assert "拟资助方案已生成：2个项目拟入选" in html
    assert "拟定中" in html and "最终得分 = 初评得分 × 100%" in html and "排名不并列" in html
    for text in ("¥200,000.00", "¥160,000.00", "¥40,000.00"):  # budget, allocated, remaining
        assert text in html
    assert "候补第1位" in html and "候补第2位" in html
    assert "列为候补第1位" in html  # the explanation lines
    assert f"/manage/awards/{awards[0].id}/adjust" in html
    assert "重新生成" in html and "发布公示" in html


def test_regenerating_a_draft_replaces_it(client, auth, w):
    proposal = generated(w)
    first = award_of(proposal, w.apps[0])
    ops.adjust(first, w.officer, AwardStatus.SELECTED, Decimal("50000"), "核减", utcnow())
    db.session.commit()
    auth.login(w.officer)
    assert client.post(f"/manage/calls/{w.call.id}/proposal/generate").status_code == 303
    again = award_of(proposal_of(w), w.apps[0])
    assert again.amount == Decimal("80000.00") and again.adjust_reason is None


def test_a_published_proposal_cannot_be_regenerated(client, auth, w):
    proposal = generated(w)
    publicity.publish(proposal, w.officer, utcnow(), 5)
    db.session.commit()
    auth.login(w.officer)
    resp = client.post(f"/manage/calls/{w.call.id}/proposal/generate", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "拟资助方案已发布公示，不能重新生成" in html
    assert "公示中" in html and "重新生成</button>" not in html
    assert proposal_of(w).status == ProposalStatus.PUBLICIZED


def test_a_level_with_more_than_a_hundred_awards_is_paged(client, auth):
    officer = f.UserFactory(officer=True)
    call = f.CallFactory(created_by=officer)
    org = f.OrganizationFactory(name="中山市百项社工服务中心")
    proposal = Proposal(call=call, generated_by_id=officer.id)
    db.session.add(proposal)
    for i in range(1, 103):
        app = f.ApplicationFactory.build(call=call, org=org, created_by=officer, status=AppStatus.SUBMITTED,
                                         title=f"第{i:03d}号项目", number=f"BA-2026-{i:04d}")
        db.session.add(app)
        db.session.add(Award(proposal=proposal, application=app, level=Level.CITY, rank=i,
                             final_score=Decimal("80.00"), requested=Decimal("10000"), cap=Decimal("10000"),
                             amount=Decimal("0"), status=AwardStatus.NOT_SELECTED, explanation=[]))
    db.session.commit()
    auth.login(officer)
    status, html = page(client, f"/manage/calls/{call.id}/proposal")
    assert "第 1 / 2 页，共 102 条" in html and "第100号项目" in html and "第101号项目" not in html
    status, html = page(client, f"/manage/calls/{call.id}/proposal?level=city&page=2")
    assert "第101号项目" in html and "第102号项目" in html and "第001号项目" not in html


# --- adjusting ----------------------------------------------------------------------------------

def test_adjust_page_shows_request_cap_and_remaining_budget(client, auth, w):
    proposal = generated(w)
    reserve = award_of(proposal, w.apps[2])
    auth.login(w.officer)
    status, html = page(client, f"/manage/awards/{reserve.id}/adjust")
    assert status == 200
    assert "申请金额" in html and "¥80,000.00" in html
    assert "本级别剩余预算" in html and "¥40,000.00" in html
    assert value_of(html, "amount") == "80000.00"


def test_adjust_refuses_amounts_above_request_cap_or_remaining_budget(client, auth):
    w = _call(tier_rules=TierRules(cap_by_grade={None: Decimal("60000")}).to_dict())
    proposal = generated(w)
    first, last = award_of(proposal, w.apps[0]), award_of(proposal, w.apps[3])
    assert (first.status, first.cap, first.amount) == (AwardStatus.SELECTED, Decimal("60000.00"),
                                                       Decimal("60000.00"))
    assert last.status == AwardStatus.RESERVE  # 3 × 6万 selected, 2万 left
    auth.login(w.officer)
    cases = [
        (first, {"status": "selected", "amount": "90000"}, 400, "资助金额不能超过申请金额8万元"),
        (first, {"status": "selected", "amount": "70000"}, 400, "资助金额不能超过该项目的资助上限6万元"),
        (last, {"status": "selected", "amount": "60000"}, 409, "超出本级别剩余预算：最多还可安排2万元"),
    ]
    for award, data, code, message in cases:
        resp = client.post(f"/manage/awards/{award.id}/adjust", data={**data, "reason": "按专家意见调整"})
        html = resp.get_data(as_text=True)
        assert resp.status_code == code, message
        assert message in html
        assert value_of(html, "amount") == data["amount"]  # what was typed is kept
        assert "按专家意见调整" in html
    assert (award_of(proposal, w.apps[0]).amount, award_of(proposal, w.apps[0]).adjust_reason) == (
        Decimal("60000.00"), None)
    assert award_of(proposal, w.apps[3]).status == AwardStatus.RESERVE


def test_adjust_needs_a_reason(client, auth, w):
    proposal = generated(w)
    first = award_of(proposal, w.apps[0])
    auth.login(w.officer)
    resp = client.post(f"/manage/awards/{first.id}/adjust", data={"status": "selected", "amount": "50000",
                                                                   "reason": "  "})
    assert resp.status_code == 400 and "请填写调整理由" in resp.get_data(as_text=True)
    assert award_of(proposal, w.apps[0]).amount == Decimal("80000.00")


def test_adjust_with_a_reason_changes_the_award_and_shows_the_reason(client, auth, w):
    proposal = generated(w)
    first, reserve = award_of(proposal, w.apps[0]), award_of(proposal, w.apps[2])
    auth.login(w.officer)
    resp = client.post(f"/manage/awards/{first.id}/adjust",
                       data={"status": "selected", "amount": "40000", "reason": "宣传费用偏高，按专家意见核减。"})
    assert resp.status_code == 303
    resp = client.post(f"/manage/awards/{reserve.id}/adjust",
                       data={"status": "selected", "amount": "80000", "reason": "核减后预算足够，递补入选。"})
    assert resp.status_code == 303
    first, reserve = award_of(proposal, w.apps[0]), award_of(proposal, w.apps[2])
    assert (first.amount, first.adjust_reason) == (Decimal("40000.00"), "宣传费用偏高，按专家意见核减。")
    assert first.adjusted_by_id == w.officer.id
    assert (reserve.status, reserve.amount, reserve.reserve_position) == (AwardStatus.SELECTED,
                                                                          Decimal("80000.00"), None)
    status, html = page(client, f"/manage/calls/{w.call.id}/proposal")
    assert "调整理由：宣传费用偏高，按专家意见核减。" in html and "核减后预算足够，递补入选。" in html
    assert "¥200,000.00" in html and "¥0.00" in html  # 4 + 8 + 8 = 20万: nothing left


def test_adjust_to_not_selected_frees_the_budget(client, auth, w):
    proposal = generated(w)
    first = award_of(proposal, w.apps[0])
    auth.login(w.officer)
    resp = client.post(f"/manage/awards/{first.id}/adjust",
                       data={"status": "not_selected", "amount": "", "reason": "申报机构书面放弃。"})
    assert resp.status_code == 303
    first = award_of(proposal, w.apps[0])
    assert (first.status, first.amount) == (AwardStatus.NOT_SELECTED, Decimal("0.00"))


def test_adjusting_is_refused_once_published(client, auth, w):
    proposal = generated(w)
    publicity.publish(proposal, w.officer, utcnow(), 5)
    db.session.commit()
    first = award_of(proposal, w.apps[0])
    auth.login(w.officer)
    status, html = page(client, f"/manage/awards/{first.id}/adjust")
    assert status == 409 and "方案已发布公示，不能再调整" in html and 'name="reason"' not in html
    resp = client.post(f"/manage/awards/{first.id}/adjust",
                       data={"status": "selected", "amount": "10000", "reason": "试图调整"})
    assert resp.status_code == 409
    assert award_of(proposal, w.apps[0]).amount == Decimal("80000.00")


# --- publishing ---------------------------------------------------------------------------------

def _missing_review(w):
    """A fifth expert assigned to the first application who has only a draft review."""
    rnd = w.call.review_rounds[0]
    assignment = f.AssignmentFactory(round=rnd, application=w.apps[0], expert=f.expert())
    return f.ReviewFactory(assignment=assignment)


def test_publish_is_refused_while_a_review_is_missing_then_allowed(client, auth, w):
    generated(w)
    review = _missing_review(w)
    auth.login(w.officer)
    status, html = page(client, f"/manage/calls/{w.call.id}/proposal/publish")
    assert "还有1份专家评审未提交，全部评审完成后才能发布公示" in html and "确认发布公示" not in html
    resp = client.post(f"/manage/calls/{w.call.id}/proposal/publish", data={"days": "5"})
    assert resp.status_code == 409 and "还有1份专家评审未提交" in resp.get_data(as_text=True)
    assert proposal_of(w).status == ProposalStatus.DRAFT

    review.status, review.total, review.submitted_at = ReviewStatus.SUBMITTED, Decimal("90.0"), utcnow()
    db.session.commit()
    status, html = page(client, f"/manage/calls/{w.call.id}/proposal/publish")
    assert "确认发布公示" in html and "未提交" not in html
    assert client.post(f"/manage/calls/{w.call.id}/proposal/publish", data={"days": "5"}).status_code == 303
    assert proposal_of(w).status == ProposalStatus.PUBLICIZED


def test_publish_preview_counts_working_days(client, auth, w):
    generated(w)
    auth.login(w.officer)
    url = f"/manage/calls/{w.call.id}/proposal/publish"
    before = utcnow()
    status, html = page(client, url)
    resp = client.post(url, data={"days": "7", "preview": "计算截止时间"})
    after = utcnow()
    assert status == 200 and "公示5个工作日" in html  # the call's setting, before anything is typed
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert value_of(html, "days") == "7"
    ends = {format_datetime(publicity_end(t, 7)) for t in (before, after)}
    assert any(f"公示7个工作日，至 {e}" in html for e in ends)
    assert proposal_of(w).status == ProposalStatus.DRAFT  # a preview publishes nothing
    resp = client.post(url, data={"days": "31", "preview": "计算截止时间"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请填写1到30之间的整数" in html and "如现在发布" not in html


def test_publish_sets_the_end_by_working_days_and_says_when(client, auth, w):
    w.call.publicity_days = 7
    db.session.commit()
    generated(w)
    auth.login(w.officer)
    status, html = page(client, f"/manage/calls/{w.call.id}/proposal/publish")
    assert value_of(html, "days") == "7"  # the call's setting is the default
    resp = client.post(f"/manage/calls/{w.call.id}/proposal/publish", data={"days": "5"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    proposal = proposal_of(w)
    assert proposal.status == ProposalStatus.PUBLICIZED and proposal.publicity_days == 5
    assert proposal.ends_at == publicity_end(proposal.published_at, 5)
    assert f"公示5个工作日，至{format_datetime(proposal.ends_at)}止" in html
    assert "公示中" in html and "确定最终结果" in html and "异议处理" in html


def test_publish_refuses_a_bad_number_of_days(client, auth, w):
    generated(w)
    auth.login(w.officer)
    resp = client.post(f"/manage/calls/{w.call.id}/proposal/publish", data={"days": "0"})
    assert resp.status_code == 400 and "请填写1到30之间的整数" in resp.get_data(as_text=True)
    assert proposal_of(w).status == ProposalStatus.DRAFT


# --- confirming ---------------------------------------------------------------------------------

def _published(w):
    proposal = generated(w)
    publicity.publish(proposal, w.officer, utcnow(), 5)
    db.session.commit()
    return proposal


def test_confirm_is_refused_before_the_period_ends_and_with_an_open_objection(client, auth, w):
    proposal = _published(w)
    auth.login(w.officer)
    url = f"/manage/calls/{w.call.id}/proposal/confirm"
    status, html = page(client, url)
    assert "公示期结束后才能确定最终结果" in html and "确定最终结果并通知申报机构" not in html
    resp = client.post(url)
    assert resp.status_code == 409 and "公示期结束后才能确定最终结果" in resp.get_data(as_text=True)

    proposal = proposal_of(w)
    proposal.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    objection = Objection(award=award_of(proposal, w.apps[0]), filed_by=f.UserFactory(), real_name="王晓明",
                          contact="13812345678", reason="服务对象与另一项目重复。", filed_at=utcnow())
    db.session.add(objection)
    db.session.commit()
    resp = client.post(url)
    assert resp.status_code == 409 and "还有1件异议尚未处理" in resp.get_data(as_text=True)
    assert proposal_of(w).status == ProposalStatus.PUBLICIZED
    assert not any("评审结果：" in n.title for n in db.session.scalars(sa.select(Notice))), \
        "only the 公示 was told, no final result"


def test_confirm_after_the_period_sets_final_statuses_and_notifies_members(client, auth, w):
    _published(w)
    proposal = proposal_of(w)
    proposal.ends_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    objection = Objection(award=award_of(proposal, w.apps[0]), filed_by=f.UserFactory(), real_name="王晓明",
                          contact="13812345678", reason="服务对象重复。", filed_at=utcnow() - timedelta(days=1),
                          status=ObjectionStatus.REJECTED, public_summary="经核实，服务对象不重复。")
    db.session.add(objection)
    db.session.commit()
    auth.login(w.officer)
    url = f"/manage/calls/{w.call.id}/proposal/confirm"
    status, html = page(client, url)
    assert "确定最终结果并通知申报机构" in html
    assert re.search(r"<dt>入选</dt><dd>2 个</dd>", html) and re.search(r"<dt>候补</dt><dd>2 个</dd>", html)
    resp = client.post(url, follow_redirects=True)
    assert "最终结果已确定" in resp.get_data(as_text=True)
    proposal = proposal_of(w)
    assert proposal.status == ProposalStatus.FINAL and proposal.confirmed_by_id == w.officer.id
    finals = [award_of(proposal, app).final_status for app in w.apps]
    assert finals == [FinalStatus.SELECTED, FinalStatus.SELECTED, FinalStatus.RESERVE, FinalStatus.RESERVE]
    for app in w.apps:
        members = [m.user_id for m in app.org.members]
        notices = db.session.scalars(sa.select(Notice).where(Notice.user_id.in_(members))).all()
        assert notices and all(n.link == f"/applications/{app.id}" for n in notices)
        assert all(app.title in n.body for n in notices)
    first_notice = db.session.scalar(sa.select(Notice).where(
        Notice.user_id == w.apps[0].org.members[0].user_id).order_by(Notice.id.desc()).limit(1))
    assert first_notice.title.endswith("评审结果：入选") and "8万元" in first_notice.body
    status, html = page(client, f"/manage/calls/{w.call.id}/proposal")
    assert "已确定" in html and "最终：入选" in html and "确定最终结果</a>" not in html
    assert client.post(url).status_code == 409  # confirming twice changes nothing


# --- who may act --------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["auditor", "admin", "member"])
def test_only_officers_may_act(client, auth, w, role):
    proposal = generated(w)
    first = award_of(proposal, w.apps[0])
    user = f.member_of(w.apps[0].org) if role == "member" else f.UserFactory(**{role: True})
    auth.login(user)
    posts = [(f"/manage/calls/{w.call.id}/proposal/generate", {}),
             (f"/manage/awards/{first.id}/adjust", {"status": "selected", "amount": "1000", "reason": "x"}),
             (f"/manage/calls/{w.call.id}/proposal/publish", {"days": "5"}),
             (f"/manage/calls/{w.call.id}/proposal/confirm", {}),
             (f"/manage/calls/{w.call.id}/result-settings", {"publicity_days": "5", "reserve_per_level": "3"})]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    assert proposal_of(w).status == ProposalStatus.DRAFT
    assert award_of(proposal, w.apps[0]).amount == Decimal("80000.00")
    expected = 200 if role == "auditor" else 403  # a system administrator does not read proposals
    assert client.get(f"/manage/calls/{w.call.id}/proposal").status_code == expected
