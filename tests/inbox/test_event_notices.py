"""A notice for every event that concerns a user (issue 11), and pages that say "已通知" only when a notice
was recorded. Events whose notices have their own tests elsewhere: results (awards/proposals), contract
issued and signed (documents/test_signing), objection answered (awards/objections), report returned
(monitoring/test_reports)."""
from datetime import timedelta
from decimal import Decimal

import pytest

from grantportal.applications import operations as app_ops
from grantportal.applications.models import AppStatus
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.funding.payments.operations import record_payment
from grantportal.monitoring import operations as mon_ops
from grantportal.monitoring.models import EvaluationStage, ReportKind
from grantportal.orgs import operations as org_ops
from grantportal.orgs.models import OrgStatus
from tests import factories as f
from tests.applications.helpers import SIGNED, ready
from tests.funding.conftest import TODAY, active_contract
from tests.monitoring.conftest import filled


def notices_of(user):
    return db.session.scalars(db.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)).all()


def titles(user):
    return [n.title for n in notices_of(user)]


@pytest.fixture
def submitted():
    member = f.member_of(f.OrganizationFactory())
    app = f.ApplicationFactory(org=member.membership.org, created_by=member, status=AppStatus.SUBMITTED,
                               number="BA-2026-0009", submitted_at=utcnow())
    return member, app


def test_members_are_told_when_their_organization_is_verified(officer):
    org = f.OrganizationFactory(status=OrgStatus.PENDING)
    members = [f.member_of(org), f.member_of(org)]
    org_ops.verify_org(org, officer)
    db.session.commit()
    assert all(titles(m) == ["机构登记已通过审核"] for m in members)
    assert notices_of(members[0])[0].link == "/org/"


def test_members_are_told_when_their_registration_is_returned_with_the_reason(officer):
    org = f.OrganizationFactory(status=OrgStatus.PENDING)
    member = f.member_of(org)
    org_ops.return_org(org, "登记证书扫描件不清晰", officer)
    db.session.commit()
    [notice] = notices_of(member)
    assert notice.title == "机构登记被退回" and "登记证书扫描件不清晰" in notice.body


def test_submission_is_acknowledged_with_a_link_to_the_receipt(client, auth):
    user, app = ready()
    auth.login(user)
    client.post(f"/applications/{app.id}/submit", data={"version": str(app.version), **SIGNED})
    [notice] = notices_of(user)
    app = db.session.get(type(app), app.id)
    assert notice.title == "申报已受理" and app.number in notice.body
    assert notice.link == f"/applications/{app.id}/receipt.pdf"
    assert len(app.content_sha256) == 64


def test_the_screening_result_is_told(officer, submitted):
    member, app = submitted
    app_ops.screen(app, officer, True, "", [], utcnow())
    db.session.commit()
    [notice] = notices_of(member)
    assert notice.title == "资格审查通过" and notice.link == f"/applications/{app.id}"


def test_a_return_for_revision_is_told_with_the_reason(officer, submitted):
    member, app = submitted
    app_ops.return_for_revision(app, officer, "预算明细缺少测算依据", utcnow() + timedelta(days=3), utcnow())
    db.session.commit()
    [notice] = notices_of(member)
    assert notice.title == "申报已退回修改" and "预算明细缺少测算依据" in notice.body


def test_a_payment_is_told_with_the_amount(officer):
    _call, awards = f.final_awards()
    contract = active_contract(awards[0], officer)
    member = f.member_of(awards[0].application.org)
    record_payment(contract, contract.tranches[0], officer, TODAY, Decimal("25000"), "PZ-2026-001")
    db.session.commit()
    [notice] = [n for n in notices_of(member) if n.title == "项目资金已拨付"]
    assert "25,000.00" in notice.body and "PZ-2026-001" in notice.body


def test_a_rollback_records_no_notice(officer):
    org = f.OrganizationFactory(status=OrgStatus.PENDING)
    member = f.member_of(org)
    org_ops.verify_org(org, officer)
    db.session.rollback()
    assert notices_of(member) == []


def _scheduled_project(with_member=True):
    call, awards = f.final_awards()
    officer = call.created_by
    contract = active_contract(awards[0], officer)
    member = f.member_of(awards[0].application.org) if with_member else f.UserFactory()
    mon_ops.schedule_reports(contract, officer)
    db.session.commit()
    return contract, officer, member


def _submit_midterm(contract, member, as_member):
    report = next(r for r in mon_ops.reports_of(contract) if r.kind == ReportKind.MIDTERM)
    mon_ops.save_report(report, as_member, filled(report), utcnow(), submit=True)
    db.session.commit()
    return report


def test_the_evaluation_page_says_notified_only_when_someone_was(client, auth):
    contract, officer, member = _scheduled_project()
    _submit_midterm(contract, member, member)
    auth.login(officer)
    resp = client.post(f"/manage/projects/{contract.id}/evaluate", follow_redirects=True,
                       data={"stage": "midterm", "grade": "good", "score": "88", "comments": "按计划完成"})
    assert "评估结果已记录，已通知机构。" in resp.get_data(as_text=True)
    assert any(t.startswith(EvaluationStage.MIDTERM.label) for t in titles(member))


def test_the_evaluation_page_does_not_claim_a_notice_for_an_organization_without_accounts(client, auth):
    contract, officer, member = _scheduled_project()
    report = _submit_midterm(contract, member, member)
    db.session.delete(member.membership)
    db.session.commit()
    auth.login(officer)
    resp = client.post(f"/manage/projects/{contract.id}/evaluate", follow_redirects=True,
                       data={"stage": "midterm", "grade": "good", "score": "88", "comments": "按计划完成"})
    html = resp.get_data(as_text=True)
    assert "已通知机构" not in html and "该机构没有可接收通知的账户" in html
    assert report.id  # the report stays as submitted


def test_an_accepted_report_is_told(client, auth):
    contract, officer, member = _scheduled_project()
    report = _submit_midterm(contract, member, member)
    mon_ops.accept_report(report, officer, utcnow())
    db.session.commit()
    assert f"{report.kind.label}已审核通过" in titles(member)



def test_each_applicant_is_told_its_place_when_the_publicity_starts(officer):
    from grantportal.awards.proposals import publicity
    from grantportal.awards.proposals.operations import generate
    from grantportal.awards.proposals.queries import proposal_of

    call, apps = f.ranked_call([dict(total=90, requested="50000"), dict(total=70, requested="60000")])
    members = [f.member_of(app.org) for app in apps]
    now = utcnow()
    generate(call, officer, now)
    f.confirm_calendar_around(now)
    publicity.publish(proposal_of(call), officer, now, 5)
    db.session.commit()
    for member, app in zip(members, apps):
        [notice] = notices_of(member)
        assert notice.title.startswith(f"{call.title}评审结果公示：") and app.number in notice.body
        assert "公示期至" in notice.body and notice.link == f"/applications/{app.id}"
    assert notices_of(members[0])[0].title.endswith("拟入选")
