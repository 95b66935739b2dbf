"""Money pages: the officer's payments page of a contract (tranches, payments, recoveries, the forms to
record them), the organization's read-only view of its contract's money, matched funds, the call's funding
summary and funding settings.

Writes go through ``funding.operations``; each request commits
once and, when an operation refuses, rolls back and shows why next to the field, keeping what was typed."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.awards.models import Award, FinalStatus
from grantportal.calls.models import Call
from grantportal.calls.tranche_plan import PlanError, describe, parse_plan
from grantportal.core.db import db
from grantportal.core.forms import refusal
from grantportal.core.paging import Pager, get_or_404, page_number
from grantportal.core.permissions import is_officer, require
from grantportal.core.timeutil import local_today
from grantportal.funding import matched, queries
from grantportal.funding import operations as ops
from grantportal.funding import permissions as perm
from grantportal.funding.forms import FundingSettingsForm, MatchedFundForm, PaymentForm, RecoveryForm, settings_data
from grantportal.funding.models import Contract, MatchedFund, Tranche
from grantportal.funding.operations import FundingRefused, SettingsRefused
from grantportal.funding.queries import call_has_contracts, contract_of
from grantportal.funding.tranches import tranche_states

bp = Blueprint("funding", __name__)

PER_PAGE = 100
MAX_PAGE = 10_000


def _selected_award(award_id):
    """A project with a final 入选 result; any other award has no money to track (404)."""
    award = get_or_404(Award, award_id)
    if award.final_status != FinalStatus.SELECTED:
        abort(404)
    return award


# --- the officer's payments page -----------------------------------------------------------------------

def _payments_page(contract, pay_form=None, recovery_form=None, status=200, message=None):
    contract = get_or_404(Contract, contract.id)
    states = tranche_states(contract)
    if pay_form is None:
        pay_form = PaymentForm(tranches=contract.tranches, formdata=None,
                               data={"paid_on": local_today(),
                                     "tranche": next((str(s.tranche.id) for s in states if s.payable), "")})
    if recovery_form is None:
        recovery_form = RecoveryForm(formdata=None, data={"recovered_on": local_today()})
    return render_template("funding/payments.html", contract=contract, award=contract.award,
                           app=contract.award.application, call=contract.award.proposal.call, states=states,
                           totals=queries.totals(contract), events=queries.money_events(contract),
                           pay_form=pay_form, recovery_form=recovery_form, message=message,
                           can_act=is_officer(current_user)), status


@bp.route("/manage/contracts/<int:contract_id>/payments", methods=["GET", "POST"])
@login_required
def contract_payments(contract_id):
    contract = get_or_404(Contract, contract_id)
    if request.method == "GET":
        require(perm.can_view_payments(current_user, contract))
        return _payments_page(contract)
    require(perm.can_record_payment(current_user, contract))
    form = PaymentForm(tranches=contract.tranches)
    if not form.validate():
        return _payments_page(contract, pay_form=form, status=400)
    tranche = db.session.get(Tranche, int(form.tranche.data))
    try:
        ops.record_payment(contract, tranche, current_user, form.paid_on.data, form.amount.amount,
                                form.voucher_number.data)
        db.session.commit()
    except FundingRefused as e:
        db.session.rollback()
        return _payments_page(contract, pay_form=form, status=e.status, message=refusal(form, e))
    flash(f"已登记第{tranche.position}期拨付 {form.amount.amount:,.2f} 元。", "success")
    return redirect(url_for("funding.contract_payments", contract_id=contract_id), 303)


@bp.route("/manage/contracts/<int:contract_id>/recoveries", methods=["POST"])
@login_required
def record_recovery(contract_id):
    contract = get_or_404(Contract, contract_id)
    require(perm.can_record_recovery(current_user, contract))
    form = RecoveryForm()
    if not form.validate():
        return _payments_page(contract, recovery_form=form, status=400)
    try:
        ops.record_recovery(contract, current_user, form.recovered_on.data, form.amount.amount,
                                 form.voucher_number.data, form.reason.data)
        db.session.commit()
    except FundingRefused as e:
        db.session.rollback()
        return _payments_page(contract, recovery_form=form, status=e.status, message=refusal(form, e))
    flash(f"已登记追回资金 {form.amount.amount:,.2f} 元。", "success")
    return redirect(url_for("funding.contract_payments", contract_id=contract_id), 303)


# --- the organization's view of its contract's money ---------------------------------------------------

@bp.route("/contracts/<int:contract_id>/funding")
@login_required
def contract_funding(contract_id):
    contract = get_or_404(Contract, contract_id)
    require(perm.can_view_contract_funding(current_user, contract))
    award = contract.award
    return render_template("funding/org_funding.html", contract=contract, award=award,
                           app=award.application, call=award.proposal.call, states=tranche_states(contract),
                           totals=queries.totals(contract), events=queries.money_events(contract),
                           leverage=matched.project_leverage(award))


# --- matched funds ---------------------------------------------------------------------------------------

@bp.route("/awards/<int:award_id>/matched-funds")
@login_required
def matched_funds(award_id):
    award = _selected_award(award_id)
    require(perm.can_view_matched_funds(current_user, award))
    funds = db.session.scalars(sa.select(MatchedFund).where(MatchedFund.award_id == award.id)
                               .order_by(MatchedFund.id)).all()
    can_record = perm.can_record_matched_fund(current_user, award) and (
        is_officer(current_user) or matched.may_member_change(award))
    return render_template("funding/matched_funds.html", award=award, app=award.application,
                           call=award.proposal.call, funds=funds, leverage=matched.project_leverage(award),
                           contract=contract_of(award), can_record=can_record, public_name=matched.public_name)


def _matched_form_page(award, form, fund=None, status=200, message=None):
    return render_template("funding/matched_form.html", award=award, app=award.application,
                           call=award.proposal.call, form=form, fund=fund, message=message), status


def _save_matched(award, fund):
    require(perm.can_record_matched_fund(current_user, award))
    if request.method == "GET":
        form = MatchedFundForm(obj=fund) if fund is not None else MatchedFundForm()
        if fund is not None:
            form.source_kind.data = fund.source_kind.value
        return _matched_form_page(award, form, fund)
    form = MatchedFundForm()
    if not form.validate():
        return _matched_form_page(award, form, fund, 400)
    try:
        ops.save_matched_fund(award, current_user, form.data_dict(), fund, as_officer=is_officer(current_user))
        db.session.commit()
    except FundingRefused as e:
        db.session.rollback()
        award = get_or_404(Award, award.id)
        fund = db.session.get(MatchedFund, fund.id) if fund is not None else None
        return _matched_form_page(award, form, fund, e.status, refusal(form, e))
    flash("配套资金记录已保存。", "success")
    return redirect(url_for("funding.matched_funds", award_id=award.id), 303)


@bp.route("/awards/<int:award_id>/matched-funds/new", methods=["GET", "POST"])
@login_required
def add_matched_fund(award_id):
    return _save_matched(_selected_award(award_id), None)


@bp.route("/matched-funds/<int:fund_id>/edit", methods=["GET", "POST"])
@login_required
def edit_matched_fund(fund_id):
    fund = get_or_404(MatchedFund, fund_id)
    return _save_matched(_selected_award(fund.award_id), fund)


# --- the call: funding summary and settings --------------------------------------------------------------

@bp.route("/manage/calls/<int:call_id>/funding")
@login_required
def call_funding(call_id):
    call = get_or_404(Call, call_id)
    require(perm.can_view_call_funding(current_user, call))
    total = matched.call_summary_count(call)
    pager = Pager(total, page_number(MAX_PAGE), PER_PAGE)
    rows = matched.call_summary_rows(call, pager.start, PER_PAGE)
    return render_template("funding/call_funding.html", call=call, rows=rows, pager=pager,
                           totals=matched.call_summary_totals(call), start=pager.start)


def _plan_or_none(call):
    try:
        return parse_plan(call.tranche_plan)
    except PlanError:
        return None


def _place_settings_errors(form, messages):
    """PlanError messages start with 第N期 (the N-th used row): put them next to that row; the rest above
    the plan. Returns the plan-level messages."""
    rows = form.used_rows()
    general = []
    for field_name, texts in messages.items():
        if field_name != "plan":
            form[field_name].errors = [*form[field_name].errors, *texts]
            continue
        for text in texts:
            n = next((i for i in range(1, len(rows) + 1) if text.startswith(f"第{i}期")), None)
            if n is None:
                general.append(text)
            else:
                row_field = rows[n - 1][1] if "条件" in text else rows[n - 1][0]
                row_field.errors = [*row_field.errors, text]
    return general


@bp.route("/manage/calls/<int:call_id>/funding-settings", methods=["GET", "POST"])
@login_required
def settings(call_id):
    call = get_or_404(Call, call_id)
    if request.method == "POST":
        require(perm.can_edit_funding_settings(current_user, call))
    else:
        require(perm.can_view_funding_settings(current_user, call))
    locked = call_has_contracts(call)
    plan = _plan_or_none(call)
    plan_errors, status = [], 200
    if request.method == "GET":
        form = FundingSettingsForm(data=settings_data(call, plan or []))
    else:
        form = FundingSettingsForm()
        valid = form.validate()
        if valid:
            try:
                ops.update_funding_settings(call, current_user, form.plan(), form.contract_months.number,
                                        form.report_every_months.number)
                db.session.commit()
            except SettingsRefused as e:
                db.session.rollback()
                plan_errors, status = _place_settings_errors(form, e.messages), e.status
            else:
                flash("拨付与合同设置已保存。", "success")
                return redirect(url_for("funding.settings", call_id=call_id), 303)
        else:
            status = 400
        call = get_or_404(Call, call_id)
    return render_template("funding/settings.html", call=call, form=form, plan=plan,
                           plan_words=describe(plan) if plan else None, plan_errors=plan_errors, locked=locked,
                           can_act=is_officer(current_user)), status
