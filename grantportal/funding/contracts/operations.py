"""Writes of the contract (签约) of a selected project: prepare and issue it (its PDF is a document), the
organization's signed scan, the officer's confirmation or return of it, closure and termination, and the
follow-up of a corrected contract document. Each takes the objects and the acting user, flushes under a
named audit action and never commits; a refusal raises ``funding.operations.FundingRefused`` with the
Chinese message and the form field. Every step locks the contract row first (``lock_contract``).

The contract's status changes only through ``CONTRACT`` (its steps as data, ``core.workflow``):

    待出具 --出具--> 待签署 --上传签署件--> 待确认 --确认--> 履行中 --结项--> 已结项
                       ^                      |                  --终止--> 已终止
                       +--------退回----------+

The contract PDF is a document (``documents``, below funding): funding gathers what it prints
(``queries.contract_terms``) and asks documents to issue it. Confirming the contract starts the project:
funding announces it (``core.signals.contract_confirmed``) and monitoring, listening, schedules the
project's reports in the same transaction. Monitoring decides when a project is closed and tells funding
(``close_contract``). The tranches follow each step (``funding.payments.operations.refresh_tranches``).
"""
from calendar import monthrange
from datetime import date

import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.awards.models import FinalStatus
from grantportal.calls.methods import contract_problem
from grantportal.calls.tranche_plan import parse_plan, schedule
from grantportal.core import signals
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.files import SCAN_EXTENSIONS, discard, store_upload
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.roles import Role
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.documents import operations as doc_ops
from grantportal.documents.models import DocumentStatus
from grantportal.documents.render import CONTRACT_KINDS
from grantportal.funding.models import Contract, ContractStatus, Tranche, TrancheStatus
from grantportal.funding.operations import FundingRefused, lock_contract
from grantportal.funding.payments.operations import refresh_tranches
from grantportal.funding.queries import contract_of, contract_terms
from grantportal.orgs.models import OrgMember

# --- the contract's workflow ------------------------------------------------------------------------------

def _is_org_member(user):
    """Which organization's member is the permission's question (``can_upload_signed_contract``)."""
    return has_role(user, Role.ORG_MEMBER)


def _document_rendered(contract, now=None):
    if contract.document is None or contract.document.status != DocumentStatus.ISSUED:
        return ["合同文本尚未生成完成，请下载合同签署后再上传。"]
    return []


S = ContractStatus
CONTRACT = StateMachine(
    "contract", "status", ContractStatus, final=frozenset({S.CLOSED, S.TERMINATED}), refusal=FundingRefused,
    wrong_state="合同当前状态为“{state}”，不能{verb}。", blocked="{problems}",
    transitions=(
        Transition("issue", frozenset({S.DRAFT}), S.ISSUED, "出具", "项目官员", is_officer),
        Transition("upload_signed", frozenset({S.ISSUED}), S.SIGNED, "上传签署件", "签约机构", _is_org_member,
                   _document_rendered),
        Transition("confirm", frozenset({S.SIGNED}), S.ACTIVE, "确认", "项目官员", is_officer),
        Transition("return_signed", frozenset({S.SIGNED}), S.ISSUED, "退回", "项目官员", is_officer),
        Transition("close", frozenset({S.ACTIVE}), S.CLOSED, "结项", "项目官员", is_officer),
        Transition("terminate", frozenset({S.ACTIVE}), S.TERMINATED, "终止", "项目官员", is_officer),
        # not a button: the award dropped out before signing (awards/proposals/promotion.py, 递补)
        Transition("withdraw", frozenset({S.DRAFT, S.ISSUED, S.SIGNED}), S.TERMINATED, "因放弃入选终止", "项目官员",
                   is_officer),
    ),
)


def _members(award):
    return [m.user for m in db.session.scalars(sa.select(OrgMember).where(
        OrgMember.org_id == award.application.org_id)) if m.user.is_active]


PUBLIC_REASON_MAX = 200  # the public words of a termination, shown on the contract's /verify page

