"""Pages of the 整改 loop: the officer opens a case on a project (and so issues its 整改通知书); the case page,
made for a phone, where the organization files its 整改报告 with evidence and the officer (or a third party
appointed to the project) verifies it; the evidence downloads. Opened from a confirmed 实地检查
(``?visit=<id>``), the findings are prefilled with the visit's.

Writes go through ``monitoring.rectification``; each request commits once and, when an operation refuses,
rolls back and shows why next to the field, keeping what was typed."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.awards.models import Award
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.files import UploadError, check_upload, send_stored
from grantportal.core.inputs import as_id
from grantportal.core.notices import notices_committed
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import is_officer, require
from grantportal.funding.models import Contract
from grantportal.funding.queries import project_contract
from grantportal.inspection.queries import confirmed_visit
from grantportal.monitoring import rectification as ops
from grantportal.monitoring.permissions import (
    can_file_rectification_report,
    can_open_rectification,
    can_verify_rectification,
    can_view_rectification,
)
from grantportal.monitoring.rectification_forms import CaseReportForm, OpenCaseForm, VerifyForm
from grantportal.monitoring.rectification_models import (
    CaseStatus,
    RectificationCase,
    RectificationEvidence,
    RectificationReport,
    Verdict,
)

bp = Blueprint("rectification", __name__)


def _contract(contract_id):
    contract = project_contract(contract_id)
    if contract is None:
        abort(404)
    return contract


def _case(case_id):
    """The case with what its page shows (project, organization, reports with their evidence), or 404."""
    return get_or_404(
        RectificationCase, case_id,
        joinedload(RectificationCase.contract).joinedload(Contract.award).joinedload(Award.application)
        .joinedload(Application.org),
        joinedload(RectificationCase.document),
        joinedload(RectificationCase.reports).joinedload(RectificationReport.evidence)
        .joinedload(RectificationEvidence.file))


def case_link(case):
    return url_for("rectification.case", case_id=case.id)


# --- the officer opens a case -------------------------------------------------------------------------

def _open_page(contract, form, message=None, status=200):
    return render_template("monitoring/rectification_open.html", contract=contract,
                           app=contract.award.application, form=form, message=message,
                           default_deadline=ops.default_deadline(contract.award.proposal.call, utcnow()),
                           open_cases=ops.open_cases(contract)), status


@bp.route("/manage/projects/<int:contract_id>/rectifications/new", methods=["GET", "POST"])
@login_required
def open_case(contract_id):
    contract = _contract(contract_id)
    require(can_open_rectification(current_user, contract))
    if request.method == "GET":
        visit = confirmed_visit(contract, as_id(request.args.get("visit")))
        return _open_page(contract, OpenCaseForm(data={"findings": visit.findings} if visit else None))
    form = OpenCaseForm()
    if not form.validate():
        return _open_page(contract, form, status=400)
    with commit_or_refusal(form) as attempt:
        case = ops.open_case(contract, current_user, form.findings.data, form.deadline.utc, utcnow(),
                             link_for=case_link)
    if not attempt.ok:
        return _open_page(_contract(contract_id), form, attempt.message, attempt.status)
    flash(f"已责令整改，整改通知书 {case.document.number} 正在生成；后续资金已暂停拨付。", "success")
    return redirect(case_link(case), 303)


# --- the case ------------------------------------------------------------------------------------------

def _case_page(case, report_form=None, verify_form=None, message=None, status=200):
    may_file = can_file_rectification_report(current_user, case)
    may_verify = can_verify_rectification(current_user, case)
    if report_form is None and may_file and case.status == CaseStatus.OPEN:
        report_form = CaseReportForm()
    if verify_form is None and may_verify and case.status == CaseStatus.REPORTED:
        verify_form = VerifyForm()
    return render_template("monitoring/rectification.html", case=case, contract=case.contract,
                           app=case.contract.award.application, report_form=report_form, verify_form=verify_form,
                           may_file=may_file, message=message, CaseStatus=CaseStatus, Verdict=Verdict,
                           max_evidence=ops.MAX_EVIDENCE, now=utcnow(),
                           overdue_rule=ops.overdue_rule(case) if case.overdue_at and case.status == CaseStatus.OPEN
                           else None,
                           terminate_link=url_for("contracts.manage", award_id=case.contract.award_id,
                                                  _anchor="terminate") if is_officer(current_user) else None), status


@bp.route("/rectifications/<int:case_id>")
@login_required
def case(case_id):
    case = _case(case_id)
    require(can_view_rectification(current_user, case))
    return _case_page(case)


def _checked_evidence(form):
    items = []
    for upload in [u for u in request.files.getlist("evidence") if u and u.filename]:
        try:
            _, ext, _ = check_upload(upload, ops.EVIDENCE_EXTENSIONS)
        except UploadError as e:
            form.evidence.errors = [*form.evidence.errors, f"{upload.filename}：{e}"]
            return None
        upload.stream.seek(0)
        items.append(ops.Evidence(upload, ext))
    return items


@bp.route("/rectifications/<int:case_id>/report", methods=["POST"])
@login_required
def report(case_id):
    case = _case(case_id)
    require(can_file_rectification_report(current_user, case))
    form = CaseReportForm()
    if not form.validate():
        return _case_page(case, report_form=form, status=400)
    evidence = _checked_evidence(form)
    if evidence is None:
        return _case_page(case, report_form=form, status=400)
    try:
        with commit_or_refusal(form) as attempt:
            ops.file_report(case, current_user, form.body.data, utcnow(), evidence, link_for=case_link)
    except UploadError as e:
        db.session.rollback()  # the bytes stored in this request go with it (core.files)
        form.evidence.errors = [*form.evidence.errors, str(e)]
        return _case_page(_case(case_id), report_form=form, status=400)
    if not attempt.ok:
        return _case_page(_case(case_id), report_form=form, message=attempt.message, status=attempt.status)
    flash("整改报告已提交，等待核查。", "success")
    return redirect(case_link(case), 303)


@bp.route("/rectifications/<int:case_id>/verify", methods=["POST"])
@login_required
def verify(case_id):
    case = _case(case_id)
    require(can_verify_rectification(current_user, case))
    form = VerifyForm()
    if not form.validate():
        return _case_page(case, verify_form=form, status=400)
    verdict = Verdict(form.verdict.data)
    with commit_or_refusal(form) as attempt:
        ops.verify(case, current_user, verdict, utcnow(), form.note.data, form.new_deadline.utc, link_for=case_link)
    if not attempt.ok:
        return _case_page(_case(case_id), verify_form=form, message=attempt.message, status=attempt.status)
    told = "已通知机构。" if notices_committed() else "该机构没有可接收通知的账户，请另行告知。"
    flash(("整改已完成，暂停的资金恢复拨付。" if verdict == Verdict.DONE else "已要求继续整改。") + told, "success")
    return redirect(case_link(case), 303)


@bp.route("/rectifications/<int:case_id>/evidence/<int:evidence_id>")
@login_required
def evidence(case_id, evidence_id):
    case = _case(case_id)
    require(can_view_rectification(current_user, case))
    item = db.session.get(RectificationEvidence, evidence_id)
    if item is None or item.report.case_id != case.id:
        abort(404)
    return send_stored(item.file)
