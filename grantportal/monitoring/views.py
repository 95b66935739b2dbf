"""Implementation monitoring pages: the organization's projects and reports, the officer's monitoring list,
report review, evaluations, closure, and each project's timeline.

Writes go through ``monitoring.operations``; each request commits once and, when an operation refuses,
rolls back and shows why next to the field (keeping what was typed)."""
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.awards.models import Award
from grantportal.core import signals
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.files import UploadError, check_upload, send_stored
from grantportal.core.inputs import as_id
from grantportal.core.notices import notices_committed
from grantportal.core.paging import Pager, get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.funding.models import Contract, ContractStatus
from grantportal.funding.payments.tranches import tranche_states
from grantportal.funding.queries import project_contract
from grantportal.inspection.permissions import can_list_supervised_projects, can_view_supervised_project
from grantportal.inspection.queries import agency_of, confirmed_evaluations, evaluations_of, visits_of
from grantportal.monitoring import operations as ops
from grantportal.monitoring.forms import ActionForm, EvaluationForm, ReportForm, ReviewForm, report_data
from grantportal.monitoring.models import EvaluationGrade, EvaluationStage, Report, ReportPhoto, ReportStatus
from grantportal.monitoring.permissions import (
    can_file_report,
    can_list_own_projects,
    can_list_projects,
    can_manage_project,
    can_remind_overdue,
    can_review_report,
    can_view_project,
    can_view_report,
)
from grantportal.monitoring.queries import report_with_project
from grantportal.monitoring.rectification import cases_of
from grantportal.monitoring.schedule import OPEN, days_overdue, local_date, overdue_clause
from grantportal.monitoring.timeline import project_timeline

bp = Blueprint("monitoring", __name__)

PER_PAGE = 100
MAX_PAGE = 10_000


def _contract(contract_id):
    """The contract with what its project's pages show (``funding.queries.project_contract``), or 404."""
    contract = project_contract(contract_id)
    if contract is None:
        abort(404)
    return contract


def _report(report_id):
    """The report with what its page shows (``monitoring.queries.report_with_project``), or 404."""
    report = report_with_project(report_id)
    if report is None:
        abort(404)
    return report


def _report_link(report):
    return url_for("monitoring.report", report_id=report.id)


def _timeline_link(contract):
    return url_for("monitoring.timeline", contract_id=contract.id)


# --- lists --------------------------------------------------------------------------------------------

def _project_rows(where, today, overdue_only, page):
    """Contracts with their overdue count and next due date (of reports still owed), paginated."""
    stats = (sa.select(Report.contract_id,
                       sa.func.sum(sa.case((overdue_clause(today), 1), else_=0)).label("overdue"),
                       sa.func.min(sa.case((Report.status.in_(OPEN), Report.due_on))).label("next_due"))
             .group_by(Report.contract_id).subquery())
    base = (sa.select(Contract.id).join(Award, Award.id == Contract.award_id)
            .join(Application, Application.id == Award.application_id)
            .outerjoin(stats, stats.c.contract_id == Contract.id).where(*where))
    if overdue_only:
        base = base.where(stats.c.overdue > 0)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    pager = Pager(total, page, PER_PAGE)
    query = (sa.select(Contract, sa.func.coalesce(stats.c.overdue, 0), stats.c.next_due)
             .join(Award, Award.id == Contract.award_id).join(Application, Application.id == Award.application_id)
             .outerjoin(stats, stats.c.contract_id == Contract.id).where(*where)
             .options(joinedload(Contract.award).joinedload(Award.application).joinedload(Application.org))
             .order_by(sa.func.coalesce(stats.c.overdue, 0).desc(), stats.c.next_due.is_(None), stats.c.next_due,
                       Contract.id)
             .offset(pager.start).limit(PER_PAGE))
    if overdue_only:
        query = query.where(stats.c.overdue > 0)
    rows = [SimpleNamespace(contract=c, overdue=int(n or 0), next_due=d) for c, n, d in db.session.execute(query)]
    return rows, pager


