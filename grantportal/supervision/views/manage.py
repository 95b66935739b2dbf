"""Officers' 随手拍 pages: the moderation queue (待分派 / 处理中 / 已答复 / 已关闭, newest first, a page at a time) and
each report's page with its steps — assign (to oneself or another officer), ask the project's organization to
answer, record the finding with a public summary, or close as abusive or duplicate with a reason. Auditors read
both pages. Each step commits once; a refused step shows its reason on the report's page, what was typed kept."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.accounts.models import User
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.inputs import as_id
from grantportal.core.masking import mask_text
from grantportal.core.notices import notices_committed
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.supervision import operations as ops
from grantportal.supervision.blueprint import bp
from grantportal.supervision.forms import AskForm, AssignForm, CloseForm, FindingForm
from grantportal.supervision.models import SupervisionStatus
from grantportal.supervision.permissions import can_handle_supervision_report, can_list_supervision_reports
from grantportal.supervision.queries import active_officers, queue_page, report_for_page

MAX_PAGE = 10_000
STEPS = ("assign", "ask_org", "conclude", "close")


def _report(report_id):
    report = report_for_page(report_id)
    if report is None:
        abort(404)
    return report


def _links(report):
    return {"manage": url_for("supervision.manage", report_id=report.id),
            "reporter": url_for("supervision.detail", report_id=report.id),
            "org": url_for("supervision.answer", report_id=report.id)}


@bp.route("/manage/supervision")
@login_required
def queue():
    require(can_list_supervision_reports(current_user))
    chosen = request.args.get("status", "")
    status = next((s for s in SupervisionStatus if s.value == chosen), None)
    counts, pager = queue_page(status, page_number(MAX_PAGE), current_app.config["PAGE_SIZE"])
    return render_template("supervision/queue.html", page=pager, counts=counts, status=status,
                           statuses=list(SupervisionStatus), total=sum(counts.values()))


def _manage_page(report, status=200, message=None, **forms):
    """The report's page: its facts, the organization's answer, and the forms of the steps this officer may take
    now (``forms`` keeps a refused step's form with what was typed)."""
    may_handle = can_handle_supervision_report(current_user, report)
    steps = {name: bool(may_handle) and ops.REPORT.allows(report, name) for name in STEPS}
    if steps["assign"] and "assign_form" not in forms:
        chosen = report.assigned_to_id if report.assigned_to_id else current_user.id
        forms["assign_form"] = AssignForm(formdata=None, data={"assignee": str(chosen)})
    if "assign_form" in forms:
        forms["assign_form"].offer(active_officers())
    forms.setdefault("ask_form", AskForm(formdata=None))
    forms.setdefault("finding_form", FindingForm(formdata=None))
    forms.setdefault("close_form", CloseForm(formdata=None))
    return render_template("supervision/manage.html", report=report, app=report.contract.award.application,
                           steps=steps, may_handle=may_handle,
                           message=message, summary=mask_text(report.public_summary or ""), **forms), status


@bp.route("/manage/supervision/<int:report_id>")
@login_required
def manage(report_id):
    report = _report(report_id)
    require(can_list_supervision_reports(current_user))
    return _manage_page(report)


def _done(report, text):
    flash(text, "success")
    return redirect(url_for("supervision.manage", report_id=report.id), 303)


@bp.route("/manage/supervision/<int:report_id>/assign", methods=["POST"])
@login_required
def assign(report_id):
    report = _report(report_id)
    require(can_handle_supervision_report(current_user, report))
    form = AssignForm().offer(active_officers())
    if not form.validate():
        return _manage_page(report, 400, assign_form=form)
    assignee = db.session.get(User, as_id(form.assignee.data))
    links = _links(report)
    with commit_or_refusal(form) as attempt:
        ops.assign(report, current_user, assignee, utcnow(), link=links["manage"], reporter_link=links["reporter"])
    if not attempt.ok:
        return _manage_page(_report(report_id), attempt.status, attempt.message, assign_form=form)
    return _done(report, f"已分派给{assignee.name}。")


@bp.route("/manage/supervision/<int:report_id>/ask", methods=["POST"])
@login_required
def ask_org(report_id):
    report = _report(report_id)
    require(can_handle_supervision_report(current_user, report))
    form = AskForm()
    if not form.validate():
        return _manage_page(report, 400, ask_form=form)
    with commit_or_refusal(form) as attempt:
        told = ops.ask_organization(report, current_user, form.question.data, utcnow(), link=_links(report)["org"])
    if not attempt.ok:
        return _manage_page(_report(report_id), attempt.status, attempt.message, ask_form=form)
    return _done(report, f"已请承接机构答复，已通知该机构{told}名成员。" if told
                 else "已请承接机构答复。该机构没有可接收通知的账户，请另行告知。")


@bp.route("/manage/supervision/<int:report_id>/finding", methods=["POST"])
@login_required
def conclude(report_id):
    report = _report(report_id)
    require(can_handle_supervision_report(current_user, report))
    form = FindingForm()
    if not form.validate():
        return _manage_page(report, 400, finding_form=form)
    with commit_or_refusal(form) as attempt:
        ops.record_finding(report, current_user, form.chosen, form.public_summary.data, utcnow(),
                           link=_links(report)["reporter"])
    if not attempt.ok:
        return _manage_page(_report(report_id), attempt.status, attempt.message, finding_form=form)
    return _done(report, "核查结论已记录，处理情况摘要已在项目执行公开页面公布。"
                 + ("已通知报告人。" if notices_committed() else ""))


@bp.route("/manage/supervision/<int:report_id>/close", methods=["POST"])
@login_required
def close(report_id):
    report = _report(report_id)
    require(can_handle_supervision_report(current_user, report))
    form = CloseForm()
    if not form.validate():
        return _manage_page(report, 400, close_form=form)
    with commit_or_refusal(form) as attempt:
        ops.close(report, current_user, form.chosen, form.reason.data, utcnow(), link=_links(report)["reporter"])
    if not attempt.ok:
        return _manage_page(_report(report_id), attempt.status, attempt.message, close_form=form)
    return _done(report, "报告已关闭，不会公开。" + ("已通知报告人。" if notices_committed() else ""))
