"""Money pages of a contract: the officer's payments page (tranches, payments, recoveries and the forms to
record them) and the organization's read-only view of its contract's money.

Writes go through ``funding.payments.operations``; each request commits once and, when an operation
refuses, rolls back and shows why next to the field, keeping what was typed."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.funding.matched.queries import project_leverage
from grantportal.funding.models import Tranche
from grantportal.funding.payments import operations as ops
from grantportal.funding.payments.forms import PaymentForm, RecoveryForm
from grantportal.funding.payments.permissions import (
    can_record_payment,
    can_record_recovery,
    can_view_contract_funding,
    can_view_payments,
)
from grantportal.funding.payments.tranches import tranche_states
from grantportal.funding.queries import money_events, project_contract, totals

bp = Blueprint("payments", __name__)


def _contract(contract_id):
    """The contract with what its money pages show (``funding.queries.project_contract``), or 404."""
    contract = project_contract(contract_id)
    if contract is None:
        abort(404)
    return contract


def _payments_page(contract, pay_form=None, recovery_form=None, status=200, message=None):
    contract = _contract(contract.id)
    app = contract.award.application
    states = tranche_states(contract)
    if pay_form is None:
        pay_form = PaymentForm(tranches=contract.tranches, formdata=None,
                               data={"paid_on": local_today(),
                                     "tranche": next((str(s.tranche.id) for s in states if s.payable), "")})
    if recovery_form is None:
        recovery_form = RecoveryForm(formdata=None, data={"recovered_on": local_today()})
    return render_template("funding/payments.html", contract=contract, award=contract.award, app=app, org=app.org,
                           call=contract.award.proposal.call, states=states,
                           totals=totals(contract), events=money_events(contract),
                           pay_form=pay_form, recovery_form=recovery_form, message=message,
                           can_act=can_record_payment(current_user, contract),
                           nav_staff=can_view_payments(current_user, contract)), status


@bp.route("/manage/contracts/<int:contract_id>/payments", methods=["GET", "POST"])
@login_required
def index(contract_id):
    contract = _contract(contract_id)
    if request.method == "GET":
        require(can_view_payments(current_user, contract))
        return _payments_page(contract)
    require(can_record_payment(current_user, contract))
    form = PaymentForm(tranches=contract.tranches)
    if not form.validate():
        return _payments_page(contract, pay_form=form, status=400)
    tranche = db.session.get(Tranche, int(form.tranche.data))
    with commit_or_refusal(form) as attempt:
        ops.record_payment(contract, tranche, current_user, form.paid_on.data, form.amount.amount,
                           form.voucher_number.data)
    if not attempt.ok:
        return _payments_page(contract, pay_form=form, status=attempt.status, message=attempt.message)
    flash(f"已登记第{tranche.position}期拨付 {form.amount.amount:,.2f} 元。", "success")
    return redirect(url_for("payments.index", contract_id=contract_id), 303)


@bp.route("/manage/contracts/<int:contract_id>/recoveries", methods=["POST"])
@login_required
def record_recovery(contract_id):
    contract = _contract(contract_id)
    require(can_record_recovery(current_user, contract))
    form = RecoveryForm()
    if not form.validate():
        return _payments_page(contract, recovery_form=form, status=400)
    with commit_or_refusal(form) as attempt:
        ops.record_recovery(contract, current_user, form.recovered_on.data, form.amount.amount,
                            form.voucher_number.data, form.reason.data)
    if not attempt.ok:
        return _payments_page(contract, recovery_form=form, status=attempt.status, message=attempt.message)
    flash(f"已登记追回资金 {form.amount.amount:,.2f} 元。", "success")
    return redirect(url_for("payments.index", contract_id=contract_id), 303)


# --- the organization's view of its contract's money ---------------------------------------------------

@bp.route("/contracts/<int:contract_id>/funding")
@login_required
def contract_funding(contract_id):
    contract = _contract(contract_id)
    require(can_view_contract_funding(current_user, contract))
    award = contract.award
    return render_template("funding/org_funding.html", contract=contract, award=award,
                           app=award.application, call=award.proposal.call, states=tranche_states(contract),
                           totals=totals(contract), events=money_events(contract),
                           leverage=project_leverage(award), nav_staff=can_view_payments(current_user, contract))
