"""Writes of money on a contract (DESIGN.md §4 "Money"): payments (拨付) of a tranche, recoveries (追回) of
paid money, the milestones monitoring reports (中期评估, 结项验收) that later tranches wait for, and the
tranches' derived status (``tranches``) written onto their rows.

Each takes the objects and the acting user, flushes under a named audit action and never commits; a
refusal raises ``funding.operations.FundingRefused`` with the Chinese message and the form field. Payments
and recoveries lock the contract row first (``lock_contract``) and only then read the sums and the state,
so that two people recording money on one contract at the same moment take turns; each then writes the new
sum onto the contract (``Contract.paid`` / ``Contract.recovered``, what the public lists read) in the same
flush as its row.
"""
from decimal import Decimal

import sqlalchemy as sa

from grantportal.calls.tranche_plan import TrancheCondition
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.money import format_wan, format_yuan
from grantportal.core.timeutil import format_date, local_today
from grantportal.core.wording import quoted
from grantportal.funding.models import ContractStatus, Payment, Recovery
from grantportal.funding.operations import FundingRefused, lock_contract
from grantportal.funding.payments.tranches import ZERO, state_of, tranche_states
from grantportal.funding.queries import totals
from grantportal.orgs.notices import notify_org

# --- what monitoring tells funding ------------------------------------------------------------------------
# Evaluations are monitoring's; funding keeps only the facts its tranches depend on, stamped on the contract
# by ``record_milestone``, so that it never reads monitoring's tables (closure: ``contracts.operations``).

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


def pause_tranches(contract, reason, user):
    """Monitoring opened an 整改 (or changed its deadline): every tranche not yet fully paid is 暂停拨付 with
    ``reason`` (public: say what and until when, never the findings' detail) until ``release_tranches``.
    Returns the ``[TrancheState]``."""
    contract = lock_contract(contract)
    with audit_action("contract.pause"):
        contract.paused_reason = reason
        db.session.flush()
    return refresh_tranches(contract)


def release_tranches(contract, user):
    """Monitoring closed the 整改: the pause is lifted and the tranches follow their conditions again."""
    contract = lock_contract(contract)
    with audit_action("contract.release"):
        contract.paused_reason = None
        db.session.flush()
    return refresh_tranches(contract)


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
        raise FundingRefused(f"凭证号{quoted(voucher)}已在本合同登记过，请核对。", "voucher_number", 409)
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
    contract = lock_contract(contract)
    if tranche.contract_id != contract.id:
        raise FundingRefused("该期次不属于本合同。", "tranche", 400)
    if contract.status != ContractStatus.ACTIVE:
        raise FundingRefused(f"合同当前状态为{quoted(contract.status.label)}，只有履行中的合同才能拨付。", "tranche")
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
        # the sums the public lists read, from the rows just summed under the row lock
        contract.paid, contract.recovered = sums.paid + amount, sums.recovered
        db.session.flush()
        notify_org(contract.award.application.org, "项目资金已拨付",
                   f"{quoted(contract.award.application.title)}第{tranche.position}期资金{format_yuan(amount)}"
                   f"已于{format_date(paid_on)}拨付（凭证号 {voucher}）。", link=f"/contracts/{contract.id}/funding")
    refresh_tranches(contract)
    return payment


def record_recovery(contract, user, recovered_on, amount, voucher_number, reason):
    """追回: ``amount`` of paid money returned by the organization (after a failed evaluation or a breach).
    Allowed in every contract state but 待出具 (nothing can have been paid before the contract is
    issued); refused unless 0 < amount ≤ paid − recovered, a reason is given, the voucher number is new
    for this contract and the date is neither in the future nor before the contract starts."""
    contract = lock_contract(contract)
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
        contract.paid, contract.recovered = sums.paid, sums.recovered + amount
        db.session.flush()
    return recovery
