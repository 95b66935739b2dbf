"""Issued documents: the public verification page, the officer's list of a call's documents (batch of
notices, retry), a document's versions with the correction form, a job's progress, downloads."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, FinalStatus, Proposal
from grantportal.calls.models import Call
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db
from grantportal.core.extensions import limiter
from grantportal.core.files import send_stored
from grantportal.core.jobs import progress_percent
from grantportal.core.jobs_models import Job, JobStatus
from grantportal.core.paging import get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.documents import operations as ops
from grantportal.documents.forms import CorrectionForm, RectificationForm, VerifyForm
from grantportal.documents.models import DocumentKind, DocumentStatus, IssuedDocument
from grantportal.documents.permissions import (
    can_download_document,
    can_manage_documents,
    can_verify_documents,
    can_view_documents,
    can_view_job,
)
from grantportal.documents.queries import (
    compare_file,
    document_signature,
    issued_by_code,
    newer_version,
    upload_signature,
)
from grantportal.documents.render import issuing_refusal

bp = Blueprint("documents", __name__)
PER_PAGE = 100


# --- public verification ------------------------------------------------------------------------------

@bp.route("/verify/<code>")
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"])
def verify(code):
    """Where the QR code points: the document's public facts, its file's SHA-256 and digital signature."""
    require(can_verify_documents(current_user))
    doc = issued_by_code(code)  # typed from the paper: full-width, spaces, hyphens, lower case
    if doc is None:
        return render_template("documents/verify_missing.html"), 404
    return render_template("documents/verify.html", doc=doc, facts=doc.facts, newer=newer_version(doc),
                           signature=document_signature(doc))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], methods=["POST"])
def verify_form():
    """文书核验: the code typed from the paper and, optionally, the electronic file. A code alone leads to the
    document's page; with a file, that page answers 一致 / 不一致 and the file's own signature 有效 / 无效 / 未签名
    (the file is hashed and checked, never stored)."""
    require(can_verify_documents(current_user))
    form = VerifyForm()
    if not form.validate_on_submit():
        return render_template("documents/verify_form.html", form=form), 400 if form.is_submitted() else 200
    doc = issued_by_code(form.code.data)
    if doc is None:
        form.code.errors.append("未找到该核验码对应的文书，请核对文书上印制的核验码。")
        return render_template("documents/verify_form.html", form=form), 404
    upload = form.file.data
    if not upload or not upload.filename:
        return redirect(url_for("documents.verify", code=doc.verification_code), 303)
    return render_template("documents/verify.html", doc=doc, facts=doc.facts, newer=newer_version(doc),
                           signature=document_signature(doc), comparison=compare_file(doc, upload.stream),
                           upload_signature=upload_signature(upload.stream), filename=upload.filename)


# --- the officer's pages ------------------------------------------------------------------------------

@bp.route("/manage/calls/<int:call_id>/documents")
@login_required
def index(call_id):
    call = get_or_404(Call, call_id)
    require(can_view_documents(current_user, call))
    page = page_number()
    status = request.args.get("status", "")
    query = (sa.select(IssuedDocument).join(Award, Award.id == IssuedDocument.award_id)
             .join(Proposal, Proposal.id == Award.proposal_id).where(Proposal.call_id == call.id)
             .options(joinedload(IssuedDocument.award).joinedload(Award.application).joinedload(Application.org))
             .order_by(IssuedDocument.id.desc()))
    if status in {s.value for s in DocumentStatus}:
        query = query.where(IssuedDocument.status == DocumentStatus(status))
    docs = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    counts = dict(db.session.execute(
        sa.select(IssuedDocument.status, sa.func.count()).join(Award, Award.id == IssuedDocument.award_id)
        .join(Proposal, Proposal.id == Award.proposal_id).where(Proposal.call_id == call.id)
        .group_by(IssuedDocument.status)).all())
    waiting = len(ops.awards_without_notice(call))
    jobs = db.session.scalars(sa.select(Job).where(Job.kind == "documents.issue_batch")
                              .where(Job.params["call_id"].as_integer() == call.id)
                              .order_by(Job.id.desc()).limit(5)).all()
    return render_template("documents/index.html", call=call, docs=docs, counts=counts, status=status,
                           waiting=waiting, jobs=jobs, can_act=can_manage_documents(current_user, call),
                           Status=DocumentStatus, cannot_issue=issuing_refusal())


@bp.route("/manage/calls/<int:call_id>/documents/batch", methods=["POST"])
@login_required
def batch(call_id):
    call = get_or_404(Call, call_id)
    require(can_manage_documents(current_user, call))
    with commit_or_refusal() as attempt:
        job = ops.issue_notice_batch(call, current_user)
    if not attempt.ok:  # told on the page the officer clicked on, nothing numbered
        flash(attempt.message, "error")
        return redirect(url_for("documents.index", call_id=call.id), 303)
    return redirect(url_for("documents.job", job_id=job.id), 303)


@bp.route("/manage/jobs/<int:job_id>")
@login_required
def job(job_id):
    job = get_or_404(Job, job_id)
    require(can_view_job(current_user, job))
    running = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    call = db.session.get(Call, (job.params or {}).get("call_id") or 0)
    resp = current_app.make_response(render_template("documents/job.html", job=job, running=running,
                                                     percent=progress_percent(job), call=call))
    if running:
        resp.headers["Refresh"] = "2"  # the page reloads itself while the job runs (no script needed)
    return resp


def _document(doc_id):
    doc = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.id == doc_id)
                            .options(joinedload(IssuedDocument.award).joinedload(Award.proposal)))
    if doc is None:
        abort(404)
    return doc


def _versions(doc):
    """Every version of ``doc``'s chain, oldest first."""
    root = doc
    while root.supersedes is not None:
        root = root.supersedes
    chain, current = [root], root
    while True:
        nxt = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.supersedes_id == current.id))
        if nxt is None:
            return chain
        chain.append(nxt)
        current = nxt


