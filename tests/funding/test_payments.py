"""Tranches and payments (分期拨付): conditions, the failed-midterm block, caps, vouchers, dates, recovery."""
from datetime import timedelta
from decimal import Decimal

import pytest

from grantportal.core.db import db
from grantportal.funding.contracts.operations import terminate_contract
from grantportal.funding.models import ContractStatus, TrancheStatus
from grantportal.funding.operations import FundingRefused
from grantportal.funding.payments.operations import record_payment, record_recovery
from grantportal.funding.payments.tranches import tranche_states
from grantportal.funding.queries import totals
from tests.funding.conftest import FUTURE, STARTS, TODAY, active_contract, evaluate


def pay(contract, officer, position, amount, voucher=None, on=TODAY):
    tranche = contract.tranches[position - 1]
    payment = record_payment(contract, tranche, officer, on, Decimal(amount), voucher or f"FK-{position}-{amount}")
    db.session.commit()
    return payment


def refusal(fn, *args):
    with pytest.raises(FundingRefused) as e:
        fn(*args)
    db.session.rollback()
    return e.value


def statuses(contract):
    return [s.status for s in tranche_states(contract)]


def test_the_default_plan_splits_the_award_50_30_20(contract):
    assert [(t.amount, t.condition.label) for t in contract.tranches] == [
        (Decimal("25000.00"), "合同签订后"), (Decimal("15000.00"), "中期评估合格后"),
        (Decimal("10000.00"), "结项验收合格后")]
    assert statuses(contract) == [TrancheStatus.PAYABLE, TrancheStatus.WAITING, TrancheStatus.WAITING]


def test_first_tranche_may_be_paid_in_parts_and_is_then_paid(contract, officer):
    pay(contract, officer, 1, "10000")
    assert statuses(contract)[0] == TrancheStatus.PAYABLE
    pay(contract, officer, 1, "15000")
    db.session.refresh(contract.tranches[0])
    assert contract.tranches[0].status == TrancheStatus.PAID  # stored by refresh_tranches
    assert totals(contract).paid == Decimal("25000.00")


@pytest.mark.parametrize("position, message", [
    (2, "中期评估尚未合格，第2期不能拨付。"),
    (3, "结项验收尚未合格，第3期不能拨付。"),
])
def test_a_tranche_whose_condition_is_not_met_is_refused(contract, officer, position, message):
    e = refusal(pay, contract, officer, position, "1000")
    assert (e.message, e.field, e.status) == (message, "tranche", 409)
    assert totals(contract).paid == 0


def test_nothing_is_paid_before_the_contract_is_active(officer):
    from tests import factories as f

    _call, awards = f.final_awards()
    contract = active_contract(awards[0], officer, status=ContractStatus.SIGNED)
    e = refusal(pay, contract, officer, 1, "1000")
    assert e.message == "合同当前状态为“待确认”，只有履行中的合同才能拨付。"
    assert statuses(contract)[0] == TrancheStatus.WAITING


def test_a_failed_midterm_blocks_later_tranches_until_a_passing_re_evaluation(contract, officer):
    pay(contract, officer, 1, "25000")
    evaluate(contract, officer, "midterm", "fail", minutes_ago=10)
    assert statuses(contract) == [TrancheStatus.PAID, TrancheStatus.BLOCKED, TrancheStatus.BLOCKED]
    db.session.refresh(contract.tranches[1])
    assert contract.tranches[1].status == TrancheStatus.BLOCKED
    assert "中期评估不合格" in contract.tranches[1].blocked_reason
    e = refusal(pay, contract, officer, 2, "1000")
    assert e.message.startswith("第2期暂停拨付：中期评估不合格")
    # an acceptance passed meanwhile does not lift the block either
    evaluate(contract, officer, "acceptance", "pass", minutes_ago=5)
    assert refusal(pay, contract, officer, 3, "1000").message.startswith("第3期暂停拨付")
    evaluate(contract, officer, "midterm", "good")
    assert statuses(contract) == [TrancheStatus.PAID, TrancheStatus.PAYABLE, TrancheStatus.PAYABLE]
    db.session.refresh(contract.tranches[1])
    assert (contract.tranches[1].status, contract.tranches[1].blocked_reason) == (TrancheStatus.PAYABLE, None)
    pay(contract, officer, 2, "15000")
    pay(contract, officer, 3, "10000")
    assert totals(contract).paid == contract.amount