NO_BANK_ACCOUNT = ("该机构尚未填写银行账户（开户银行、银行账号、账户名称），合同无法载明拨付账户，"
                   "暂不能拟定或出具合同。请通知机构在“机构信息”中补充银行账户后再出具。")


def _require_bank_account(award):
    if not award.application.org.has_bank_account:
        raise FundingRefused(NO_BANK_ACCOUNT, status=409)


# --- preparing and signing the contract -------------------------------------------------------------------

def add_months(day, months):
    """The same day ``months`` later, or the month's last day (31 Jan + 1 → 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def prepare_contract(award, user, starts_on):
    """The contract of a selected project (final result 入选): amount = the award, term = the call's
    ``contract_months`` from ``starts_on`` (the day before the same date that many months later), the
    tranches from the call's plan; deliverables from the application's objectives. Idempotent: returns
    the existing contract if there is one."""
    existing = contract_of(award)
    if existing is not None:
        return existing
    if award.final_status != FinalStatus.SELECTED:
        raise FundingRefused("只有最终入选的项目才能签订合同。")
    _require_bank_account(award)
    call = award.proposal.call
    _require_method_allows(call)
    plan = schedule(parse_plan(call.tranche_plan), award.amount)
    ends_on = date.fromordinal(add_months(starts_on, call.contract_months).toordinal() - 1)
    with audit_action("contract.prepare"):
        contract = Contract(award=award, status=ContractStatus.DRAFT, amount=award.amount, starts_on=starts_on,
                            ends_on=ends_on, deliverables=award.application.objectives or "")
        contract.tranches = [Tranche(position=t.position, percent=t.percent, amount=t.amount, condition=t.condition,
                                     status=TrancheStatus.WAITING) for t in plan]
        db.session.add(contract)
        db.session.flush()
    return contract


def _require_method_allows(call, now=None):
    """单一来源: no contract while the justification's publication runs (calls.methods.contract_problem)."""
    problem = contract_problem(call, now or utcnow())
    if problem:
        raise FundingRefused(problem, status=409)


def issue_contract(award, user, starts_on, deliverables=None, link=None):
    """Prepare the contract (if not yet) and issue its PDF (政府购买服务合同 or 公益创投项目资助协议 by the
    call's kind): the contract is 待签署 at once, its document pending until rendered."""
    contract = contract_of(award) or prepare_contract(award, user, starts_on)
    lock_contract(contract)
    step = CONTRACT.require(user, contract, "issue")
    _require_method_allows(award.proposal.call)
    _require_bank_account(award)
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
    with audit_action(CONTRACT.audit_action(step)):
        contract.document, contract.status = doc, step.target
        db.session.flush()
        for member in _members(award):
            notify(member, "合同待签署",
                   f"{quoted(award.application.title)}的{doc.kind.label}（编号 {doc.number}）已出具，"
                   "请下载打印、签字盖章后上传扫描件。", link=link)
    return contract


def upload_signed(contract, user, upload, link=None):
    """The organization's signed and sealed scan (PDF, JPG or PNG, checked): 待签署 → 待确认."""
    lock_contract(contract)
    step = CONTRACT.require(user, contract, "upload_signed")
    with audit_action(CONTRACT.audit_action(step)):
        replaced = contract.signed_file
        contract.signed_file = store_upload(upload, user, SCAN_EXTENSIONS)  # UploadError: refused
        discard(replaced)
        contract.signed_uploaded_at, contract.signed_uploaded_by_id = utcnow(), user.id
        contract.status = step.target
        db.session.flush()
        officer = contract.document.created_by_id
        if officer:
            notify(db.session.get(User, officer), "合同签署件待确认",
                   f"{quoted(contract.award.application.title)}的签署件已上传，请核对后确认。", link=link)
    return contract


