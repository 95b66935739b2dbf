"""The objector's pages (异议, during 公示): filing an objection against a published award, with evidence
files; the objector's own list and pages; the evidence downloads (the objector and staff only)."""
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, Objection, ObjectionFile, Proposal
from grantportal.awards.objections.blueprint import bp
from grantportal.awards.objections.forms import ObjectionForm, ResponseForm
from grantportal.awards.objections.operations import (
    EVIDENCE_EXTENSIONS,
    MAX_FILES,
    file_objection,
    filing_problem,
    response_problem,
)
from grantportal.awards.objections.operations import (
    respond as respond_to_objection,
)
from grantportal.awards.objections.permissions import (
    can_decide_objection,
    can_file_objection,
    can_list_own_objections,
    can_respond_for,
    can_respond_to_objection,
    can_view_objection,
    can_view_objections,
)
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.extensions import limiter
from grantportal.core.files import UploadError, check_upload, clean_display_name, send_stored
from grantportal.core.paging import get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.core.wording import quoted

MAX_PAGE = 1000


# --- filing an objection ----------------------------------------------------------------------------

def _public_award(award_id):
    """The award, only once its proposal is published (a draft's awards are not public: 404)."""
    award = db.session.get(Award, award_id,
                           options=[joinedload(Award.application).joinedload(Application.org)])
    if award is None or not award.proposal.is_public:
        abort(404)
    return award


def _checked_evidence():
    """The evidence files chosen in the form, each checked (type, size, content) before anything is
    stored: ([FileStorage], None) or ([], Chinese message)."""
    uploads = [u for u in request.files.getlist("evidence") if u and u.filename]
    if len(uploads) > MAX_FILES:
        return [], f"证明材料最多上传{MAX_FILES}个文件，您选择了{len(uploads)}个。"
    for upload in uploads:
        try:
            check_upload(upload, EVIDENCE_EXTENSIONS)
        except UploadError as e:
            return [], f"{quoted(clean_display_name(upload.filename))}：{e}"
        upload.stream.seek(0)
    return uploads, None


