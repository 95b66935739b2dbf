"""Writes of public pledges (公众认捐, 中山 "1+1+1"; DESIGN.md §4 Public participation: "Pledges from citizens and
companies count as matched funds only when received and verified"; issue 13).

A signed-in citizen pledges an amount to a project in execution — for themselves, or for a company they represent
(its name and 统一社会信用代码, checked by ``core.uscc.validate_code``) — choosing the name the public will see, or
爱心人士. The project's organization confirms receipt with the date, the amount received and its evidence (PDF, JPG
or PNG through ``core.files.store_upload``); an officer verifies it (核实) or returns it with a reason, after
which the organization may confirm again. The pledger may withdraw until the organization confirms the money
arrived (after that the money is the organization's to account for, returned or not).

How a pledge counts (the least invasive correct design): ``funding.matched`` already sums matched funds for
every figure that shows them — a project's page and its leverage ratio (``project_leverage``), a call's funding
summary and projects page, the public statistics. A pledge is therefore not summed anywhere on its own: when the
officer verifies it, ``verify`` calls the lower domain's ``funding.matched.operations.record_verified_pledge``,
which adds one ``MatchedFund`` of kind 公众认捐 (the name shown, the amount promised and the amount received), and
links it to the pledge (``Pledge.matched_fund_id``). Before that there is no row, so a pledge promised, awaiting
verification or returned counts nowhere; after it, every existing figure counts the received amount and nothing
else had to change. The organization's planned self-funding (机构自筹, ``Application.matched_amount``) stays its
own term of the leverage ratio and is never added to the money received. The matched-fund form cannot add or
change rows of that kind (``funding.matched.operations``), so the verified figure has one writer.

Every step goes through ``PLEDGE`` (``core.workflow``), flushes under its audit action and never commits; each
party is told through the inbox: the organization of a new pledge, a withdrawal, a verification and a return;
the officer in charge of the project (who confirmed its contract, else the call's officer) of a receipt to verify;
the pledger of the receipt and the verification. Writers on one pledge take turns on its row lock.

    已认捐 --机构确认到账--> 待核实 --核实--> 已核实（计入配套资金）
                                    --退回（写明理由）--> 已退回 --机构重新确认到账--> 待核实
    已认捐 --认捐人撤回--> 已撤回
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from grantportal.accounts.models import User
from grantportal.citizens.permissions import is_citizen
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.errors import Refused
from grantportal.core.files import SCAN_EXTENSIONS, UploadError, clean_display_name, discard, store_upload
from grantportal.core.masking import mask_text
from grantportal.core.money import format_wan, format_yuan
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.roles import Role
from grantportal.core.timeutil import local_today, to_local
from grantportal.core.uscc import UsccError, validate_code
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.funding.matched.operations import record_verified_pledge
from grantportal.funding.models import Contract, ContractStatus
from grantportal.orgs.notices import notify_org
from grantportal.pledges.models import ANONYMOUS_NAME, DonorKind, Pledge, PledgeStatus

__all__ = ["EVIDENCE_EXTENSIONS", "PLEDGE", "PledgeData", "PledgeRefused", "ReceiptData", "confirm_receipt",
           "make_pledge", "pledging_problem", "return_receipt", "verify", "withdraw"]

PUBLIC_NAME_MAX = 40  # Pledge.public_name
COMPANY_NAME_MAX = 120  # Pledge.company_name
NOTE_MAX = 500
REASON_MAX = 500
EVIDENCE_EXTENSIONS = SCAN_EXTENSIONS  # PDF, JPG, PNG: a bank slip, a receipt, a screenshot of the transfer


class PledgeRefused(Refused):
    """A pledge operation refused (``core.errors.Refused``: message, field, status)."""


@dataclass(frozen=True)
class PledgeData:
    amount: Decimal | None  # parsed from ASCII digits by the form (core.forms.MoneyField); the range is checked here
    donor_kind: DonorKind
    company_name: str | None
    company_uscc: str | None
    anonymous: bool
    public_name: str | None


@dataclass(frozen=True)
class ReceiptData:
    received_on: date | None
    amount: Decimal | None
    note: str | None


def _is_org_member(user):
    """Which organization's member is the permission's question (``can_confirm_pledge_receipt``)."""
    return has_role(user, Role.ORG_MEMBER)


def _not_now(pledge):
    return f"该认捐{pledge.status.label}，不能再办理。"


def _not_withdrawable(pledge):
    if pledge.status == PledgeStatus.WITHDRAWN:
        return "该认捐已撤回。"
    return "承接机构已确认收到该认捐的款项，认捐不能再撤回。如有疑问，请与承接机构联系。"


P = PledgeStatus
PLEDGE = StateMachine(
    "pledge", "status", PledgeStatus, final=frozenset({P.VERIFIED, P.WITHDRAWN}), refusal=PledgeRefused,
    noun="公众认捐",
    transitions=(
        Transition("confirm_receipt", frozenset({P.PLEDGED, P.RETURNED}), P.RECEIVED, "确认到账", "承接机构",
                   _is_org_member),
        Transition("verify", frozenset({P.RECEIVED}), P.VERIFIED, "核实", "项目官员", is_officer),
        Transition("return", frozenset({P.RECEIVED}), P.RETURNED, "退回", "项目官员", is_officer),
        Transition("withdraw", frozenset({P.PLEDGED}), P.WITHDRAWN, "撤回", "认捐人", is_citizen),
    ),
    not_allowed={P.RECEIVED: _not_now, P.VERIFIED: _not_now, P.RETURNED: _not_now, P.WITHDRAWN: _not_withdrawable},
)


def pledging_problem(contract):
    """Why no pledge can be made to ``contract``'s project now (Chinese), or None: only a project in execution
    (合同履行中) takes pledges."""
    if contract.status != ContractStatus.ACTIVE:
        return f"该项目当前为{quoted(contract.status.label)}，不在执行期内，不接受认捐。"
    return None


def limits():
    """The least and the most one pledge may be (yuan, site settings PLEDGE_MIN_YUAN / PLEDGE_MAX_YUAN)."""
    return Decimal(current_app.config["PLEDGE_MIN_YUAN"]), Decimal(current_app.config["PLEDGE_MAX_YUAN"])


def yuan_words(value):
    """A whole number of yuan as a sentence writes it: 1元, 200元."""
    return f"{value.normalize():f}元"


def _amount(value, field, what):
    """An amount already parsed from ASCII digits (two places at most, never negative), checked against the
    site's range; refused next to ``field`` otherwise."""
    low, high = limits()
    if value is None:
        raise PledgeRefused(f"请填写{what}。", field, 400)
    if value < 0:
        raise PledgeRefused(f"{what}不能为负数。", field, 400)
    if value == 0:
        raise PledgeRefused(f"{what}不能为0元，请填写不少于{yuan_words(low)}的金额。", field, 400)
    if value < low:
        raise PledgeRefused(f"{what}不能少于{yuan_words(low)}。", field, 400)
    if value > high:
        raise PledgeRefused(f"单笔{what}不能超过{format_wan(high)}。如需捐赠更大数额，请与项目官员联系，"
                            "作为配套资金登记。", field, 400)
    return value