@bp.route("/manage/monitoring")
@login_required
def manage():
    require(can_list_projects(current_user))
    overdue_only = request.args.get("overdue") == "1"
    today = local_date(utcnow())
    rows, pager = _project_rows([Contract.status == ContractStatus.ACTIVE], today, overdue_only, page_number(MAX_PAGE))
    return render_template("monitoring/manage.html", rows=rows, page=pager, today=today, overdue_only=overdue_only,
                           can_act=can_remind_overdue(current_user), remind_form=ActionForm())


@bp.route("/manage/monitoring/remind", methods=["POST"])
@login_required
def remind():
    require(can_remind_overdue(current_user))
    with commit_or_abort():
        count = ops.remind_overdue(current_user, utcnow(), link_for=_timeline_link)
    flash(f"已向{count}个项目的机构发送逾期提醒。" if count else "目前没有逾期未交的报告，无需提醒。",
          "success" if count else "info")
    return redirect(url_for("monitoring.manage", overdue="1" if count else None), 303)


@bp.route("/my/projects")
@login_required
def mine():
    require(can_list_own_projects(current_user))
    org = current_user.org
    if org is None:
        flash("请先登记您的社会组织。", "info")
        return redirect(url_for("orgs.register"))
    today = local_date(utcnow())
    rows, pager = _project_rows([Application.org_id == org.id], today, request.args.get("overdue") == "1",
                                page_number(MAX_PAGE))
    return render_template("monitoring/mine.html", org=org, rows=rows, page=pager, today=today)


# --- the project and its timeline ---------------------------------------------------------------------

def _project_page(contract, evaluation_form=None, message=None, status=200):
    today = local_date(utcnow())
    reports = ops.reports_of(contract)
    return render_template(
        "monitoring/project.html", contract=contract, award=contract.award, app=contract.award.application,
        reports=reports, late={r.id: days_overdue(r, today) for r in reports}, events=project_timeline(contract, today),
        evaluations=ops.evaluations_of(contract), today=today, message=message,
        can_act=can_manage_project(current_user, contract), action_form=ActionForm(),
        nav_staff=can_list_projects(current_user),
        closure_problem=ops.closure_problem(contract), ContractStatus=ContractStatus,
        tranches=tranche_states(contract), cases=cases_of(contract), **_third_party(contract)), status


def _third_party(contract):
    """The third party's visits and evaluations of the project, for those who may open them (staff, and the
    appointed agency's staff, who see their own and no organization's pages)."""
    if not can_view_supervised_project(current_user, contract):
        return {"supervision": None, "third_party": False}
    third_party = bool(can_list_supervised_projects(current_user))
    agency = agency_of(current_user)
    agency_id = agency.id if agency is not None else None
    return {"supervision": SimpleNamespace(visits=visits_of(contract, agency_id),
                                           evaluations=evaluations_of(contract, agency_id)),
            "third_party": third_party}


@bp.route("/projects/<int:contract_id>/timeline")
@login_required
def timeline(contract_id):
    contract = _contract(contract_id)
    require(can_view_project(current_user, contract))
    return _project_page(contract)


@bp.route("/manage/projects/<int:contract_id>/schedule", methods=["POST"])
@login_required
def schedule(contract_id):
    contract = _contract(contract_id)
    require(can_manage_project(current_user, contract))
    with commit_or_abort():
        made = ops.schedule_reports(contract, current_user)
    flash(f"已生成{len(made)}份报告计划。" if made else "报告计划已是最新，无需重复生成。", "success")
    return redirect(_timeline_link(contract), 303)


@bp.route("/manage/projects/<int:contract_id>/close", methods=["POST"])
@login_required
def close(contract_id):
    contract = _contract(contract_id)
    require(can_manage_project(current_user, contract))
    with commit_or_refusal() as attempt:
        ops.close_project(contract, current_user, utcnow(), link=_timeline_link(contract))
    if not attempt.ok:
        return _project_page(_contract(contract_id), message=attempt.message, status=attempt.status)
    flash("项目已结项。机构已收到结项通知。", "success")
    return redirect(_timeline_link(contract), 303)


