"""Online applications (申报) and eligibility screening (资格审查)."""
import hashlib
import json
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from grantportal.applications import operations as ops
from grantportal.applications import receipts, workflow
from grantportal.applications.eligibility import (
    all_passed,
    application_checks,
    completeness_problems,
    waived_document_names,
)
from grantportal.applications.forms import ApplicationForm, ReturnForm, ScreenForm, form_data
from grantportal.applications.models import Application, AppStatus, Attachment, Screening
from grantportal.applications.permissions import (
    can_download_attachment,
    can_edit_application,
    can_list_call_applications,
    can_list_own_applications,
    can_remove_attachment,
    can_return_application,
    can_screen_application,
    can_start_application,
    can_submit_application,
    can_view_application,
    can_withdraw_application,
)
from grantportal.calls.models import Call, CallStatus
from grantportal.core import signals
from grantportal.core.db import db, utcnow
from grantportal.core.files import UploadError, check_upload, send_stored
from grantportal.core.forms import VersionForm
from grantportal.core.paging import get_or_404, page_number
from grantportal.core.permissions import is_officer, require
from grantportal.core.timeutil import to_local

bp = Blueprint("applications", __name__)

MAX_PAGE = 10_000


def _application(app_id):
    app = db.session.get(Application, app_id)
    if app is None:
        abort(404)
    return app


def _locked_application(app_id):
    """The application, row-locked on PostgreSQL, so that its state is checked in this transaction."""
    app = db.session.scalar(sa.select(Application).where(Application.id == app_id).with_for_update())
    if app is None:
        abort(404)
    return app


def _commit_or_refusal(action):
    """Run an operation and commit. If the state, the deadline or a newer version refuses it, roll back
    and return (Chinese message, status) for the page; None when it went through."""
    try:
        action()
        db.session.commit()
    except (ops.ApplicationError, workflow.WorkflowError) as e:
        db.session.rollback()
        return str(e), e.status
    except StaleDataError:
        db.session.rollback()
        return str(ops.StaleVersion()), 409
    return None


def next_action(app, now):
    """What the applicant should do next, in a few words."""
    if app.status == AppStatus.WITHDRAWN:
        return "已撤回，无需操作"
    if app.status in workflow.EDITABLE:
        problem = workflow.window_problem(app, now)
        if problem:
            return "已截止，未能提交" if app.status == AppStatus.DRAFT else "修改期限已过"
        return "继续填写并提交" if app.status == AppStatus.DRAFT else "按退回意见修改后重新提交"
    if app.screening == Screening.PENDING:
        return "等待资格审查"
    if app.screening == Screening.PASSED:
        return "资格审查通过，等待评审"
    return "资格审查未通过，查看审查意见"


# --- the applicant's pages ----------------------------------------------------------------------

