"""Officer side of a round's panels: the random draw (for every application or one), the draw's record and
its replay, one application's panel, adding an expert by hand and replacing a panel member.

Officers act; auditors read the same pages without the buttons. Every write goes through
``review.panels.operations`` and is committed here, once."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from grantportal.accounts.models import User
from grantportal.applications.models import Application
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db
from grantportal.core.forms import ButtonForm
from grantportal.core.inputs import as_id
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.review.models import Assignment, Draw, ReviewRound
from grantportal.review.panels import operations as ops
from grantportal.review.panels.draw import replay
from grantportal.review.panels.forms import AddExpertForm, ReplaceForm
from grantportal.review.panels.permissions import can_assign_experts
from grantportal.review.panels.queries import member_conflicts, panels, selectable_experts
from grantportal.review.results.aggregate import expert_label
from grantportal.review.rounds.operations import is_drawable_state
from grantportal.review.rounds.permissions import can_view_round

bp = Blueprint("panels", __name__)


def _round(round_id):
    return db.get_or_404(ReviewRound, round_id)


def _application_in_round(rnd, application_id):
    application = get_or_404(Application, application_id, joinedload(Application.org))
    if application.call_id != rnd.call_id:
        abort(404)
    return application


def _back(rnd):
    target = request.form.get("next", "")
    if target.startswith("/manage/") and "//" not in target:
        return redirect(target)
    return redirect(url_for("rounds.detail", round_id=rnd.id))


def _run_draw(rnd, action):
    require(can_assign_experts(current_user, rnd))
    if not ButtonForm().validate_on_submit():
        abort(400)
    with commit_or_refusal() as attempt:
        result = action()
    if isinstance(attempt.refused, (ops.PanelFull, ops.NotEnoughExperts)):  # nothing drawn; the page says why
        flash(attempt.message, "info" if isinstance(attempt.refused, ops.PanelFull) else "error")
        return None
    if not attempt.ok:
        abort(attempt.status, attempt.message)
    return result


@bp.route("/manage/rounds/<int:round_id>/draw", methods=["POST"])
@login_required
def draw_all(round_id):
    rnd = _round(round_id)
    draws = _run_draw(rnd, lambda: ops.draw_all(rnd, current_user))
    if draws is not None:
        flash(f"已完成随机抽取（{len(draws)}次抽取记录），可在各申报的评审组中查看抽取过程并复核。"
              if draws else "已按本轮评审组补齐各申报的评审专家。", "success")
    return _back(rnd)


@bp.route("/manage/rounds/<int:round_id>/applications/<int:application_id>/draw", methods=["POST"])
@login_required
def draw_one(round_id, application_id):
    rnd = _round(round_id)
    application = _application_in_round(rnd, application_id)
    record = _run_draw(rnd, lambda: ops.draw_panel(rnd, application, current_user))
    if record is not None:
        flash(f"已为 {application.display_number} 随机抽取{len(record.picked)}位专家。", "success")
    return redirect(url_for("panels.panel", round_id=rnd.id, application_id=application.id))


@bp.route("/manage/draws/<int:draw_id>")
@login_required
def draw_detail(draw_id):
    record = get_or_404(Draw, draw_id, joinedload(Draw.created_by))
    require(can_view_round(current_user, record.round))
    panel, matches = replay(record)
    ids = {e for e, _ in record.candidates} | {e for e, _ in record.excluded} | set(record.picked)
    names = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    application = db.session.get(Application, record.application_id) if record.application_id else None
    place = {expert_id: i for i, expert_id in enumerate(record.public_order)}
    labels = {expert_id: expert_label(i) for expert_id, i in place.items()}
    return render_template("review/rounds/draw.html", draw=record, rnd=record.round, call=record.round.call,
                           application=application, panel=panel, matches=matches, users=names, labels=labels,
                           candidates=sorted(record.candidates, key=lambda c: place.get(c[0], len(place))),
                           excluded=sorted(record.excluded, key=lambda c: place.get(c[0], len(place))))


def _expert_choices(rnd, application):
    options = [SelectChoice("", "— 请选择专家 —")]
    for user, why in selectable_experts(rnd, application):
        label = f"{user.name}（{user.username}）" + (f" — {why}" if why else "")
        options.append(SelectChoice(str(user.id), label, render_kw={"disabled": True} if why else {}))
    return options


@bp.route("/manage/rounds/<int:round_id>/applications/<int:application_id>")
@login_required
def panel(round_id, application_id):
    rnd = _round(round_id)
    application = _application_in_round(rnd, application_id)
    require(can_view_round(current_user, rnd))
    return _panel_page(rnd, application, AddExpertForm(formdata=None))


def _panel_page(rnd, application, form, code=200):
    can_assign = can_assign_experts(current_user, rnd)
    if can_assign and is_drawable_state(rnd):
        form.expert_id.choices = _expert_choices(rnd, application)
    members = panels(rnd, [application])[application.id]
    conflicts = member_conflicts(application, members)
    draws = db.session.scalars(sa.select(Draw).where(Draw.round_id == rnd.id, Draw.application_id == application.id)
                               .order_by(Draw.id.desc())).all()
    return render_template("review/rounds/panel.html", rnd=rnd, call=rnd.call, application=application,
                           members=members, conflicts=conflicts, draws=draws, form=form, can_assign=can_assign,
                           drawable=is_drawable_state(rnd), confirm=ButtonForm()), code


@bp.route("/manage/rounds/<int:round_id>/applications/<int:application_id>/add", methods=["POST"])
@login_required
def add_expert(round_id, application_id):
    rnd = _round(round_id)
    application = _application_in_round(rnd, application_id)
    require(can_assign_experts(current_user, rnd))
    if not is_drawable_state(rnd):
        abort(409, "评审已结束，不能再指派专家。")
    form = AddExpertForm()
    form.expert_id.choices = _expert_choices(rnd, application) + _chosen(form)
    if form.validate_on_submit():
        expert = db.session.get(User, as_id(form.expert_id.data)) if as_id(form.expert_id.data) else None
        if expert is None:
            form.expert_id.errors.append("请选择专家。")
        else:
            with commit_or_refusal(form) as attempt:
                ops.add_expert(rnd, application, expert, form.reason.data, current_user)
            if attempt.message:  # a conflict of interest or the round's state: no choice on the form helps
                abort(attempt.status, attempt.message)
            if attempt.ok:
                flash(f"已将{expert.name}加入 {application.display_number} 的评审组。", "success")
                return redirect(url_for("panels.panel", round_id=rnd.id, application_id=application.id))
    return _panel_page(rnd, application, form)


def _chosen(form):
    """Accept a posted expert id that is not offered (conflicted or blocked) so that the operation,
    not the select, answers — with the conflict's reasons (409) or the block's message."""
    posted = request.form.get("expert_id", "")
    offered = {c.value for c in form.expert_id.choices}
    return [SelectChoice(posted, posted)] if as_id(posted) and posted not in offered else []


@bp.route("/manage/assignments/<int:assignment_id>/replace", methods=["GET", "POST"])
@login_required
def replace(assignment_id):
    assignment = get_or_404(Assignment, assignment_id, joinedload(Assignment.expert))  # the page names the expert
    rnd = assignment.round
    require(can_assign_experts(current_user, rnd))
    if not is_drawable_state(rnd):
        abort(409, "评审已结束，不能再替换专家。")
    if not assignment.active:
        abort(409, "该专家已被替换。")
    refusal = ops.replacement_refusal(assignment, assignment.review)
    if refusal:
        abort(409, refusal)
    application = assignment.application
    form = ReplaceForm()
    choices = [SelectChoice("", "随机抽取一位（推荐）")] + _expert_choices(rnd, application)[1:]
    form.expert_id.choices = choices + _chosen(form)
    if form.validate_on_submit():
        chosen = form.expert_id.data
        expert = db.session.get(User, as_id(chosen)) if as_id(chosen) else None
        with commit_or_refusal(form) as attempt:
            new = ops.replace_assignment(assignment, form.reason.data, current_user, expert)
        if attempt.message:  # a conflict of interest or the round's state: no choice on the form helps
            abort(attempt.status, attempt.message)
        if attempt.ok:
            flash(f"已将{assignment.expert.name}替换为{new.expert.name}。", "success")
            return redirect(url_for("panels.panel", round_id=rnd.id, application_id=application.id))
    return render_template("review/rounds/replace.html", rnd=rnd, call=rnd.call, assignment=assignment,
                           replaced=assignment.expert, application=application, form=form,
                           conflicts=member_conflicts(application, [assignment]).get(assignment.id, []))
