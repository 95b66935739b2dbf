"""Officer side of expert review: rounds, the random draw, assignments, the progress dashboard.

Officers act; auditors read the same pages without the buttons. Every write goes through
review/rounds.py and is committed here, once."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from grantportal.accounts.models import User
from grantportal.applications.models import Application
from grantportal.calls.models import Call, StageKind
from grantportal.core.db import db, utcnow
from grantportal.core.forms import ButtonForm
from grantportal.core.inputs import as_id
from grantportal.core.permissions import is_officer, require
from grantportal.review import rounds as ops
from grantportal.review.draw import replay
from grantportal.review.models import Assignment, Draw, ReviewRound, RoundStatus
from grantportal.review.permissions_rounds import (
    can_assign_experts,
    can_change_round_status,
    can_create_round,
    can_edit_round,
    can_send_reminders,
    can_view_round,
    can_view_rounds,
)
from grantportal.review.rounds_forms import (
    AddExpertForm,
    CloseRoundForm,
    ReplaceForm,
    RoundForm,
    new_round_data,
    round_data,
)

bp = Blueprint("rounds", __name__)


def _round(round_id):
    return db.get_or_404(ReviewRound, round_id)


def _application_in_round(rnd, application_id):
    application = db.get_or_404(Application, application_id)
    if application.call_id != rnd.call_id:
        abort(404)
    return application


def _back(rnd):
    target = request.form.get("next", "")
    if target.startswith("/manage/") and "//" not in target:
        return redirect(target)
    return redirect(url_for("rounds.detail", round_id=rnd.id))


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
                           officer=is_officer(current_user))


@bp.route("/manage/calls/<int:call_id>/rounds/new", methods=["GET", "POST"])
@login_required
def create(call_id):
    call = db.get_or_404(Call, call_id)
    require(can_create_round(current_user, call))
    earlier = call.review_rounds
    if request.method == "POST":
        form = RoundForm(earlier_rounds=earlier)
    else:
        form = RoundForm(data=new_round_data(call, call.stage(StageKind.REVIEW), len(earlier)),
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
            try:
                if rnd is None:
                    rnd = ops.create_round(call, current_user, form.settings())
                    message = "评审轮次已创建（筹备中）。请抽取评审专家，然后开始评审。"
                else:
                    ops.update_round(rnd, current_user, form.settings())
                    message = "评审轮次已保存。"
            except ops.RoundRefused as e:
                db.session.rollback()
                abort(409, str(e))
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("rounds.detail", round_id=rnd.id))
    else:
        form.pad()
    return _render_form(form, call, rnd)


def _render_form(form, call, rnd):
    return render_template("review/rounds/form.html", form=form, call=call, rnd=rnd)


# -- one round: its panels ---------------------------------------------------------------------------
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
    panels = ops.panels(rnd, apps)
    decision = ops.ROUND.check(current_user, rnd, "open")
    ready, reason = decision.allowed, decision.reason
    return render_template("review/rounds/detail.html", rnd=rnd, call=rnd.call, apps=apps, panels=panels,
                           entry_problem=entry_problem, officer=is_officer(current_user),
                           locked=ops.has_reviews(rnd), can_open=ready, open_reason=reason,
                           form=ButtonForm(), drawable=ops.is_drawable_state(rnd), RoundStatus=RoundStatus)


@bp.route("/manage/rounds/<int:round_id>/open", methods=["POST"])
@login_required
def open_round(round_id):
    rnd = _round(round_id)
    require(can_change_round_status(current_user, rnd))
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ops.move_round(rnd, current_user, "open")
    except ops.RoundRefused as e:
        db.session.rollback()
        abort(409, str(e))
    db.session.commit()
    flash(f"“{rnd.name}”已开始评审，专家现在可以评分。", "success")
    return redirect(url_for("rounds.detail", round_id=rnd.id))


@bp.route("/manage/rounds/<int:round_id>/close", methods=["GET", "POST"])
@login_required
def close(round_id):
    rnd = _round(round_id)
    require(can_change_round_status(current_user, rnd))
    if rnd.status != RoundStatus.OPEN:
        abort(409, "只有评审中的轮次才能结束。")
    form = CloseRoundForm()
    if form.validate_on_submit():
        try:
            ops.move_round(rnd, current_user, "close", confirmed=True)
        except ops.RoundRefused as e:
            db.session.rollback()
            abort(409, str(e))
        db.session.commit()
        flash(f"“{rnd.name}”已结束。", "success")
        return redirect(url_for("rounds.detail", round_id=rnd.id))
    unfinished = sum(ops.unfinished_by_expert(rnd).values())
    return render_template("review/rounds/close.html", rnd=rnd, call=rnd.call, form=form, unfinished=unfinished,
                           now=utcnow())


# -- draws -------------------------------------------------------------------------------------------
def _run_draw(rnd, action):
    require(can_assign_experts(current_user, rnd))
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        result = action()
    except ops.RoundRefused as e:
        db.session.rollback()
        abort(409, str(e))
    except ops.PanelFull as e:
        db.session.rollback()
        flash(str(e), "info")
        return None
    except ops.NotEnoughExperts as e:
        db.session.rollback()
        flash(str(e), "error")
        return None
    db.session.commit()
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
    return redirect(url_for("rounds.panel", round_id=rnd.id, application_id=application.id))


@bp.route("/manage/draws/<int:draw_id>")
@login_required
def draw_detail(draw_id):
    record = db.get_or_404(Draw, draw_id)
    require(can_view_round(current_user, record.round))
    panel, matches = replay(record)
    ids = {e for e, _ in record.candidates} | {e for e, _ in record.excluded} | set(record.picked)
    names = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    application = db.session.get(Application, record.application_id) if record.application_id else None
    return render_template("review/rounds/draw.html", draw=record, rnd=record.round, call=record.round.call,
                           application=application, panel=panel, matches=matches, users=names)


# -- one application's panel ---------------------------------------------------------------------------
def _expert_choices(rnd, application):
    options = [SelectChoice("", "— 请选择专家 —")]
    for user, why in ops.selectable_experts(rnd, application):
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
    officer = is_officer(current_user)
    if officer and ops.is_drawable_state(rnd):
        form.expert_id.choices = _expert_choices(rnd, application)
    members = ops.panels(rnd, [application])[application.id]
    conflicts = ops.member_conflicts(application, members)
    draws = db.session.scalars(sa.select(Draw).where(Draw.round_id == rnd.id, Draw.application_id == application.id)
                               .order_by(Draw.id.desc())).all()
    return render_template("review/rounds/panel.html", rnd=rnd, call=rnd.call, application=application,
                           members=members, conflicts=conflicts, draws=draws, form=form, officer=officer,
                           drawable=ops.is_drawable_state(rnd), confirm=ButtonForm()), code


@bp.route("/manage/rounds/<int:round_id>/applications/<int:application_id>/add", methods=["POST"])
@login_required
def add_expert(round_id, application_id):
    rnd = _round(round_id)
    application = _application_in_round(rnd, application_id)
    require(can_assign_experts(current_user, rnd))
    if not ops.is_drawable_state(rnd):
        abort(409, "评审已结束，不能再指派专家。")
    form = AddExpertForm()
    form.expert_id.choices = _expert_choices(rnd, application) + _chosen(form)
    if form.validate_on_submit():
        expert = db.session.get(User, as_id(form.expert_id.data)) if as_id(form.expert_id.data) else None
        if expert is None:
            form.expert_id.errors.append("请选择专家。")
        else:
            try:
                ops.add_expert(rnd, application, expert, form.reason.data, current_user)
            except ops.ConflictRefused as e:
                db.session.rollback()
                abort(409, str(e))
            except ops.RoundRefused as e:
                db.session.rollback()
                abort(409, str(e))
            except ops.AssignmentRefused as e:
                db.session.rollback()
                form.expert_id.errors.append(str(e))
            else:
                db.session.commit()
                flash(f"已将{expert.name}加入 {application.display_number} 的评审组。", "success")
                return redirect(url_for("rounds.panel", round_id=rnd.id, application_id=application.id))
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
    assignment = db.get_or_404(Assignment, assignment_id)
    rnd = assignment.round
    require(can_assign_experts(current_user, rnd))
    if not ops.is_drawable_state(rnd):
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
        try:
            new = ops.replace_assignment(assignment, form.reason.data, current_user, expert)
        except (ops.ConflictRefused, ops.RoundRefused) as e:
            db.session.rollback()
            abort(409, str(e))
        except (ops.AssignmentRefused, ops.NotEnoughExperts) as e:
            db.session.rollback()
            form.expert_id.errors.append(str(e))
        else:
            db.session.commit()
            flash(f"已将{assignment.expert.name}替换为{new.expert.name}。", "success")
            return redirect(url_for("rounds.panel", round_id=rnd.id, application_id=application.id))
    return render_template("review/rounds/replace.html", rnd=rnd, call=rnd.call, assignment=assignment,
                           application=application, form=form,
                           conflicts=ops.member_conflicts(application, [assignment]).get(assignment.id, []))


# -- the officer's dashboard -------------------------------------------------------------------------
@bp.route("/manage/rounds/<int:round_id>/dashboard")
@login_required
def dashboard(round_id):
    rnd = _round(round_id)
    require(can_view_round(current_user, rnd))
    data = ops.dashboard(rnd)
    return render_template("review/rounds/dashboard.html", rnd=rnd, call=rnd.call, data=data,
                           officer=is_officer(current_user), form=ButtonForm(), RoundStatus=RoundStatus,
                           now=utcnow(), drawable=ops.is_drawable_state(rnd))


@bp.route("/manage/rounds/<int:round_id>/remind", methods=["POST"])
@login_required
def remind(round_id):
    rnd = _round(round_id)
    require(can_send_reminders(current_user, rnd))
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        n = ops.send_reminders(rnd, current_user, link=_worklist_link())
    except ops.RoundRefused as e:
        db.session.rollback()
        abort(409, str(e))
    db.session.commit()
    flash(f"已向{n}位专家发送催办提醒（站内通知和电子邮件）。" if n else "所有专家均已提交评分，无需提醒。", "success")
    return redirect(url_for("rounds.dashboard", round_id=rnd.id))


def _worklist_link():
    """The expert's worklist (the scoring side's page), when it exists."""
    return url_for("scoring.worklist")

