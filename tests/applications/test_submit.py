"""Submitting, withdrawing, returning for revision and resubmitting; deadlines on the server."""
from datetime import timedelta

from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.core.db import db, utcnow
from grantportal.orgs.models import OrgStatus
from tests import factories as f
from tests.applications.helpers import SIGNED, eligible_org, ready, text


def _get(app):
    return db.session.get(Application, app.id)


def _submit(client, app):
    return client.post(f"/applications/{app.id}/submit", data={"version": str(_get(app).version), **SIGNED})


def test_complete_application_is_submitted_numbered_and_becomes_read_only(client, auth):
    user, app = ready(call=f.CallFactory(code="BA2026"))
    auth.login(user)
    resp = _submit(client, app)
    assert resp.status_code == 302
    app = _get(app)
    assert app.status == AppStatus.SUBMITTED and app.number == f"BA2026-{app.call.year}-0001"
    assert app.submitted_at is not None
    resp = client.get(f"/applications/{app.id}/edit")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/applications/{app.id}")
    resp = client.post(f"/applications/{app.id}/edit", data={"version": str(app.version), "title": "改"})
    assert resp.status_code == 409
    assert _get(app).title != "改"


def test_numbers_follow_one_another_within_a_call(client, auth):
    call = f.CallFactory(code="ZS", max_applications_per_org=3)
    user, first = ready(call=call)
    _, second = ready(call=call, org=user.org, member=False)
    auth.login(user)
    _submit(client, first)
    _submit(client, second)
    assert [_get(first).number, _get(second).number] == ["ZS-2026-0001", "ZS-2026-0002"]


def test_a_double_clicked_submit_makes_one_submission_and_one_number(client, auth):
    user, app = ready()
    auth.login(user)
    version = str(_get(app).version)
    first = client.post(f"/applications/{app.id}/submit", data={"version": version, **SIGNED})
    second = client.post(f"/applications/{app.id}/submit", data={"version": version, **SIGNED})
    assert first.status_code == 302 and second.status_code == 409
    numbers = db.session.scalars(db.select(Application.number).where(Application.number.is_not(None))).all()
    assert len(numbers) == 1
    from grantportal.core.audit import AuditEntry

    submits = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "application.submit",
                                                             AuditEntry.object_type == "application")).all()
    assert {e.object_id for e in submits} == {str(app.id)}


def test_submit_after_the_deadline_is_refused_on_the_server(client, auth):
    call = f.CallFactory(setup__stages={"open_days": -20, "close_days": -1})
    user, app = ready(call=call)
    auth.login(user)
    resp = _submit(client, app)
    assert resp.status_code == 409 and "截止" in text(resp)
    assert _get(app).status == AppStatus.DRAFT and _get(app).number is None


def test_incomplete_application_lists_every_missing_item(client, auth):
    user = f.member_of(eligible_org())
    app = f.ApplicationFactory(org=user.org, created_by=user, summary="", team="", budget=[])
    auth.login(user)
    resp = _submit(client, app)
    page = text(resp)
    assert resp.status_code == 200
    for message in ("请填写“项目摘要”", "请填写“项目团队”", "请至少填写一行预算明细", "请上传必备材料“项目申报书”"):
        assert message in page
    assert _get(app).status == AppStatus.DRAFT


def test_requested_amount_and_matched_share_must_fit_the_level(client, auth):
    from grantportal.applications.models import FundSource

    user, app = ready(budget=[("活动经费", "食材", "90000.00", FundSource.GRANT),
                              ("活动经费", "自筹", "10000.00", FundSource.MATCHED)])
    auth.login(user)
    page = text(_submit(client, app))
    assert "申请资助金额：¥90,000.00（市级须在3万元至8万元之间）" in page
    assert "自筹配套比例：10%（要求不低于40%）" in page
    assert _get(app).status == AppStatus.DRAFT


def test_unverified_organization_cannot_submit(client, auth):
    user, app = ready(org=eligible_org(status=OrgStatus.PENDING))
    auth.login(user)
    resp = _submit(client, app)
    assert "机构认证状态：待审核" in text(resp)
    assert _get(app).status == AppStatus.DRAFT


def test_ineligible_organization_cannot_submit(client, auth):
    from grantportal.orgs.models import SanctionKind

    user, app = ready()
    f.SanctionFactory(org=app.org, kind=SanctionKind.SERIOUS, decided_on=utcnow().date() - timedelta(days=30))
    auth.login(user)
    assert "严重违法失信名单" in text(_submit(client, app))
    assert _get(app).status == AppStatus.DRAFT


def test_withdraw_before_the_deadline_after_confirmation(client, auth):
    user, app = ready(status=AppStatus.SUBMITTED, number="X-2026-0001")
    auth.login(user)
    page = text(client.get(f"/applications/{app.id}/withdraw"))
    assert "确定撤回吗" in page
    resp = client.post(f"/applications/{app.id}/withdraw", data={"version": str(_get(app).version)})
    assert resp.status_code == 302
    assert _get(app).status == AppStatus.WITHDRAWN