# --- evaluations --------------------------------------------------------------------------------------

# a third party's evaluation (inspection/) and the stage of the officer's evaluation it informs
THIRD_PARTY_STAGE = {"midterm": EvaluationStage.MIDTERM, "final": EvaluationStage.ACCEPTANCE}


def _third_party_data(evaluation):
    """The officer's evaluation form filled from a confirmed third-party evaluation: its stage, its score and its
    findings as the comments; the grade stays the officer's to choose."""
    facts = [f"平均得分{evaluation.score}分" if evaluation.score is not None else "",
             f"服务对象满意率{evaluation.satisfaction}%（调查{evaluation.surveyed}人）"
             if evaluation.satisfaction is not None else ""]
    comments = f"依据第三方机构{evaluation.agency.name}的{evaluation.kind.label}" + \
        ("（" + "，".join(f for f in facts if f) + "）" if any(facts) else "") + f"：{evaluation.conclusion}"
    return {"stage": THIRD_PARTY_STAGE[evaluation.kind.value].value,
            "score": "" if evaluation.score is None else str(evaluation.score), "comments": comments}


def _evaluate_page(contract, form, message=None, status=200):
    problems = {stage: ops.evaluation_problem(contract, stage) for stage in EvaluationStage}
    return render_template("monitoring/evaluate.html", contract=contract, app=contract.award.application, form=form,
                           third_party=confirmed_evaluations(contract),
                           problems=problems, message=message, evaluations=ops.evaluations_of(contract),
                           satisfaction=signals.ask(signals.project_satisfaction, contract.id),
                           can_act=can_manage_project(current_user, contract)), status


@bp.route("/manage/projects/<int:contract_id>/evaluate", methods=["GET", "POST"])
@login_required
def evaluate(contract_id):
    contract = _contract(contract_id)
    require(can_manage_project(current_user, contract) if request.method == "POST"
            else can_list_projects(current_user))
    rounds = ops.acceptance_rounds(contract)
    if request.method == "GET":
        chosen = as_id(request.args.get("third_party"))
        source = next((e for e in confirmed_evaluations(contract) if e.id == chosen), None)
        return _evaluate_page(contract, EvaluationForm(rounds, data=_third_party_data(source) if source else None))
    form = EvaluationForm(rounds)
    if not form.validate():
        return _evaluate_page(contract, form, status=400)
    review_round = next((r for r in rounds if r.id == form.round_id), None)
    with commit_or_refusal(form) as attempt:
        ops.record_evaluation(contract, current_user, EvaluationStage(form.stage.data),
                              EvaluationGrade(form.grade.data), form.score_number, form.comments.data, utcnow(),
                              review_round=review_round, link=_timeline_link(contract))
    if not attempt.ok:
        return _evaluate_page(_contract(contract_id), form, attempt.message, attempt.status)
    flash("评估结果已记录，" + ("已通知机构。" if notices_committed() else "该机构没有可接收通知的账户，请另行告知。"),
          "success")
    return redirect(_timeline_link(contract), 303)


# --- reports ------------------------------------------------------------------------------------------

def _report_page(report, form=None, review_form=None, message=None, status=200):
    lines = ops.budget_lines(report)
    spent = {row.position: row.spent for row in report.spending}
    today = local_date(utcnow())
    own = can_file_report(current_user, report)
    editable = own and ops.REPORT.allows(report, "submit") and report.contract.status == ContractStatus.ACTIVE
    if form is None and editable:
        form = ReportForm(len(lines), data=report_data(report, lines))
    if review_form is None and ops.REPORT.allows(report, "accept") and can_review_report(current_user, report):
        review_form = ReviewForm(data={"version": str(report.version)})
    planned_total = sum((line.amount for line in lines), start=0)
    spent_total = sum((v for v in spent.values() if v is not None), start=0)
    return render_template(
        "monitoring/report.html", report=report, contract=report.contract, app=report.contract.award.application,
        lines=lines, spent=spent, form=form, review_form=review_form, message=message, overdue=days_overdue(
            report, today), planned_total=planned_total, spent_total=spent_total, max_photos=ops.MAX_PHOTOS,
        closed=report.contract.status == ContractStatus.CLOSED), status


