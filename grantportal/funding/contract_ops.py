"""Writes of contract signing (签约): the officer issues the contract PDF, the organization uploads the
signed and sealed scan, the officer confirms it (the contract becomes 履行中 and the tranches due on
signing become 可拨付) or returns it with a reason. Each step is dated, audited and notified; operations
flush and never commit.

The contract PDF is a document (``documents``, below funding): funding gathers what it prints
(``contract_terms``) and asks documents to issue it. Confirming the contract also starts the project's
reports, which are monitoring's: ``monitoring.operations.confirm_contract`` wraps ``confirm_signed``."""
from datetime import date

import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.calls.tranche_plan import describe, parse_plan
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row, utcnow
from grantportal.core.files import SCAN_EXTENSIONS, store_upload
from grantportal.core.notices import notify
from grantportal.documents import operations as doc_ops
from grantportal.documents.models import DocumentStatus
from grantportal.documents.render import CONTRACT_KINDS, ContractTerms, ContractTranche
from grantportal.funding.models import Contract, ContractStatus
from grantportal.funding.operations import FundingRefused, add_months, contract_of, prepare_contract
from grantportal.funding.tranches import refresh_tranches
from grantportal.orgs.models import OrgMember


def _members(award):
    return [m.user for m in db.session.scalars(sa.select(OrgMember).where(
        OrgMember.org_id == award.application.org_id)) if m.user.is_active]


def _lock(contract):
    lock_row(Contract, contract.id, reload=True)


def contract_terms(contract):
    """What the contract PDF prints beyond the award: its term, deliverables (one per line), tranches, the
    call's tranche plan in words and contract length."""
    call = contract.award.proposal.call
    return ContractTerms(
        starts_on=contract.starts_on, ends_on=contract.ends_on,
        deliverables=[line.strip() for line in (contract.deliverables or "").splitlines() if line.strip()],
        tranches=[ContractTranche(t.position, t.percent, t.amount, t.condition.label) for t in contract.tranches],
        plan=describe(parse_plan(call.tranche_plan)), months=call.contract_months)


def issue_contract(award, user, starts_on, deliverables=None, link=None):
    """Prepare the contract (if not yet) and issue its PDF (政府购买服务合同 or 公益创投项目资助协议 by the
    call's kind): the contract is 待签署 at once, its document pending until rendered."""
    contract = contract_of(award) or prepare_contract(award, user, starts_on)
    _lock(contract)
    if contract.status != ContractStatus.DRAFT:
        raise FundingRefused(f"合同当前状态为“{contract.status.label}”，不能再次出具。")
    if deliverables is not None:
        contract.deliverables = deliverables.strip()
    if contract.starts_on != starts_on:
        contract.starts_on = starts_on
        contract.ends_on = date.fromordinal(
            add_months(starts_on, award.proposal.call.contract_months).toordinal() - 1)
    try:
        doc = doc_ops.issue_document(award, doc_ops.contract_kind(award.proposal.call), user,
                                     terms=contract_terms(contract))
    except doc_ops.DocumentRefused as e:
        raise FundingRefused(e.message, e.field, e.status) from e
    with audit_action("contract.issue"):
        contract.document, contract.status = doc, ContractStatus.ISSUED
        db.session.flush()
        for member in _members(award):
            notify(member, "合同待签署", f"“{award.application.title}”的{doc.kind.label}（编号 {doc.number}）已出具，"
                   "请下载打印、签字盖章后上传扫描件。", link=link)
    return contract


def upload_signed(contract, user, upload, link=None):
    """The organization's signed and sealed scan (PDF, JPG or PNG, checked): 待签署 → 待确认."""
    _lock(contract)
    if contract.status != ContractStatus.ISSUED:
        raise FundingRefused(f"合同当前状态为“{contract.status.label}”，不能上传签署件。")
    if contract.document is None or contract.document.status != DocumentStatus.ISSUED:
        raise FundingRefused("合同文本尚未生成完成，请下载合同签署后再上传。")
    with audit_action("contract.upload_signed"):
        contract.signed_file = store_upload(upload, user, SCAN_EXTENSIONS)  # UploadError: refused
        contract.signed_uploaded_at, contract.signed_uploaded_by_id = utcnow(), user.id
        contract.status = ContractStatus.SIGNED
        db.session.flush()
        officer = contract.document.created_by_id
        if officer:
            notify(db.session.get(User, officer), "合同签署件待确认",
                   f"“{contract.award.application.title}”的签署件已上传，请核对后确认。", link=link)
    return contract


def confirm_signed(contract, user, link=None):
    """The officer confirms the scan: 待确认 → 履行中; tranches due on signing become 可拨付. (The project's
    reports fall due at the same time: call ``monitoring.operations.confirm_contract``, which wraps this.)"""
    _lock(contract)
    if contract.status != ContractStatus.SIGNED:
        raise FundingRefused(f"合同当前状态为“{contract.status.label}”，不能确认。")
    with audit_action("contract.confirm"):
        contract.status = ContractStatus.ACTIVE
        contract.confirmed_at, contract.confirmed_by_id = utcnow(), user.id
        db.session.flush()
        refresh_tranches(contract)  # tranches due on signing become 可拨付
        for member in _members(contract.award):
            notify(member, "合同已生效", f"“{contract.award.application.title}”的合同签署件已确认，合同履行中。",
                   link=link)
    return contract


def return_signed(contract, user, reason, link=None):
    """The officer returns the scan with a reason: 待确认 → 待签署 (the organization uploads again)."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise FundingRefused("请写明退回原因（不少于5个字）。", field="reason", status=400)
    _lock(contract)
    if contract.status != ContractStatus.SIGNED:
        raise FundingRefused(f"合同当前状态为“{contract.status.label}”，不能退回。")
    with audit_action("contract.return_signed"):
        contract.status = ContractStatus.ISSUED
        contract.signed_file, contract.signed_uploaded_at, contract.signed_uploaded_by_id = None, None, None
        db.session.flush()
        for member in _members(contract.award):
            notify(member, "合同签署件被退回", f"“{contract.award.application.title}”的签署件被退回：{reason}"
                   "请按要求重新签署上传。", link=link)
    return contract


@doc_ops.document_issued.connect
def follow_correction(doc, **_):
    """A corrected contract, once its new version is issued, replaces the old one on the contract (the
    correction is made and rendered by documents, which may not import funding: it sends
    ``document_issued``, and funding, listening, keeps its own pointer). Flushes, never commits."""
    if doc.kind not in CONTRACT_KINDS or doc.supersedes_id is None:
        return
    contract = contract_of(doc.award)
    if contract is not None and contract.document_id == doc.supersedes_id:
        contract.document = doc
        db.session.flush()
