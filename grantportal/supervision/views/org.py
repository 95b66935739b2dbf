"""The organization's 随手拍 pages: the reports an officer asked it to answer (随手拍答复), and its written answer.
The organization sees what was reported (personal numbers in the text masked), the place and the photos, and the
officer's question — never who filed the report."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import utcnow
from grantportal.core.masking import mask_text
from grantportal.core.notices import notices_committed
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.supervision import operations as ops
from grantportal.supervision.blueprint import bp
from grantportal.supervision.forms import AnswerForm
from grantportal.supervision.permissions import can_answer_supervision_report, can_list_org_supervision_reports
from grantportal.supervision.queries import org_page, report_for_page

MAX_PAGE = 1000


@bp.route("/my/supervision")
@login_required
def org_list():
    require(can_list_org_supervision_reports(current_user))
    org = current_user.org
    if org is None:
        flash("请先登记您的社会组织。", "info")
        return redirect(url_for("orgs.register"))
    pager = org_page(org.id, page_number(MAX_PAGE), current_app.config["PAGE_SIZE"])
    return render_template("supervision/org_list.html", org=org, page=pager)


def _answer_page(report, form=None, status=200, message=None):
    open_to_answer = ops.REPORT.allows(report, "answer")
    if form is None and open_to_answer:
        form = AnswerForm(formdata=None)
    return render_template("supervision/org_answer.html", report=report, app=report.contract.award.application,
                           text=mask_text(report.text), place=mask_text(report.place or ""), form=form,
                           open_to_answer=open_to_answer, message=message), status


@bp.route("/my/supervision/<int:report_id>", methods=["GET", "POST"])
@login_required
def answer(report_id):
    report = report_for_page(report_id)
    if report is None:
        abort(404)
    require(can_answer_supervision_report(current_user, report))
    if request.method == "GET":
        return _answer_page(report)
    form = AnswerForm()
    if not form.validate():
        return _answer_page(report, form, 400)
    with commit_or_refusal(form) as attempt:
        ops.answer(report, current_user, form.answer.data, utcnow(),
                   link=url_for("supervision.manage", report_id=report.id))
    if not attempt.ok:
        return _answer_page(report_for_page(report_id), form, attempt.status, attempt.message)
    flash("答复已提交，项目官员将结合答复核查。" + ("已通知项目官员。" if notices_committed() else ""), "success")
    return redirect(url_for("supervision.answer", report_id=report.id), 303)