def _checked_photos(form):
    uploads = [u for u in request.files.getlist("photos") if u and u.filename]
    for upload in uploads:
        try:
            check_upload(upload, ops.PHOTO_EXTENSIONS)
        except UploadError as e:
            form.photos.errors = [*form.photos.errors, f"{upload.filename}：{e}"]
            return None
        upload.stream.seek(0)
    return uploads


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@login_required
def report(report_id):
    report = _report(report_id)
    if request.method == "GET":
        require(can_view_report(current_user, report))
        return _report_page(report)
    require(can_file_report(current_user, report))
    form = ReportForm(len(ops.budget_lines(report)))
    if not form.validate():
        return _report_page(report, form, status=400)
    uploads = _checked_photos(form)
    if uploads is None:
        return _report_page(report, form, status=400)
    remove = [n for n in map(as_id, request.form.getlist("remove_photo")) if n]
    captions = {as_id(key[len("caption-"):]): value for key, value in request.form.items()
                if key.startswith("caption-") and as_id(key[len("caption-"):])}
    try:
        with commit_or_refusal(form, stale=ops.StaleReport()) as attempt:
            ops.save_report(report, current_user, form.to_data(), utcnow(), form.expected_version,
                            submit=bool(form.submit.data), uploads=uploads, remove_photo_ids=remove,
                            captions=captions)
    except UploadError as e:
        db.session.rollback()  # the bytes of photos stored in this request go with it (core.files)
        form.photos.errors = [*form.photos.errors, str(e)]
        return _report_page(_report(report_id), form, status=400)
    if not attempt.ok:
        report = _report(report_id)
        return _report_page(report, form, message=attempt.message, status=attempt.status)
    if report.status == ReportStatus.SUBMITTED:
        flash(f"{report.kind.label}已提交，等待项目官员审核。", "success")
        return redirect(_timeline_link(report.contract), 303)
    flash("报告草稿已保存。" + (f"已上传{len(uploads)}张照片。" if uploads else ""), "success")
    return redirect(_report_link(report), 303)


@bp.route("/reports/<int:report_id>/review", methods=["POST"])
@login_required
def review_report(report_id):
    report = _report(report_id)
    require(can_review_report(current_user, report))
    form = ReviewForm()
    form.validate()
    with commit_or_refusal(form, stale=ops.StaleReport()) as attempt:
        if form.send_back.data:
            ops.return_report(report, current_user, form.note.data, utcnow(), form.expected_version,
                              link=_report_link(report))
        else:
            ops.accept_report(report, current_user, utcnow(), form.expected_version, link=_report_link(report))
    if not attempt.ok:
        report = _report(report_id)
        return _report_page(report, review_form=form if report.status == ReportStatus.SUBMITTED else None,
                            message=attempt.message, status=attempt.status)
    flash(f"{report.kind.label}{'已退回修改' if report.status == ReportStatus.RETURNED else '已审核通过'}，"
          + ("已通知机构。" if notices_committed() else "该机构没有可接收通知的账户，请另行告知。"), "success")
    return redirect(_timeline_link(report.contract), 303)


@bp.route("/reports/<int:report_id>/photos/<int:photo_id>")
@login_required
def photo(report_id, photo_id):
    report = get_or_404(Report, report_id)
    require(can_view_report(current_user, report))
    item = db.session.get(ReportPhoto, photo_id)
    if item is None or item.report_id != report.id:
        abort(404)
    return send_stored(item.file)