def _text(value, field, limit, empty=None):
    value = (value or "").strip()
    if not value and empty:
        raise PledgeRefused(empty, field, 400)
    if len(value) > limit:
        raise PledgeRefused(f"不能超过{limit}个字。", field, 400)
    return value or None


def _title(pledge):
    return pledge.contract.award.application.title


def _org(pledge):
    return pledge.contract.award.application.org


def _project_officer(contract):
    """Who hears of a receipt to verify: the officer who confirmed the project's contract, else the call's."""
    officer = db.session.get(User, contract.confirmed_by_id) if contract.confirmed_by_id else None
    if officer is None or not officer.is_active or officer.role != Role.OFFICER:
        officer = contract.award.proposal.call.created_by
    return officer if officer is not None and officer.is_active else None


def _same_pledge(contract, user, amount):
    """The same citizen's same amount still waiting on the project (a double-clicked submit): one row, not two."""
    return db.session.scalar(sa.select(Pledge).where(
        Pledge.contract_id == contract.id, Pledge.pledged_by_id == user.id, Pledge.amount == amount,
        Pledge.status == PledgeStatus.PLEDGED).limit(1))


def make_pledge(contract, user, data, now, link=None, org_link=None):
    """认捐: the citizen's pledge to a project in execution, recorded as 已认捐; the organization's members are told.
    Returns (the pledge, whether it is new): the same amount pledged again by the same citizen while the first is
    still waiting is the pledge already made."""
    lock_row(Contract, contract.id)  # one pledge at a time per project: a double click makes one pledge
    db.session.refresh(contract)
    problem = pledging_problem(contract)
    if problem:
        raise PledgeRefused(problem)
    amount = _amount(data.amount, "amount", "认捐金额")
    company_name = company_uscc = None
    if data.donor_kind == DonorKind.COMPANY:
        company_name = _text(data.company_name, "company_name", COMPANY_NAME_MAX, "请填写您所代表企业的名称。")
        try:
            company_uscc = validate_code(data.company_uscc)
        except UsccError as e:
            raise PledgeRefused(str(e), "company_uscc", 400) from None
    elif data.donor_kind != DonorKind.INDIVIDUAL:
        raise PledgeRefused("请选择以个人还是代表企业认捐。", "donor_kind", 400)
    public_name = None
    if not data.anonymous:
        public_name = _text(data.public_name, "public_name", PUBLIC_NAME_MAX,
                            f"请填写公开显示的名称，或选择以{quoted(ANONYMOUS_NAME)}匿名公开。")
    existing = _same_pledge(contract, user, amount)
    if existing is not None:
        return existing, False
    with audit_action("pledge.make"):
        pledge = Pledge(contract_id=contract.id, pledged_by_id=user.id, pledged_at=now, amount=amount,
                        donor_kind=data.donor_kind, company_name=company_name, company_uscc=company_uscc,
                        anonymous=bool(data.anonymous), public_name=public_name, status=PledgeStatus.PLEDGED)
        db.session.add(pledge)
        db.session.flush()
        notify_org(contract.award.application.org, "收到新的公众认捐",
                   f"项目{quoted(contract.award.application.title)}收到一笔{format_yuan(amount)}的公众认捐"
                   f"（认捐编号 {pledge.reference}）。收到款项后，请在“公众认捐”中确认到账并上传凭证。", org_link)
    return pledge, True