def test_a_failed_midterm_after_a_pass_blocks_again(contract, officer):
    evaluate(contract, officer, "midterm", "pass", minutes_ago=10)
    evaluate(contract, officer, "midterm", "fail")
    assert statuses(contract)[1] == TrancheStatus.BLOCKED


def test_a_payment_above_the_tranche_remainder_is_refused(contract, officer):
    pay(contract, officer, 1, "20000")
    e = refusal(pay, contract, officer, 1, "5000.01")
    assert (e.field, e.status) == ("amount", 409)
    assert e.message == "超过第1期未拨付金额：本期最多还可拨付5,000.00元（0.5万元）。"


def test_payments_never_exceed_the_award_and_recovered_money_counts_back(contract, officer):
    """The award was cut to 3万 after the schedule was made: the tranches (2.5/1.5/1万) would allow more."""
    contract.amount = Decimal("30000.00")
    db.session.commit()
    evaluate(contract, officer, "midterm", "pass")
    pay(contract, officer, 1, "25000")
    e = refusal(pay, contract, officer, 2, "10000")
    assert e.field == "amount" and e.message.startswith("拨付总额不能超过资助金额")
    assert "最多还可拨付5,000.00元" in e.message
    pay(contract, officer, 2, "5000")
    record_recovery(contract, officer, TODAY, Decimal("4000"), "SH-1", "部分活动未开展")
    db.session.commit()
    pay(contract, officer, 2, "4000")  # net 26000 + 4000 = the award
    assert refusal(pay, contract, officer, 2, "0.01").message.startswith("拨付总额不能超过资助金额")
    assert totals(contract).net == Decimal("30000.00")


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_a_payment_must_be_positive(contract, officer, amount):
    assert refusal(pay, contract, officer, 1, amount).message == "金额须大于0。"


def test_a_voucher_number_is_required_and_unique_per_contract(contract, officer):
    pay(contract, officer, 1, "1000", voucher="FK-2026-001")
    e = refusal(pay, contract, officer, 1, "1000", "FK-2026-001")
    assert (e.field, e.message) == ("voucher_number", "凭证号“FK-2026-001”已在本合同登记过，请核对。")
    e = refusal(record_payment, contract, contract.tranches[0], officer, TODAY, Decimal("1000"), "  ")
    assert (e.field, e.message) == ("voucher_number", "请填写凭证号。")


def test_the_same_voucher_number_may_be_used_on_another_contract(contract, officer):
    from tests import factories as f

    _call, awards = f.final_awards()
    other = active_contract(awards[0], officer)
    pay(contract, officer, 1, "1000", voucher="FK-1")
    pay(other, officer, 1, "1000", voucher="FK-1")


@pytest.mark.parametrize("on, message", [
    (FUTURE, "拨付日期不能晚于今天。"),
    (STARTS - timedelta(days=1), f"拨付日期不能早于合同开始日期（{STARTS:%Y-%m-%d}）。"),
])
def test_payment_dates_are_neither_future_nor_before_the_contract(contract, officer, on, message):
    e = refusal(pay, contract, officer, 1, "1000", "FK-9", on)
    assert (e.field, e.message) == ("paid_on", message)


def test_a_terminated_contract_blocks_unpaid_tranches(contract, officer):
    pay(contract, officer, 1, "25000")
    contract.status = ContractStatus.TERMINATED
    db.session.commit()
    assert statuses(contract) == [TrancheStatus.PAID, TrancheStatus.BLOCKED, TrancheStatus.BLOCKED]



