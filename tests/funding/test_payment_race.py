"""Two officers recording payments on the same contract at the same moment never pay more than allowed.

``payments.record_payment`` locks the contract row (SELECT … FOR UPDATE) before it sums what was paid and
recovered. Without the lock both transactions would read the same sums (READ COMMITTED: neither sees the
other's uncommitted payment), both checks would pass and both would commit; with it the second waits for
the first to commit, reads the new sums and is refused. Only PostgreSQL runs these transactions
concurrently (SQLite has one writer), so the test is skipped there.
"""
from decimal import Decimal

import pytest

from grantportal.accounts.models import User
from grantportal.core.db import db
from grantportal.funding.models import Contract, Payment, Tranche
from grantportal.funding.operations import FundingRefused
from grantportal.funding.payments.operations import record_payment
from grantportal.funding.queries import totals
from tests import factories as f
from tests.funding.conftest import TODAY, evaluate
from tests.race import run_together, skip_unless_postgres

ROUNDS = 4  # each race is run several times: a lucky schedule must not hide a missing lock


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    skip_unless_postgres(is_postgres, "payment checks")


def pay_together(app, jobs):
    """Run ``record_payment`` for every ``(contract_id, tranche_id, officer_id, amount, voucher)`` at the same
    moment, each in its own thread and session (``tests.race.run_together``); each commits on success and rolls
    back when refused. Returns, per job, "ok" or the exception."""

    def load(contract_id, tranche_id, user_id, amount, voucher):
        return (db.session.get(Contract, contract_id), db.session.get(Tranche, tranche_id),
                db.session.get(User, user_id), amount, voucher)

    def act(contract, tranche, user, amount, voucher):
        record_payment(contract, tranche, user, TODAY, Decimal(amount), voucher)

    return run_together(app, jobs, load, act, "a payment")


def one_wins(results, message_start):
    oks = [r for r in results if r == "ok"]
    refusals = [r for r in results if isinstance(r, FundingRefused)]
    assert len(oks) == 1 and len(refusals) == 1, results
    assert refusals[0].field == "amount" and refusals[0].message.startswith(message_start), refusals[0].message


def undo_payments(contract):
    db.session.execute(db.delete(Payment).where(Payment.contract_id == contract.id))
    db.session.commit()


def test_two_payments_that_together_exceed_the_award_one_is_refused(app, contract, officer):
    """The award is 3万 (cut after the 2.5/1.5/1万 schedule): 2万 of the first tranche and 1.5万 of the
    second each fit alone, together they exceed the award."""
    contract.amount = Decimal("30000.00")
    db.session.commit()
    evaluate(contract, officer, "midterm", "pass")
    colleague = f.UserFactory(officer=True)
    first, second = contract.tranches[0].id, contract.tranches[1].id
    for n in range(ROUNDS):
        results = pay_together(app, [(contract.id, first, officer.id, "20000", f"A{n}"),
                                     (contract.id, second, colleague.id, "15000", f"B{n}")])
        one_wins(results, "拨付总额不能超过资助金额")
        assert totals(contract).paid <= contract.amount
        undo_payments(contract)


def test_two_payments_of_the_same_tranche_never_exceed_it(app, contract, officer):
    colleague = f.UserFactory(officer=True)
    first = contract.tranches[0].id
    for n in range(ROUNDS):
        results = pay_together(app, [(contract.id, first, officer.id, "15000", f"A{n}"),
                                     (contract.id, first, colleague.id, "15000", f"B{n}")])
        one_wins(results, "超过第1期未拨付金额")
        assert totals(contract).paid == Decimal("15000.00")
        undo_payments(contract)