def _lock(pledge):
    """Writers on one pledge take turns; the pledge is read again under the lock."""
    lock_row(Pledge, pledge.id)
    db.session.refresh(pledge)


def confirm_receipt(pledge, member, data, upload, now, link=None, pledger_link=None):
    """确认到账: a member of the project's organization records the date and the amount received with the evidence
    (PDF, JPG or PNG, checked and stored; a return's earlier evidence is replaced). The officer in charge is asked
    to verify; the pledger hears the money arrived."""
    _lock(pledge)
    step = PLEDGE.require(member, pledge, "confirm_receipt", now)
    received = _amount(data.amount, "amount", "到账金额")
    received_on = data.received_on
    if received_on is None:
        raise PledgeRefused("请填写到账日期。", "received_on", 400)
    if received_on > local_today():
        raise PledgeRefused("到账日期不能晚于今天。", "received_on", 400)
    if received_on < to_local(pledge.pledged_at).date():
        raise PledgeRefused(f"到账日期不能早于认捐日期（{to_local(pledge.pledged_at).date():%Y-%m-%d}）。",
                            "received_on", 400)
    note = _text(data.note, "note", NOTE_MAX)
    if upload is None or not upload.filename:
        raise PledgeRefused("请上传到账凭证（银行回单、收据或转账记录，PDF、JPG或PNG格式）。", "evidence", 400)
    with audit_action(PLEDGE.audit_action(step)):
        try:
            stored = store_upload(upload, member, EVIDENCE_EXTENSIONS)
        except UploadError as e:
            raise PledgeRefused(f"{quoted(clean_display_name(upload.filename))}：{e}", "evidence", 400) from None
        replaced = pledge.evidence_file
        pledge.evidence_file = stored
        discard(replaced)
        pledge.status = step.target
        pledge.received_on, pledge.received_amount, pledge.receipt_note = received_on, received, note
        pledge.receipt_at, pledge.receipt_by_id = now, member.id
        db.session.flush()
        officer = _project_officer(pledge.contract)
        if officer is not None:
            notify(officer, "公众认捐到账待核实",
                   f"{_org(pledge).name}确认项目{quoted(_title(pledge))}的认捐 {pledge.reference} 已到账"
                   f"{format_yuan(received)}，请核对凭证后核实。", link)
        notify(pledge.pledged_by, "承接机构已确认收到您的认捐",
               f"{_org(pledge).name}已确认收到您对项目{quoted(_title(pledge))}的认捐{format_yuan(received)}，"
               "项目官员核实后将在项目页面公布并计入配套资金。", pledger_link)
    return pledge