@bp.route("/applications/")
@login_required
def mine():
    require(can_list_own_applications(current_user))
    org = current_user.org
    if org is None:
        flash("请先登记您的社会组织，再进行项目申报。", "info")
        return redirect(url_for("orgs.register"))
    query = (sa.select(Application).where(Application.org_id == org.id)
             .options(selectinload(Application.call).selectinload(Call.stages))
             .order_by(Application.created_at.desc(), Application.id.desc()))
    page = db.paginate(query, page=page_number(MAX_PAGE), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    open_calls = db.session.scalars(
        sa.select(Call).where(Call.status == CallStatus.PUBLISHED).options(selectinload(Call.stages))
        .order_by(Call.published_at.desc()).limit(20)).all()
    now = utcnow()
    open_calls = [c for c in open_calls if workflow.apply_window_problem(c, now) is None]
    return render_template("applications/mine.html", org=org, page=page, now=now, open_calls=open_calls,
                           next_action=next_action, deadline=workflow.deadline)


def _documents_with_files(app):
    files = {}
    for att in (app.attachments if app else []):
        files.setdefault(att.document_id, []).append(att)
    return files


def _checked_uploads(call):
    """The files chosen in the form, checked before anything is stored: ([(doc, file)], {doc_id: error})."""
    uploads, errors = [], {}
    for doc in call.documents:
        upload = request.files.get(f"doc-{doc.id}")
        if upload is None or not upload.filename:
            continue
        try:
            check_upload(upload)
        except UploadError as e:
            errors[doc.id] = str(e)
            continue
        upload.stream.seek(0)
        uploads.append((doc, upload))
    return uploads, errors


def _form_page(call, org, app=None):
    """The 申报书 form, for a new draft (app None) or an existing one."""
    now = utcnow()
    app_id = app.id if app else None
    form = ApplicationForm(call, data=form_data(app) if app and request.method == "GET" else None)
    status, doc_errors, conflict = 200, {}, None
    if request.method == "POST":
        if app is not None and not workflow.is_editable(app, now):
            conflict, status = f"该申报书当前不能修改（{_why_not_editable(app)}），本次修改未保存。", 409
        elif form.add_row.data:
            if not form.add_blank_row():
                flash(f"预算明细最多{len(form.budget)}行，请合并相近的项目。", "warning")
        elif form.validate():
            uploads, doc_errors = _checked_uploads(call)
            if not doc_errors:
                try:  # a rollback below also deletes the bytes of files stored here (core.files)
                    if app is None:
                        app = ops.create_draft(call, org, current_user, form.to_data(), now)
                    else:
                        ops.save_draft(app, form.to_data(), current_user, now, form.expected_version)
                    for doc, upload in uploads:
                        ops.add_attachment(app, doc, upload, current_user, now)
                except (ops.ApplicationError, workflow.WorkflowError, UploadError) as e:
                    db.session.rollback()
                    conflict, status = str(e), getattr(e, "status", 200)
                except StaleDataError:
                    db.session.rollback()
                    conflict, status = str(ops.StaleVersion()), 409
                else:
                    db.session.commit()
                    flash("草稿已保存。" + (f"已上传{len(uploads)}个附件。" if uploads else ""), "success")
                    if form.save_and_check.data:
                        return redirect(url_for("applications.detail", app_id=app.id) + "#submit")
                    return redirect(url_for("applications.edit", app_id=app.id))
        app = db.session.get(Application, app_id) if app_id else None
    return render_template(
        "applications/form.html", form=form, call=call, org=org, app=app, totals=form.preview_totals(),
        files=_documents_with_files(app), doc_errors=doc_errors, conflict=conflict,
        waived=waived_document_names(call, org),
        deadline=workflow.deadline(app) if app else call.deadline), status


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
@login_required
def new(call_id):
    call = db.session.get(Call, call_id)
    if call is None or call.status == CallStatus.DRAFT:
        abort(404)
    require(can_start_application(current_user, call))
    org = current_user.org
    if org is None:
        flash("请先登记您的社会组织，再进行项目申报。", "info")
        return redirect(url_for("orgs.register"))
    problem = workflow.apply_window_problem(call, utcnow())
    if problem:
        flash(problem, "warning")
        return redirect(url_for("calls.public_detail", call_id=call.id))
    if request.method == "GET":
        count = ops.active_count(org.id, call.id)
        if count >= call.max_applications_per_org:
            flash(f"本机构在本次征集中已有{count}份申报（含草稿），已达上限{call.max_applications_per_org}份。"
                  "如需重新申报，请先撤回原申报。", "warning")
            return redirect(url_for("applications.mine"))
    return _form_page(call, org)


@bp.route("/applications/<int:app_id>/edit", methods=["GET", "POST"])
@login_required
def edit(app_id):
    app = _application(app_id)
    require(can_edit_application(current_user, app))
    if request.method == "GET" and not workflow.is_editable(app, utcnow()):
        flash(f"该申报书当前不能修改（{_why_not_editable(app)}）。", "info")
        return redirect(url_for("applications.detail", app_id=app.id))
    return _form_page(app.call, app.org, app)


def _why_not_editable(app):
    if app.status not in workflow.EDITABLE:
        return f"状态：{app.status.label}"
    return workflow.window_problem(app, utcnow()).rstrip("。")


def _page_application(app_id):
    """The application with what its detail page shows loaded before the page renders."""
    app = db.session.scalar(
        sa.select(Application).where(Application.id == app_id)
        .options(joinedload(Application.org), joinedload(Application.call), selectinload(Application.budget_lines),
                 selectinload(Application.attachments).joinedload(Attachment.document),
                 selectinload(Application.attachments).joinedload(Attachment.file))
        .execution_options(populate_existing=True))
    if app is None:
        abort(404)
    return app


def _after_review(app):
    """What review, awards, documents and funding hold about the application, for its detail page: the
    published review results, the award once published, and the award's documents and contract."""
    award = signals.ask(signals.application_award, app)
    return {
        "review_results": signals.ask(signals.application_review_results, app),
        "award": award,
        "award_documents": signals.ask(signals.award_documents, award) if award is not None else [],
        "award_contract": signals.ask(signals.award_contract, award) if award is not None else None,
    }


def _detail(app, status=200, problems=None, message=None):
    now = utcnow()
    staff_view = current_user.role.value != "org_member"
    checks = application_checks(app, ops.active_count(app.org_id, app.call_id), to_local(now).date())
    return render_template(
        "applications/detail.html", app=app, call=app.call, now=now, staff_view=staff_view,
        checks=checks, auto_passed=all_passed(checks), missing=completeness_problems(app),
        problems=problems, message=message, deadline=workflow.deadline(app),
        window_problem=workflow.window_problem(app, now), editable=workflow.is_editable(app, now),
        can_submit=workflow.allowed(app, "submit", now), can_withdraw=workflow.allowed(app, "withdraw", now),
        can_return=is_officer(current_user) and workflow.allowed(app, "return", now),
        can_screen=is_officer(current_user) and app.status in workflow.SCREENABLE,
        next_action=next_action(app, now), action_form=VersionForm(data={"version": str(app.version)}),
        **_after_review(app),
    ), status


@bp.route("/applications/<int:app_id>")
@login_required
def detail(app_id):
    app = _page_application(app_id)
    require(can_view_application(current_user, app))
    return _detail(app)


@bp.route("/applications/<int:app_id>/submit", methods=["POST"])
@login_required
def submit(app_id):
    app = _locked_application(app_id)
    require(can_submit_application(current_user, app))
    form = VersionForm()
    try:
        ops.submit(app, current_user, utcnow(), form.expected_version)
        db.session.commit()
    except ops.SubmitRefused as e:
        db.session.rollback()
        return _detail(_page_application(app_id), 200, problems=e.problems, message=str(e))
    except (ops.ApplicationError, workflow.WorkflowError) as e:
        db.session.rollback()
        return _detail(_page_application(app_id), e.status, message=str(e))
    except StaleDataError:
        db.session.rollback()
        return _detail(_page_application(app_id), 409, message=str(ops.StaleVersion()))
    except sa.exc.IntegrityError:  # another submission took the same number at the same moment
        db.session.rollback()
        return _detail(_page_application(app_id), 409,
                       message="提交时编号冲突，申报书未提交，请稍后再点一次“确认提交”。")
    flash(f"申报书已提交，申报编号：{app.number}。提交后内容不能修改；截止前如需更改，可撤回后重新申报。",
          "success")
    return redirect(url_for("applications.detail", app_id=app.id))


@bp.route("/applications/<int:app_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(app_id):
    app = _locked_application(app_id) if request.method == "POST" else _application(app_id)
    require(can_withdraw_application(current_user, app))
    form = VersionForm(data={"version": str(app.version)} if request.method == "GET" else None)
    message, status = None, 200
    if request.method == "POST":
        refusal = _commit_or_refusal(lambda: ops.withdraw(app, current_user, utcnow(), form.expected_version))
        if refusal is None:
            flash("申报已撤回。撤回的申报不计入本机构的申报数量。", "success")
            return redirect(url_for("applications.mine"))
        (message, status), app = refusal, _application(app_id)
    elif not workflow.allowed(app, "withdraw", utcnow()):
        message = "该申报书当前不能撤回。"
    return render_template("applications/withdraw.html", app=app, form=form, message=message,
                           deadline=workflow.deadline(app)), status


@bp.route("/applications/<int:app_id>/attachments/<int:attachment_id>")
@login_required
def attachment(app_id, attachment_id):
    app = _application(app_id)
    require(can_download_attachment(current_user, app))
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.application_id != app.id:
        abort(404)
    return send_stored(att.file)


@bp.route("/applications/<int:app_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
@login_required
def remove_attachment(app_id, attachment_id):
    app = _application(app_id)
    require(can_remove_attachment(current_user, app))
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.application_id != app.id:
        abort(404)
    name = att.file.original_name
    try:
        ops.remove_attachment(app, att, current_user, utcnow())
        db.session.commit()
    except workflow.WorkflowError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("applications.detail", app_id=app_id))
    except StaleDataError:
        db.session.rollback()
        flash(str(ops.StaleVersion()), "error")
    else:
        flash(f"附件“{name}”已删除。", "success")
    return redirect(url_for("applications.edit", app_id=app_id) + "#documents")


# --- officers -----------------------------------------------------------------------------------

@bp.route("/applications/<int:app_id>/return", methods=["GET", "POST"])
@login_required
def return_for_revision(app_id):
    app = _locked_application(app_id) if request.method == "POST" else _application(app_id)
    require(can_return_application(current_user, app))
    form = ReturnForm(data={"version": str(app.version)} if request.method == "GET" else None)
    message, status = None, 200
    if form.validate_on_submit():
        refusal = _commit_or_refusal(lambda: ops.return_for_revision(
            app, current_user, form.reason.data, form.revise_until.utc, utcnow(), form.expected_version))
        if refusal is None:
            flash("已退回修改，申报机构可在截止时间前修改并重新提交。", "success")
            return redirect(url_for("applications.detail", app_id=app.id))
        (message, status), app = refusal, _application(app_id)
    return render_template("applications/return.html", app=app, form=form, message=message), status


def _digest(checks):
    text = json.dumps([c.as_dict() for c in checks], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@bp.route("/applications/<int:app_id>/screen", methods=["GET", "POST"])
@login_required
def screen(app_id):
    app = _locked_application(app_id) if request.method == "POST" else _application(app_id)
    require(can_screen_application(current_user, app))
    now = utcnow()
    checks = application_checks(app, ops.active_count(app.org_id, app.call_id), to_local(now).date())
    auto = all_passed(checks)
    form = ScreenForm(data={"version": str(app.version), "digest": _digest(checks),
                            "outcome": "passed" if auto else "failed"} if request.method == "GET" else None)
    message, status = None, 200
    if form.validate_on_submit():
        if form.digest.data != _digest(checks):
            message, status = "自动审查结果在您打开页面后发生了变化，请核对下方最新结果后重新确认。", 409
            form.digest.data = _digest(checks)
        else:
            try:
                ops.screen(app, current_user, form.outcome.data == "passed", form.note.data, checks, now,
                           form.expected_version)
                db.session.commit()
            except ops.ReasonRequired as e:
                db.session.rollback()
                form.note.errors = [*form.note.errors, str(e)]
                app = _application(app_id)
            except (ops.ApplicationError, workflow.WorkflowError) as e:
                db.session.rollback()
                message, status = str(e), e.status
                app = _application(app_id)
            except StaleDataError:
                db.session.rollback()
                message, status = str(ops.StaleVersion()), 409
                app = _application(app_id)
            else:
                flash(f"资格审查结论已保存：{app.screening.label}。", "success")
                return redirect(url_for("applications.call_list", call_id=app.call_id))
    return render_template("applications/screen.html", app=app, form=form, checks=checks, auto_passed=auto,
                           message=message), status


@bp.route("/manage/calls/<int:call_id>/applications")
@login_required
def call_list(call_id):
    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    require(can_list_call_applications(current_user, call))
    status = request.args.get("status", "")
    screening = request.args.get("screening", "")
    query = sa.select(Application).where(Application.call_id == call.id)
    if status in {s.value for s in AppStatus}:
        query = query.where(Application.status == AppStatus(status))
    else:
        status = ""
        query = query.where(Application.status != AppStatus.DRAFT)
    if screening in {s.value for s in Screening}:
        query = query.where(Application.screening == Screening(screening))
    else:
        screening = ""
    query = query.options(joinedload(Application.org)).order_by(
        Application.number.is_(None), Application.number, Application.id)
    page = db.paginate(query, page=page_number(MAX_PAGE), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    counts = dict(db.session.execute(
        sa.select(Application.status, sa.func.count()).where(Application.call_id == call.id)
        .group_by(Application.status)).all())
    return render_template("applications/call_list.html", call=call, page=page, counts=counts,
                           filters={"status": status, "screening": screening}, AppStatus=AppStatus,
                           Screening=Screening)


# --- 申报回执 -------------------------------------------------------------------------------------------

@bp.route("/applications/<int:app_id>/receipt.pdf")
@login_required
def receipt(app_id):
    app = get_or_404(Application, app_id, joinedload(Application.call), joinedload(Application.org))
    require(can_view_application(current_user, app))
    if not app.number or not app.content_sha256 or app.submitted_at is None:
        abort(404, "该申报尚未提交，没有申报回执。")
    data = receipts.render_receipt(app)
    resp = current_app.response_class(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"receipt-{app.id}.pdf\"; "
                                           f"filename*=UTF-8''{quote(f'申报回执-{app.number}.pdf')}")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
