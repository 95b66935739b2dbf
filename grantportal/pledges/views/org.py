"""The organization's pledge pages (公众认捐): the pledges to its projects, each pledge's page where a member
confirms receipt (the date, the amount received and the evidence) — or confirms again after a return, with the
officer's reason shown — and the evidence itself (the organization and staff). The organization sees the amount,
the reference, how the pledger chose to be shown and a company's name and code; never the pledger's account."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import utcnow
from grantportal.core.files import send_stored
from grantportal.core.notices import notices_committed
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.pledges import operations as ops
from grantportal.pledges.blueprint import bp
from grantportal.pledges.forms import ReceiptForm
from grantportal.pledges.permissions import (
    can_confirm_pledge_receipt,
    can_list_org_pledges,
    can_view_pledge_evidence,
)
from grantportal.pledges.queries import org_page, pledge_for_page

MAX_PAGE = 1000


def _pledge(pledge_id):
    pledge = pledge_for_page(pledge_id)
    if pledge is None:
        abort(404)
    return pledge


@bp.route("/my/pledges")
@login_required
def org_list():
    require(can_list_org_pledges(current_user))
    org = current_user.org
    if org is None:
        flash("请先登记您的社会组织。", "info")
        return redirect(url_for("orgs.register"))
    pager = org_page(org.id, page_number(MAX_PAGE), current_app.config["PAGE_SIZE"])
    return render_template("pledges/org_list.html", org=org, page=pager)


def _receipt_page(pledge, form=None, status=200, message=None):
    open_to_confirm = ops.PLEDGE.allows(pledge, "confirm_receipt")
    if form is None and open_to_confirm:
        form = ReceiptForm(formdata=None, data={"amount": pledge.received_amount or pledge.amount,
                                                "received_on": pledge.received_on})
    return render_template("pledges/receipt.html", pledge=pledge, app=pledge.contract.award.application,
                           form=form, open_to_confirm=open_to_confirm, message=message,
                           extensions="、".join(e.upper() for e in ops.EVIDENCE_EXTENSIONS if e != "jpeg")), status


@bp.route("/my/pledges/<int:pledge_id>", methods=["GET", "POST"])
@login_required
def receipt(pledge_id):
    """A pledge to the organization's project, and its confirmation of receipt."""
    pledge = _pledge(pledge_id)
    require(can_confirm_pledge_receipt(current_user, pledge))
    if request.method == "GET":
        return _receipt_page(pledge)
    form = ReceiptForm()
    if not form.validate():
        return _receipt_page(pledge, form, 400)
    with commit_or_refusal(form) as attempt:
        ops.confirm_receipt(pledge, current_user, form.to_data(), request.files.get("evidence"), utcnow(),
                            link=url_for("pledges.manage", pledge_id=pledge.id),
                            pledger_link=url_for("pledges.detail", pledge_id=pledge.id))
    if not attempt.ok:
        return _receipt_page(_pledge(pledge_id), form, attempt.status, attempt.message)
    flash("已确认到账，待项目官员核实。" + ("已通知项目官员和认捐人。" if notices_committed() else ""), "success")
    return redirect(url_for("pledges.receipt", pledge_id=pledge.id), 303)


@bp.route("/pledges/<int:pledge_id>/evidence")
@login_required
def evidence(pledge_id):
    pledge = _pledge(pledge_id)
    require(can_view_pledge_evidence(current_user, pledge))
    if pledge.evidence_file is None:
        abort(404)
    return send_stored(pledge.evidence_file)
