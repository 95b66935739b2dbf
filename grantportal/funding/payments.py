"""Writes of money against a contract: payments of tranches (拨付) and recoveries (追回).

Both lock the contract row first (SELECT … FOR UPDATE) and only then read the sums from the database, so
two officers recording money on the same contract at the same moment are serialised: the second waits for
the first to commit and checks against the new sums. Each flushes under a named audit action and never
commits; a refusal raises ``FundingRefused`` with the Chinese message and the form field.
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.money import format_wan
from grantportal.core.timeutil import local_today
from grantportal.funding.models import Contract, ContractStatus, Payment, Recovery
from grantportal.funding.operations import FundingRefused
from grantportal.funding.tranches import ZERO, refresh_tranches, state_of

VOUCHER_MAX = 60


@dataclass(frozen=True)
class Totals:
    paid: Decimal
    recovered: Decimal

    @property
    def net(self):
        """Paid minus recovered: what the organization holds."""
        return self.paid - self.recovered


def totals(contract):
    """Paid and recovered so far, summed in the database."""
    paid = db.session.scalar(sa.select(sa.func.sum(Payment.amount)).where(Payment.contract_id == contract.id))
    recovered = db.session.scalar(sa.select(sa.func.sum(Recovery.amount))
                                  .where(Recovery.contract_id == contract.id))
    return Totals(Decimal(paid or 0).quantize(Decimal("0.01")), Decimal(recovered or 0).quantize(Decimal("0.01")))


def lock_contract(contract):
    """The contract row locked for this transaction (PostgreSQL; SQLite has one writer anyway), with its
    attributes reloaded from the database."""
    return lock_row(Contract, contract.id, reload=True)


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
    contract = lock_contract(contract)
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
        db.session.flush()
    return recovery


@dataclass(frozen=True)
class MoneyEvent:
    """One line of a project's money timeline."""

    on: object  # date
    kind: str  # "payment" / "recovery"
    title: str
    amount: Decimal
    voucher_number: str
    detail: str = ""


def money_events(contract):
    """Payments and recoveries in date order, for the project timeline (the monitoring timeline may merge
    these with its reports and evaluations)."""
    payments = db.session.scalars(sa.select(Payment).where(Payment.contract_id == contract.id)
                                  .order_by(Payment.paid_on, Payment.id)).all()
    recoveries = db.session.scalars(sa.select(Recovery).where(Recovery.contract_id == contract.id)
                                    .order_by(Recovery.recovered_on, Recovery.id)).all()
    events = [MoneyEvent(p.paid_on, "payment", f"拨付第{p.tranche.position}期", p.amount, p.voucher_number)
              for p in payments]
    events += [MoneyEvent(r.recovered_on, "recovery", "追回资金", r.amount, r.voucher_number, r.reason)
               for r in recoveries]
    return sorted(events, key=lambda e: (e.on, e.kind))
