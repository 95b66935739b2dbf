"""Every write of funding (DESIGN.md §4 "Money"): the contract and its signing (签约), what monitoring
reports about the project (milestones, 结项), the tranches' derived status, payments (拨付) and recoveries
(追回), matched funds (配套资金) and the call's funding settings.

Each takes the objects and the acting user, flushes under a named audit action and never commits; a
refusal raises ``FundingRefused`` (``SettingsRefused`` for the settings form) with the Chinese message and
the form field. Writes of money, and every step of the contract, lock the contract row first
(``core.db.lock_row``) and only then read the sums and the state, so that two people acting on one contract
at the same moment take turns: the second sees what the first committed.

The contract's status changes only through ``CONTRACT`` (its steps as data, ``core.workflow``):

    待出具 --出具--> 待签署 --上传签署件--> 待确认 --确认--> 履行中 --结项--> 已结项
                       ^                      |                  --终止--> 已终止
                       +--------退回----------+

The contract PDF is a document (``documents``, below funding): funding gathers what it prints
(``queries.contract_terms``) and asks documents to issue it. Confirming the contract also starts the
project's reports, which are monitoring's: ``monitoring.operations.confirm_contract`` wraps
``confirm_signed``; monitoring decides when a project is closed and tells funding (``close_contract``).

One operations module rather than sub-packages: contracts, payments and matched funds share the contract
row lock, the refusal and the tranche refresh, and their pages share one blueprint each.
"""
from calendar import monthrange
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.awards.models import FinalStatus
from grantportal.calls.tranche_plan import PlanError, TrancheCondition, as_setting, parse_plan, schedule
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row, utcnow
from grantportal.core.errors import Refused
from grantportal.core.files import SCAN_EXTENSIONS, discard, store_upload
from grantportal.core.money import format_wan
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.roles import Role
from grantportal.core.timeutil import local_today
from grantportal.core.workflow import StateMachine, Transition
from grantportal.documents import operations as doc_ops
from grantportal.documents.models import DocumentStatus
from grantportal.documents.render import CONTRACT_KINDS
from grantportal.funding.matched import may_member_change
from grantportal.funding.models import (
    Contract,
    ContractStatus,
    FundSourceKind,
    MatchedFund,
    Payment,
    Recovery,
    Tranche,
    TrancheStatus,
)
from grantportal.funding.queries import call_has_contracts, contract_of, contract_terms, totals
from grantportal.funding.tranches import ZERO, state_of, tranche_states
from grantportal.orgs.models import OrgMember


class FundingRefused(Refused):
    """A funding operation refused (``core.errors.Refused``: message, field, status)."""


class SettingsRefused(Refused):
    """The call's funding settings refused, with a message per field: ``messages`` is {field name: [Chinese
    message]} (``plan`` for the tranche plan as a whole); ``message`` joins them all."""

    status = 400

    def __init__(self, messages, status=None):
        super().__init__("；".join(m for ms in messages.values() for m in ms), status=status)
        self.messages = messages


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
    ),
)


def _members(award):
    return [m.user for m in db.session.scalars(sa.select(OrgMember).where(
        OrgMember.org_id == award.application.org_id)) if m.user.is_active]


def _lock(contract):
    """The contract row locked for this transaction and read afresh (what another writer committed wins)."""
    return lock_row(Contract, contract.id, reload=True)


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
    call = award.proposal.call
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


def issue_contract(award, user, starts_on, deliverables=None, link=None):
    """Prepare the contract (if not yet) and issue its PDF (政府购买服务合同 or 公益创投项目资助协议 by the
    call's kind): the contract is 待签署 at once, its document pending until rendered."""
    contract = contract_of(award) or prepare_contract(award, user, starts_on)
    _lock(contract)
    step = CONTRACT.require(user, contract, "issue")
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
            notify(member, "合同待签署", f"“{award.application.title}”的{doc.kind.label}（编号 {doc.number}）已出具，"
                   "请下载打印、签字盖章后上传扫描件。", link=link)
    return contract


def upload_signed(contract, user, upload, link=None):
    """The organization's signed and sealed scan (PDF, JPG or PNG, checked): 待签署 → 待确认."""
    _lock(contract)
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
                   f"“{contract.award.application.title}”的签署件已上传，请核对后确认。", link=link)
    return contract


