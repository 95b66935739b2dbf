"""Officers' pages on objections: the objections of a call, investigation and outcome (auditors read)."""
import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, Objection, ObjectionFile, ObjectionStatus, ProposalStatus, ResultsRevision
from grantportal.awards.objections.blueprint import bp
from grantportal.awards.objections.forms import DecisionForm
from grantportal.awards.objections.operations import decide as decide_objection
from grantportal.awards.objections.permissions import can_decide_objection, can_view_objections
from grantportal.awards.proposals.queries import proposal_of
from grantportal.calls.models import Call
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.notices import notices_committed
from grantportal.core.paging import get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.core.wording import quoted

MAX_PAGE = 1000


@bp.route("/manage/calls/<int:call_id>/objections")
@login_required
def index(call_id):
    call = get_or_404(Call, call_id)
    require(can_view_objections(current_user, call))
    proposal = proposal_of(call)
    chosen = request.args.get("status", "")
    status = next((s for s in ObjectionStatus if s.value == chosen), None)
    counts, page = {}, None
    if proposal is not None:
        counts = dict(db.session.execute(
            sa.select(Objection.status, sa.func.count()).join(Award, Award.id == Objection.award_id)
            .where(Award.proposal_id == proposal.id).group_by(Objection.status)).all())
        query = (sa.select(Objection).join(Award, Award.id == Objection.award_id)
                 .where(Award.proposal_id == proposal.id)
                 .options(joinedload(Objection.award).joinedload(Award.application).joinedload(Application.org))
                 .order_by(Objection.filed_at.desc(), Objection.id.desc()))
        if status is not None:
            query = query.where(Objection.status == status)
        number = page_number(MAX_PAGE)
        page = db.paginate(query, page=number, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    may_decide = {o.id: bool(can_decide_objection(current_user, o)) for o in (page.items if page else [])}
    return render_template("awards/objection_index.html", call=call, proposal=proposal, page=page,
                           statuses=list(ObjectionStatus), status=status, counts=counts, may_decide=may_decide,
                           total=sum(counts.values()), now=utcnow())


def _decide_page(objection, form, status=200, message=None):
    award = objection.award
    proposal = award.proposal
    may_decide = can_decide_objection(current_user, objection)
    can_decide = bool(may_decide and objection.is_open and proposal.status == ProposalStatus.PUBLICIZED)
    return render_template("awards/objection_decide.html", objection=objection, award=award,
                           app=award.application, proposal=proposal, call=proposal.call, form=form,
                           can_decide=can_decide, may_decide=may_decide, message=message, now=utcnow()), status


def _load(objection_id):
    objection = db.session.scalar(
        sa.select(Objection).where(Objection.id == objection_id)
        .options(selectinload(Objection.files).joinedload(ObjectionFile.file),
                 joinedload(Objection.award).joinedload(Award.application).joinedload(Application.org)))
    if objection is None:
        abort(404)
    return objection


def _latest_revision_id(proposal_id):
    return db.session.scalar(sa.select(sa.func.max(ResultsRevision.id))
                             .where(ResultsRevision.proposal_id == proposal_id)) or 0


def _decided_message(objection, changes):
    title = objection.award.application.title
    if objection.status == ObjectionStatus.REJECTED:
        text = f"处理结果已保存：异议不成立，{quoted(title)}的公示结果不变。"
    elif changes:
        text = "处理结果已保存。" + "".join(changes) + "公示页面已同步更新。"
    else:
        text = f"处理结果已保存：异议成立。{quoted(title)}此前已被取消入选资格，公示结果不再变化。"
    return text + ("已通知异议人。" if notices_committed() else "")


@bp.route("/manage/objections/<int:objection_id>", methods=["GET", "POST"])
@login_required
def decide(objection_id):
    objection = _load(objection_id)
    award = objection.award
    if request.method == "POST":
        require(can_decide_objection(current_user, objection))
    else:
        require(can_view_objections(current_user, award.proposal.call))
    form = DecisionForm()
    if request.method == "GET":
        return _decide_page(objection, form)
    if not form.validate_on_submit():
        return _decide_page(objection, form, 400)
    proposal_id, before = award.proposal_id, _latest_revision_id(award.proposal_id)
    with commit_or_refusal(form) as attempt:
        decide_objection(objection, current_user, utcnow(), form.upheld, form.investigation.data,
                         form.public_summary.data)
        changes = db.session.scalars(sa.select(ResultsRevision.summary).where(
            ResultsRevision.proposal_id == proposal_id, ResultsRevision.id > before)
            .order_by(ResultsRevision.id)).all()
    if not attempt.ok:
        return _decide_page(_load(objection_id), form, attempt.status, message=attempt.message)
    flash(_decided_message(objection, changes), "success")
    return redirect(url_for("objections.decide", objection_id=objection_id), 303)

