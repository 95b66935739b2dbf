"""Issue 11: a review round's stage guards. A round opens only after the application deadline with every
submitted application screened; closing with reviews missing means replacing the experts or excluding the
missing reviews with a reason; a closed round reopens with a reason until 公示; a draft round can be deleted."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantportal.applications.models import AppStatus, Screening
from grantportal.applications.operations import stamp_results_published
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.review.models import Assignment, ReviewRound, RoundStatus
from grantportal.review.panels.operations import draw_panel
from grantportal.review.rounds import operations as ops
from tests import factories as f


@pytest.fixture
def call(officer):
    return f.CallFactory(created_by=officer)


def ready_round(call, officer, panel_size=3):
    """A draft round with times, a rubric and a full panel for one screened application."""
    rnd = f.ReviewRoundFactory(call=call, status=RoundStatus.DRAFT, panel_size=panel_size,
                               opens_at=utcnow(), closes_at=utcnow() + timedelta(days=5))
    app = f.screened_application(call)
    f.expert_pool(panel_size)
    draw_panel(rnd, app, officer)
    db.session.commit()
    return rnd, app


def audit_actions():
    return [e.action for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_a_round_opens_only_after_the_application_deadline(client, auth, officer, call):
    rnd, _ = ready_round(call, officer)  # the call is still 征集中 (deadline in 20 days)
    decision = ops.ROUND.check(officer, rnd, "open")
    assert not decision and "申报截止时间" in decision.reason
    auth.login(officer)
    page = client.get(f"/manage/rounds/{rnd.id}").get_data(as_text=True)
    assert "申报截止时间" in page and f'action="/manage/rounds/{rnd.id}/open"' not in page  # the reason, no button
    resp = client.post(f"/manage/rounds/{rnd.id}/open")
    assert resp.status_code == 409 and "申报截止时间" in resp.get_data(as_text=True)
    f.close_applications(call)
    assert client.post(f"/manage/rounds/{rnd.id}/open").status_code == 302
    assert db.session.get(ReviewRound, rnd.id).status == RoundStatus.OPEN


def test_a_round_opens_only_when_every_submitted_application_is_screened(officer, call):
    f.close_applications(call)
    rnd, _ = ready_round(call, officer)
    waiting = f.ApplicationFactory(call=call, status=AppStatus.SUBMITTED, screening=Screening.PENDING)
    decision = ops.ROUND.check(officer, rnd, "open")
    assert not decision and "还有1个已提交的申报尚未完成资格审查" in decision.reason
    waiting.screening = Screening.FAILED
    db.session.commit()
    assert ops.ROUND.check(officer, rnd, "open")


def open_round_with_a_missing_review(call, officer):
    f.close_applications(call)
    rnd, app = ready_round(call, officer)
    ops.move_round(rnd, officer, "open")
    db.session.commit()
    missing, *done = db.session.scalars(sa.select(Assignment).where(Assignment.round_id == rnd.id)
                                        .order_by(Assignment.id)).all()
    for a in done:
        f.submitted_review(a)
    return rnd, missing


def test_closing_with_reviews_missing_asks_to_replace_or_exclude_with_a_reason(client, auth, officer, call):
    rnd, missing = open_round_with_a_missing_review(call, officer)
    auth.login(officer)
    page = client.get(f"/manage/rounds/{rnd.id}/close").get_data(as_text=True)
    assert "还有1份评分未提交" in page and "替换未评审的专家" in page and "排除未提交评审的理由" in page
    resp = client.post(f"/manage/rounds/{rnd.id}/close", data={"confirm": "y"})
    assert resp.status_code == 409 and "填写理由排除未提交的评审" in resp.get_data(as_text=True)
    assert db.session.get(ReviewRound, rnd.id).status == RoundStatus.OPEN

    resp = client.post(f"/manage/rounds/{rnd.id}/close",
                       data={"confirm": "y", "exclude_reason": "该专家因病无法完成评审，经评审组同意排除"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReviewRound, rnd.id).status == RoundStatus.CLOSED
    gone = db.session.get(Assignment, missing.id)
    assert not gone.active and "因病无法完成评审" in gone.removed_reason
    assert ops.missing_assignments(rnd) == []  # no longer blocks 公示
    assert "round.close" in audit_actions()
    page = client.get(f"/manage/rounds/{rnd.id}").get_data(as_text=True)
    assert "排除了1份未提交的评审" in page and "因病无法完成评审" in page


def test_a_closed_round_reopens_with_a_reason_until_results_are_published(client, auth, officer, call):
    rnd, missing = open_round_with_a_missing_review(call, officer)
    app = missing.application
    ops.close_round(rnd, officer, "专家失联", confirmed=True)
    db.session.commit()
    auth.login(officer)
    assert f"/manage/rounds/{rnd.id}/reopen" in client.get(f"/manage/rounds/{rnd.id}").get_data(as_text=True)
    resp = client.post(f"/manage/rounds/{rnd.id}/reopen", data={"reason": ""})
    assert resp.status_code == 400 and "请填写重新开启评审的理由" in resp.get_data(as_text=True)
    new_close = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    resp = client.post(f"/manage/rounds/{rnd.id}/reopen",
                       data={"reason": "发现一位专家存在回避情形，需替换后重评", "closes_at": new_close})
    assert resp.status_code == 302
    db.session.expire_all()
    rnd = db.session.get(ReviewRound, rnd.id)
    assert rnd.status == RoundStatus.OPEN and rnd.reopen_reason == "发现一位专家存在回避情形，需替换后重评"
    assert "round.reopen" in audit_actions()
    assert "需替换后重评" in client.get(f"/manage/rounds/{rnd.id}").get_data(as_text=True)

    ops.close_round(rnd, officer, confirmed=True)
    stamp_results_published([app.id], utcnow())  # awards published the call's 公示
    db.session.commit()
    decision = ops.ROUND.check(officer, rnd, "reopen")
    assert not decision and "已发布公示" in decision.reason
    page = client.get(f"/manage/rounds/{rnd.id}").get_data(as_text=True)
    assert "已发布公示" in page and f"/manage/rounds/{rnd.id}/reopen" not in page
    assert client.post(f"/manage/rounds/{rnd.id}/reopen", data={"reason": "再评"}).status_code == 409


def test_a_draft_round_can_be_deleted_but_not_one_under_way(client, auth, officer, call):
    wrong, _ = ready_round(call, officer)  # created on the wrong call, panel already drawn
    wrong_id = wrong.id
    auth.login(officer)
    assert f"/manage/rounds/{wrong_id}/delete" in client.get(f"/manage/rounds/{wrong_id}").get_data(as_text=True)
    resp = client.post(f"/manage/rounds/{wrong_id}/delete")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReviewRound, wrong_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                             .where(Assignment.round_id == wrong_id)) == 0
    assert "round.delete" in audit_actions()

    under_way = f.ReviewRoundFactory(call=call, status=RoundStatus.OPEN)
    resp = client.post(f"/manage/rounds/{under_way.id}/delete")
    assert resp.status_code == 409 and "只有筹备中的评审轮次可以删除" in resp.get_data(as_text=True)
    assert db.session.get(ReviewRound, under_way.id) is not None
