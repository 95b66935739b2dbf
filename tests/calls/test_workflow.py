"""Draft → published → closed: completeness checks, confirmation, audit entries."""
import sqlalchemy as sa

from grantportal.calls.models import Call, CallStatus, RubricCriterion, StageKind
from grantportal.calls.workflow import CALL
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.permissions import Decision
from tests import factories as f


def draft(**kw):
    return f.CallFactory(status=CallStatus.DRAFT, published_at=None, **kw)


def audit_actions(call):
    return db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "call", AuditEntry.object_id == str(call.id)).order_by(AuditEntry.id)).all()


def test_transitions_are_data():
    assert {(s, t.target) for t in CALL.transitions for s in t.sources} == {
        (CallStatus.DRAFT, CallStatus.PUBLISHED), (CallStatus.PUBLISHED, CallStatus.CLOSED)}
    assert CALL.to(CallStatus.PUBLISHED, CallStatus.CLOSED).needs_confirmation


def test_only_officers_may_publish_and_only_drafts():
    call = draft()
    officer, auditor = f.UserFactory(officer=True), f.UserFactory(auditor=True)
    assert CALL.check(officer, call, "publish") == Decision(True, "")
    refused = CALL.check(auditor, call, "publish")
    assert not refused and "只有项目官员" in refused.reason
    refused = CALL.check(officer, call, "close")
    assert not refused and "只有已发布的征集才能结束" in refused.reason


def test_publish_page_lists_what_is_missing_and_refuses(client, signed_in_officer):
    call = draft(service_categories="", summary="", setup__stages={"open_days": -20, "close_days": -1})
    db.session.add(RubricCriterion(call_id=call.id, position=9, name="加分项", max_points=5))
    db.session.commit()
    html = client.get(f"/manage/calls/{call.id}/publish").get_data(as_text=True)
    for reason in ("申报截止时间已过", "合计应为100分，目前为105分", "至少需要填写一个服务领域",
                   "尚未填写征集公告摘要"):
        assert reason in html
    assert "确认发布" not in html

    resp = client.post(f"/manage/calls/{call.id}/publish")
    assert resp.status_code == 409
    assert "申报截止时间已过" in resp.get_data(as_text=True)
    call = db.session.get(Call, call.id)
    assert call.status == CallStatus.DRAFT and call.published_at is None
    assert "call.publish" not in audit_actions(call)


def test_publish_refuses_a_call_without_levels_or_apply_times(client, signed_in_officer):
    call = draft()
    call.levels = []
    call.apply_stage.opens_at = None
    db.session.commit()
    resp = client.post(f"/manage/calls/{call.id}/publish")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "尚未填写“征集申报”阶段的开始和截止时间" in html and "至少需要设置一个资助层级" in html


def test_officer_publishes_a_complete_draft_and_it_is_audited(client, signed_in_officer):
    call = draft()
    assert "确认发布" in client.get(f"/manage/calls/{call.id}/publish").get_data(as_text=True)
    resp = client.post(f"/manage/calls/{call.id}/publish")
    assert resp.status_code == 302
    call = db.session.get(Call, call.id)
    assert call.status == CallStatus.PUBLISHED and call.published_at is not None
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "call.publish")).one()
    assert entry.object_id == str(call.id) and entry.actor_id == signed_in_officer.id
    assert '"published"' in entry.after and '"draft"' in entry.before


def test_publishing_twice_is_a_conflict(client, signed_in_officer):
    call = f.CallFactory()
    assert client.post(f"/manage/calls/{call.id}/publish").status_code == 409


def test_closing_needs_a_confirmation(client, signed_in_officer):
    call = f.CallFactory()
    html = client.get(f"/manage/calls/{call.id}/close").get_data(as_text=True)
    assert "申报尚未截止" in html  # the factory's call is still open: say so
    resp = client.post(f"/manage/calls/{call.id}/close", data={})
    assert resp.status_code == 200
    assert "请勾选确认后再结束征集。" in resp.get_data(as_text=True)
    assert db.session.get(Call, call.id).status == CallStatus.PUBLISHED


def test_officer_closes_a_published_call_and_it_is_audited(client, signed_in_officer):
    call = f.CallFactory()
    resp = client.post(f"/manage/calls/{call.id}/close", data={"confirm": "y"})
    assert resp.status_code == 302
    call = db.session.get(Call, call.id)
    assert call.status == CallStatus.CLOSED and call.closed_at is not None
    assert audit_actions(call)[-1] == "call.close"


def test_a_draft_cannot_be_closed(client, signed_in_officer):
    call = draft()
    resp = client.post(f"/manage/calls/{call.id}/close", data={"confirm": "y"})
    assert resp.status_code == 409
    assert "只有已发布的征集才能结束" in resp.get_data(as_text=True)


def test_auditor_cannot_publish(client, auth):
    auth.login(f.UserFactory(auditor=True))
    call = draft()
    assert client.post(f"/manage/calls/{call.id}/publish").status_code == 403
    assert db.session.get(Call, call.id).status == CallStatus.DRAFT


def test_apply_stage_is_found_by_kind():
    call = draft()
    assert call.apply_stage.kind == StageKind.APPLY
