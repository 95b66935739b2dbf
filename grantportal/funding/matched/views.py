"""The matched funds of a selected project (配套资金 / 社会捐助): the list with the project's leverage ratio,
and the form to add or correct a record (the organization's members and officers).

Writes go through ``funding.matched.operations``; each request commits once and, when the operation
refuses, rolls back and shows why next to the field, keeping what was typed."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, FinalStatus
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.funding.matched import operations as ops
from grantportal.funding.matched.forms import MatchedFundForm
from grantportal.funding.matched.permissions import (
    can_record_matched_fund,
    can_record_matched_fund_after_closure,
    can_view_matched_funds,
    can_view_matched_funds_as_staff,
)
from grantportal.funding.matched.queries import may_member_change, project_leverage, public_name
from grantportal.funding.models import FundSourceKind, MatchedFund
from grantportal.funding.queries import contract_of

bp = Blueprint("matched", __name__)


def _selected_award(award_id):
    """A project with a final 入选 result; any other award has no money to track (404)."""
    award = get_or_404(Award, award_id, joinedload(Award.application).joinedload(Application.org))
    if award.final_status != FinalStatus.SELECTED:
        abort(404)
    return award


@bp.route("/awards/<int:award_id>/matched-funds")
@login_required
def index(award_id):
    award = _selected_award(award_id)
    require(can_view_matched_funds(current_user, award))
    funds = db.session.scalars(sa.select(MatchedFund).where(MatchedFund.award_id == award.id)
                               .order_by(MatchedFund.id)).all()
    can_record = can_record_matched_fund(current_user, award) and (
        can_record_matched_fund_after_closure(current_user, award) or may_member_change(award))
    return render_template("funding/matched_funds.html", award=award, app=award.application,
                           call=award.proposal.call, funds=funds, leverage=project_leverage(award),
                           contract=contract_of(award), can_record=can_record, public_name=public_name,
                           nav_staff=can_view_matched_funds_as_staff(current_user, award))


def _matched_form_page(award, form, fund=None, status=200, message=None):
    return render_template("funding/matched_form.html", award=award, app=award.application,
                           call=award.proposal.call, form=form, fund=fund, message=message), status


def _save_matched(award, fund):
    require(can_record_matched_fund(current_user, award))
    if request.method == "GET":
        form = MatchedFundForm(obj=fund) if fund is not None else MatchedFundForm()
        if fund is not None:
            form.source_kind.data = fund.source_kind.value
        return _matched_form_page(award, form, fund)
    form = MatchedFundForm()
    if not form.validate():
        return _matched_form_page(award, form, fund, 400)
    with commit_or_refusal(form) as attempt:
        ops.save_matched_fund(award, current_user, form.data_dict(), fund,
                              as_officer=bool(can_record_matched_fund_after_closure(current_user, award)))
    if not attempt.ok:
        award = get_or_404(Award, award.id)
        fund = db.session.get(MatchedFund, fund.id) if fund is not None else None
        return _matched_form_page(award, form, fund, attempt.status, attempt.message)
    flash("配套资金记录已保存。", "success")
    return redirect(url_for("matched.index", award_id=award.id), 303)


@bp.route("/awards/<int:award_id>/matched-funds/new", methods=["GET", "POST"])
@login_required
def new(award_id):
    return _save_matched(_selected_award(award_id), None)


@bp.route("/matched-funds/<int:fund_id>/edit", methods=["GET", "POST"])
@login_required
def edit(fund_id):
    fund = get_or_404(MatchedFund, fund_id)
    award = _selected_award(fund.award_id)
    if fund.source_kind == FundSourceKind.PLEDGE:  # the pledge's own record (pledges): not edited here
        require(can_record_matched_fund(current_user, award))
        abort(409, ops.PLEDGE_LOCKED)
    return _save_matched(award, fund)
