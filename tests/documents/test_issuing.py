"""Issuing documents: numbering, renderer failure and retry, corrections, batches, the verify page,
downloads."""
import hashlib

import pytest

from grantportal.awards.models import FinalStatus
from grantportal.awards.proposals.checks import JOB_KIND as CHECK_JOB
from grantportal.core.db import db
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.documents import operations as ops
from grantportal.documents.models import DocumentKind, DocumentStatus, IssuedDocument
from grantportal.funding.contracts.operations import issue_contract
from grantportal.funding.models import Contract, ContractStatus
from tests import factories as f
from tests.documents.conftest import file_bytes, fresh, issued_contract


def _boom(html, **kw):
    raise RuntimeError("libpango exploded at 0xdeadbeef")


def test_a_renderer_failure_keeps_the_contract_and_a_retry_then_issues_it(final, monkeypatch):
    from datetime import date

    call, (award, _), officer = final
    monkeypatch.setattr(ops, "render_pdf", _boom)
    contract = issue_contract(award, officer, date(2026, 7, 1))
    db.session.commit()
    db.session.expire_all()
    contract = db.session.get(Contract, contract.id)
    doc = contract.document
    assert contract.status == ContractStatus.ISSUED  # the decision stays committed
    assert doc.status == DocumentStatus.FAILED and doc.attempts == 1 and doc.file_id is None
    assert "0xdeadbeef" not in doc.error and "重新生成" in doc.error
    monkeypatch.undo()
    ops.retry(doc, officer)
    db.session.commit()
    doc = fresh(doc.id)
    assert doc.status == DocumentStatus.ISSUED and doc.attempts == 2 and doc.error is None
    assert hashlib.sha256(file_bytes(doc)).hexdigest() == doc.sha256


def test_numbers_run_per_call_and_series_and_each_award_gets_one_notice(final):
    call, (a, b), officer = final
    first = ops.issue_document(a, DocumentKind.SELECTION_NOTICE, officer, enqueue=False)
    second = ops.issue_document(b, DocumentKind.SELECTION_NOTICE, officer, enqueue=False)
    _contract, contract = issued_contract(a, officer)
    assert (first.number, second.number) == (f"{call.code}-2026-TZ0001", f"{call.code}-2026-TZ0002")
    assert contract.number == f"{call.code}-2026-HT0001"  # its own series, never like an application number
    assert a.application.number not in (first.number, second.number, contract.number)
    assert first.verification_code != second.verification_code and len(first.verification_code) >= 12
    assert not set(first.verification_code) & set("01IO")
    with pytest.raises(ops.DocumentRefused):
        ops.issue_document(a, DocumentKind.SELECTION_NOTICE, officer)
    with pytest.raises(ops.DocumentRefused):
        ops.issue_document(a, DocumentKind.REJECTION_NOTICE, officer)


def test_a_correction_supersedes_the_old_version_which_keeps_its_file(final, client):
    call, (award, _), officer = final
    old = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    old = fresh(old.id)
    old_hash, old_file = old.sha256, old.file_id
    award.application.title = "更正后的项目名称"
    db.session.commit()
    new = ops.issue_correction(old, officer, "项目名称有误，予以更正。")
    db.session.commit()
    new, old = fresh(new.id), fresh(old.id)
    assert new.number == f"{old.number}-V2" and new.version == 2 and new.supersedes_id == old.id
    assert new.status == DocumentStatus.ISSUED and new.facts["project"] == "更正后的项目名称"
    assert old.superseded_at is not None and (old.sha256, old.file_id) == (old_hash, old_file)
    page = client.get(f"/verify/{old.verification_code}").get_data(as_text=True)
    assert "已被更正版本" in page and new.number in page
    assert "现行有效" in client.get(f"/verify/{new.verification_code}").get_data(as_text=True)
    with pytest.raises(ops.DocumentRefused):
        ops.issue_correction(old, officer, "再次更正一下内容。")


def test_a_corrected_contract_keeps_its_terms_and_replaces_the_old_version_on_the_contract(final):
    call, (award, _), officer = final
    contract, old = issued_contract(award, officer)
    award.application.title = "更正后的项目名称"
    db.session.commit()
    new = ops.issue_correction(old, officer, "项目名称有误，予以更正。")
    db.session.commit()
    new, old = fresh(new.id), fresh(old.id)
    assert new.status == DocumentStatus.ISSUED and new.body["project"]["title"] == "更正后的项目名称"
    assert new.body["contract"] == old.body["contract"]  # term, deliverables, tranches: fixed at issue
    assert [t["percent"] for t in new.body["contract"]["tranches"]] == ["50", "30", "20"]
    assert db.session.get(Contract, contract.id).document_id == new.id  # funding follows the correction


