"""Officers' pages on organizations (auditors read the same pages): the list, one organization's
records, verification and return, rating records, annual inspections, penalties and lists."""
from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db
from grantportal.core.districts import districts
from grantportal.core.notices import notices_committed
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.core.wording import quoted
from grantportal.orgs import operations as ops
from grantportal.orgs.blueprint import bp
from grantportal.orgs.forms import (
    BatchVerifyForm,
    InspectionForm,
    LiftSanctionForm,
    LowerRatingForm,
    RatingForm,
    ReturnForm,
    RevokeRatingForm,
    SanctionForm,
)
from grantportal.orgs.models import (
    Grade,
    InspectionResult,
    Organization,
    OrgKind,
    OrgMember,
    OrgStatus,
    RatingRecord,
    Sanction,
    SanctionKind,
)
from grantportal.orgs.permissions import can_manage_orgs, can_review_orgs
from grantportal.orgs.queries import awaiting_verification, org_page
from grantportal.orgs.tiers import VALIDITY_RULE, default_validity
from grantportal.orgs.verification import registration_checks, registration_digest
from grantportal.orgs.views.shared import (
    conflict,
    district_notice,
    list_filters,
    rating_labels,
    tiers_for,
    with_records,
)


@bp.route("/manage/orgs/")
@login_required
def manage():
    require(can_review_orgs(current_user))
    filters = list_filters()
    today = local_today()
    page = org_page(filters, today, order="newest")
    pending = db.session.scalar(db.select(db.func.count(Organization.id))
                                .where(Organization.status == OrgStatus.PENDING))
    return render_template("orgs/manage.html", page=page, tiers=tiers_for(page.items, today), filters=filters,
                           today=today, pending=pending, can_verify=can_manage_orgs(current_user),
                           statuses=OrgStatus, kinds=OrgKind, grades=Grade, districts=districts(),
                           notes=[n for n in [district_notice()] if n], args={k: v for k, v in filters.items() if v})


@bp.route("/manage/orgs/<int:org_id>")
@login_required
def manage_detail(org_id):
    org = with_records(org_id)
    require(can_review_orgs(current_user))
    members = db.session.scalars(db.select(OrgMember).where(OrgMember.org_id == org.id)
                                 .options(selectinload(OrgMember.user)).order_by(OrgMember.id)).all()
    today = local_today()
    return render_template("orgs/manage_detail.html", org=org, members=members, today=today,
                           can_act=can_manage_orgs(current_user), **rating_labels(org, today))


@bp.route("/manage/orgs/<int:org_id>/verify", methods=["POST"])
@login_required
def verify(org_id):
    org = db.get_or_404(Organization, org_id)
    require(can_manage_orgs(current_user))
    try:
        ops.verify_org(org, current_user)
    except ops.StateError as e:
        conflict(e)
    db.session.commit()
    flash(f"已认证{quoted(org.name)}。", "success")
    return redirect(url_for("orgs.manage_detail", org_id=org.id))


BATCH = 100  # registrations checked and shown on one batch-verification page


def _batch_rows(today, lock=False):
    """The registrations waiting for verification (at most BATCH) with their automatic checks and digest:
    ``(passing, failing)``, lists of ``(organization, checks, digest)``."""
    passing, failing = [], []
    for org in awaiting_verification(BATCH, lock=lock):
        checks = registration_checks(org, today)
        (passing if all(c.passed for c in checks) else failing).append((org, checks, registration_digest(org)))
    return passing, failing


@bp.route("/manage/orgs/verify-batch", methods=["GET", "POST"])
@login_required
def verify_batch():
    require(can_manage_orgs(current_user))
    passing, failing = _batch_rows(local_today(), lock=request.method == "POST")
    form = BatchVerifyForm().offer([(org.id, org.name) for org, _c, _d in passing])
    message, status = None, 200
    if form.validate_on_submit():
        current, changed = form.still_as_shown(passing)
        with commit_or_refusal(form) as attempt:
            ops.verify_batch([org for org, _c, _d in current], current_user)
        if attempt.ok:
            flash(f"已认证 {len(current)} 家机构，向机构账户发出站内通知 {notices_committed()} 条。"
                  + (f"另有 {changed} 家的登记信息在您打开页面后发生了变化，未作处理，请重新核对。"
                     if changed else ""), "warning" if changed else "success")
            return redirect(url_for("orgs.manage", status="pending"))
        message, status = attempt.message, attempt.status
    return render_template("orgs/verify_batch.html", form=form, passing=passing, failing=failing, batch=BATCH,
                           message=message), status


