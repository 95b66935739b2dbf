"""Issued documents and contract signing: /verify is public; officers issue, retry, correct, confirm;
auditors read; an organization's members download their own documents and sign their own
contract (another organization's member: 403)."""
from datetime import date

from flask import current_app

from grantportal.core.db import db
from grantportal.core.jobs_models import Job, JobStatus
from tests.permissions.spec import ALLOW, BAD_REQUEST, CONFLICT, DENY, LOGIN, NOT_FOUND, Route, ok, public, staff_only
from tests.permissions.world import awards_world, stored_pdf


def documents_world(w):
    """Final results with award_a and award_b selected; an issued notice for each (``doc_a``, ``doc_b``),
    a failed one (``doc_failed``), a batch job, and award_a's contract issued with a signed scan."""
    from grantportal.awards.models import FinalStatus, ProposalStatus
    from grantportal.documents import operations as ops
    from grantportal.documents.models import DocumentKind, DocumentStatus
    from grantportal.funding.contracts.operations import prepare_contract
    from grantportal.funding.models import ContractStatus
    from grantportal.funding.queries import contract_terms

    if getattr(w, "doc_a", None) is not None:
        return w
    current_app.config["JOBS_SYNC"] = True  # a retry in a row renders at once, not in a thread
    awards_world(w, "final")
    w.proposal.status = ProposalStatus.FINAL
    for award in (w.award_a, w.award_b):
        award.final_status = FinalStatus.SELECTED
    db.session.flush()

    def issued(award, kind, contract=None):
        terms = contract_terms(contract) if contract is not None else None
        doc = ops.issue_document(award, kind, w.officer, terms=terms, enqueue=False)
        doc.status, doc.file, doc.sha256 = DocumentStatus.ISSUED, stored_pdf("通知书.pdf"), "0" * 64
        doc.issued_at = doc.created_at
        return doc

    w.doc_a = issued(w.award_a, DocumentKind.SELECTION_NOTICE)
    w.doc_b = issued(w.award_b, DocumentKind.SELECTION_NOTICE)
    w.doc_failed = ops.issue_document(w.award_b, DocumentKind.RECTIFICATION_NOTICE, w.officer,
                                      extras={"reason": "未按期报送进度报告。"}, enqueue=False)
    w.doc_failed.status, w.doc_failed.error = DocumentStatus.FAILED, "PDF 生成程序出错，请稍后重新生成。"
    w.contract_a = prepare_contract(w.award_a, w.officer, date(2026, 7, 1))
    w.contract_a.document = issued(w.award_a, ops.contract_kind(w.call), w.contract_a)
    w.contract_a.status = ContractStatus.SIGNED
    w.contract_a.signed_file = stored_pdf("签署版合同.pdf")
    w.job = Job(kind="documents.issue_batch", title="出具通知书", status=JobStatus.DONE, total=2, done=2,
                params={"call_id": w.call.id})
    db.session.add(w.job)
    db.session.commit()
    return w


def _doc(name):
    return lambda w: {"doc_id": getattr(documents_world(w), name).id}


def _award(name):
    return lambda w: {"award_id": getattr(documents_world(w), name).id}


def _call(w):
    return {"call_id": documents_world(w).call.id}


def own_only(staff=ALLOW, member=ALLOW):
    return {"anonymous": LOGIN, "member": member, "expert": DENY, "officer": staff, "auditor": staff,
            "admin": DENY}


REASON = {"reason": "项目名称有误，予以更正。"}

def _verify(code=None):
    """The /verify form's data: doc_a's code as typed from the paper (lower case, in groups with hyphens).
    Comparing an uploaded file is tested in tests/documents/test_verify_form.py (a row reuses its data for
    every role, and an upload's stream is read once)."""
    def data(w):
        typed = code or "-".join(documents_world(w).doc_a.verification_code.lower()[i:i + 4] for i in (0, 4, 8, 12))
        return {"code": typed}
    return data


ROUTES = [
    Route("documents.verify_form", expect=public()),
    Route("documents.verify_form", "POST", data=_verify(), expect=public(ok(303)), label="code"),
    Route("documents.verify_form", "POST", data=_verify("ABCDEFGHJKLMNPQR"), expect=public(NOT_FOUND),
          label="unknown"),
    Route("documents.verify", params=lambda w: {"code": documents_world(w).doc_a.verification_code},
          expect=public(), label="issued", published=True),
    Route("documents.verify", params=lambda w: {"code": "ABCDEFGHJKLMNPQR"}, expect=public(NOT_FOUND),
          label="unknown"),
    Route("documents.index", params=_call, expect=staff_only(readers=ALLOW)),
    Route("documents.batch", "POST", params=_call,  # both notices are issued already: told on the list page
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("documents.job", params=lambda w: {"job_id": documents_world(w).job.id}, expect=staff_only()),
    Route("documents.detail", params=_doc("doc_a"), expect=staff_only()),
    Route("documents.retry", "POST", params=_doc("doc_failed"), expect=staff_only(readers=DENY, officer=ok(303))),
    Route("documents.correct", "POST", params=_doc("doc_a"), data=lambda w: REASON,
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("documents.rectification", params=_award("award_a"), expect=staff_only()),
    Route("documents.rectification", "POST", params=_award("award_a"),
          data=lambda w: {"reason": "未按期报送进度报告，请整改。"}, expect=staff_only(readers=DENY, officer=ok(303))),
    Route("documents.download", params=_doc("doc_a"), expect=own_only(), label="own"),
    Route("documents.download", params=_doc("doc_b"), expect=own_only(member=DENY), label="other"),
    Route("contracts.manage", params=_award("award_a"), expect=staff_only()),
    Route("contracts.manage", "POST", params=_award("award_b"), data=lambda w: {"starts_on": "2026-07-01"},
          expect=staff_only(readers=DENY, officer=ok(303))),
    Route("contracts.confirm", "POST", params=_award("award_a"), expect=staff_only(readers=DENY, officer=ok(303))),
    Route("contracts.return_signed", "POST", params=_award("award_a"),
          data=lambda w: {"reason": "公章不清晰，请重新扫描。"}, expect=staff_only(readers=DENY, officer=ok(303))),
    Route("contracts.terminate", "POST", params=_award("award_a"),  # signed, not yet in force: nothing to end
          data=lambda w: {"reason": "严重违约，整改逾期未完成。", "public_reason": "承接机构严重违约。"},
          expect=staff_only(readers=DENY, officer=CONFLICT)),
    Route("contracts.sign", params=_award("award_a"), expect=own_only(), label="own"),
    Route("contracts.sign", params=_award("award_b"), expect=own_only(member=DENY), label="other"),
    Route("contracts.sign", "POST", params=_award("award_a"), expect=own_only(staff=DENY, member=BAD_REQUEST),
          label="own"),  # no signed scan uploaded
    Route("contracts.sign", "POST", params=_award("award_b"), expect=own_only(staff=DENY, member=DENY),
          label="other"),
    Route("contracts.signed_file", params=_award("award_a"), expect=own_only(), label="own"),
    Route("contracts.signed_file", params=_award("award_b"), expect=own_only(staff=NOT_FOUND, member=DENY),
          label="other"),  # award_b has no contract yet: staff get 404, org_a's member 403
]