def test_the_verify_page_shows_public_facts_and_the_hash_of_the_stored_file(final, client):
    call, (award, _), officer = final
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    doc = fresh(doc.id)
    resp = client.get(f"/verify/{doc.verification_code}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for text in (doc.number, "入选通知书", award.application.title, award.application.org.name, "¥50,000.00",
                 hashlib.sha256(file_bytes(doc)).hexdigest(), "现行有效"):
        assert text in page
    assert award.application.org.contact_phone not in page


def test_an_unknown_code_is_a_plain_not_found(final, client):
    call, (award, _), officer = final
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    code = fresh(doc.id).verification_code
    for probe in (code[:-1] + ("2" if code[-1] != "2" else "3"), "X" * 16, code[:8], "abc-def", "x" * 40):
        resp = client.get(f"/verify/{probe}")
        page = resp.get_data(as_text=True)
        assert resp.status_code == 404 and "未找到该文书" in page
        assert code not in page and award.application.title not in page


def test_a_batch_issues_a_notice_to_every_project_with_progress_to_the_total(client, auth):
    call, awards = f.final_awards([dict(total=90, requested="50000"), dict(total=85, requested="60000"),
                                   dict(total=60, requested="50000")])
    officer = call.created_by
    awards[2].final_status = FinalStatus.NOT_SELECTED
    db.session.commit()
    auth.login(officer)
    resp = client.post(f"/manage/calls/{call.id}/documents/batch")
    assert resp.status_code == 303
    # the batch's job (the published results' checks run as jobs of their own)
    job = db.session.scalars(db.select(Job).where(Job.kind != CHECK_JOB)).one()
    assert (job.status, job.done, job.total, job.failed) == (JobStatus.DONE, 3, 3, 0)
    kinds = {d.award_id: d.kind for d in db.session.scalars(db.select(IssuedDocument))}
    assert kinds == {awards[0].id: DocumentKind.SELECTION_NOTICE, awards[1].id: DocumentKind.SELECTION_NOTICE,
                     awards[2].id: DocumentKind.REJECTION_NOTICE}
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已完成 3 / 3" in page
    again = client.post(f"/manage/calls/{call.id}/documents/batch", follow_redirects=True)  # nothing left
    assert again.request.path == f"/manage/calls/{call.id}/documents"  # told on the page the officer clicked on
    assert "所有项目均已出具通知书" in again.get_data(as_text=True)


def test_a_batch_of_200_notices_runs_as_one_job(monkeypatch):
    from tests.factories import final_awards

    monkeypatch.setattr(ops, "render_pdf", lambda html, **kw: b"%PDF-1.7 stub " + html[:40].encode())
    call, awards = final_awards()
    officer = call.created_by
    from grantportal.awards.models import Award

    template = awards[0]
    from grantportal.applications.models import Application

    for i in range(198):
        org = f.OrganizationFactory.build()
        db.session.add(org)
        app = Application(call_id=call.id, org=org, level=template.level, title=f"社区项目{i}",
                          created_by_id=officer.id, number=f"{call.code}-X-{i:04d}")
        db.session.add(Award(proposal_id=template.proposal_id, application=app, level=template.level,
                             requested=template.amount, cap=template.amount, amount=template.amount,
                             status=template.status, final_status=FinalStatus.NOT_SELECTED))
    db.session.commit()
    job = ops.issue_notice_batch(call, officer)
    db.session.commit()
    job = db.session.get(Job, job.id)
    db.session.refresh(job)
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 200, 200)
    numbers = db.session.scalars(db.select(IssuedDocument.number)).all()
    assert len(set(numbers)) == 200


def test_only_the_organizations_members_and_staff_download_a_document(final, client, auth):
    call, (award, other), officer = final
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    own = f.member_of(award.application.org)
    stranger = f.member_of(other.application.org)
    auth.login(stranger)
    assert client.get(f"/documents/{doc.id}/download").status_code == 403
    auth.logout()
    auth.login(own)
    resp = client.get(f"/documents/{doc.id}/download")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    assert client.get("/documents/999999/download").status_code == 404
