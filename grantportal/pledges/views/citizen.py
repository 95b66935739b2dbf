"""The citizen's pledge pages: pledging from a project's public page (a signed-in citizen; an anonymous visitor is
sent to 公众登录 and comes back), the pledger's own list and pages, and withdrawing a pledge not yet confirmed."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from grantportal.citizens.web import citizen_sign_in
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import utcnow
from grantportal.core.extensions import limiter
from grantportal.core.forms import ButtonForm
from grantportal.core.money import format_wan
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.funding.permissions import can_view_public_project
from grantportal.funding.queries import project_contract
from grantportal.pledges import operations as ops
from grantportal.pledges.blueprint import bp
from grantportal.pledges.forms import PledgeForm
from grantportal.pledges.models import ANONYMOUS_NAME
from grantportal.pledges.permissions import can_list_own_pledges, can_make_pledge, can_view_own_pledge
from grantportal.pledges.queries import own_page, pledge_for_page, status_words

MAX_PAGE = 1000


def _public_project(contract_id):
    """The project whose public page exists (contract in force, call public), with what the form page shows;
    otherwise 404."""
    contract = project_contract(contract_id)
    if contract is None or not can_view_public_project(current_user, contract):
        abort(404)
    return contract


def _pledge(pledge_id):
    pledge = pledge_for_page(pledge_id)
    if pledge is None:
        abort(404)
    return pledge


def _form_page(contract, form, status=200, message=None, problem=None):
    low, high = ops.limits()
    return render_template("pledges/new.html", contract=contract, app=contract.award.application,
                           call=contract.award.proposal.call, form=form, message=message, problem=problem,
                           low=ops.yuan_words(low), high=format_wan(high), anonymous_name=ANONYMOUS_NAME), status


@bp.route("/projects/<int:contract_id>/pledges/new", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PLEDGE"], methods=["POST"])
@citizen_sign_in
def new(contract_id):
    """我要认捐: the amount, for oneself or a company, and the name to be shown (or 爱心人士)."""
    contract = _public_project(contract_id)
    require(can_make_pledge(current_user, contract))
    problem = ops.pledging_problem(contract)
    if request.method == "GET":
        return _form_page(contract, PledgeForm(), 409 if problem else 200, problem=problem)
    form = PledgeForm()
    if not form.validate_on_submit():
        return _form_page(contract, form, 400)
    links = {"org_link": url_for("pledges.org_list")}
    with commit_or_refusal(form) as attempt:
        pledge, created = ops.make_pledge(contract, current_user, form.to_data(), utcnow(), **links)
    if not attempt.ok:
        return _form_page(_public_project(contract_id), form, attempt.status, message=attempt.message)
    if created:
        flash(f"认捐已登记（认捐编号 {pledge.reference}）。请按承接机构提供的方式交付款项，并注明认捐编号；"
              "机构确认到账、项目官员核实后，认捐将在项目页面公布并计入配套资金。", "success")
    else:
        flash("您对该项目已有一笔相同金额的认捐等待机构确认到账，无需重复提交。", "info")
    return redirect(url_for("pledges.detail", pledge_id=pledge.id), 303)


@bp.route("/pledges/mine")
@citizen_sign_in
def mine():
    """我的认捐: every pledge the citizen made, newest first (我的参与 shows the latest few)."""
    require(can_list_own_pledges(current_user))
    pager = own_page(current_user.id, page_number(MAX_PAGE), current_app.config["PAGE_SIZE"])
    return render_template("pledges/mine.html", page=pager, statuses={p.id: status_words(p) for p in pager.items})


def _detail_page(pledge, status=200):
    return render_template("pledges/detail.html", pledge=pledge, app=pledge.contract.award.application,
                           status=status_words(pledge), may_withdraw=ops.PLEDGE.allows(pledge, "withdraw"),
                           form=ButtonForm()), status


@bp.route("/pledges/<int:pledge_id>")
@citizen_sign_in
def detail(pledge_id):
    """The pledger's page: what they pledged, how it is to be shown, where it stands."""
    pledge = _pledge(pledge_id)
    require(can_view_own_pledge(current_user, pledge))
    return _detail_page(pledge)


@bp.route("/pledges/<int:pledge_id>/withdraw", methods=["POST"])
@citizen_sign_in
def withdraw(pledge_id):
    pledge = _pledge(pledge_id)
    require(can_view_own_pledge(current_user, pledge))
    form = ButtonForm()
    if not form.validate():
        abort(400)
    with commit_or_abort():
        ops.withdraw(pledge, current_user, utcnow(), org_link=url_for("pledges.receipt", pledge_id=pledge.id))
    flash("认捐已撤回，已通知承接机构。", "success")
    return redirect(url_for("pledges.detail", pledge_id=pledge_id), 303)
