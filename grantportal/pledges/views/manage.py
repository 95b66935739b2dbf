"""Officers' pledge pages: the queue (已认捐 / 待核实 / 已核实 / 已退回 / 已撤回, newest first, a page at a time) and
each pledge's page with the organization's confirmation and its evidence, where an officer verifies it (核实: it
then counts as a matched fund and is listed on the project's page) or returns it with a reason. Auditors read both
pages. Each step commits once; a refused step shows its reason on the pledge's page, what was typed kept."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import utcnow
from grantportal.core.forms import ButtonForm
from grantportal.core.notices import notices_committed
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.pledges import operations as ops
from grantportal.pledges.blueprint import bp
from grantportal.pledges.forms import ReturnForm
from grantportal.pledges.models import PledgeStatus
from grantportal.pledges.permissions import can_handle_pledge, can_list_pledges
from grantportal.pledges.queries import pledge_for_page, queue_page

MAX_PAGE = 10_000


def _pledge(pledge_id):
    pledge = pledge_for_page(pledge_id)
    if pledge is None:
        abort(404)
    return pledge


@bp.route("/manage/pledges")
@login_required
def queue():
    require(can_list_pledges(current_user))
    chosen = request.args.get("status", "")
    status = next((s for s in PledgeStatus if s.value == chosen), None)
    counts, pager = queue_page(status, page_number(MAX_PAGE), current_app.config["PAGE_SIZE"])
    return render_template("pledges/queue.html", page=pager, counts=counts, status=status,
                           statuses=list(PledgeStatus), total=sum(counts.values()))


def _manage_page(pledge, status=200, message=None, return_form=None):
    may_handle = can_handle_pledge(current_user, pledge)
    steps = {name: bool(may_handle) and ops.PLEDGE.allows(pledge, name) for name in ("verify", "return")}
    return render_template("pledges/manage.html", pledge=pledge, app=pledge.contract.award.application,
                           steps=steps, message=message, verify_form=ButtonForm(formdata=None),
                           return_form=return_form or ReturnForm(formdata=None)), status


@bp.route("/manage/pledges/<int:pledge_id>")
@login_required
def manage(pledge_id):
    pledge = _pledge(pledge_id)
    require(can_list_pledges(current_user))
    return _manage_page(pledge)


def _links(pledge):
    return {"pledger": url_for("pledges.detail", pledge_id=pledge.id),
            "org": url_for("pledges.receipt", pledge_id=pledge.id)}


@bp.route("/manage/pledges/<int:pledge_id>/verify", methods=["POST"])
@login_required
def verify(pledge_id):
    pledge = _pledge(pledge_id)
    require(can_handle_pledge(current_user, pledge))
    form = ButtonForm()
    if not form.validate():
        return _manage_page(pledge, 400, "页面已过期，请刷新后重新操作。")
    links = _links(pledge)
    with commit_or_refusal(form) as attempt:
        ops.verify(pledge, current_user, utcnow(), link=links["pledger"], org_link=links["org"])
    if not attempt.ok:
        return _manage_page(_pledge(pledge_id), attempt.status, attempt.message)
    flash("已核实，到账金额已计入该项目的配套资金，并在项目页面公布。"
          + ("已通知认捐人和承接机构。" if notices_committed() else ""), "success")
    return redirect(url_for("pledges.manage", pledge_id=pledge_id), 303)


@bp.route("/manage/pledges/<int:pledge_id>/return", methods=["POST"])
@login_required
def send_back(pledge_id):
    pledge = _pledge(pledge_id)
    require(can_handle_pledge(current_user, pledge))
    form = ReturnForm()
    if not form.validate():
        return _manage_page(pledge, 400, return_form=form)
    with commit_or_refusal(form) as attempt:
        ops.return_receipt(pledge, current_user, form.reason.data, utcnow(), org_link=_links(pledge)["org"])
    if not attempt.ok:
        return _manage_page(_pledge(pledge_id), attempt.status, attempt.message, return_form=form)
    flash("已退回承接机构，未计入配套资金。" + ("已通知承接机构。" if notices_committed() else ""), "success")
    return redirect(url_for("pledges.manage", pledge_id=pledge_id), 303)