def confirm_signed(contract, user, link=None):
    """The officer confirms the scan: 待确认 → 履行中; tranches due on signing become 可拨付. Then funding
    announces ``core.signals.contract_confirmed``: monitoring schedules the project's reports, in this
    transaction (a receiver's refusal propagates, and the view rolls the whole confirmation back)."""
    lock_contract(contract)
    step = CONTRACT.require(user, contract, "confirm")
    with audit_action(CONTRACT.audit_action(step)):
        contract.status = step.target
        contract.confirmed_at, contract.confirmed_by_id = utcnow(), user.id
        db.session.flush()
        refresh_tranches(contract)  # tranches due on signing become 可拨付
        for member in _members(contract.award):
            notify(member, "合同已生效", f"{quoted(contract.award.application.title)}的合同签署件已确认，合同履行中。",
                   link=link)
    signals.announce(signals.contract_confirmed, contract, user=user)
    return contract


def return_signed(contract, user, reason, link=None):
    """The officer returns the scan with a reason: 待确认 → 待签署 (the organization uploads again)."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise FundingRefused("请写明退回原因（不少于5个字）。", field="reason", status=400)
    lock_contract(contract)
    step = CONTRACT.require(user, contract, "return_signed")
    with audit_action(CONTRACT.audit_action(step)):
        contract.status = step.target
        contract.signed_file, contract.signed_uploaded_at, contract.signed_uploaded_by_id = None, None, None
        db.session.flush()
        for member in _members(contract.award):
            notify(member, "合同签署件被退回", f"{quoted(contract.award.application.title)}的签署件被退回：{reason}"
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


def close_contract(contract, user, at):
    """结项: the contract is 已结项 from ``at``. Monitoring decides when (accepted, every tranche paid)."""
    return CONTRACT.move(contract, user, "close", at, closed_at=at)


@signals.award_withdrawn.connect
def withdraw_unsigned(award, user, reason, **_):
    """A selected project dropped out before its contract came into force (awards' 递补): a contract prepared,
    issued or signed but not confirmed ends as 已终止 with nothing paid, in the same transaction."""
    contract = contract_of(award)
    if contract is None:
        return None
    lock_contract(contract)
    step = CONTRACT.require(user, contract, "withdraw")
    with audit_action(CONTRACT.audit_action(step)):
        contract.status = step.target
        db.session.flush()
        refresh_tranches(contract)
    return contract


def terminate_contract(contract, user, reason, link=None, public_reason=None):
    """终止 (after a serious breach): 履行中 → 已终止. Every tranche not yet fully paid is paused for good
    (``payments.tranches``: 合同已终止，停止拨付); paid money may then be recovered
    (``payments.operations.record_recovery``) and the organization's matched-fund records are locked. The
    members are told why. The award's documents end (``documents.operations.end_on_termination``): /verify shows
    the contract 已终止 with ``public_reason`` — the officer's words for the public, separate from ``reason``
    (which may name people) and masked all the same; the page's form requires it, a caller without one (a script)
    gets the bare date. Announces ``core.signals.contract_terminated``: monitoring closes any open 整改 of the
    project (reason 合同终止), in this transaction."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise FundingRefused("请写明终止原因（不少于5个字）。", field="reason", status=400)
    if public_reason is not None:
        public_reason = public_reason.strip()
        if len(public_reason) < 5:
            raise FundingRefused("请写明向社会公开的终止说明（不少于5个字）。", field="public_reason", status=400)
        if len(public_reason) > PUBLIC_REASON_MAX:
            raise FundingRefused(f"公开的终止说明不超过{PUBLIC_REASON_MAX}个字。", field="public_reason", status=400)
    lock_contract(contract)
    step = CONTRACT.require(user, contract, "terminate")
    with audit_action(CONTRACT.audit_action(step)):
        contract.status = step.target
        db.session.flush()
        refresh_tranches(contract)
        doc_ops.end_on_termination(contract.award, user, utcnow(), public_reason)
        for member in _members(contract.award):
            notify(member, "合同已终止", f"{quoted(contract.award.application.title)}的合同已终止，停止拨付：{reason}",
                   link=link)
    signals.announce(signals.contract_terminated, contract, user=user, reason=reason)
    return contract
