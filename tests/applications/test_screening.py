"""Screening (资格审查) by officers: automatic checks, confirmation, overrides with reasons."""
import json

from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.orgs.models import InspectionResult
from tests import factories as f
from tests.applications.helpers import ready, text


def _screen_page(client, app):
    """GET the screening page and return the hidden values it carries."""
    import re

    page = text(client.get(f"/applications/{app.id}/screen"))
    values = dict(re.findall(r'name="(version|digest)" type="hidden" value="([^"]*)"', page))
    assert set(values) == {"version", "digest"}
    return page, values


def _submitted(**kw):
    _, app = ready(member=False, status=AppStatus.SUBMITTED, number="S-2026-0001", **kw)
    return app


def test_officer_confirms_the_automatic_result_and_the_checks_are_stored(client, auth):
    app = _submitted()
    officer = f.UserFactory(officer=True)
    auth.login(officer)
    page, hidden = _screen_page(client, app)
    assert "全部符合" in page and "评估等级：" not in page  # the call sets no minimum grade
    assert "2025年度年检结果：合格" in page
    resp = client.post(f"/applications/{app.id}/screen", data={**hidden, "outcome": "passed", "note": ""})
    assert resp.status_code == 302
    app = db.session.get(Application, app.id)
    assert app.screening == Screening.PASSED and not app.screening_override
    assert app.screened_by_id == officer.id and app.screened_at is not None
    assert {c["code"] for c in app.screening_checks} >= {"verified", "inspection", "grant_range"}
    assert all(c["passed"] for c in app.screening_checks)


def test_an_outcome_against_the_automatic_result_needs_a_reason(client, auth):
    app = _submitted()
    auth.login(f.UserFactory(officer=True))
    _, hidden = _screen_page(client, app)
    resp = client.post(f"/applications/{app.id}/screen", data={**hidden, "outcome": "failed", "note": ""})
    assert resp.status_code == 200 and "请填写理由" in text(resp)
    assert db.session.get(Application, app.id).screening == Screening.PENDING
    resp = client.post(f"/applications/{app.id}/screen",
                       data={**hidden, "outcome": "failed", "note": "项目不在本机构章程业务范围内。"})
    assert resp.status_code == 302
    app = db.session.get(Application, app.id)
    assert app.screening == Screening.FAILED and app.screening_override
    assert app.screening_note == "项目不在本机构章程业务范围内。"


def test_failed_checks_are_shown_and_a_failure_needs_no_override(client, auth):
    app = _submitted()
    inspection = app.org.inspections[0]
    inspection.result = InspectionResult.FAILED
    db.session.commit()
    auth.login(f.UserFactory(officer=True))
    page, hidden = _screen_page(client, app)
    assert "存在不符合项" in page and "2025年度年检结果：不合格" in page
    resp = client.post(f"/applications/{app.id}/screen", data={**hidden, "outcome": "failed"})
    assert resp.status_code == 302
    app = db.session.get(Application, app.id)
    assert app.screening == Screening.FAILED and not app.screening_override
    failed = [c for c in app.screening_checks if not c["passed"]]
    assert [c["code"] for c in failed] == ["inspection"]


def test_checks_that_changed_since_the_page_was_opened_must_be_reconfirmed(client, auth):
    app = _submitted()
    auth.login(f.UserFactory(officer=True))
    _, hidden = _screen_page(client, app)
    inspection = db.session.get(Application, app.id).org.inspections[0]
    inspection.result = InspectionResult.ABSENT
    db.session.commit()
    resp = client.post(f"/applications/{app.id}/screen", data={**hidden, "outcome": "passed"})
    assert resp.status_code == 409 and "发生了变化" in text(resp)
    assert db.session.get(Application, app.id).screening == Screening.PENDING


def test_the_applicant_sees_the_outcome_and_its_reasons(client, auth):
    user, app = ready(status=AppStatus.SUBMITTED, number="S-2026-0002")
    officer = f.UserFactory(officer=True)
    auth.login(officer)
    _, hidden = _screen_page(client, app)
    client.post(f"/applications/{app.id}/screen", data={**hidden, "outcome": "failed", "note": "申报书未盖章。"})
    auth.logout()
    auth.login(user)
    page = text(client.get(f"/applications/{app.id}"))
    assert "资格审查结果：资格审查未通过" in page and "申报书未盖章。" in page
    assert "2025年度年检结果：合格" in page


def test_drafts_cannot_be_screened(client, auth):
    _, app = ready(member=False)
    auth.login(f.UserFactory(officer=True))
    resp = client.post(f"/applications/{app.id}/screen", data={"outcome": "passed", "version": "1"})
    assert resp.status_code in (409, 200)
    assert db.session.get(Application, app.id).screening == Screening.PENDING


def test_screening_is_audited_with_before_and_after(client, auth):
    app = _submitted()
    auth.login(f.UserFactory(officer=True))
    _, hidden = _screen_page(client, app)
    client.post(f"/applications/{app.id}/screen", data={**hidden, "outcome": "passed"})
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "application.screen",
                                                          AuditEntry.object_type == "application"))
    assert json.loads(entry.before)["screening"] == "pending"
    assert json.loads(entry.after)["screening"] == "passed" and entry.actor_role == "officer"


def test_auditors_read_but_cannot_screen(client, auth):
    app = _submitted()
    auth.login(f.UserFactory(auditor=True))
    assert client.get(f"/applications/{app.id}").status_code == 200
    assert client.post(f"/applications/{app.id}/screen", data={"outcome": "passed"}).status_code == 403
