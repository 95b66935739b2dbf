"""Officers' pages on the expert pool: search, add, profiles, (de)activation, conflicts set and withdrawn."""
import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from grantportal.accounts.models import User
from grantportal.accounts.operations import UsernameTaken
from grantportal.core import signals
from grantportal.core.commits import commit_or_abort
from grantportal.core.db import db
from grantportal.core.paging import get_or_404, page_number
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.core.wording import quoted
from grantportal.experts import operations as ops
from grantportal.experts.blueprint import bp
from grantportal.experts.conflicts import AFFILIATION_YEARS, detected_orgs
from grantportal.experts.forms import (
    ConflictForm,
    NewExpertForm,
    OfficerProfileForm,
    ReasonForm,
    SetActiveForm,
)
from grantportal.experts.models import Conflict, ExpertProfile
from grantportal.experts.permissions import (
    can_browse_pool,
    can_manage_pool,
    can_set_conflict,
    can_view_expert,
    can_withdraw_conflict,
)
from grantportal.orgs.forms import SERVICE_FIELDS

MAX_PAGE = 500  # deep pages are not offered: narrow the search instead
HISTORY_SHOWN = 100
STATUSES = {
    "active": "在库（已启用）",
    "inactive": "已停用",
    "available": "可参加抽取",
    "unavailable": "本人暂不接受评审",
}


def _filters():
    args = request.args
    return {
        "q": (args.get("q") or "").strip()[:60],
        "field": args.get("field") if args.get("field") in SERVICE_FIELDS else "",
        "status": args.get("status") if args.get("status") in STATUSES else "",
    }


def _pool_query(filters):
    query = db.select(ExpertProfile).join(User, User.id == ExpertProfile.user_id) \
        .options(selectinload(ExpertProfile.user))
    if filters["q"]:
        q = filters["q"]
        query = query.where(sa.or_(User.name.contains(q, autoescape=True),
                                   ExpertProfile.employer.contains(q, autoescape=True)))
    if filters["field"]:
        query = query.where((sa.literal(",") + ExpertProfile.fields + sa.literal(","))
                            .contains(f",{filters['field']},", autoescape=True))
    status = filters["status"]
    if status == "active":
        query = query.where(ExpertProfile.active.is_(True))
    elif status == "inactive":
        query = query.where(ExpertProfile.active.is_(False))
    elif status == "available":
        query = query.where(ExpertProfile.active.is_(True), ExpertProfile.available.is_(True),
                            User.is_active.is_(True))
    elif status == "unavailable":
        query = query.where(ExpertProfile.available.is_(False))
    return query.order_by(ExpertProfile.id.desc())


# officers (auditors read the same pages)

@bp.route("/manage/experts/")
@login_required
def pool():
    require(can_browse_pool(current_user))
    filters = _filters()
    page = page_number(MAX_PAGE)
    size = current_app.config["PAGE_SIZE"]
    result = db.paginate(_pool_query(filters), page=page, per_page=size, max_per_page=size, error_out=False)
    counts = signals.ask(signals.expert_open_assignments, [p.user_id for p in result.items])
    return render_template("experts/pool.html", page=result, filters=filters, counts=counts,
                           fields=SERVICE_FIELDS, statuses=STATUSES, can_act=can_manage_pool(current_user),
                           args={k: v for k, v in filters.items() if v})


@bp.route("/manage/experts/new", methods=["GET", "POST"])
@login_required
def new():
    require(can_manage_pool(current_user))
    form = NewExpertForm()
    if form.validate_on_submit():
        account = {k: getattr(form, k).data for k in ("username", "name", "password", "phone", "email")}
        try:
            profile = ops.create_expert(account, form.profile_data("load_limit"), current_user)
        except UsernameTaken as e:
            form.username.errors.append(str(e))
        else:
            db.session.commit()
            flash(f"已将{quoted(profile.user.name)}加入专家库，登录名 {profile.user.username}。"
                  "请通过安全渠道将初始密码告知本人。", "success")
            return redirect(url_for("experts.detail", profile_id=profile.id))
    return render_template("experts/new.html", form=form)


def _load_profile(profile_id):
    return db.first_or_404(
        db.select(ExpertProfile).where(ExpertProfile.id == profile_id).options(
            selectinload(ExpertProfile.user), selectinload(ExpertProfile.affiliations),
            selectinload(ExpertProfile.conflicts).selectinload(Conflict.org),
            selectinload(ExpertProfile.conflicts).selectinload(Conflict.application),
            selectinload(ExpertProfile.conflicts).selectinload(Conflict.set_by),
            selectinload(ExpertProfile.conflicts).selectinload(Conflict.withdrawn_by)))


