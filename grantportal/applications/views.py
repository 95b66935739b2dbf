"""Online applications (申报) and eligibility screening (资格审查)."""
import hashlib
import json
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from grantportal.applications import lifecycle, queries, receipts, workflow
from grantportal.applications import operations as ops
from grantportal.applications.eligibility import (
    all_passed,
    application_checks,
    completeness_problems,
    waived_document_names,
)
from grantportal.applications.forms import (
    ApplicationForm,
    BatchScreenForm,
    ReturnForm,
    ReturnToTeamForm,
    ScreenForm,
    SubmitForm,
    form_data,
)
from grantportal.applications.models import Application, AppStatus, Attachment, Screening
from grantportal.applications.permissions import (
    can_download_attachment,
    can_edit_application,
    can_forward_application,
    can_list_call_applications,
    can_list_own_applications,
    can_remove_attachment,
    can_return_application,
    can_return_to_team,
    can_screen_application,
    can_screen_call_applications,
    can_start_application,
    can_submit_application,
    can_view_application,
    can_withdraw_application,
)
from grantportal.calls.integrity import pledge_text, text_version
from grantportal.calls.models import Call, CallStatus
from grantportal.core import signals
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.files import UploadError, check_upload, send_stored
from grantportal.core.forms import VersionForm
from grantportal.core.notices import notices_committed
from grantportal.core.paging import get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.core.timeutil import to_local
from grantportal.core.wording import quoted
from grantportal.teams.queries import team_led_by

bp = Blueprint("applications", __name__)
STALE = ops.StaleVersion()  # an optimistic-lock refusal, in this domain's words

MAX_PAGE = 10_000


def _application(app_id, *options):
    """The application, or 404; ``options`` load what the page shows with it."""
    return get_or_404(Application, app_id, *options)


def _locked_application(app_id, *options):
    """The application, row-locked on PostgreSQL, so that its state is checked in this transaction."""
    app = db.session.scalar(sa.select(Application).where(Application.id == app_id).options(*options)
                            .with_for_update())
    if app is None:
        abort(404)
    return app


# --- the applicant's pages ----------------------------------------------------------------------

