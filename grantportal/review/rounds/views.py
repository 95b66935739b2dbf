"""Officer side of a review round: the call's rounds, a round's settings and page, opening and closing it,
the progress dashboard and reminders. Panels (draws, assignments) are ``review.panels``'s pages.

Officers act; auditors read the same pages without the buttons. Every write goes through
``review.rounds.operations`` and is committed here, once."""
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.calls.models import Call, StageKind
from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.forms import ButtonForm
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.core.wording import quoted
from grantportal.review.models import Assignment, ReviewRound, RoundStatus
from grantportal.review.panels.permissions import can_assign_experts
from grantportal.review.panels.queries import panels
from grantportal.review.rounds import operations as ops
from grantportal.review.rounds.forms import (
    CloseRoundForm,
    ReopenRoundForm,
    RoundForm,
    new_round_data,
    round_data,
)
from grantportal.review.rounds.permissions import (
    can_change_round_status,
    can_create_round,
    can_delete_round,
    can_edit_round,
    can_send_reminders,
    can_view_round,
    can_view_rounds,
)
from grantportal.review.rounds.queries import dashboard as round_dashboard

bp = Blueprint("rounds", __name__)


def _round(round_id):
    return get_or_404(ReviewRound, round_id, selectinload(ReviewRound.criteria))


def _actions(rnd):
    """What the signed-in user may do on a round's pages (the same answers the actions' views require)."""
    return SimpleNamespace(edit=can_edit_round(current_user, rnd), status=can_change_round_status(current_user, rnd),
                           assign=can_assign_experts(current_user, rnd), remind=can_send_reminders(current_user, rnd),
                           delete=can_delete_round(current_user, rnd))


# -- rounds of a call --------------------------------------------------------------------------------
@bp.route("/manage/calls/<int:call_id>/rounds")
@login_required
def index(call_id):
    call = db.get_or_404(Call, call_id)
    require(can_view_rounds(current_user, call))
    rows = db.session.scalars(sa.select(ReviewRound).where(ReviewRound.call_id == call.id)
                              .order_by(ReviewRound.position, ReviewRound.id)).all()
    counts = dict(db.session.execute(
        sa.select(Assignment.round_id, sa.func.count()).join(ReviewRound, Assignment.round_id == ReviewRound.id)
        .where(ReviewRound.call_id == call.id, Assignment.active.is_(True)).group_by(Assignment.round_id)).all())
    return render_template("review/rounds/index.html", call=call, rounds=rows, counts=counts,
                           can_create=can_create_round(current_user, call),
                           can_edit={r.id: can_edit_round(current_user, r) for r in rows})


@bp.route("/manage/calls/<int:call_id>/rounds/new", methods=["GET", "POST"])
@login_required
def create(call_id):
    call = db.get_or_404(Call, call_id)
    require(can_create_round(current_user, call))
    earlier = call.review_rounds
    if request.method == "POST":
        form = RoundForm(earlier_rounds=earlier)
    else:
        expert_rounds = [r for r in earlier if not r.is_vote]  # a public vote is no expert round's predecessor
        form = RoundForm(data=new_round_data(call, call.stage(StageKind.REVIEW), len(expert_rounds)),
                         earlier_rounds=earlier)
    return _edit_page(form, call, None)