@bp.route("/manage/orgs/<int:org_id>/return", methods=["GET", "POST"])
@login_required
def return_org(org_id):
    org = db.get_or_404(Organization, org_id)
    require(can_manage_orgs(current_user))
    if org.status != OrgStatus.PENDING:
        abort(409, "只有待审核的机构可以退回。")
    form = ReturnForm()
    if form.validate_on_submit():
        ops.return_org(org, form.reason.data, current_user)
        db.session.commit()
        flash(f"已退回{quoted(org.name)}，机构将看到退回原因。", "success")
        return redirect(url_for("orgs.manage_detail", org_id=org.id))
    return render_template("orgs/officer_form.html", org=org, form=form, title="退回机构登记",
                           submit="退回", danger=True,
                           intro="请写明需要机构补正的内容。机构修改后可重新提交审核。")


@bp.route("/manage/orgs/<int:org_id>/ratings/new", methods=["GET", "POST"])
@login_required
def add_rating(org_id):
    """The validity is the server's: pre-filled from the announcement date, recomputed on the page when that
    date changes (static/js/rating_validity.js asks ``rating_validity``), and checked again on saving —
    a validity that differs from the computed one needs a reason (orgs.operations.add_rating)."""
    org = db.get_or_404(Organization, org_id)
    require(can_manage_orgs(current_user))
    form = RatingForm()
    if request.method == "GET":
        form.announced_on.data = local_today()
        form.valid_from.data, form.valid_until.data = default_validity(form.announced_on.data)
    if form.validate_on_submit():
        with commit_or_refusal(form) as attempt:
            ops.add_rating(org, Grade(form.grade.data), form.announced_on.data, form.valid_from.data,
                           form.valid_until.data, form.note.data, current_user, form.validity_reason.data)
        if not attempt.ok:
            org = db.session.get(Organization, org_id)  # read again here, not while the page renders
        else:
            flash(f"已录入评估等级 {form.grade.data}。", "success")
            return redirect(url_for("orgs.manage_detail", org_id=org.id))
    announced = form.announced_on.data if form.announced_on.data and not form.announced_on.errors else None
    computed = default_validity(announced) if announced else None
    return render_template("orgs/officer_form.html", org=org, form=form, title="录入评估等级", submit="保存",
                           intro=f"{VALIDITY_RULE}。系统按公告日期计算有效期；如公告载明的有效期与此不同，"
                                 "可修改并填写调整理由。两项都留空时按公告日期自动计算。",
                           validity={"url": url_for("orgs.rating_validity"), "computed": computed})


@bp.route("/manage/orgs/ratings/validity")
@login_required
def rating_validity():
    """The validity computed from ``announced_on`` (YYYY-MM-DD), for the rating form's preview."""
    require(can_manage_orgs(current_user))
    try:
        announced = date.fromisoformat(request.args.get("announced_on", ""))
    except ValueError:
        return jsonify(error="请填写有效的公告日期（年-月-日）。"), 400
    start, end = default_validity(announced)
    return jsonify(announced_on=announced.isoformat(), valid_from=start.isoformat(), valid_until=end.isoformat(),
                   text=f"按公告日期计算：{start.isoformat()} 至 {end.isoformat()}")


def _open_rating(rating_id):
    record = db.get_or_404(RatingRecord, rating_id)
    require(can_manage_orgs(current_user))
    if record.ended_on is not None:
        abort(409, "该等级记录已被降级或撤销，不能重复操作。")
    return record