def test_an_officer_terminates_an_active_contract_and_its_unpaid_tranches_stop(contract, officer):
    from grantportal.core.audit import AuditEntry
    from grantportal.core.notices import Notice
    from tests import factories as f

    member = f.member_of(contract.award.application.org)
    pay(contract, officer, 1, "25000")
    e = refusal(terminate_contract, contract, officer, "违约")
    assert (e.field, e.status, e.message) == ("reason", 400, "请写明终止原因（不少于5个字）。")
    e = refusal(terminate_contract, contract, member, "机构严重违约，终止合同")
    assert e.message == "只有项目官员可以终止。"
    terminate_contract(contract, officer, "机构严重违约，终止合同")
    db.session.commit()
    assert contract.status == ContractStatus.TERMINATED
    assert [(t.status, t.blocked_reason) for t in contract.tranches] == [
        (TrancheStatus.PAID, None), (TrancheStatus.BLOCKED, "合同已终止，停止拨付。"),
        (TrancheStatus.BLOCKED, "合同已终止，停止拨付。")]
    assert "contract.terminate" in set(db.session.scalars(db.select(AuditEntry.action)))
    notice = db.session.scalar(db.select(Notice).where(Notice.user_id == member.id, Notice.title == "合同已终止"))
    assert "机构严重违约" in notice.body
    e = refusal(terminate_contract, contract, officer, "机构严重违约，终止合同")
    assert e.message == "合同当前状态为“已终止”，不能终止。"


# --- recovery ------------------------------------------------------------------------------------------

def test_recovery_is_at_most_what_was_paid_and_not_yet_recovered(contract, officer):
    pay(contract, officer, 1, "25000")
    record_recovery(contract, officer, TODAY, Decimal("20000"), "SH-1", "中期评估不合格，追回部分资金")
    db.session.commit()
    e = refusal(record_recovery, contract, officer, TODAY, Decimal("5000.01"), "SH-2", "违约")
    assert (e.field, e.message) == ("amount", "追回金额不能超过已拨付未追回的金额（5,000.00元）。")
    record_recovery(contract, officer, TODAY, Decimal("5000"), "SH-2", "违约")
    db.session.commit()
    assert (totals(contract).paid, totals(contract).recovered, totals(contract).net) == (
        Decimal("25000.00"), Decimal("25000.00"), Decimal("0.00"))


def test_recovery_needs_a_reason_a_voucher_and_a_past_date(contract, officer):
    pay(contract, officer, 1, "25000", voucher="FK-1")
    assert refusal(record_recovery, contract, officer, TODAY, Decimal("1"), "SH-1", " ").field == "reason"
    assert refusal(record_recovery, contract, officer, TODAY, Decimal("1"), "FK-1", "违约").field == "voucher_number"
    e = refusal(record_recovery, contract, officer, FUTURE, Decimal("1"), "SH-1", "违约")
    assert (e.field, e.message) == ("recovered_on", "追回日期不能晚于今天。")


def test_recovery_is_allowed_after_termination_but_not_on_a_draft(contract, officer):
    from tests import factories as f

    pay(contract, officer, 1, "25000")
    contract.status = ContractStatus.TERMINATED
    db.session.commit()
    record_recovery(contract, officer, TODAY, Decimal("25000"), "SH-1", "严重违约，终止合同")
    db.session.commit()
    _call, awards = f.final_awards()
    draft = active_contract(awards[0], officer, status=ContractStatus.DRAFT)
    e = refusal(record_recovery, draft, officer, TODAY, Decimal("1"), "SH-1", "违约")
    assert e.message == "合同尚未出具，没有可追回的拨付资金。"


def test_payments_and_recoveries_are_audited(contract, officer):
    from grantportal.core.audit import AuditEntry

    pay(contract, officer, 1, "25000")
    record_recovery(contract, officer, TODAY, Decimal("100"), "SH-1", "违约")
    db.session.commit()
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"payment.record", "recovery.record", "tranche.refresh"} <= actions


def test_the_contract_keeps_its_paid_and_recovered_sums_for_the_public_lists(contract, officer):
    assert (contract.paid, contract.recovered) == (Decimal("0.00"), Decimal("0.00"))
    pay(contract, officer, 1, "10000")
    pay(contract, officer, 1, "15000")
    record_recovery(contract, officer, TODAY, Decimal("4000"), "SH-1", "超范围列支")
    db.session.commit()
    refusal(record_payment, contract, contract.tranches[1], officer, TODAY, Decimal("1"), "FK-X")  # not payable
    db.session.refresh(contract)
    sums = totals(contract)
    assert (contract.paid, contract.recovered) == (sums.paid, sums.recovered) == (Decimal("25000.00"),
                                                                                  Decimal("4000.00"))
