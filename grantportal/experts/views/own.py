"""The expert's own pages: profile, affiliations (任职经历) and declared conflicts (回避申报)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.core.db import db
from grantportal.core.permissions import require
from grantportal.core.wording import quoted
from grantportal.experts import operations as ops
from grantportal.experts.blueprint import bp
from grantportal.experts.conflicts import AFFILIATION_YEARS, detected_orgs
from grantportal.experts.forms import (
    AFFILIATION_ROLES,
    AffiliationForm,
    ConflictForm,
    ExpertProfileForm,
)
from grantportal.experts.models import Conflict, ExpertAffiliation
from grantportal.experts.permissions import (
    can_declare_conflict,
    can_edit_affiliation,
    can_edit_own_profile,
    can_view_own_conflicts,
)


def _own_profile():
    return getattr(current_user, "expert_profile", None)


@bp.route("/expert/profile", methods=["GET", "POST"])
@login_required
def profile():
    require(can_edit_own_profile(current_user))
    mine = _own_profile()
    form = ExpertProfileForm(obj=mine) if request.method == "GET" and mine else ExpertProfileForm()
    if request.method == "GET":
        form.fields.data = mine.field_list if mine else []
        form.available.data = "1" if mine is None or mine.available else "0"
    if form.validate_on_submit():
        data = form.profile_data()
        data["available"] = form.available.data == "1"
        ops.update_own_profile(current_user, data)
        db.session.commit()
        flash("个人资料已保存。", "success")
        return redirect(url_for("experts.profile"))
    affiliations = list(mine.affiliations) if mine else []  # the page lists them: loaded here
    return render_template("experts/profile.html", form=form, profile=mine, affiliations=affiliations,
                           years=AFFILIATION_YEARS)


def _require_profile():
    mine = _own_profile()
    if mine is None:
        abort(409, "请先填写并保存个人资料。")
    return mine


@bp.route("/expert/affiliations/new", methods=["GET", "POST"])
@login_required
def add_affiliation():
    require(can_edit_own_profile(current_user))
    mine = _require_profile()
    form = AffiliationForm()
    if form.validate_on_submit():
        ops.add_affiliation(mine, form.to_data(), current_user)
        db.session.commit()
        flash("已添加任职经历。", "success")
        return redirect(url_for("experts.profile"))
    return render_template("experts/affiliation_form.html", form=form, title="添加任职经历",
                           roles=AFFILIATION_ROLES, years=AFFILIATION_YEARS)


@bp.route("/expert/affiliations/<int:affiliation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_affiliation(affiliation_id):
    affiliation = db.get_or_404(ExpertAffiliation, affiliation_id)
    require(can_edit_affiliation(current_user, affiliation))
    form = AffiliationForm(obj=affiliation) if request.method == "GET" else AffiliationForm()
    if form.validate_on_submit():
        try:
            ops.update_affiliation(affiliation, form.to_data(), current_user)
        except ops.AffiliationLocked as e:
            abort(409, str(e))
        db.session.commit()
        flash("任职经历已更新。", "success")
        return redirect(url_for("experts.profile"))
    return render_template("experts/affiliation_form.html", form=form, title="修改任职经历",
                           affiliation=affiliation, roles=AFFILIATION_ROLES, years=AFFILIATION_YEARS)


@bp.route("/expert/affiliations/<int:affiliation_id>/delete", methods=["POST"])
@login_required
def delete_affiliation(affiliation_id):
    affiliation = db.get_or_404(ExpertAffiliation, affiliation_id)
    require(can_edit_affiliation(current_user, affiliation))
    name = affiliation.org_name
    try:
        ops.delete_affiliation(affiliation, current_user)
    except ops.AffiliationLocked as e:
        abort(409, str(e))
    db.session.commit()
    flash(f"已删除在{quoted(name)}的任职经历。", "success")
    return redirect(url_for("experts.profile"))


@bp.route("/expert/conflicts")
@login_required
def conflicts():
    require(can_view_own_conflicts(current_user))
    mine = _own_profile()
    rows = []
    detected = []
    if mine is not None:
        rows = db.session.scalars(
            db.select(Conflict).where(Conflict.expert_id == mine.id)
            .options(selectinload(Conflict.org), selectinload(Conflict.application),
                     selectinload(Conflict.set_by), selectinload(Conflict.withdrawn_by))
            .order_by(Conflict.id.desc())).all()
        detected = detected_orgs(mine, include_names=False)
    return render_template("experts/conflicts.html", profile=mine, rows=rows, detected=detected,
                           years=AFFILIATION_YEARS)


@bp.route("/expert/conflicts/new", methods=["GET", "POST"])
@login_required
def declare_conflict():
    require(can_declare_conflict(current_user))
    mine = _require_profile()
    form = ConflictForm(profile=mine, verified_only=True)
    if form.validate_on_submit():
        ops.declare_conflict(mine, form.reason.data, current_user, **form.target_object())
        db.session.commit()
        flash("已登记回避申报。评审分配时将自动回避。", "success")
        return redirect(url_for("experts.conflicts"))
    return render_template("experts/conflict_form.html", form=form, profile=mine, officer=False)
