"""The officer terminates a contract in force from its contract page (终止合同): a reason is required and kept in
the audit log and the organization's notice; tranches not yet paid stop; an open 整改 closes with it."""
import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.funding.models import ContractStatus, TrancheStatus
from grantportal.monitoring.rectification_models import CaseStatus
from tests.monitoring.test_rectification import _notices, _open

REASON = "机构严重违约，整改逾期仍未完成，依合同第十三条终止"
PUBLIC = "承接机构严重违约，整改逾期未完成"


def _page(client, project):
    return client.get(f"/manage/awards/{project.award.id}/contract").get_data(as_text=True)


def test_the_officer_terminates_the_contract_with_a_reason(client, auth, project):
    case = _open(project)
    auth.login(project.officer)
    assert "终止合同" in _page(client, project)
    resp = client.post(f"/manage/awards/{project.award.id}/contract/terminate",
                       data={"reason": REASON, "public_reason": PUBLIC})
    assert resp.status_code == 303
    db.session.expire_all()
    assert project.contract.status == ContractStatus.TERMINATED
    assert {t.status for t in project.contract.tranches} == {TrancheStatus.BLOCKED}
    assert db.session.get(type(case), case.id).status == CaseStatus.CLOSED
    notice = _notices(project.member, "合同已终止")
    assert notice and REASON in notice[0].body
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "contract.terminate")).one()
    assert entry.after and "terminated" in str(entry.after)
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "合同已终止" in page and "资金拨付" in page and 'id="terminate"' not in page


def test_a_missing_reason_re_renders_the_form_and_changes_nothing(client, auth, project):
    auth.login(project.officer)
    resp = client.post(f"/manage/awards/{project.award.id}/contract/terminate", data={"reason": "违约"})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "请写明终止原因（不少于5个字）。" in page and "违约</textarea>" in page
    db.session.expire_all()
    assert project.contract.status == ContractStatus.ACTIVE
    assert not _notices(project.member, "合同已终止")


def test_the_organization_cannot_terminate(client, auth, project):
    auth.login(project.member)
    resp = client.post(f"/manage/awards/{project.award.id}/contract/terminate", data={"reason": REASON})
    assert resp.status_code == 403
    db.session.expire_all()
    assert project.contract.status == ContractStatus.ACTIVE
