"""The citizen's 随手拍 pages: filing a report from a project's public page (a signed-in citizen; an anonymous
visitor is sent to 公众登录 and comes back), the reporter's own list and pages, and the photos (the reporter,
staff, and the project's organization once asked to answer)."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.citizens.web import citizen_sign_in
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.extensions import limiter
from grantportal.core.files import UploadError, check_upload, clean_display_name, send_stored
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.core.wording import quoted
from grantportal.funding.permissions import can_view_public_project
from grantportal.funding.queries import project_contract
from grantportal.supervision import operations as ops
from grantportal.supervision.blueprint import bp
from grantportal.supervision.forms import ReportForm
from grantportal.supervision.models import SupervisionPhoto
from grantportal.supervision.permissions import (
    can_file_supervision_report,
    can_list_own_supervision_reports,
    can_view_own_supervision_report,
    can_view_supervision_photos,
)
from grantportal.supervision.queries import own_page, report_for_page, status_words

MAX_PAGE = 1000


def _public_project(contract_id):
    """The project whose public page exists (contract in force, call public), with what the form page shows;
    otherwise 404."""
    contract = project_contract(contract_id)
    if contract is None or not can_view_public_project(current_user, contract):
        abort(404)
    return contract


def _report(report_id):
    report = report_for_page(report_id)
    if report is None:
        abort(404)
    return report


def _form_page(contract, form, status=200, message=None, problem=None):
    return render_template("supervision/new.html", contract=contract, app=contract.award.application,
                           call=contract.award.proposal.call, form=form, message=message, problem=problem,
                           max_photos=ops.MAX_PHOTOS,
                           max_mb=current_app.config["MAX_FILE_SIZE"] // 1024 // 1024), status


def _checked_photos(form):
    """The photos chosen, each checked (type, size, content) before anything is stored; a message next to the
    field for the first one refused. Returns the files, or None when one is refused."""
    uploads = [u for u in request.files.getlist("photos") if u and u.filename]
    if len(uploads) > ops.MAX_PHOTOS:
        form.photos.errors = [*form.photos.errors, f"最多上传{ops.MAX_PHOTOS}张照片，您选择了{len(uploads)}张。"]
        return None
    for upload in uploads:
        try:
            check_upload(upload, ops.PHOTO_EXTENSIONS)
        except UploadError as e:
            form.photos.errors = [*form.photos.errors, f"{quoted(clean_display_name(upload.filename))}：{e}"]
            return None
        upload.stream.seek(0)
    return uploads


@bp.route("/projects/<int:contract_id>/supervision/new", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SUPERVISION"], methods=["POST"])
@citizen_sign_in
def new(contract_id):
    """随手拍监督: the text, up to three photos and an optional place; the report enters the moderation queue."""
    contract = _public_project(contract_id)
    require(can_file_supervision_report(current_user, contract))
    problem = ops.filing_problem(contract)
    if request.method == "GET":
        return _form_page(contract, ReportForm(), 409 if problem else 200, problem=problem)
    form = ReportForm()
    valid = form.validate_on_submit()
    uploads = _checked_photos(form)
    if not valid or uploads is None:
        return _form_page(contract, form, 400)
    with commit_or_refusal(form) as attempt:
        report, created = ops.file_report(contract, current_user, form.to_data(), uploads, utcnow())
    if not attempt.ok:
        return _form_page(_public_project(contract_id), form, attempt.status, message=attempt.message)
    if created:
        flash("随手拍监督报告已提交，项目官员核查后会通知您处理结果。核查结论和处理情况摘要将在项目执行公开页面公布，"
              "不公开您的身份和手机号。", "success")
    else:
        flash("您已提交过相同内容的报告，无需重复提交。", "info")
    return redirect(url_for("supervision.detail", report_id=report.id), 303)


@bp.route("/supervision/mine")
@citizen_sign_in
def mine():
    """我的随手拍: every report the citizen filed, newest first (我的参与 shows the latest few)."""
    require(can_list_own_supervision_reports(current_user))
    pager = own_page(current_user.id, page_number(MAX_PAGE), current_app.config["PAGE_SIZE"])
    return render_template("supervision/mine.html", page=pager,
                           statuses={r.id: status_words(r) for r in pager.items})


@bp.route("/supervision/<int:report_id>")
@citizen_sign_in
def detail(report_id):
    """The reporter's page: what they sent, where it stands, and the finding once answered."""
    report = _report(report_id)
    require(can_view_own_supervision_report(current_user, report))
    return render_template("supervision/detail.html", report=report, app=report.contract.award.application,
                           status=status_words(report))


@bp.route("/supervision/<int:report_id>/photos/<int:photo_id>")
@login_required
def photo(report_id, photo_id):
    report = _report(report_id)
    require(can_view_supervision_photos(current_user, report))
    item = db.session.get(SupervisionPhoto, photo_id)
    if item is None or item.report_id != report.id:
        abort(404)
    return send_stored(item.file, inline=True)
