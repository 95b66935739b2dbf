"""Expert side of review: the worklist, the scoring page and the application's files; and the officer's
reopening of a submitted review (退回修改). A round's results pages are ``review.results``'s."""
from types import SimpleNamespace
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.accounts.models import User
from grantportal.applications.models import Application, Attachment
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.files import send_stored
from grantportal.core.money import format_points
from grantportal.core.notices import notices_committed
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.experts.conflicts import conflict_reasons
from grantportal.review.models import (
    Assignment,
    DefenceSlot,
    Review,
    ReviewRound,
    ReviewStatus,
    RoundKind,
    RoundStatus,
)
from grantportal.review.scoring import operations as ops
from grantportal.review.scoring.forms import (
    ReopenForm,
    initial_data,
    scoring_form_class,
    unknown_criterion_keys,
)
from grantportal.review.scoring.permissions import (
    can_download_review_file,
    can_reopen_review,
    can_score_assignment,
    can_view_worklist,
)

bp = Blueprint("scoring", __name__)


def review_status_label(review):
    if review is None:
        return "未开始"
    return ReviewStatus(review.status).label


# --- experts ------------------------------------------------------------------------------------

@bp.route("/review/")
@login_required
def worklist():
    require(can_view_worklist(current_user))
    assignments = db.session.scalars(
        sa.select(Assignment).join(ReviewRound, ReviewRound.id == Assignment.round_id)
        .where(Assignment.expert_id == current_user.id, Assignment.active.is_(True),
               ReviewRound.status != RoundStatus.DRAFT)
        .options(joinedload(Assignment.round).joinedload(ReviewRound.call),
                 joinedload(Assignment.application).joinedload(Application.org),
                 joinedload(Assignment.review))
        .order_by(ReviewRound.closes_at, ReviewRound.id, Assignment.id)).unique().all()
    groups = {}
    now = utcnow()
    for a in assignments:
        group = groups.setdefault(a.round_id, SimpleNamespace(round=a.round, items=[], submitted=0,
                                                              problem=ops.window_problem(a.round, now)))
        conflicted = bool(conflict_reasons(current_user, a.application))
        group.items.append(SimpleNamespace(assignment=a, review=a.review, status=review_status_label(a.review),
                                           conflicted=conflicted))
        if a.review is not None and a.review.status == ReviewStatus.SUBMITTED:
            group.submitted += 1
    # current work first; a round is finished when it is closed or nothing in it is left to score
    for g in groups.values():
        left = sum(1 for i in g.items if not i.conflicted
                   and (i.review is None or i.review.status != ReviewStatus.SUBMITTED))
        g.finished = g.round.status == RoundStatus.CLOSED or left == 0
    _running_order(groups)
    current = [g for g in groups.values() if not g.finished]
    finished = [g for g in groups.values() if g.finished]
    return render_template("review/scoring/worklist.html", groups=current, finished=finished)


def _running_order(groups):
    """In a defence round (答辩/路演), the day's running order: each item gets its slot, and the items are sorted
    by time (unscheduled last), so that the panel follows the order on a tablet in the room."""
    defence = [g.round.id for g in groups.values() if g.round.kind == RoundKind.DEFENCE]
    for g in groups.values():
        g.defence = g.round.kind == RoundKind.DEFENCE
    if not defence:
        return
    slots = {(s.round_id, s.application_id): s for s in db.session.scalars(
        sa.select(DefenceSlot).where(DefenceSlot.round_id.in_(defence)))}
    for round_id in defence:
        g = groups[round_id]
        for item in g.items:
            item.slot = slots.get((round_id, item.assignment.application_id))
        g.items.sort(key=lambda i: (i.slot is None, i.slot.starts_at if i.slot else None, i.assignment.id))


def _files(assignment):
    """The application's files as the expert sees them: blind rounds hide names and metadata."""
    blind = assignment.round.blind
    files = []
    for i, att in enumerate(assignment.application.attachments, 1):
        files.append(SimpleNamespace(
            id=att.id, document=att.document.name if att.document else "其他材料",
            name=f"申报材料{i}.{att.file.extension}" if blind else att.file.original_name,
            size=None if blind else att.file.size_label))
    return files


def _scoring_page(assignment, form, review, status=200, message=None):
    now = utcnow()
    locked = review is not None and review.status == ReviewStatus.SUBMITTED
    return render_template(
        "review/scoring/score.html", assignment=assignment, app=assignment.application, round=assignment.round,
        form=form, review=review, locked=locked, window_problem=ops.window_problem(assignment.round, now),
        files=_files(assignment), message=message, points_label=format_points,
        criterion_scores={s.criterion_id: s for s in review.scores} if review else {},
        threshold=lambda c: ops.comment_threshold(assignment.round, c)), status


def _stored_review(assignment_id):
    return db.session.scalar(sa.select(Review).where(Review.assignment_id == assignment_id)
                             .execution_options(populate_existing=True))