@bp.route("/manage/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(round_id):
    rnd = _round(round_id)
    require(can_edit_round(current_user, rnd))
    if rnd.status == RoundStatus.CLOSED:
        abort(409, "已结束的评审轮次不能再修改。")
    earlier = [r for r in rnd.call.review_rounds if r.id != rnd.id and r.position < rnd.position]
    options = {"rnd": rnd, "earlier_rounds": earlier, "locked": ops.has_reviews(rnd)}
    form = RoundForm(**options) if request.method == "POST" else RoundForm(data=round_data(rnd), **options)
    return _edit_page(form, rnd.call, rnd)


def _edit_page(form, call, rnd):
    if request.method == "POST":
        if request.form.get("add_row"):  # "增加一行": the form again with one more row, nothing saved
            if not form.grow(request.form["add_row"]):
                flash("评分项已达上限。", "warning")
            return _render_form(form, call, rnd)
        if form.validate():
            with commit_or_abort():
                if rnd is None:
                    rnd = ops.create_round(call, current_user, form.settings())
                    message = "评审轮次已创建（筹备中）。请抽取评审专家，然后开始评审。"
                else:
                    ops.update_round(rnd, current_user, form.settings())
                    message = "评审轮次已保存。"
            flash(message, "success")
            return redirect(url_for("rounds.detail", round_id=rnd.id))
    else:
        form.pad()
    return _render_form(form, call, rnd)


def _render_form(form, call, rnd):
    return render_template("review/rounds/form.html", form=form, call=call, rnd=rnd)


# -- one round ------------------------------------------------------------------------------------------
@bp.route("/manage/rounds/<int:round_id>")
@login_required
def detail(round_id):
    rnd = _round(round_id)
    require(can_view_round(current_user, rnd))
    entry_problem = None
    try:
        apps = ops.entering_applications(rnd)
    except ops.RoundRefused as e:
        apps, entry_problem = [], str(e)
    members = panels(rnd, apps)
    decision = ops.ROUND.check(current_user, rnd, "open")
    ready, reason = decision.allowed, decision.reason
    reopen = ops.ROUND.check(current_user, rnd, "reopen")
    excluded = db.session.scalars(sa.select(Assignment).where(
        Assignment.round_id == rnd.id, Assignment.active.is_(False),
        Assignment.removed_reason.like("结束评审时排除%"))).all()
    return render_template("review/rounds/detail.html", rnd=rnd, call=rnd.call, apps=apps, panels=members,
                           entry_problem=entry_problem, can=_actions(rnd),
                           locked=ops.has_reviews(rnd), can_open=ready, open_reason=reason,
                           can_reopen=reopen.allowed, reopen_reason=reopen.reason, excluded=len(excluded),
                           excluded_reason=excluded[0].removed_reason if excluded else None,
                           delete_problems=ops.delete_problems(rnd) if rnd.status == RoundStatus.DRAFT else [],
                           form=ButtonForm(), drawable=ops.is_drawable_state(rnd), RoundStatus=RoundStatus)


@bp.route("/manage/rounds/<int:round_id>/open", methods=["POST"])
@login_required
def open_round(round_id):
    rnd = _round(round_id)
    require(can_change_round_status(current_user, rnd))
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    with commit_or_abort():
        ops.move_round(rnd, current_user, "open")
    flash(f"{quoted(rnd.name)}已开始评审，专家现在可以评分。", "success")
    return redirect(url_for("rounds.detail", round_id=rnd.id))


@bp.route("/manage/rounds/<int:round_id>/close", methods=["GET", "POST"])
@login_required
def close(round_id):
    rnd = _round(round_id)
    require(can_change_round_status(current_user, rnd))
    if rnd.status != RoundStatus.OPEN:
        abort(409, "只有评审中的轮次才能结束。")
    form = CloseRoundForm()
    message, status = None, 200
    if form.validate_on_submit():
        with commit_or_refusal(form) as attempt:
            excluded = ops.close_round(rnd, current_user, form.exclude_reason.data, confirmed=True)
        if attempt.ok:
            note = f"{excluded}份未提交的评审已排除，理由已记录。" if excluded else ""
            flash(f"{quoted(rnd.name)}已结束。{note}", "success")
            return redirect(url_for("rounds.detail", round_id=rnd.id))
        message, status = attempt.message, attempt.status
        rnd = _round(round_id)
    unfinished = sum(ops.unfinished_by_expert(rnd).values())
    return render_template("review/rounds/close.html", rnd=rnd, call=rnd.call, form=form, unfinished=unfinished,
                           now=utcnow(), message=message, can=_actions(rnd)), status


@bp.route("/manage/rounds/<int:round_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(round_id):
    """重新开启 a closed round with a reason, until the call's results are published."""
    rnd = _round(round_id)
    require(can_change_round_status(current_user, rnd))
    decision = ops.ROUND.check(current_user, rnd, "reopen")
    if not decision:
        abort(409, decision.reason)
    form = ReopenRoundForm()
    message, status = None, 200
    if form.validate_on_submit():
        with commit_or_refusal(form) as attempt:
            ops.reopen_round(rnd, current_user, form.reason.data, form.closes_at.utc)
        if attempt.ok:
            flash(f"{quoted(rnd.name)}已重新开启评审，专家可在截止时间前继续评分。", "success")
            return redirect(url_for("rounds.detail", round_id=rnd.id))
        message, status = attempt.message, attempt.status
        rnd = _round(round_id)
    elif request.method == "POST":
        status = 400
    return render_template("review/rounds/reopen.html", rnd=rnd, call=rnd.call, form=form, message=message,
                           now=utcnow()), status


@bp.route("/manage/rounds/<int:round_id>/delete", methods=["POST"])
@login_required
def delete(round_id):
    """Delete a round still in 筹备中 (e.g. created on the wrong call)."""
    rnd = _round(round_id)
    require(can_delete_round(current_user, rnd))
    if not ButtonForm().validate_on_submit():
        abort(400)
    problems = ops.delete_problems(rnd)
    if problems:  # the page offers no button then; answered before anything is written
        abort(409, "".join(problems))
    call_id, name = rnd.call_id, rnd.name
    with commit_or_abort():
        ops.delete_round(rnd, current_user)
    flash(f"评审轮次{quoted(name)}已删除。", "success")
    return redirect(url_for("rounds.index", call_id=call_id))


# -- the officer's dashboard -------------------------------------------------------------------------
@bp.route("/manage/rounds/<int:round_id>/dashboard")
@login_required
def dashboard(round_id):
    rnd = _round(round_id)
    require(can_view_round(current_user, rnd))
    data = round_dashboard(rnd)
    return render_template("review/rounds/dashboard.html", rnd=rnd, call=rnd.call, data=data,
                           can=_actions(rnd), form=ButtonForm(), RoundStatus=RoundStatus,
                           now=utcnow(), drawable=ops.is_drawable_state(rnd))


@bp.route("/manage/rounds/<int:round_id>/remind", methods=["POST"])
@login_required
def remind(round_id):
    rnd = _round(round_id)
    require(can_send_reminders(current_user, rnd))
    if not ButtonForm().validate_on_submit():
        abort(400)
    with commit_or_abort():
        n = ops.send_reminders(rnd, current_user, link=_worklist_link())
    flash(f"已向{n}位专家发送催办提醒（站内通知和电子邮件）。" if n else "所有专家均已提交评分，无需提醒。", "success")
    return redirect(url_for("rounds.dashboard", round_id=rnd.id))


def _worklist_link():
    """The expert's worklist (the scoring side's page), when it exists."""
    return url_for("scoring.worklist")

