"""Officer side of a round's results: the ranking with its statistics, the score sheet (XLSX/CSV), one
application's reviews, and publishing the round's results to the applicants.

Officers act; auditors read the same pages without the buttons. Writes go through
``review.results.operations`` and are committed here, once."""
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.applications.queries import summary_rows
from grantportal.core.commits import commit_or_abort
from grantportal.core.db import db, utcnow
from grantportal.core.forms import ButtonForm
from grantportal.core.money import format_points
from grantportal.core.paging import Pager, get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.review.models import Assignment, Review, ReviewRound, ReviewStatus
from grantportal.review.panels.permissions import can_assign_experts
from grantportal.review.results import exports
from grantportal.review.results import operations as ops
from grantportal.review.results.aggregate import absent_from_defence, conflicted_reviews, round_figures
from grantportal.review.results.permissions import (
    can_export_results,
    can_publish_results,
    can_view_application_reviews,
    can_view_round_results,
)
from grantportal.review.rounds.operations import is_drawable_state
from grantportal.review.scoring.permissions import can_reopen_review

bp = Blueprint("results", __name__)

PER_PAGE = 100


MAX_PAGE = 10_000


@bp.route("/manage/rounds/<int:round_id>/results", endpoint="round")
@login_required
def round_results(round_id):
    round_ = get_or_404(ReviewRound, round_id)
    require(can_view_round_results(current_user, round_))
    res, conflicted = round_figures(round_)
    pager = Pager(len(res), page_number(MAX_PAGE), PER_PAGE)
    shown = list(res.items())[pager.start:pager.start + PER_PAGE]
    apps = summary_rows([app_id for app_id, _ in shown])
    counts = dict(db.session.execute(
        sa.select(Review.status, sa.func.count()).join(Assignment, Assignment.id == Review.assignment_id)
        .where(Assignment.round_id == round_.id, Assignment.active.is_(True)).group_by(Review.status)).all())
    assigned = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                 .where(Assignment.round_id == round_.id, Assignment.active.is_(True)))
    rows = [SimpleNamespace(rank=pager.start + i, app=apps[app_id], stats=s)
            for i, (app_id, s) in enumerate(shown, 1)]
    absent_ids = sorted(absent_from_defence(round_))
    found = summary_rows(absent_ids)
    absent = [found[i] for i in absent_ids]
    return render_template("review/scoring/results.html", round=round_, call=round_.call, rows=rows, pager=pager,
                           assigned=assigned, submitted=counts.get(ReviewStatus.SUBMITTED, 0),
                           drafts=counts.get(ReviewStatus.DRAFT, 0), action_form=ButtonForm(),
                           can_publish=can_publish_results(current_user, round_),
                           can_assign=can_assign_experts(current_user, round_), now=utcnow(),
                           publish_problem=ops.publish_problem(round_, utcnow()),
                           conflicted=conflicted_reviews(round_, conflicted), drawable=is_drawable_state(round_),
                           absent=absent)


@bp.route("/manage/rounds/<int:round_id>/results.<any(xlsx, csv):fmt>")
@login_required
def export(round_id, fmt):
    round_ = get_or_404(ReviewRound, round_id)
    require(can_export_results(current_user, round_))
    return exports.xlsx_response(round_) if fmt == "xlsx" else exports.csv_response(round_)


@bp.route("/manage/rounds/<int:round_id>/results/publish", methods=["POST"])
@login_required
def publish(round_id):
    round_ = db.session.scalar(sa.select(ReviewRound).where(ReviewRound.id == round_id).with_for_update())
    if round_ is None:
        abort(404)
    require(can_publish_results(current_user, round_))
    with commit_or_abort():
        ops.publish_results(round_, current_user, utcnow())
    flash("本轮评审结果已公布。申报机构现在可以看到本轮得分和匿名的专家意见（不含个人评分和专家身份）。", "success")
    return redirect(url_for("results.round", round_id=round_id), 303)


@bp.route("/manage/rounds/<int:round_id>/applications/<int:app_id>/reviews")
@login_required
def application_reviews(round_id, app_id):
    round_ = get_or_404(ReviewRound, round_id)
    app = get_or_404(Application, app_id, joinedload(Application.org))
    if app.call_id != round_.call_id:
        abort(404)
    require(can_view_application_reviews(current_user, round_))
    assignments = db.session.scalars(
        sa.select(Assignment).where(Assignment.round_id == round_.id, Assignment.application_id == app.id)
        .options(joinedload(Assignment.expert), joinedload(Assignment.review).selectinload(Review.scores),
                 joinedload(Assignment.review).selectinload(Review.revisions))
        .order_by(Assignment.active.desc(), Assignment.id)).unique().all()
    results, conflicted = round_figures(round_)
    return render_template("review/scoring/application_reviews.html", round=round_, app=app,
                           assignments=assignments, stats=results.get(app.id), points_label=format_points,
                           can_reopen={a.review.id: can_reopen_review(current_user, a.review)
                                       for a in assignments if a.review},
                           can_assign=can_assign_experts(current_user, round_), drawable=is_drawable_state(round_),
                           conflicts={expert_id: reasons for (app_id, expert_id), reasons in conflicted.items()
                                      if app_id == app.id})