@bp.route("/review/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def score(assignment_id):
    assignment = get_or_404(Assignment, assignment_id,
                            joinedload(Assignment.application).selectinload(Application.budget_lines),
                            joinedload(Assignment.round).joinedload(ReviewRound.call))
    require(can_score_assignment(current_user, assignment))
    form_class = scoring_form_class(assignment.round)
    if request.method == "GET":
        review = assignment.review
        return _scoring_page(assignment, form_class(data=initial_data(review)), review)

    if unknown_criterion_keys(request.form.keys(), assignment.round):
        abort(400, "提交的评分项目不在本轮评分细则中，请刷新页面后重新填写。")
    form = form_class()  # a posted "total" is not a field: the server adds the scores up
    wants_submit = form.wants_submit
    review = ops.locked_review(assignment)
    if review is not None and review.status == ReviewStatus.SUBMITTED and wants_submit:
        db.session.rollback()
        flash("该评审已提交，无需重复提交。", "info")
        return redirect(url_for("scoring.score", assignment_id=assignment_id), 303)
    stale = ops.StaleReview()
    # a review changed since the page was opened, or another tab creating the first draft at the same moment
    with commit_or_refusal(form, stale=stale, taken=stale) as attempt:
        ops.check_state(assignment, review, utcnow(), form.expected_version)
        if not form.validate():
            raise ops.ScoringError("评分内容有误，请按提示修改。您填写的内容尚未保存，已保留在页面上。", status=200)
        if wants_submit:
            ops.submit(assignment, review, form.to_data(), current_user, utcnow(), form.expected_version)
        else:
            ops.save_draft(assignment, review, form.to_data(), current_user, utcnow(), form.expected_version)
    if not attempt.ok:
        stored = _stored_review(assignment_id)
        if attempt.refused is stale and wants_submit and stored is not None and stored.status == ReviewStatus.SUBMITTED:
            flash("该评审已提交，无需重复提交。", "info")  # another tab submitted it a moment earlier
            return redirect(url_for("scoring.score", assignment_id=assignment_id), 303)
        return _scoring_page(assignment, form, stored, attempt.status, attempt.message)
    if wants_submit:
        flash("评审已提交，评分已锁定。感谢您的评审！", "success")
    else:
        flash("评分已暂存。评审截止前可继续修改，请记得最终提交。", "success")
    return redirect(url_for("scoring.score", assignment_id=assignment_id), 303)


@bp.route("/review/assignments/<int:assignment_id>/files/<int:attachment_id>")
@login_required
def attachment(assignment_id, attachment_id):
    assignment = get_or_404(Assignment, assignment_id)
    require(can_download_review_file(current_user, assignment))
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.application_id != assignment.application_id:
        abort(404)
    resp = send_stored(att.file)
    if assignment.round.blind:
        number = [a.id for a in assignment.application.attachments].index(att.id) + 1
        name = f"申报材料{number}.{att.file.extension}"
        resp.headers["Content-Disposition"] = (
            f"attachment; filename=\"file-{number}.{att.file.extension}\"; filename*=UTF-8''{quote(name)}")
    return resp


# --- officers: reopening a submitted review -------------------------------------------------------


def _review_for_reopening(review_id):
    return get_or_404(Review, review_id, joinedload(Review.assignment).joinedload(Assignment.application),
                      joinedload(Review.assignment).joinedload(Assignment.round))


@bp.route("/manage/reviews/<int:review_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(review_id):
    review = _review_for_reopening(review_id)
    require(can_reopen_review(current_user, review))
    form = ReopenForm(data={"version": str(review.version)} if request.method == "GET" else None)
    message, status = None, 200
    if form.validate_on_submit():
        review = db.session.scalar(sa.select(Review).where(Review.id == review_id).with_for_update()
                                   .execution_options(populate_existing=True))
        changed = "该评审在您打开页面后已发生变化，请刷新页面核对后再操作。"
        with commit_or_refusal(form, stale=ops.ScoringError(changed)) as attempt:
            if form.expected_version != review.version:
                raise ops.ScoringError(changed)
            link = url_for("scoring.score", assignment_id=review.assignment_id)
            ops.reopen(review, current_user, form.reason.data, utcnow(), link=link)
        if attempt.ok:
            flash("评审已退回专家修改，原提交版本已保留" + ("，已通知专家。" if notices_committed() else "。"),
                  "success")
            a = review.assignment
            return redirect(url_for("results.application_reviews", round_id=a.round_id, app_id=a.application_id),
                            303)
        message, status = attempt.message, attempt.status
        review = _review_for_reopening(review_id)
    elif request.method == "GET" and review.status != ReviewStatus.SUBMITTED:
        message = "该评审尚未提交，无需退回。"
    return render_template("review/scoring/reopen.html", review=review, assignment=review.assignment,
                           expert=db.session.get(User, review.assignment.expert_id), form=form, message=message,
                           points_label=format_points), status
