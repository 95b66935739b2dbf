"""Contract signing: the officer issues, the organization downloads and uploads the signed scan (checked),
the officer confirms (the first tranche becomes payable, the project's reports are scheduled) or returns it
with a reason."""
import io

from grantportal.calls.tranche_plan import TrancheCondition
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.documents.models import DocumentKind, DocumentStatus
from grantportal.funding.models import ContractStatus, TrancheStatus
from grantportal.funding.queries import contract_of
from grantportal.monitoring.models import Report, ReportKind
from tests import factories as f
from tests.permissions.world import TINY_PDF


def _issue(client, auth, award, officer):
    auth.login(officer)
    resp = client.post(f"/manage/awards/{award.id}/contract",
                       data={"starts_on": "2026-07-01", "deliverables": "开展长者探访200人次\n举办社区活动12场"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:400]
    auth.logout()
    db.session.expire_all()
    return contract_of(award)


def _upload(client, award, name, data):
    return client.post(f"/awards/{award.id}/contract", data={"scan": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_organization_signs_and_the_officer_confirms(final, client, auth):
    call, (award, other), officer = final
    member = f.member_of(award.application.org)
    contract = _issue(client, auth, award, officer)
    assert contract.status == ContractStatus.ISSUED and contract.document.status == DocumentStatus.ISSUED
    assert contract.document.kind == DocumentKind.CONTRACT_VENTURE
    assert contract.deliverables.startswith("开展长者探访")
    assert db.session.scalar(db.select(Notice).where(Notice.user_id == member.id, Notice.title == "合同待签署"))

    auth.login(member)
    page = client.get(f"/awards/{award.id}/contract").get_data(as_text=True)
    assert contract.document.number in page and "下载 PDF" in page
    assert client.get(f"/documents/{contract.document_id}/download").data.startswith(b"%PDF-")
    refused = _upload(client, award, "合同.pdf", b"this is not a pdf")
    assert refused.status_code == 400 and "不符" in refused.get_data(as_text=True)
    assert _upload(client, award, "合同.txt", b"hello").status_code == 400
    db.session.expire_all()
    assert contract_of(award).status == ContractStatus.ISSUED
    assert _upload(client, award, "签署版合同.pdf", TINY_PDF).status_code == 303
    auth.logout()
    db.session.expire_all()
    contract = contract_of(award)
    assert contract.status == ContractStatus.SIGNED and contract.signed_uploaded_by_id == member.id
    assert contract.signed_uploaded_at is not None and contract.signed_file.original_name == "签署版合同.pdf"

    auth.login(officer)
    assert client.post(f"/manage/awards/{award.id}/contract/confirm").status_code == 303
    db.session.expire_all()
    contract = contract_of(award)
    assert contract.status == ContractStatus.ACTIVE and contract.confirmed_by_id == officer.id
    statuses = {t.condition: t.status for t in contract.tranches}
    assert statuses[TrancheCondition.SIGNED] == TrancheStatus.PAYABLE
    assert statuses[TrancheCondition.MIDTERM] == TrancheStatus.WAITING
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"contract.issue", "contract.upload_signed", "contract.confirm", "document.render"} <= actions
    # confirming starts the project: monitoring, told of it, schedules the reports in the same commit
    assert "report.schedule" in actions
    kinds = {r.kind for r in db.session.scalars(db.select(Report).where(Report.contract_id == contract.id))}
    assert kinds == {ReportKind.PROGRESS, ReportKind.MIDTERM, ReportKind.FINAL}
    assert client.post(f"/manage/awards/{award.id}/contract/confirm").status_code == 409


def test_the_officer_returns_a_bad_scan_with_a_reason(final, client, auth):
    call, (award, _), officer = final
    member = f.member_of(award.application.org)
    _issue(client, auth, award, officer)
    auth.login(member)
    assert _upload(client, award, "scan.png", _png()).status_code == 303
    auth.logout()
    auth.login(officer)
    short = client.post(f"/manage/awards/{award.id}/contract/return", data={"reason": "不行"})
    assert short.status_code == 400 and "退回原因" in short.get_data(as_text=True)
    ok = client.post(f"/manage/awards/{award.id}/contract/return", data={"reason": "公章不清晰，请重新扫描上传。"})
    assert ok.status_code == 303
    db.session.expire_all()
    contract = contract_of(award)
    assert contract.status == ContractStatus.ISSUED and contract.signed_file_id is None
    notice = db.session.scalar(db.select(Notice).where(Notice.user_id == member.id, Notice.title == "合同签署件被退回"))
    assert "公章不清晰" in notice.body


def test_another_organizations_member_cannot_sign(final, client, auth):
    call, (award, other), officer = final
    _issue(client, auth, award, officer)
    stranger = f.member_of(other.application.org)
    auth.login(stranger)
    assert client.get(f"/awards/{award.id}/contract").status_code == 403
    assert _upload(client, award, "签署版合同.pdf", TINY_PDF).status_code == 403
    assert client.get(f"/documents/{contract_of(award).document_id}/download").status_code == 403


def _png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (30, 30), "white").save(out, format="PNG")
    return out.getvalue()