@bp.route("/manage/ratings/<int:rating_id>/lower", methods=["GET", "POST"])
@login_required
def lower_rating(rating_id):
    record = _open_rating(rating_id)
    if record.grade == Grade.A1:
        abort(409, "1A 已是最低等级，不能再降级；如需取消等级请使用“撤销等级”。")
    form = LowerRatingForm(record=record)
    if request.method == "GET":
        form.on.data = local_today()
    if form.validate_on_submit():
        ops.lower_rating(record, Grade(form.grade.data), form.on.data, form.reason.data, current_user)
        db.session.commit()
        flash(f"已将等级由 {record.grade.label} 降为 {form.grade.data}。", "success")
        return redirect(url_for("orgs.manage_detail", org_id=record.org_id))
    return render_template("orgs/officer_form.html", org=record.org, form=form, title="降低评估等级",
                           submit="降级", danger=True, record=record,
                           intro=f"原等级 {record.grade.label} 自降级日期起终止，新等级自同日起生效，"
                                 f"有效期至原有效期截止日。")


@bp.route("/manage/ratings/<int:rating_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_rating(rating_id):
    record = _open_rating(rating_id)
    form = RevokeRatingForm(record=record)
    if request.method == "GET":
        form.on.data = local_today()
    if form.validate_on_submit():
        ops.revoke_rating(record, form.on.data, form.reason.data, current_user)
        db.session.commit()
        flash(f"已撤销评估等级 {record.grade.label}。", "success")
        return redirect(url_for("orgs.manage_detail", org_id=record.org_id))
    return render_template("orgs/officer_form.html", org=record.org, form=form, title="撤销评估等级",
                           submit="撤销等级", danger=True, record=record,
                           intro="自撤销日期起，该机构按未评级对待。")


@bp.route("/manage/orgs/<int:org_id>/inspections/new", methods=["GET", "POST"])
@login_required
def add_inspection(org_id):
    org = with_records(org_id)
    require(can_manage_orgs(current_user))
    form = InspectionForm(org=org)
    if request.method == "GET":
        form.year.data = local_today().year - 1
    if form.validate_on_submit():
        try:
            ops.add_inspection(org, form.year.data, InspectionResult(form.result.data), form.note.data,
                               current_user)
        except ops.DuplicateInspection as e:
            form.year.errors.append(str(e))
        else:
            db.session.commit()
            flash(f"已录入{form.year.data}年度年检结论。", "success")
            return redirect(url_for("orgs.manage_detail", org_id=org.id))
    return render_template("orgs/officer_form.html", org=org, form=form, title="录入年检结论", submit="保存")


@bp.route("/manage/orgs/<int:org_id>/sanctions/new", methods=["GET", "POST"])
@login_required
def add_sanction(org_id):
    org = db.get_or_404(Organization, org_id)
    require(can_manage_orgs(current_user))
    form = SanctionForm()
    if form.validate_on_submit():
        ops.add_sanction(org, SanctionKind(form.kind.data), form.decided_on.data, form.reason.data, current_user)
        db.session.commit()
        flash("已录入处罚或名录记录。", "success")
        return redirect(url_for("orgs.manage_detail", org_id=org.id))
    return render_template("orgs/officer_form.html", org=org, form=form, title="录入行政处罚或名录", submit="保存",
                           intro="行政处罚3年内、活动异常名录1年内、严重违法失信名单2年内，机构不得申报政府购买服务。")


@bp.route("/manage/sanctions/<int:sanction_id>/lift", methods=["GET", "POST"])
@login_required
def lift_sanction(sanction_id):
    sanction = db.get_or_404(Sanction, sanction_id)
    require(can_manage_orgs(current_user))
    if sanction.lifted_on is not None:
        abort(409, "该记录已解除。")
    form = LiftSanctionForm(sanction=sanction)
    if request.method == "GET":
        form.lifted_on.data = local_today()
    if form.validate_on_submit():
        ops.lift_sanction(sanction, form.lifted_on.data, current_user)
        db.session.commit()
        flash(f"已解除{quoted(sanction.kind.label)}记录。", "success")
        return redirect(url_for("orgs.manage_detail", org_id=sanction.org_id))
    return render_template("orgs/officer_form.html", org=sanction.org, form=form, title="解除处罚或移出名录",
                           submit="解除", sanction=sanction)