def test_no_withdrawal_after_the_deadline(client, auth):
    call = f.CallFactory(setup__stages={"open_days": -20, "close_days": -1})
    user, app = ready(call=call, status=AppStatus.SUBMITTED, number="X-2026-0002")
    auth.login(user)
    resp = client.post(f"/applications/{app.id}/withdraw", data={"version": str(_get(app).version)})
    assert resp.status_code == 409 and "不能再撤回" in text(resp)
    assert _get(app).status == AppStatus.SUBMITTED


def test_officer_returns_then_applicant_revises_and_resubmits_until_revise_until(client, auth):
    call = f.CallFactory(setup__stages={"open_days": -20, "close_days": -1})  # the apply stage is over
    user, app = ready(call=call, status=AppStatus.SUBMITTED, number="R-2026-0001")
    officer = f.UserFactory(officer=True)
    auth.login(officer)
    resp = client.post(f"/applications/{app.id}/return", data={"version": str(_get(app).version),
                                                                "reason": "", "revise_until": ""})
    assert resp.status_code == 200 and "请填写退回原因" in text(resp) and "请填写修改截止时间" in text(resp)
    until = (utcnow() + timedelta(days=3)).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    resp = client.post(f"/applications/{app.id}/return", data={
        "version": str(_get(app).version), "reason": "请补充预算测算依据。",
        "revise_until": until.strftime("%Y-%m-%dT%H:%M")})
    assert resp.status_code == 302
    app = _get(app)
    assert app.status == AppStatus.RETURNED and app.return_reason == "请补充预算测算依据。"
    auth.logout()

    auth.login(user)
    assert "请补充预算测算依据" in text(client.get(f"/applications/{app.id}"))
    from tests.applications.helpers import form

    assert client.post(f"/applications/{app.id}/edit", data=form(app, title="修改后的项目")).status_code == 302
    assert _submit(client, app).status_code == 302
    app = _get(app)
    assert app.status == AppStatus.SUBMITTED and app.title == "修改后的项目"
    assert app.number == "R-2026-0001"  # the number is kept


def test_returned_application_cannot_be_resubmitted_after_revise_until(client, auth):
    user, app = ready(status=AppStatus.RETURNED, number="R-2026-0002", return_reason="补充材料",
                      revise_until=utcnow() - timedelta(minutes=1))
    auth.login(user)
    resp = _submit(client, app)
    assert resp.status_code == 409 and "修改期限" in text(resp)
    assert _get(app).status == AppStatus.RETURNED


def test_return_needs_a_future_revise_until(client, auth):
    _, app = ready(status=AppStatus.SUBMITTED, number="R-2026-0003")
    auth.login(f.UserFactory(officer=True))
    resp = client.post(f"/applications/{app.id}/return", data={
        "version": str(_get(app).version), "reason": "补充", "revise_until": "2020-01-01T09:00"})
    assert resp.status_code == 409 and "须晚于当前时间" in text(resp)
    assert _get(app).status == AppStatus.SUBMITTED


def test_only_submitted_applications_can_be_returned(client, auth):
    _, app = ready()
    auth.login(f.UserFactory(officer=True))
    resp = client.post(f"/applications/{app.id}/return", data={
        "version": str(_get(app).version), "reason": "补充", "revise_until": "2099-01-01T09:00"})
    assert resp.status_code == 409 and _get(app).status == AppStatus.DRAFT
    assert _get(app).screening == Screening.PENDING


def test_no_withdrawal_once_the_results_are_in_publicity(client, auth):
    from datetime import UTC, datetime

    from grantportal.applications.operations import stamp_results_published
    from grantportal.awards.models import Award, AwardStatus, Proposal, ProposalStatus

    user, app = ready(status=AppStatus.SUBMITTED, number="X-2026-0003")  # the apply window is still open
    proposal = Proposal(call=app.call, status=ProposalStatus.PUBLICIZED, generated_by_id=app.call.created_by_id,
                        published_at=datetime.now(UTC))
    db.session.add(Award(proposal=proposal, application=app, level=app.level, rank=1, requested=app.requested_amount,
                         cap=app.requested_amount, amount=app.requested_amount, status=AwardStatus.SELECTED))
    stamp_results_published([app.id], proposal.published_at)  # as awards.proposals.publicity.publish does
    db.session.commit()
    auth.login(user)
    resp = client.post(f"/applications/{app.id}/withdraw", data={"version": str(_get(app).version)})
    assert resp.status_code == 409 and "评审结果已公示，不能再撤回申报" in text(resp)
    assert _get(app).status == AppStatus.SUBMITTED
    assert "撤回申报" not in text(client.get(f"/applications/{app.id}"))
