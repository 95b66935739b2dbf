"""The public results page (公示 and final results, with their history) and filing objections (异议):
the form, the objector's own list and pages, the evidence downloads; the applicant's view of its award."""
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from grantportal.accounts.models import User
from grantportal.applications.models import Application
from grantportal.awards.models import (
    Award,
    AwardStatus,
    FinalStatus,
    Objection,
    ObjectionFile,
    ObjectionStatus,
    Proposal,
    ProposalStatus,
)
from grantportal.awards.objection_forms import ObjectionForm
from grantportal.awards.objections import EVIDENCE_EXTENSIONS, MAX_FILES, file_objection, filing_problem
from grantportal.awards.operations import AwardRefused, proposal_of
from grantportal.awards.permissions import can_file_objection, can_list_own_objections, can_view_objection
from grantportal.calls.models import Call, Level
from grantportal.calls.permissions import can_view_call
from grantportal.core.db import db, utcnow
from grantportal.core.extensions import limiter
from grantportal.core.files import UploadError, check_upload, clean_display_name, send_stored
from grantportal.core.paging import Pager, get_or_404, page_number
from grantportal.core.permissions import is_staff, require
from grantportal.review.aggregate import scored_rounds
from grantportal.review.models import Assignment

bp = Blueprint("results", __name__)

PER_LEVEL = 200  # rows per level table; a level with more is paged (?level=…&page=…)
MAX_PAGE = 1000
SHOWN = {False: (AwardStatus.SELECTED, AwardStatus.RESERVE), True: (FinalStatus.SELECTED, FinalStatus.RESERVE)}


# --- the public results page ------------------------------------------------------------------------

def countdown(ends_at, now):
    """距公示结束还有X天X小时 (computed on the server; countdown.js only keeps it current)."""
    left = ends_at - now
    if left.total_seconds() <= 0:
        return None
    days, hours = left.days, left.seconds // 3600
    if days == 0 and hours == 0:
        return "距公示结束不足1小时"
    return f"距公示结束还有{days}天{hours}小时"


def row_status(award, final):
    """拟入选 / 候补第N位 during 公示; 入选 / 候补第N位 once final."""
    status = award.final_status if final else award.status
    if status in (AwardStatus.RESERVE, FinalStatus.RESERVE):
        label = f"候补第{award.reserve_position}位" if award.reserve_position else "候补"
        return SimpleNamespace(label=label, reserve=True)
    return SimpleNamespace(label=status.label, reserve=False)


def _level_tables(proposal, final):
    """One table per level: the selected then the reserve projects, paged past ``PER_LEVEL`` rows;
    applications and organizations loaded with the awards (no query per row)."""
    status_col = Award.final_status if final else Award.status
    selected = SHOWN[final][0]
    counts = {}
    for level, status, n, total in db.session.execute(
            sa.select(Award.level, status_col, sa.func.count(), sa.func.sum(Award.amount))
            .where(Award.proposal_id == proposal.id, status_col.in_(SHOWN[final]))
            .group_by(Award.level, status_col)):
        entry = counts.setdefault(level, SimpleNamespace(selected=0, reserve=0, amount=0))
        if status == selected:
            entry.selected, entry.amount = n, total
        else:
            entry.reserve = n
    chosen, page = request.args.get("level", ""), page_number(MAX_PAGE)
    order = (sa.case((status_col == selected, 0), else_=1), sa.func.coalesce(Award.reserve_position, 0),
             Award.rank, Award.id)
    tables = []
    for level in Level:
        count = counts.get(level)
        if count is None:
            continue
        total = count.selected + count.reserve
        pager = Pager(total, page if level.value == chosen else 1, PER_LEVEL)
        awards = db.session.scalars(
            sa.select(Award).where(Award.proposal_id == proposal.id, Award.level == level,
                                   status_col.in_(SHOWN[final]))
            .options(joinedload(Award.application).joinedload(Application.org))
            .order_by(*order).offset(pager.start).limit(PER_LEVEL)).all()
        tables.append(SimpleNamespace(
            level=level, counts=count, start=pager.start, awards=awards, pager=pager))
    return tables


def panel_names(call):
    """The experts with active assignments in the call's scored rounds: names only, sorted; never which
    application each of them reviewed."""
    round_ids = [r.id for r in scored_rounds(call)]
    if not round_ids:
        return []
    names = db.session.scalars(
        sa.select(User.name).join(Assignment, Assignment.expert_id == User.id)
        .where(Assignment.round_id.in_(round_ids), Assignment.active.is_(True)).distinct()).all()
    return sorted(names)