def verify(pledge, officer, now, link=None, org_link=None):
    """核实: the officer checked the evidence. The received amount now counts — ``funding.matched`` records it as a
    matched fund of kind 公众认捐 under the name the pledger chose (masked) — and the project's page lists it. The
    pledger and the organization are told."""
    _lock(pledge)
    step = PLEDGE.require(officer, pledge, "verify", now)
    award = pledge.contract.award
    with audit_action(PLEDGE.audit_action(step)):
        fund = record_verified_pledge(
            award, officer, mask_text(pledge.shown_name), pledge.amount, pledge.received_amount,
            to_local(pledge.pledged_at).date(), pledge.received_on,
            f"公众认捐 {pledge.reference}，{to_local(now):%Y-%m-%d}经项目官员核实")
        pledge.status = step.target
        pledge.matched_fund_id = fund.id
        pledge.verified_at, pledge.verified_by_id = now, officer.id
        db.session.flush()
        notify(pledge.pledged_by, "您的认捐已核实",
               f"您对项目{quoted(_title(pledge))}的认捐（到账{format_yuan(pledge.received_amount)}）已经项目官员核实，"
               f"已在项目页面以{quoted(mask_text(pledge.shown_name))}名义公布并计入配套资金。感谢您的支持！", link)
        notify_org(_org(pledge), "公众认捐已核实",
                   f"项目{quoted(_title(pledge))}的认捐 {pledge.reference}（到账{format_yuan(pledge.received_amount)}）"
                   "已核实，计入配套资金。", org_link)
    return pledge


def return_receipt(pledge, officer, reason, now, org_link=None):
    """退回: the evidence or the figures do not hold; the organization is told why and may confirm again. Nothing
    counts."""
    _lock(pledge)
    step = PLEDGE.require(officer, pledge, "return", now)
    reason = _text(reason, "reason", REASON_MAX, "请写明退回的理由，将告知承接机构。")
    with audit_action(PLEDGE.audit_action(step)):
        pledge.status = step.target
        pledge.return_reason, pledge.returned_at, pledge.returned_by_id = reason, now, officer.id
        db.session.flush()
        notify_org(_org(pledge), "公众认捐到账确认被退回",
                   f"项目{quoted(_title(pledge))}的认捐 {pledge.reference} 的到账确认被项目官员退回。理由：{reason}"
                   "请核对后重新确认到账。", org_link)
    return pledge


def withdraw(pledge, citizen, now, org_link=None):
    """撤回: the pledger takes the pledge back before the organization confirmed the money arrived; the organization
    is told."""
    _lock(pledge)
    step = PLEDGE.require(citizen, pledge, "withdraw", now)
    with audit_action(PLEDGE.audit_action(step)):
        pledge.status, pledge.withdrawn_at = step.target, now
        db.session.flush()
        notify_org(_org(pledge), "公众认捐已撤回",
                   f"项目{quoted(_title(pledge))}的认捐 {pledge.reference}（{format_yuan(pledge.amount)}）"
                   "已由认捐人撤回。",
                   org_link)
    return pledge
