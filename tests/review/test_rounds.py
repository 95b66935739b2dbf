"""Review rounds: settings and rubric, the workflow, which applications enter, manual panel changes."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus, Screening
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.experts.conflicts import new_conflict
from grantportal.experts.models import ConflictSource
from grantportal.review.models import (
    Aggregation,
    Assignment,
    AssignmentSource,
    EntryRule,
    ReviewRound,
    ReviewStatus,
    RoundStatus,
)
from grantportal.review.panels.operations import draw_panel
from grantportal.review.rounds import operations as ops
from tests import factories as f


def round_form(**overrides):
    data = {
        "name": "初评", "kind": "first", "opens_at": "2030-12-11T09:00", "closes_at": "2030-12-20T17:00",
        "panel_size": "5", "panel_mode": "per_application", "expert_fields": "养老服务、社区治理",
        "load_limit": "30", "aggregation": "trimmed", "trim_min_scores": "5", "comment_below_percent": "60",
        "overall_comment_required": "y", "spread_threshold": "20", "entry_rule": "screened", "entry_value": "",
        "source_round_id": "", "weight_percent": "60",
        "criteria-0-name": "需求分析", "criteria-0-max_points": "40", "criteria-0-guidance": "优：需求清晰",
        "criteria-1-name": "项目设计", "criteria-1-max_points": "60", "criteria-1-guidance": "",
        "criteria-2-name": "", "criteria-2-max_points": "", "criteria-2-guidance": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def call(officer):
    return f.CallFactory(created_by=officer)


def test_new_round_form_copies_the_calls_rubric_and_defaults(client, auth, officer, call):
    auth.login(officer)
    page = client.get(f"/manage/calls/{call.id}/rounds/new").get_data(as_text=True)
    assert 'value="需求分析"' in page and 'value="可持续性"' in page
    assert 'name="panel_size" type="text" value="5"' in page
    assert 'selected value="trimmed"' in page


def test_officer_creates_a_round_with_times_in_beijing_time(client, auth, officer, call):
    auth.login(officer)
    resp = client.post(f"/manage/calls/{call.id}/rounds/new", data=round_form())
    assert resp.status_code == 302
    rnd = db.session.scalars(sa.select(ReviewRound).where(ReviewRound.call_id == call.id)).one()
    assert rnd.status == RoundStatus.DRAFT and rnd.aggregation == Aggregation.TRIMMED
    assert rnd.opens_at.hour == 1 and rnd.closes_at.hour == 9  # 09:00 and 17:00 Beijing in UTC
    assert rnd.field_list == ["养老服务", "社区治理"] and rnd.weight_percent == Decimal("60")
    assert [(c.name, c.max_points) for c in rnd.criteria] == [("需求分析", 40), ("项目设计", 60)]
    assert db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "round.create").limit(1))
    assert client.get(f"/manage/calls/{call.id}/rounds").status_code == 200


@pytest.mark.parametrize("field, value, message", [
    ("panel_size", "4", "奇数"),
    ("panel_size", "1", "3到15"),
    ("panel_size", "５", "半角数字"),
    ("closes_at", "2030-12-01T09:00", "晚于开始时间"),
    ("criteria-0-max_points", "abc", "半角数字"),
    ("entry_rule", "top_n", "上一轮"),
])
def test_bad_settings_are_refused_next_to_the_field_and_kept(client, auth, officer, call, field, value, message):
    auth.login(officer)
    resp = client.post(f"/manage/calls/{call.id}/rounds/new", data=round_form(**{field: value}))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in page
    assert "养老服务、社区治理" in page  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRound)) == 0


def test_add_row_shows_one_more_criterion_row(client, auth, officer, call):
    auth.login(officer)
    page = client.post(f"/manage/calls/{call.id}/rounds/new", data=round_form(add_row="criteria")) \
        .get_data(as_text=True)
    assert 'name="criteria-3-name"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRound)) == 0


def test_rubric_and_settings_lock_once_a_review_is_saved(client, auth, officer, call):
    rnd = f.ReviewRoundFactory(call=call)
    f.ReviewFactory(assignment=f.AssignmentFactory(round=rnd))
    auth.login(officer)
    assert "已锁定" in client.get(f"/manage/rounds/{rnd.id}/edit").get_data(as_text=True)
    resp = client.post(f"/manage/rounds/{rnd.id}/edit",
                       data=round_form(name="初评（延期）", panel_size="7", **{"criteria-0-max_points": "99"}))
    assert resp.status_code == 302
    db.session.refresh(rnd)
    assert rnd.name == "初评（延期）" and rnd.panel_size == 5 and len(rnd.criteria) == 7


def test_round_opens_only_with_times_rubric_and_full_panels(client, auth, officer, call):
    f.close_applications(call)  # the deadline and screening guards: tests/review/test_round_guards.py
    rnd = f.ReviewRoundFactory(call=call, status=RoundStatus.DRAFT, panel_size=3, opens_at=None, closes_at=None)
    app = f.screened_application(call)
    f.expert_pool(3)
    decision = ops.ROUND.check(officer, rnd, "open")
    ok, reason = decision.allowed, decision.reason
    assert not ok and "时间" in reason and "评审组未满3人" in reason
    auth.login(officer)
    resp = client.post(f"/manage/rounds/{rnd.id}/open")
    assert resp.status_code == 409 and "评审组未满" in resp.get_data(as_text=True)
    rnd.opens_at, rnd.closes_at = utcnow(), utcnow() + timedelta(days=5)
    db.session.commit()
    draw_panel(rnd, app, officer)
    db.session.commit()
    assert client.post(f"/manage/rounds/{rnd.id}/open").status_code == 302
    db.session.refresh(rnd)
    assert rnd.status == RoundStatus.OPEN
    assert client.post(f"/manage/rounds/{rnd.id}/open").status_code == 409


def test_opening_a_round_puts_its_applications_in_review_and_so_does_a_later_assignment(officer, call):
    """Review stamps the fact on the application (applications.workflow.in_expert_review reads it)."""
    f.close_applications(call)
    rnd = f.ReviewRoundFactory(call=call, status=RoundStatus.DRAFT, panel_size=3)
    drawn = f.screened_application(call)
    # screened out (a round opens only once every submitted application is screened)
    outside = f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, screening=Screening.FAILED)
    f.expert_pool(4)
    draw_panel(rnd, drawn, officer)
    db.session.commit()
    assert drawn.review_started_at is None  # drawn, but the round has not started
    ops.move_round(rnd, officer, "open")
    db.session.commit()
    later = f.screened_application(call)  # e.g. screened after the round started
    assert db.session.get(type(drawn), drawn.id).review_started_at is not None
    assert later.review_started_at is None and outside.review_started_at is None
    draw_panel(rnd, later, officer)  # a panel drawn while the round is under way
    db.session.commit()
    assert db.session.get(type(later), later.id).review_started_at is not None
    assert db.session.get(type(outside), outside.id).review_started_at is None


def test_closing_needs_confirmation(client, auth, officer, call):
    rnd = f.ReviewRoundFactory(call=call)
    auth.login(officer)
    resp = client.post(f"/manage/rounds/{rnd.id}/close", data={})
    assert resp.status_code == 200 and "请勾选确认" in resp.get_data(as_text=True)
    assert client.post(f"/manage/rounds/{rnd.id}/close", data={"confirm": "y"}).status_code == 302
    db.session.refresh(rnd)
    assert rnd.status == RoundStatus.CLOSED
    assert client.post(f"/manage/rounds/{rnd.id}/draw").status_code == 409
    assert client.get(f"/manage/rounds/{rnd.id}/edit").status_code == 409


# -- which applications enter ------------------------------------------------------------------------
def test_first_round_takes_every_application_that_passed_screening(call):
    rnd = f.ReviewRoundFactory(call=call)
    passed = [f.screened_application(call) for _ in range(2)]
    f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, screening=Screening.FAILED)
    f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, screening=Screening.PENDING)
    f.ApplicationFactory(call=call, status=AppStatus.WITHDRAWN, screening=Screening.PASSED)
    f.screened_application(f.CallFactory())  # another call's
    assert {a.id for a in ops.entering_applications(rnd)} == {a.id for a in passed}


@pytest.mark.parametrize("rule, value, expected", [
    (EntryRule.TOP_N, Decimal("2"), {1, 2}),  # the top 2 of those still in (apps[0] withdrew)
    (EntryRule.MIN_SCORE, Decimal("85.5"), {1}),
    (EntryRule.MIN_SCORE, Decimal("60"), {1, 2, 3}),
])
def test_later_round_takes_top_n_or_those_above_a_score(call, rule, value, expected):
    first = f.ReviewRoundFactory(call=call, status=RoundStatus.CLOSED, aggregation=Aggregation.MEAN)
    apps = [f.screened_application(call) for _ in range(4)]
    for app, total in zip(apps, ("91", "85.5", "80", "62")):
        f.ReviewFactory(assignment=f.AssignmentFactory(round=first, application=app),
                        status=ReviewStatus.SUBMITTED, total=Decimal(total))
    apps[0].status = AppStatus.WITHDRAWN  # withdrawn after the first round: no longer enters
    db.session.commit()
    second = f.ReviewRoundFactory(call=call, status=RoundStatus.DRAFT, entry_rule=rule, entry_value=value,
                                  source_round_id=first.id, position=1)
    assert {a.id for a in ops.entering_applications(second)} == {apps[i].id for i in expected}


# -- manual additions and replacements ---------------------------------------------------------------
@pytest.fixture
def panel(officer, call):
    rnd = f.ReviewRoundFactory(call=call, status=RoundStatus.DRAFT, panel_size=3)
    app = f.screened_application(call)
    experts = f.expert_pool(5)
    return rnd, app, experts


def _members(rnd, app, active=True):
    return db.session.scalars(sa.select(Assignment).where(Assignment.round_id == rnd.id,
                                                          Assignment.application_id == app.id,
                                                          Assignment.active.is_(active))).all()


def test_manual_addition_needs_a_reason_and_is_logged(client, auth, officer, panel):
    rnd, app, experts = panel
    auth.login(officer)
    url = f"/manage/rounds/{rnd.id}/applications/{app.id}/add"
    page = client.post(url, data={"expert_id": str(experts[0].id), "reason": ""}).get_data(as_text=True)
    assert "请填写理由" in page and not _members(rnd, app)
    resp = client.post(url, data={"expert_id": str(experts[0].id), "reason": "熟悉社区养老项目的财务专家"})
    assert resp.status_code == 302
    (added,) = _members(rnd, app)
    assert added.source == AssignmentSource.MANUAL and added.reason == "熟悉社区养老项目的财务专家"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "assignment.add")).one()
    assert "熟悉社区养老项目" in entry.after
    page = client.post(url, data={"expert_id": str(experts[0].id), "reason": "再次"}).get_data(as_text=True)
    assert "已在此申报的评审组中" in page and len(_members(rnd, app)) == 1


def test_conflicted_expert_cannot_be_added_by_hand(client, auth, officer, panel):
    rnd, app, experts = panel
    conflicted = experts[0]
    db.session.add(new_conflict(conflicted.expert_profile, officer, "配偶在该机构任职", ConflictSource.OFFICER,
                                org=app.org))
    db.session.commit()
    auth.login(officer)
    page = client.get(f"/manage/rounds/{rnd.id}/applications/{app.id}").get_data(as_text=True)
    assert f'value="{conflicted.id}"' not in page  # not even offered
    resp = client.post(f"/manage/rounds/{rnd.id}/applications/{app.id}/add",
                       data={"expert_id": str(conflicted.id), "reason": "指定"})
    assert resp.status_code == 409 and "配偶在该机构任职" in resp.get_data(as_text=True)
    assert not _members(rnd, app)


def test_replacement_keeps_the_old_assignment_with_its_reason(client, auth, officer, panel):
    rnd, app, experts = panel
    draw_panel(rnd, app, officer)
    db.session.commit()
    old = _members(rnd, app)[0]
    auth.login(officer)
    assert client.post(f"/manage/assignments/{old.id}/replace", data={"reason": ""}).status_code == 200
    resp = client.post(f"/manage/assignments/{old.id}/replace", data={"expert_id": "", "reason": "专家出差无法参加"})
    assert resp.status_code == 302
    db.session.refresh(old)
    assert not old.active and old.removed_reason == "专家出差无法参加"
    active = _members(rnd, app)
    assert len(active) == 3 and old.expert_id not in {a.expert_id for a in active}
    new = next(a for a in active if a.source == AssignmentSource.REPLACEMENT)
    assert new.reason == "专家出差无法参加" and new.draw_id is not None
    # the replaced expert is not drawn back in
    remaining = [e for e in experts if e.id not in {a.expert_id for a in active}]
    assert old.expert_id in {e.id for e in remaining}
    assert client.post(f"/manage/assignments/{old.id}/replace", data={"reason": "再换"}).status_code == 409


def test_replacement_by_a_chosen_expert_and_not_after_submission(client, auth, officer, panel):
    rnd, app, experts = panel
    draw_panel(rnd, app, officer)
    db.session.commit()
    first, second = _members(rnd, app)[:2]
    outside = next(e for e in experts if e.id not in {a.expert_id for a in _members(rnd, app)})
    f.ReviewFactory(assignment=second, status=ReviewStatus.SUBMITTED, total=Decimal("80"))
    auth.login(officer)
    resp = client.post(f"/manage/assignments/{first.id}/replace",
                       data={"expert_id": str(outside.id), "reason": "回避后调整"})
    assert resp.status_code == 302
    assert outside.id in {a.expert_id for a in _members(rnd, app)}
    resp = client.post(f"/manage/assignments/{second.id}/replace", data={"reason": "x"})
    assert resp.status_code == 409 and "已提交评分" in resp.get_data(as_text=True)


def test_ids_from_another_call_are_not_found(client, auth, officer, panel):
    rnd, _, _ = panel
    stranger = f.screened_application(f.CallFactory())
    auth.login(officer)
    assert client.get(f"/manage/rounds/{rnd.id}/applications/{stranger.id}").status_code == 404
    assert client.post(f"/manage/rounds/{rnd.id}/applications/{stranger.id}/draw").status_code == 404
    assert client.get("/manage/rounds/999999").status_code == 404
    assert client.get("/manage/draws/999999").status_code == 404