def _decided_objections(proposal):
    return db.session.scalars(
        sa.select(Objection).join(Award, Award.id == Objection.award_id)
        .where(Award.proposal_id == proposal.id, Objection.status != ObjectionStatus.RECEIVED)
        .options(joinedload(Objection.award).joinedload(Award.application))
        .order_by(Objection.decided_at, Objection.id)).all()


def _open_objections(proposal):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Objection).join(Award, Award.id == Objection.award_id)
        .where(Award.proposal_id == proposal.id, Objection.status == ObjectionStatus.RECEIVED))


@bp.route("/calls/<int:call_id>/results")
def public(call_id):
    call = get_or_404(Call, call_id)
    if not can_view_call(current_user, call):
        abort(404)  # a draft call's existence is not public, as on its own page
    proposal = proposal_of(call)
    if proposal is None or not proposal.is_public:
        return render_template("awards/results.html", call=call, proposal=None)
    now = utcnow()
    final = proposal.status == ProposalStatus.FINAL
    filing_open = not final and now < proposal.ends_at
    return render_template(
        "awards/results.html", call=call, proposal=proposal, final=final, now=now,
        tables=_level_tables(proposal, final), row_status=row_status,
        countdown=countdown(proposal.ends_at, now) if filing_open else None, filing_open=filing_open,
        can_object=filing_open and current_user.is_authenticated and not is_staff(current_user),
        panel=panel_names(call) if call.publish_panel else None,
        decided=_decided_objections(proposal), open_objections=_open_objections(proposal),
        revisions=proposal.revisions)


# --- filing an objection ----------------------------------------------------------------------------

def _public_award(award_id):
    """The award, only once its proposal is published (a draft's awards are not public: 404)."""
    award = db.session.get(Award, award_id)
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
            return [], f"“{clean_display_name(upload.filename)}”：{e}"
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


@bp.route("/awards/<int:award_id>/objection", methods=["GET", "POST"], endpoint="object")
@limiter.limit(lambda: current_app.config["RATELIMIT_OBJECTION"], methods=["POST"])
@login_required
def file_objection_page(award_id):
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
        return redirect(url_for("results.objection", objection_id=existing.id), 303)
    try:
        objection = file_objection(award, current_user, utcnow(), form.real_name.data, form.contact.data,
                                   form.reason.data, uploads,
                                   link=url_for("objections.index", call_id=award.proposal.call_id))
        db.session.commit()
    except UploadError as e:  # checked above; only if a file changed in between
        db.session.rollback()
        form.evidence.errors = [*form.evidence.errors, str(e)]
        return _objection_page(_public_award(award_id), form, 400)
    except AwardRefused as e:
        db.session.rollback()
        award = _public_award(award_id)
        if e.field and e.field in form:
            form[e.field].errors = [*form[e.field].errors, e.message]
            return _objection_page(award, form, e.status)
        return _objection_page(award, None, e.status, problem=e.message)
    flash("异议已提交。项目官员将在公示期内调查核实，处理结果会通知您，并在结果公示页面公开处理结果摘要"
          "（不公开您的姓名和联系方式）。", "success")
    return redirect(url_for("results.objection", objection_id=objection.id), 303)


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
    return render_template("awards/objection_mine.html", page=page)


@bp.route("/objections/<int:objection_id>")
@login_required
def objection(objection_id):
    obj = db.session.scalar(sa.select(Objection).where(Objection.id == objection_id)
                            .options(selectinload(Objection.files).joinedload(ObjectionFile.file)))
    if obj is None:
        abort(404)
    require(can_view_objection(current_user, obj))
    award = obj.award
    return render_template("awards/objection_detail.html", objection=obj, award=award, app=award.application,
                           proposal=award.proposal, call=award.proposal.call)


@bp.route("/objections/<int:objection_id>/files/<int:file_id>")
@login_required
def objection_file(objection_id, file_id):
    obj = get_or_404(Objection, objection_id)
    require(can_view_objection(current_user, obj))
    evidence = db.session.get(ObjectionFile, file_id)
    if evidence is None or evidence.objection_id != obj.id:
        abort(404)
    return send_stored(evidence.file)