def _detail(doc, form, status=200, message=None):
    call = doc.award.proposal.call
    return render_template("documents/detail.html", doc=doc, call=call, versions=_versions(doc), form=form,
                           message=message, can_act=can_manage_documents(current_user, call),
                           Status=DocumentStatus, cannot_issue=issuing_refusal()), status


@bp.route("/manage/documents/<int:doc_id>")
@login_required
def detail(doc_id):
    doc = _document(doc_id)
    require(can_view_documents(current_user, doc.award.proposal.call))
    return _detail(doc, CorrectionForm())


@bp.route("/manage/documents/<int:doc_id>/retry", methods=["POST"])
@login_required
def retry(doc_id):
    doc = _document(doc_id)
    require(can_manage_documents(current_user, doc.award.proposal.call))
    with commit_or_abort():
        ops.retry(doc, current_user)
    flash("已重新提交生成，请稍后刷新查看结果。", "success")
    return redirect(request.form.get("back") == "list" and
                    url_for("documents.index", call_id=doc.award.proposal.call_id) or
                    url_for("documents.detail", doc_id=doc_id), 303)


@bp.route("/manage/documents/<int:doc_id>/correct", methods=["POST"])
@login_required
def correct(doc_id):
    doc = _document(doc_id)
    require(can_manage_documents(current_user, doc.award.proposal.call))
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _detail(doc, form, 400)
    with commit_or_refusal(form) as attempt:
        new = ops.issue_correction(doc, current_user, form.reason.data)
    if not attempt.ok:
        return _detail(_document(doc_id), form, attempt.status, message=attempt.message)
    flash(f"已出具更正版本 {new.number}。", "success")
    return redirect(url_for("documents.detail", doc_id=new.id), 303)


def _award(award_id):
    """The award with what the rectification page shows of it (application, organization, call)."""
    return get_or_404(Award, award_id, joinedload(Award.application).joinedload(Application.org),
                      joinedload(Award.proposal).joinedload(Proposal.call))


@bp.route("/manage/awards/<int:award_id>/rectification", methods=["GET", "POST"])
@login_required
def rectification(award_id):
    award = _award(award_id)
    call = award.proposal.call
    require((can_manage_documents if request.method == "POST" else can_view_documents)(current_user, call))
    form = RectificationForm()
    message, status = None, 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            with commit_or_refusal(form) as attempt:
                doc = ops.issue_document(award, DocumentKind.RECTIFICATION_NOTICE, current_user,
                                         extras={"reason": form.reason.data})
            if not attempt.ok:
                award = _award(award_id)
                message, status = attempt.message, attempt.status
            else:
                flash(f"整改通知书 {doc.number} 已出具。", "success")
                return redirect(url_for("documents.detail", doc_id=doc.id), 303)
    return render_template("documents/rectification.html", award=award, call=award.proposal.call, form=form,
                           message=message, can_act=can_manage_documents(current_user, call),
                           selected=award.final_status == FinalStatus.SELECTED, cannot_issue=issuing_refusal()), status


# --- downloads ----------------------------------------------------------------------------------------

@bp.route("/documents/<int:doc_id>/download")
@login_required
def download(doc_id):
    doc = _document(doc_id)
    require(can_download_document(current_user, doc))
    if doc.status != DocumentStatus.ISSUED or doc.file is None:
        abort(409, "该文书尚未生成完成，请稍后再试。")
    return send_stored(doc.file)