def _objection_page(award, form, status=200, message=None, problem=None):
    return render_template("awards/objection_form.html", award=award, app=award.application,
                           call=award.proposal.call, proposal=award.proposal, form=form, message=message,
                           problem=problem, max_files=MAX_FILES,
                           max_mb=current_app.config["MAX_FILE_SIZE"] // 1024 // 1024), status


def _duplicate(award, user, reason):
    """The same person's same objection, already filed (a double-clicked submit): one row, not two."""
    return db.session.scalar(sa.select(Objection).where(
        Objection.award_id == award.id, Objection.filed_by_id == user.id, Objection.reason == reason)
        .order_by(Objection.id.desc()).limit(1))


@bp.route("/awards/<int:award_id>/objection", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_OBJECTION"], methods=["POST"])
@login_required
def new(award_id):
    award = _public_award(award_id)
    require(can_file_objection(current_user, award))
    problem = filing_problem(award, utcnow())
    if problem:
        return _objection_page(award, None, 409, problem=problem)
    form = ObjectionForm()
    if request.method == "GET":
        return _objection_page(award, form)
    if not form.validate_on_submit():
        return _objection_page(award, form, 400)
    uploads, upload_error = _checked_evidence()
    if upload_error:
        form.evidence.errors = [*form.evidence.errors, upload_error]
        return _objection_page(award, form, 400)
    # one filing at a time per award (PostgreSQL row lock), so a double click makes one objection
    db.session.scalar(sa.select(Award.id).where(Award.id == award.id).with_for_update())
    existing = _duplicate(award, current_user, form.reason.data)
    if existing is not None:
        db.session.rollback()
        flash("您已提交过相同的异议，无需重复提交。", "info")
        return redirect(url_for("objections.detail", objection_id=existing.id), 303)
    try:
        with commit_or_refusal(form) as attempt:
            objection = file_objection(award, current_user, utcnow(), form.real_name.data, form.contact.data,
                                       form.reason.data, uploads,
                                       link=url_for("objections.index", call_id=award.proposal.call_id),
                                       response_link=lambda o: url_for("objections.respond", objection_id=o.id))
    except UploadError as e:  # checked above; only if a file changed in between
        db.session.rollback()
        form.evidence.errors = [*form.evidence.errors, str(e)]
        return _objection_page(_public_award(award_id), form, 400)
    if not attempt.ok:
        award = _public_award(award_id)
        if attempt.message is None:  # next to its field
            return _objection_page(award, form, attempt.status)
        return _objection_page(award, None, attempt.status, problem=attempt.message)
    flash("异议已提交。项目官员将在公示期内调查核实，处理结果会通知您，并在结果公示页面公开处理结果摘要"
          "（不公开您的姓名和联系方式）。", "success")
    return redirect(url_for("objections.detail", objection_id=objection.id), 303)


# --- the objector's own pages -----------------------------------------------------------------------

@bp.route("/objections/mine")
@login_required
def mine():
    require(can_list_own_objections(current_user))
    query = (sa.select(Objection).where(Objection.filed_by_id == current_user.id)
             .options(joinedload(Objection.award).joinedload(Award.application),
                      joinedload(Objection.award).joinedload(Award.proposal).joinedload(Proposal.call))
             .order_by(Objection.filed_at.desc(), Objection.id.desc()))
    page = db.paginate(query, page=page_number(MAX_PAGE), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("awards/objection_mine.html", page=page, against=_against_my_org())


def _against_my_org(limit=50):
    """The latest objections to the signed-in member's organization's projects, for its written responses
    (what the organization may see: the project, when, the status — never who filed it)."""
    membership = getattr(current_user, "membership", None)
    if membership is None or not can_respond_for(current_user, membership.org):
        return []
    return db.session.scalars(
        sa.select(Objection).join(Award, Award.id == Objection.award_id)
        .join(Application, Application.id == Award.application_id).where(Application.org_id == membership.org_id)
        .options(joinedload(Objection.award).joinedload(Award.application),
                 joinedload(Objection.award).joinedload(Award.proposal).joinedload(Proposal.call))
        .order_by(Objection.filed_at.desc(), Objection.id.desc()).limit(limit)).all()


@bp.route("/objections/<int:objection_id>")
@login_required
def detail(objection_id):
    obj = db.session.scalar(sa.select(Objection).where(Objection.id == objection_id)
                            .options(selectinload(Objection.files).joinedload(ObjectionFile.file),
                                     joinedload(Objection.award).joinedload(Award.application)
                                     .joinedload(Application.org)))
    if obj is None:
        abort(404)
    require(can_view_objection(current_user, obj))
    award = obj.award
    can = SimpleNamespace(view_investigation=can_view_objections(current_user, award.proposal.call),
                          decide=can_decide_objection(current_user, obj))
    return render_template("awards/objection_detail.html", objection=obj, award=award, app=award.application,
                           proposal=award.proposal, call=award.proposal.call, can=can)


@bp.route("/objections/<int:objection_id>/files/<int:file_id>")
@login_required
def evidence(objection_id, file_id):
    obj = get_or_404(Objection, objection_id)
    require(can_view_objection(current_user, obj))
    ef = db.session.get(ObjectionFile, file_id)
    if ef is None or ef.objection_id != obj.id:
        abort(404)
    return send_stored(ef.file)


# --- the written response of the organization objected to ------------------------------------------------

def _with_award(objection_id):
    objection = db.session.scalar(
        sa.select(Objection).where(Objection.id == objection_id)
        .options(joinedload(Objection.award).joinedload(Award.application).joinedload(Application.org)))
    if objection is None:
        abort(404)
    return objection


def _response_page(objection, form, status=200, message=None):
    award = objection.award
    return render_template("awards/objection_response.html", objection=objection, award=award,
                           app=award.application, call=award.proposal.call, form=form, message=message,
                           problem=response_problem(objection)), status


@bp.route("/objections/<int:objection_id>/response", methods=["GET", "POST"])
@login_required
def respond(objection_id):
    """书面答复: the organization objected to reads the objection's reason (never who filed it) and answers."""
    objection = _with_award(objection_id)
    require(can_respond_to_objection(current_user, objection))
    form = ResponseForm()
    if request.method == "GET":
        if objection.response and not form.response.data:
            form.response.data = objection.response
        return _response_page(objection, form)
    if not form.validate_on_submit():
        return _response_page(objection, form, 400)
    with commit_or_refusal(form) as attempt:
        respond_to_objection(objection, current_user, utcnow(), form.response.data,
                             link=url_for("objections.decide", objection_id=objection_id))
    if not attempt.ok:
        return _response_page(_with_award(objection_id), form, attempt.status, message=attempt.message)
    flash("书面答复已提交，项目官员处理异议时将一并考虑。处理结果确定前可以修改答复。", "success")
    return redirect(url_for("objections.respond", objection_id=objection_id), 303)