@bp.route("/applications/")
@login_required
def mine():
    require(can_list_own_applications(current_user))
    org, team = current_user.org, None
    if org is None:
        team = team_led_by(current_user)
        if team is None:
            flash("请先登记您的社会组织，再进行项目申报。", "info")
            return redirect(url_for("orgs.register"))
        org = team.supporting_org
    # a team's leader sees the team's applications; an organization's members all of its own (its teams' too)
    mine_only = Application.team_id == team.id if team else Application.org_id == org.id
    query = (sa.select(Application).where(mine_only)
             .options(selectinload(Application.call).selectinload(Call.stages))
             .order_by(Application.created_at.desc(), Application.id.desc()))
    page = db.paginate(query, page=page_number(MAX_PAGE), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    open_calls = db.session.scalars(
        sa.select(Call).where(Call.status == CallStatus.PUBLISHED).options(selectinload(Call.stages))
        .order_by(Call.published_at.desc()).limit(20)).all()
    now = utcnow()
    open_calls = [c for c in open_calls if workflow.apply_window_problem(c, now) is None]
    if team is not None:
        open_calls = [c for c in open_calls if c.teams_allowed]
    return render_template("applications/mine.html", org=org, team=team, page=page, open_calls=open_calls,
                           progress=lifecycle.progress_of(page.items, now), deadline=workflow.deadline)


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


def _form_call(call_id):
    """The call with what the 申报书 form shows of it (its documents and stages), loaded before rendering."""
    return db.session.scalar(sa.select(Call).where(Call.id == call_id)
                             .options(selectinload(Call.documents), selectinload(Call.stages))
                             .execution_options(populate_existing=True))


def _form_page(call, org, app=None, team=None):
    """The 申报书 form, for a new draft (app None) or an existing one; ``team``: a grassroots team's new draft,
    through its supporting organization ``org``."""
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
                # a rollback also deletes the bytes of files stored here (core.files)
                reused = []
                with commit_or_refusal(form, stale=STALE) as attempt:  # the team cap: next to the budget
                    created = app is None
                    if created:
                        app = ops.create_draft(call, org, current_user, form.to_data(), now, team=team)
                    else:
                        ops.save_draft(app, form.to_data(), current_user, now, form.expected_version)
                    for doc, upload in uploads:
                        try:
                            ops.add_attachment(app, doc, upload, current_user, now)
                        except UploadError as e:  # the file itself is refused: said on the page
                            raise ops.ApplicationError(str(e), status=200) from e
                    if created:
                        reused = ops.reuse_standing_documents(app, to_local(now).date())
                if not attempt.ok:
                    conflict, status = attempt.message, attempt.status
                    db.session.refresh(org)  # the rollback expired it; the page names it
                else:
                    flash("草稿已保存。" + (f"已上传{len(uploads)}个附件。" if uploads else "")
                          + (f"已自动使用机构常用材料：{'、'.join(reused)}。" if reused else ""), "success")
                    if form.save_and_check.data:
                        return redirect(url_for("applications.detail", app_id=app.id) + "#submit")
                    return redirect(url_for("applications.edit", app_id=app.id))
    app = _page_application(app_id) if app_id else None  # with its attachments' files
    call = _form_call(call.id)
    return render_template(
        "applications/form.html", form=form, call=call, org=org, app=app, totals=form.preview_totals(),
        team=app.executing_team if app else team, budget_error=_section_errors(form.budget),
        files=_documents_with_files(app), doc_errors=doc_errors, conflict=conflict,
        waived=waived_document_names(call, org),
        standing={} if app else ops.standing_documents_for(call, org, to_local(now).date()),
        deadline=workflow.deadline(app) if app else call.deadline), status


def _section_errors(field_list):
    """Messages put on a whole repeating section by an operation's refusal (``field="budget"``)."""
    return [e for e in (field_list.errors or []) if isinstance(e, str)]


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
@login_required
def new(call_id):
    call = db.session.get(Call, call_id)
    if call is None or call.status == CallStatus.DRAFT:
        abort(404)
    require(can_start_application(current_user, call))
    org, team = current_user.org, None
    if org is None:
        team = team_led_by(current_user)  # a grassroots team applies through its supporting organization
        if team is None:
            flash("请先登记您的社会组织，再进行项目申报。", "info")
            return redirect(url_for("orgs.register"))
        org = team.supporting_org
    problem = workflow.apply_window_problem(call, utcnow())
    if problem:
        flash(problem, "warning")
        return redirect(url_for("calls.public_detail", call_id=call.id))
    if request.method == "GET":
        if team is not None and ops.team_problem(call, team):
            flash(ops.team_problem(call, team), "warning")
            return redirect(url_for("calls.public_detail", call_id=call.id))
        count = ops.active_count(org.id, call.id, team_id=team.id if team else None)
        if count >= call.max_applications_per_org:
            flash(f"{'本团队' if team else '本机构'}在本次征集中已有{count}份申报（含草稿），已达上限"
                  f"{call.max_applications_per_org}份。如需重新申报，请先撤回原申报。", "warning")
            return redirect(url_for("applications.mine"))
    return _form_page(call, org, team=team)


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
        .options(joinedload(Application.org), joinedload(Application.call), joinedload(Application.executing_team),
                 selectinload(Application.budget_lines),
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
        "defence_slots": signals.ask(signals.application_defence_slots, app),
        "award": award,
        "award_documents": signals.ask(signals.award_documents, award) if award is not None else [],
        "award_contract": signals.ask(signals.award_contract, award) if award is not None else None,
    }


def _detail(app, status=200, problems=None, message=None, submit_form=None, team_form=None):
    now = utcnow()
    member = can_edit_application(current_user, app)
    checks = application_checks(app, ops.count_for(app), to_local(now).date())
    return render_template(
        "applications/detail.html", app=app, call=app.call, now=now,
        staff_view=bool(can_list_call_applications(current_user, app.call)), can_edit=member,
        checks=checks, auto_passed=all_passed(checks), missing=completeness_problems(app),
        problems=problems, message=message, deadline=workflow.deadline(app),
        window_problem=workflow.window_problem(app, now), editable=workflow.is_editable(app, now),
        can_submit=workflow.allowed(app, "submit", now),
        can_forward=can_forward_application(current_user, app) and workflow.allowed(app, "forward", now),
        may_confirm=(app.status == AppStatus.SUPPORT_PENDING and can_submit_application(current_user, app)
                     and workflow.allowed(app, "submit", now)),
        team_form=team_form or ReturnToTeamForm(formdata=None, data={"version": str(app.version)}),
        can_withdraw=can_withdraw_application(current_user, app) and workflow.allowed(app, "withdraw", now),
        can_return=can_return_application(current_user, app) and workflow.allowed(app, "return", now),
        can_screen=can_screen_application(current_user, app) and app.status in workflow.SCREENABLE,
        progress=lifecycle.progress(app, now), action_form=VersionForm(data={"version": str(app.version)}),
        submit_form=submit_form or SubmitForm(formdata=None, data={"version": str(app.version),
                                                                   "pledge_signer": app.org.legal_rep}),
        pledge=pledge_text(app.call), pledge_version=text_version(pledge_text(app.call)),
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
    form = SubmitForm()
    if not form.validate_on_submit():  # the pledge not signed: nothing saved, what was typed kept
        db.session.rollback()
        return _detail(_page_application(app_id), 400, message="请签署诚信承诺书后再提交。", submit_form=form)
    try:
        with commit_or_refusal(form, stale=STALE) as attempt:
            ops.submit(app, current_user, utcnow(), form.expected_version, signer=form.pledge_signer.data)
    except sa.exc.IntegrityError:  # another submission took the same number at the same moment
        db.session.rollback()
        return _detail(_page_application(app_id), 409,
                       message="提交时编号冲突，申报书未提交，请稍后再点一次“确认提交”。")
    if not attempt.ok:
        return _detail(_page_application(app_id), attempt.status, message=attempt.message,
                       problems=getattr(attempt.refused, "problems", None), submit_form=form)
    flash(f"申报书已提交，申报编号：{app.number}。提交后内容不能修改；截止前如需更改，可撤回后重新申报。",
          "success")
    return redirect(url_for("applications.detail", app_id=app.id))


@bp.route("/applications/<int:app_id>/forward", methods=["POST"])
@login_required
def forward(app_id):
    """A grassroots team's leader sends the application to the supporting organization for 确认申报."""
    app = _locked_application(app_id)
    require(can_forward_application(current_user, app))
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    with commit_or_refusal(form, stale=STALE) as attempt:
        ops.forward_to_support(app, current_user, utcnow(), form.expected_version)
    if not attempt.ok:
        return _detail(_page_application(app_id), attempt.status, message=attempt.message,
                       problems=getattr(attempt.refused, "problems", None))
    flash("申报书已提交支持机构确认。支持机构确认申报后才算正式提交；期间不能修改。", "success")
    return redirect(url_for("applications.detail", app_id=app.id))


@bp.route("/applications/<int:app_id>/return-to-team", methods=["POST"])
@login_required
def return_to_team(app_id):
    """The supporting organization sends a team's application back with a reason (退回团队)."""
    app = _locked_application(app_id)
    require(can_return_to_team(current_user, app))
    form = ReturnToTeamForm()
    if not form.validate_on_submit():  # no reason: the page again with the message next to the field
        db.session.rollback()
        return _detail(_page_application(app_id), 400, team_form=form)
    with commit_or_refusal(form, stale=STALE) as attempt:
        ops.return_to_team(app, current_user, form.reason.data, utcnow(), form.expected_version)
    if not attempt.ok:
        return _detail(_page_application(app_id), attempt.status, message=attempt.message, team_form=form)
    flash("已退回团队，并通知团队负责人。", "success")
    return redirect(url_for("applications.detail", app_id=app.id))


@bp.route("/applications/<int:app_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(app_id):
    app = _locked_application(app_id) if request.method == "POST" else _application(app_id)
    require(can_withdraw_application(current_user, app))
    form = VersionForm(data={"version": str(app.version)} if request.method == "GET" else None)
    message, status = None, 200
    if request.method == "POST":
        with commit_or_refusal(stale=STALE) as attempt:
            ops.withdraw(app, current_user, utcnow(), form.expected_version)
        if attempt.ok:
            flash("申报已撤回。撤回的申报不计入本机构的申报数量。", "success")
            return redirect(url_for("applications.mine"))
        message, status, app = attempt.message, attempt.status, _application(app_id)
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
    with commit_or_refusal(stale=STALE) as attempt:
        ops.remove_attachment(app, att, current_user, utcnow())
    if attempt.refused is STALE:
        flash(attempt.message, "error")
    elif not attempt.ok:  # the state no longer allows it
        flash(attempt.message, "error")
        return redirect(url_for("applications.detail", app_id=app_id))
    else:
        flash(f"附件{quoted(name)}已删除。", "success")
    return redirect(url_for("applications.edit", app_id=app_id) + "#documents")


# --- officers -----------------------------------------------------------------------------------

@bp.route("/applications/<int:app_id>/return", methods=["GET", "POST"])
@login_required
def return_for_revision(app_id):
    shown = selectinload(Application.org)  # the page names the organization
    app = _locked_application(app_id, shown) if request.method == "POST" else _application(app_id, shown)
    require(can_return_application(current_user, app))
    form = ReturnForm(data={"version": str(app.version)} if request.method == "GET" else None)
    message, status = None, 200
    if form.validate_on_submit():
        with commit_or_refusal(form, STALE) as attempt:
            ops.return_for_revision(app, current_user, form.reason.data, form.revise_until.utc, utcnow(),
                                    form.expected_version)
        if attempt.ok:
            flash("已退回修改，申报机构可在截止时间前修改并重新提交。", "success")
            return redirect(url_for("applications.detail", app_id=app.id))
        message, status, app = attempt.message, attempt.status, _application(app_id, shown)
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
    checks = application_checks(app, ops.count_for(app), to_local(now).date())
    auto = all_passed(checks)
    form = ScreenForm(data={"version": str(app.version), "digest": _digest(checks),
                            "outcome": "passed" if auto else "failed"} if request.method == "GET" else None)
    message, status = None, 200
    if form.validate_on_submit():
        if form.digest.data != _digest(checks):
            message, status = "自动审查结果在您打开页面后发生了变化，请核对下方最新结果后重新确认。", 409
            form.digest.data = _digest(checks)
        else:
            with commit_or_refusal(form, STALE) as attempt:
                ops.screen(app, current_user, form.outcome.data == "passed", form.note.data, checks, now,
                           form.expected_version)
            if not attempt.ok:
                message, status, app = attempt.message, attempt.status, _application(app_id)
            else:
                flash(f"资格审查结论已保存：{app.screening.label}。", "success")
                return redirect(url_for("applications.call_list", call_id=app.call_id))
    return render_template("applications/screen.html", app=app, form=form, checks=checks, auto_passed=auto,
                           message=message), status


BATCH = 100  # applications checked and shown on one batch-screening page


def _batch_rows(call, now, lock=False):
    """The call's applications awaiting screening (at most BATCH), each with its automatic checks and their
    digest: ``(passing, failing)``, lists of ``(application, checks, digest)``."""
    today = to_local(now).date()
    passing, failing = [], []
    for app in queries.awaiting_screening(call.id, BATCH, lock=lock):
        checks = application_checks(app, ops.count_for(app), today)
        (passing if all_passed(checks) else failing).append((app, checks, _digest(checks)))
    return passing, failing


@bp.route("/manage/calls/<int:call_id>/applications/screen-batch", methods=["GET", "POST"])
@login_required
def screen_batch(call_id):
    call = get_or_404(Call, call_id)
    require(can_screen_call_applications(current_user, call))
    now = utcnow()
    passing, failing = _batch_rows(call, now, lock=request.method == "POST")
    form = BatchScreenForm().offer([(app.id, app.display_number) for app, _c, _d in passing])
    message, status = None, 200
    if form.validate_on_submit():
        current, changed = form.still_as_shown(passing)
        with commit_or_refusal(form) as attempt:
            ops.screen_passing([app for app, _c, _d in current], current_user,
                               {app.id: checks for app, checks, _d in current}, now)
        if attempt.ok:
            flash(f"已确认 {len(current)} 份申报书通过资格审查，向申报机构发出站内通知 {notices_committed()} 条。"
                  + (f"另有 {changed} 份的自动审查结果在您打开页面后发生了变化，未作处理，请重新核对。"
                     if changed else ""), "success" if not changed else "warning")
            return redirect(url_for("applications.call_list", call_id=call.id))
        message, status = attempt.message, attempt.status
    return render_template("applications/screen_batch.html", call=call, form=form, passing=passing,
                           failing=failing, batch=BATCH, message=message), status


@bp.route("/manage/calls/<int:call_id>/applications")
@login_required
def call_list(call_id):
    call = get_or_404(Call, call_id, selectinload(Call.stages))  # the deadline is a stage's
    require(can_list_call_applications(current_user, call))
    status = request.args.get("status", "")
    screening = request.args.get("screening", "")
    status = status if status in {s.value for s in AppStatus} else ""
    screening = screening if screening in {s.value for s in Screening} else ""
    pairs = queries.call_counts(call.id)
    page = queries.call_page(call.id, pairs, page_number(MAX_PAGE), current_app.config["PAGE_SIZE"],
                             status=AppStatus(status) if status else None,
                             screening=Screening(screening) if screening else None)
    return render_template("applications/call_list.html", call=call, page=page, counts=queries.by_status(pairs),
                           progress=lifecycle.progress_of(page.items, utcnow()),
                           can_screen_batch=can_screen_call_applications(current_user, call),
                           awaiting=pairs.get((AppStatus.SUBMITTED, Screening.PENDING), 0),
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