def confirm_signed(contract, user, link=None):
    """The officer confirms the scan: 待确认 → 履行中; tranches due on signing become 可拨付. (The project's
    reports fall due at the same time: call ``monitoring.operations.confirm_contract``, which wraps this.)"""
    _lock(contract)
    step = CONTRACT.require(user, contract, "confirm")
    with audit_action(CONTRACT.audit_action(step)):
        contract.status = step.target
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
    step = CONTRACT.require(user, contract, "return_signed")
    with audit_action(CONTRACT.audit_action(step)):
        contract.status = step.target
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


# --- what monitoring tells funding ------------------------------------------------------------------------
# Evaluations and closure are monitoring's; funding keeps only the facts its tranches depend on, stamped on
# the contract by these operations, so that it never reads monitoring's tables.

MILESTONE_FIELDS = {  # condition: (passed, evaluated at) columns of Contract
    TrancheCondition.MIDTERM: ("midterm_passed", "midterm_at"),
    TrancheCondition.ACCEPTANCE: ("acceptance_passed", "acceptance_at"),
}


def record_milestone(contract, condition, passed, at, user):
    """A 中期评估 or 结项验收 (``condition``) was recorded, ``passed`` or not, evaluated at ``at``: the contract
    keeps the latest one of each (by time; of two with the same time, the one recorded last, as the
    evaluations are ordered), then its tranches are refreshed. Returns the ``[TrancheState]``."""
    if condition not in MILESTONE_FIELDS:
        raise ValueError(f"{condition} is not a milestone monitoring reports")
    passed_field, at_field = MILESTONE_FIELDS[condition]
    with audit_action("contract.milestone"):
        stamped = getattr(contract, at_field)
        if stamped is None or at >= stamped:
            setattr(contract, passed_field, bool(passed))
            setattr(contract, at_field, at)
            db.session.flush()
    return refresh_tranches(contract)


def close_contract(contract, user, at):
    """结项: the contract is 已结项 from ``at``. Monitoring decides when (accepted, every tranche paid)."""
    return CONTRACT.move(contract, user, "close", at, closed_at=at)