@bp.route("/manage/experts/<int:profile_id>")
@login_required
def detail(profile_id):
    profile = _load_profile(profile_id)
    require(can_view_expert(current_user, profile))
    history = signals.ask(signals.expert_assignment_history, (profile.user_id, HISTORY_SHOWN))
    open_count = signals.ask(signals.expert_open_assignments, [profile.user_id]).get(profile.user_id, 0)
    today = local_today()
    return render_template("experts/detail.html", profile=profile, history=history, today=today,
                           detected=detected_orgs(profile, today), years=AFFILIATION_YEARS,
                           open_count=open_count,
                           can_act=can_manage_pool(current_user), history_shown=HISTORY_SHOWN)


@bp.route("/manage/experts/<int:profile_id>/edit", methods=["GET", "POST"])
@login_required
def edit(profile_id):
    profile = get_or_404(ExpertProfile, profile_id, joinedload(ExpertProfile.user))
    require(can_manage_pool(current_user))
    form = OfficerProfileForm(obj=profile) if request.method == "GET" else OfficerProfileForm()
    if request.method == "GET":
        form.fields.data = profile.field_list
    if form.validate_on_submit():
        with commit_or_abort():
            ops.update_profile(profile, form.profile_data("load_limit"), current_user)
        flash("专家信息已更新。", "success")
        return redirect(url_for("experts.detail", profile_id=profile.id))
    return render_template("experts/edit.html", form=form, profile=profile)


@bp.route("/manage/experts/<int:profile_id>/active", methods=["GET", "POST"])
@login_required
def set_active(profile_id):
    profile = get_or_404(ExpertProfile, profile_id, joinedload(ExpertProfile.user))
    require(can_manage_pool(current_user))
    form = SetActiveForm()
    if request.method == "GET":
        form.active.data = "0" if profile.active else "1"
    if form.validate_on_submit():
        active = form.active.data == "1"
        with commit_or_abort():
            ops.set_active(profile, active, form.reason.data, current_user)
        flash(f"已{'启用' if active else '停用'}专家{quoted(profile.user.name)}。", "success")
        return redirect(url_for("experts.detail", profile_id=profile.id))
    activating = form.active.data == "1"
    return render_template("experts/reason_form.html", form=form, profile=profile,
                           title="启用专家" if activating else "停用专家",
                           submit="启用" if activating else "停用", danger=not activating,
                           intro="启用后，该专家可参加随机抽取（本人设为暂不接受评审的除外）。" if activating else
                           "停用后，该专家不再参加随机抽取；已分配的评审任务不受影响，如需调整请在评审轮次中替换。")


@bp.route("/manage/experts/<int:profile_id>/conflicts/new", methods=["GET", "POST"])
@login_required
def set_conflict(profile_id):
    profile = get_or_404(ExpertProfile, profile_id, joinedload(ExpertProfile.user))
    require(can_set_conflict(current_user, profile))
    form = ConflictForm(profile=profile, verified_only=False)
    if form.validate_on_submit():
        target = form.target_object()
        with commit_or_abort():
            ops.set_conflict(profile, form.reason.data, current_user, **target)
        flash("已设定回避。", "success")
        return redirect(url_for("experts.detail", profile_id=profile.id))
    return render_template("experts/conflict_form.html", form=form, profile=profile, officer=True)


@bp.route("/manage/conflicts/<int:conflict_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_conflict(conflict_id):
    conflict = get_or_404(Conflict, conflict_id, joinedload(Conflict.expert).joinedload(ExpertProfile.user),
                          joinedload(Conflict.set_by), joinedload(Conflict.org), joinedload(Conflict.application))
    require(can_withdraw_conflict(current_user, conflict))
    if conflict.withdrawn_at is not None:
        abort(409, "该回避记录已撤销，不能重复操作。")
    form = ReasonForm()
    if form.validate_on_submit():
        with commit_or_abort():
            ops.withdraw_conflict(conflict, form.reason.data, current_user)
        flash("已撤销该回避记录，记录仍予保留。", "success")
        return redirect(url_for("experts.detail", profile_id=conflict.expert_id))
    return render_template("experts/reason_form.html", form=form, profile=conflict.expert, conflict=conflict,
                           title="撤销回避", submit="撤销回避", danger=True,
                           intro="撤销后该专家可再次被分配评审该对象的申报；记录将保留并显示撤销人和原因。")


# the expert's own pages