def terminate_contract(contract, user, reason, link=None):
    """终止 (after a serious breach): 履行中 → 已终止. Every tranche not yet fully paid is paused for good
    (``tranches``: 合同已终止，停止拨付); paid money may then be recovered (``record_recovery``) and the
    organization's matched-fund records are locked. The members are told why."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise FundingRefused("请写明终止原因（不少于5个字）。", field="reason", status=400)
    _lock(contract)
    step = CONTRACT.require(user, contract, "terminate")
    with audit_action(CONTRACT.audit_action(step)):
        contract.status = step.target
        db.session.flush()
        refresh_tranches(contract)
        for member in _members(contract.award):
            notify(member, "合同已终止", f"“{contract.award.application.title}”的合同已终止，停止拨付：{reason}",
                   link=link)
    return contract


# --- tranches -------------------------------------------------------------------------------------------

def refresh_tranches(contract):
    """Write each tranche's derived status and blocked reason (``tranches.tranche_states``) onto its row.

    Call it after anything that changes what a tranche depends on: ``record_milestone`` after monitoring
    reports a 中期评估 / 结项验收, the contract's steps (签署确认, 终止) and ``record_payment`` after each
    payment. It is idempotent and only writes rows whose status changed. Returns the ``[TrancheState]``."""
    states = tranche_states(contract)
    changed = [s for s in states
               if (s.tranche.status, s.tranche.blocked_reason) != (s.status, s.blocked_reason)]
    if changed:
        with audit_action("tranche.refresh"):
            for s in changed:
                s.tranche.status, s.tranche.blocked_reason = s.status, s.blocked_reason
            db.session.flush()
    return states


# --- payments and recoveries --------------------------------------------------------------------------------

VOUCHER_MAX = 60


def _voucher(contract, voucher_number):
    voucher = (voucher_number or "").strip()
    if not voucher:
        raise FundingRefused("请填写凭证号。", "voucher_number", 400)
    if len(voucher) > VOUCHER_MAX:
        raise FundingRefused(f"凭证号不能超过{VOUCHER_MAX}个字符。", "voucher_number", 400)
    used = db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(
        Payment.contract_id == contract.id, Payment.voucher_number == voucher))
    used += db.session.scalar(sa.select(sa.func.count()).select_from(Recovery).where(
        Recovery.contract_id == contract.id, Recovery.voucher_number == voucher))
    if used:
        raise FundingRefused(f"凭证号“{voucher}”已在本合同登记过，请核对。", "voucher_number", 409)
    return voucher


def _day(contract, day, field, what):
    if day is None:
        raise FundingRefused(f"请填写{what}。", field, 400)
    if day > local_today():
        raise FundingRefused(f"{what}不能晚于今天。", field, 400)
    if contract.starts_on and day < contract.starts_on:
        raise FundingRefused(f"{what}不能早于合同开始日期（{contract.starts_on:%Y-%m-%d}）。", field, 400)
    return day


def _positive(amount):
    if amount is None or amount <= ZERO:
        raise FundingRefused("金额须大于0。", "amount", 400)
    return Decimal(amount).quantize(Decimal("0.01"))


def record_payment(contract, tranche, user, paid_on, amount, voucher_number):
    """拨付: pay ``amount`` of ``tranche`` (a tranche may be paid in parts). Refused unless the contract is
    履行中, the tranche's condition is met and it is not blocked, 0 < amount ≤ the tranche's unpaid
    remainder, paid − recovered + amount ≤ the contract amount, the voucher number is new for this
    contract, and the date is neither in the future nor before the contract starts."""
    contract = _lock(contract)
    if tranche.contract_id != contract.id:
        raise FundingRefused("该期次不属于本合同。", "tranche", 400)
    if contract.status != ContractStatus.ACTIVE:
        raise FundingRefused(f"合同当前状态为“{contract.status.label}”，只有履行中的合同才能拨付。", "tranche")
    state = state_of(contract, tranche)
    if not state.payable:
        raise FundingRefused(state.refusal(), "tranche")
    amount = _positive(amount)
    if amount > state.remaining:
        raise FundingRefused(f"超过第{tranche.position}期未拨付金额：本期最多还可拨付{state.remaining:,.2f}元"
                             f"（{format_wan(state.remaining)}）。", "amount")
    sums = totals(contract)
    room = contract.amount - sums.net
    if amount > room:
        raise FundingRefused(f"拨付总额不能超过资助金额：已拨付{sums.paid:,.2f}元、已追回{sums.recovered:,.2f}元，"
                             f"最多还可拨付{max(room, ZERO):,.2f}元。", "amount")
    voucher = _voucher(contract, voucher_number)
    _day(contract, paid_on, "paid_on", "拨付日期")
    with audit_action("payment.record"):
        payment = Payment(contract=contract, tranche=tranche, paid_on=paid_on, amount=amount,
                          voucher_number=voucher, recorded_by_id=user.id)
        db.session.add(payment)
        db.session.flush()
    refresh_tranches(contract)
    return payment


def record_recovery(contract, user, recovered_on, amount, voucher_number, reason):
    """追回: ``amount`` of paid money returned by the organization (after a failed evaluation or a breach).
    Allowed in every contract state but 待出具 (nothing can have been paid before the contract is
    issued); refused unless 0 < amount ≤ paid − recovered, a reason is given, the voucher number is new
    for this contract and the date is neither in the future nor before the contract starts."""
    contract = _lock(contract)
    if contract.status == ContractStatus.DRAFT:
        raise FundingRefused("合同尚未出具，没有可追回的拨付资金。")
    reason = (reason or "").strip()
    if not reason:
        raise FundingRefused("请填写追回原因。", "reason", 400)
    amount = _positive(amount)
    sums = totals(contract)
    if amount > sums.net:
        raise FundingRefused(f"追回金额不能超过已拨付未追回的金额（{max(sums.net, ZERO):,.2f}元）。", "amount")
    voucher = _voucher(contract, voucher_number)
    _day(contract, recovered_on, "recovered_on", "追回日期")
    with audit_action("recovery.record"):
        recovery = Recovery(contract=contract, recovered_on=recovered_on, amount=amount, voucher_number=voucher,
                            reason=reason, recorded_by_id=user.id)
        db.session.add(recovery)
        db.session.flush()
    return recovery


# --- matched funds ---------------------------------------------------------------------------------------
# The rules are in ``matched``'s docstring: who records, which names are public, what counts.

NAME_MAX = 120
NOTE_MAX = 500


def save_matched_fund(award, user, data, fund=None, *, as_officer=False):
    """Add (``fund`` None) or update a matched-fund record of ``award`` from ``data`` (a dict: source_kind,
    source_name, name_public, pledged, received, pledged_on, received_on, note). Refused with the field when
    the data break the rules in ``matched``'s docstring, or (409) when a member records after closure."""
    if not as_officer and not may_member_change(award):
        raise FundingRefused("项目已结项或终止，配套资金记录已锁定；如需更正请联系项目官员。")
    kind = data["source_kind"]
    name = (data.get("source_name") or "").strip()
    if kind == FundSourceKind.ANONYMOUS:
        name, name_public = "", False
    else:
        if not name:
            raise FundingRefused("请填写资金来源名称（匿名捐赠除外）。", "source_name", 400)
        if len(name) > NAME_MAX:
            raise FundingRefused(f"名称不能超过{NAME_MAX}个字。", "source_name", 400)
        name_public = bool(data.get("name_public")) if kind == FundSourceKind.INDIVIDUAL else True
    pledged, received = data.get("pledged") or ZERO, data.get("received") or ZERO
    if pledged < 0:
        raise FundingRefused("承诺金额不能为负数。", "pledged", 400)
    if received < 0:
        raise FundingRefused("到账金额不能为负数。", "received", 400)
    if pledged == 0 and received == 0:
        raise FundingRefused("承诺金额和到账金额不能都为0。", "pledged", 400)
    pledged_on, received_on = data.get("pledged_on"), data.get("received_on")
    today = local_today()
    if pledged_on and pledged_on > today:
        raise FundingRefused("承诺日期不能晚于今天。", "pledged_on", 400)
    if received_on and received_on > today:
        raise FundingRefused("到账日期不能晚于今天。", "received_on", 400)
    if received > 0 and received_on is None:
        raise FundingRefused("已有到账金额时，请填写到账日期。", "received_on", 400)
    if pledged_on and received_on and received_on < pledged_on:
        raise FundingRefused("到账日期不能早于承诺日期。", "received_on", 400)
    note = (data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise FundingRefused(f"备注不能超过{NOTE_MAX}个字。", "note", 400)
    with audit_action("matched_fund.update" if fund is not None else "matched_fund.add"):
        if fund is None:
            fund = MatchedFund(award=award, recorded_by_id=user.id)
            db.session.add(fund)
        fund.source_kind, fund.source_name, fund.name_public = kind, name, name_public
        fund.pledged, fund.received = pledged, received
        fund.pledged_on, fund.received_on, fund.note = pledged_on, received_on, note
        db.session.flush()
    return fund


# --- the call's funding settings ------------------------------------------------------------------------

MAX_CONTRACT_MONTHS = 36  # DESIGN.md §4: up to 3 years for stable services
MAX_REPORT_EVERY = 12
LOCKED = "本征集已有项目生成合同，拨付计划、合同期限和报告周期已锁定，不能再修改。"


def update_funding_settings(call, user, plan, contract_months, report_every_months):
    """Save the call's tranche plan (``[{"percent": "50", "condition": "signed"}, …]``), contract term
    and reporting interval. Refused (409) once any contract of the call exists: contracts copy the plan
    when they are prepared, so a later change would make the call say one thing and the contracts another."""
    if call_has_contracts(call):
        raise SettingsRefused({"plan": [LOCKED]}, 409)
    errors = {}
    try:
        parsed = parse_plan(plan)
    except PlanError as e:
        errors["plan"] = e.messages
    if not 1 <= contract_months <= MAX_CONTRACT_MONTHS:
        errors["contract_months"] = [f"合同期限须为1至{MAX_CONTRACT_MONTHS}个月。"]
    if not 1 <= report_every_months <= MAX_REPORT_EVERY:
        errors["report_every_months"] = [f"进度报告周期须为1至{MAX_REPORT_EVERY}个月。"]
    elif report_every_months > contract_months:
        errors["report_every_months"] = ["进度报告周期不能长于合同期限。"]
    if errors:
        raise SettingsRefused(errors)
    with audit_action("call.funding_settings"):
        call.tranche_plan = as_setting(parsed)
        call.contract_months, call.report_every_months = contract_months, report_every_months
        db.session.flush()
    return call
