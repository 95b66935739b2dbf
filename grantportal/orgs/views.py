"""Social organizations: registration and profile (members), records (officers), public directory."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.accounts import auth
from grantportal.accounts.operations import UsernameTaken, create_user
from grantportal.core.db import db, utcnow
from grantportal.core.files import UploadError, send_stored
from grantportal.core.masking import mask_address, mask_name, mask_phone
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.orgs import operations as ops
from grantportal.orgs.forms import (
    CERTIFICATE_HINT,
    DUPLICATE_CODE,
    AcceptInvitationForm,
    InspectionForm,
    InvitationForm,
    LiftSanctionForm,
    LowerRatingForm,
    OrgContactForm,
    OrgProfileForm,
    RatingForm,
    ReturnForm,
    RevokeRatingForm,
    SanctionForm,
)
from grantportal.orgs.models import (
    Grade,
    InspectionResult,
    Organization,
    OrgInvitation,
    OrgKind,
    OrgMember,
    OrgStatus,
    RatingRecord,
    Sanction,
    SanctionKind,
)
from grantportal.orgs.permissions import (
    can_accept_invitation,
    can_browse_directory,
    can_edit_org,
    can_manage_members,
    can_manage_orgs,
    can_register_org,
    can_review_orgs,
    can_view_my_org,
    can_view_org_certificate,
)
from grantportal.orgs.queries import org_page
from grantportal.orgs.tiers import default_validity, effective_rating, record_state, tier_label

bp = Blueprint("orgs", __name__)

INVALID_LINK = "链接无效或已过期。请联系机构账户负责人重新发送邀请。"


def _conflict(error):
    abort(409, str(error))


def _profile_data(form):
    return {k: getattr(form, k).data for k in (*ops.PROFILE_FIELDS, *ops.CONTACT_FIELDS, "service_fields")}


def _contact_data(form):
    return {k: getattr(form, k).data for k in (*ops.CONTACT_FIELDS, "service_fields")}


def _with_records(org_id):
    return db.first_or_404(
        db.select(Organization).where(Organization.id == org_id).options(
            selectinload(Organization.ratings), selectinload(Organization.inspections),
            selectinload(Organization.sanctions), selectinload(Organization.certificate)))


def _rating_labels(org, today):
    """For templates/orgs/_macros.html ratings_table: the grade shown for ``today`` and each rating
    record's state on that day."""
    return {"tier": tier_label(org, today), "record_states": {r.id: record_state(r, today) for r in org.ratings}}


def _tiers(orgs, today):
    """{organization id: the grade shown for ``today``} for a page of organizations (ratings loaded)."""
    return {org.id: tier_label(org, today) for org in orgs}


# organization accounts

@bp.route("/org/")
@login_required
def mine():
    require(can_view_my_org(current_user))
    org = current_user.org
    if org is None:
        return render_template("orgs/mine_empty.html")
    return _render_mine(org)


def _render_mine(org, invite_form=None, status=200):
    org = _with_records(org.id)
    invitations = []
    if current_user.membership.is_owner:
        invitations = db.session.scalars(
            db.select(OrgInvitation).where(OrgInvitation.org_id == org.id, OrgInvitation.used_at.is_(None),
                                           OrgInvitation.revoked_at.is_(None),
                                           OrgInvitation.expires_at > utcnow())
            .order_by(OrgInvitation.id.desc())).all()
    members = db.session.scalars(
        db.select(OrgMember).where(OrgMember.org_id == org.id).options(selectinload(OrgMember.user))
        .order_by(OrgMember.id)).all()
    today = local_today()
    return render_template("orgs/mine.html", org=org, members=members, invitations=invitations,
                           is_owner=current_user.membership.is_owner, today=today,
                           invite_form=invite_form or InvitationForm(), **_rating_labels(org, today)), status


@bp.route("/org/register", methods=["GET", "POST"])
@login_required
def register():
    require(can_register_org(current_user))
    if current_user.org is not None:
        flash("您的账户已属于一个社会组织，无需重复登记。", "info")
        return redirect(url_for("orgs.mine"))
    form = OrgProfileForm()
    if form.validate_on_submit():
        try:
            ops.register_org(_profile_data(form), form.kind, form.certificate.data, current_user)
        except UploadError as e:
            form.certificate.errors.append(str(e))
        except ops.DuplicateCode:
            form.uscc.errors.append(DUPLICATE_CODE)
        else:
            db.session.commit()
            flash("机构信息已提交，请等待民政部门审核认证。", "success")
            return redirect(url_for("orgs.mine"))
    return render_template("orgs/register.html", form=form, certificate_hint=CERTIFICATE_HINT)


@bp.route("/org/edit", methods=["GET", "POST"])
@login_required
def edit():
    org = current_user.org if getattr(current_user, "membership", None) else None
    require(can_edit_org(current_user, org))
    if org.is_verified:
        form = OrgContactForm(obj=org) if request.method == "GET" else OrgContactForm()
        if request.method == "GET":
            form.service_fields.data = org.service_field_list
        if form.validate_on_submit():
            ops.update_org_contact(org, _contact_data(form), current_user)
            db.session.commit()
            flash("机构联系信息已更新。", "success")
            return redirect(url_for("orgs.mine"))
        return render_template("orgs/edit.html", org=org, form=form, full=False)
    form = OrgProfileForm(obj=org, org=org, certificate_required=False) if request.method == "GET" \
        else OrgProfileForm(org=org, certificate_required=False)
    if request.method == "GET":
        form.service_fields.data = org.service_field_list
    if form.validate_on_submit():
        upload = form.certificate.data if getattr(form.certificate.data, "filename", None) else None
        try:
            ops.resubmit_org(org, _profile_data(form), form.kind, upload, current_user)
        except UploadError as e:
            form.certificate.errors.append(str(e))
        except ops.DuplicateCode:
            form.uscc.errors.append(DUPLICATE_CODE)
        else:
            db.session.commit()
            flash("机构信息已重新提交，请等待民政部门审核认证。", "success")
            return redirect(url_for("orgs.mine"))
    return render_template("orgs/edit.html", org=org, form=form, full=True, certificate_hint=CERTIFICATE_HINT)


@bp.route("/org/<int:org_id>/certificate")
@login_required
def certificate(org_id):
    org = db.get_or_404(Organization, org_id)
    require(can_view_org_certificate(current_user, org))
    if org.certificate is None:
        abort(404)
    return send_stored(org.certificate)


@bp.route("/org/invitations", methods=["POST"])
@login_required
def invite():
    org = current_user.org if getattr(current_user, "membership", None) else None
    require(can_manage_members(current_user, org))
    form = InvitationForm()
    if not form.validate_on_submit():
        return _render_mine(org, invite_form=form)
    invitation, token = ops.create_invitation(org, form.invitee_name.data, current_user)
    db.session.commit()
    link = url_for("orgs.accept_invitation", token=token, _external=True)
    return render_template("orgs/invitation_created.html", org=org, invitation=invitation, link=link,
                           days=current_app.config["INVITATION_DAYS"])


@bp.route("/org/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(invitation_id):
    invitation = db.get_or_404(OrgInvitation, invitation_id)
    require(can_manage_members(current_user, invitation.org))
    try:
        ops.revoke_invitation(invitation, current_user)
    except ops.StateError as e:
        _conflict(e)
    db.session.commit()
    flash(f"已撤销对“{invitation.invitee_name}”的邀请，该链接已失效。", "success")
    return redirect(url_for("orgs.mine"))


@bp.route("/org/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(member_id):
    member = db.get_or_404(OrgMember, member_id)
    require(can_manage_members(current_user, member.org))
    name = member.user.name
    try:
        ops.remove_member(member, current_user)
    except ops.StateError as e:
        _conflict(e)
    db.session.commit()
    flash(f"已将“{name}”移出本机构。", "success")
    return redirect(url_for("orgs.mine"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    require(can_accept_invitation(current_user))
    invitation = ops.open_invitation(token)
    if invitation is None:
        abort(404, INVALID_LINK)
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.name.data = invitation.invitee_name
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.name.data, form.password.data,
                               phone=form.phone.data, email=form.email.data)
        except UsernameTaken as e:
            form.username.errors.append(str(e))
        else:
            try:
                ops.accept_invitation(invitation, user)
            except ops.StateError:
                db.session.rollback()
                abort(404, INVALID_LINK)
            auth.start_session(user, request.remote_addr)
            db.session.commit()
            flash(f"账户已创建，您已加入“{invitation.org.name}”。", "success")
            return redirect(url_for("orgs.mine"))
    return render_template("orgs/accept_invitation.html", form=form, invitation=invitation)


# officers (auditors read the same pages)

def _filters():
    args = request.args
    return {
        "q": (args.get("q") or "").strip()[:120],
        "status": args.get("status") if args.get("status") in {s.value for s in OrgStatus} else "",
        "kind": args.get("kind") if args.get("kind") in {k.value for k in OrgKind} else "",
        "tier": args.get("tier") if args.get("tier") in {g.value for g in Grade} | {"none"} else "",
    }


@bp.route("/manage/orgs/")
@login_required
def manage():
    require(can_review_orgs(current_user))
    filters = _filters()
    today = local_today()
    page = org_page(filters, today, order="newest")
    pending = db.session.scalar(db.select(db.func.count(Organization.id))
                                .where(Organization.status == OrgStatus.PENDING))
    return render_template("orgs/manage.html", page=page, tiers=_tiers(page.items, today), filters=filters,
                           today=today, pending=pending,
                           statuses=OrgStatus, kinds=OrgKind, grades=Grade,
                           args={k: v for k, v in filters.items() if v})


@bp.route("/manage/orgs/<int:org_id>")
@login_required
def manage_detail(org_id):
    org = _with_records(org_id)
    require(can_review_orgs(current_user))
    members = db.session.scalars(db.select(OrgMember).where(OrgMember.org_id == org.id)
                                 .options(selectinload(OrgMember.user)).order_by(OrgMember.id)).all()
    today = local_today()
    return render_template("orgs/manage_detail.html", org=org, members=members, today=today,
                           can_act=can_manage_orgs(current_user), **_rating_labels(org, today))


@bp.route("/manage/orgs/<int:org_id>/verify", methods=["POST"])
@login_required
def verify(org_id):
    org = db.get_or_404(Organization, org_id)
    require(can_manage_orgs(current_user))
    try:
        ops.verify_org(org, current_user)
    except ops.StateError as e:
        _conflict(e)
    db.session.commit()
    flash(f"已认证“{org.name}”。", "success")
    return redirect(url_for("orgs.manage_detail", org_id=org.id))


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
        flash(f"已退回“{org.name}”，机构将看到退回原因。", "success")
        return redirect(url_for("orgs.manage_detail", org_id=org.id))
    return render_template("orgs/officer_form.html", org=org, form=form, title="退回机构登记",
                           submit="退回", danger=True,
                           intro="请写明需要机构补正的内容。机构修改后可重新提交审核。")


@bp.route("/manage/orgs/<int:org_id>/ratings/new", methods=["GET", "POST"])
@login_required
def add_rating(org_id):
    org = db.get_or_404(Organization, org_id)
    require(can_manage_orgs(current_user))
    form = RatingForm()
    if request.method == "GET":
        form.announced_on.data = local_today()
        form.valid_from.data, form.valid_until.data = default_validity(form.announced_on.data)
    if form.validate_on_submit():
        start, end = default_validity(form.announced_on.data)
        valid_from = form.valid_from.data or start
        valid_until = form.valid_until.data or end
        if valid_until < valid_from:
            form.valid_until.errors.append("有效期止不能早于有效期起。")
        else:
            ops.add_rating(org, Grade(form.grade.data), form.announced_on.data, valid_from, valid_until,
                           form.note.data, current_user)
            db.session.commit()
            flash(f"已录入评估等级 {form.grade.data}。", "success")
            return redirect(url_for("orgs.manage_detail", org_id=org.id))
    return render_template("orgs/officer_form.html", org=org, form=form, title="录入评估等级", submit="保存",
                           intro="有效期默认自公告次年1月1日起至第五年12月31日（《社会组织评估管理办法》2026年修订），"
                                 "可按公告修改；两项都留空时按公告日期自动计算。")


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
    org = _with_records(org_id)
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
        flash(f"已解除“{sanction.kind.label}”记录。", "success")
        return redirect(url_for("orgs.manage_detail", org_id=sanction.org_id))
    return render_template("orgs/officer_form.html", org=sanction.org, form=form, title="解除处罚或移出名录",
                           submit="解除", sanction=sanction)


# public directory (信息公示): verified organizations only, personal data masked on the server

def public_profile(org, today):
    """Only what may be published; personal data masked here so that raw values never reach the page."""
    return {
        "id": org.id,
        "name": org.name,
        "uscc": org.uscc,
        "kind": org.kind.label,
        "registration_authority": org.registration_authority,
        "registered_on": org.registered_on,
        "legal_rep": mask_name(org.legal_rep),
        "contact_name": mask_name(org.contact_name),
        "contact_phone": mask_phone(org.contact_phone),
        "address": mask_address(org.address),
        "charter_scope": org.charter_scope,
        "service_fields": org.service_field_list,
        "tier": tier_label(org, today),
        "rating": effective_rating(org, today),
        "ratings": [{"grade": r.grade.label, "announced_on": r.announced_on, "valid_from": r.valid_from,
                     "valid_until": r.valid_until, "ended_on": r.ended_on,
                     "end_kind": r.end_kind.label if r.end_kind else None} for r in org.ratings],
        "inspections": [{"year": i.year, "result": i.result.label} for i in org.inspections],
    }


@bp.route("/orgs/")
def directory():
    require(can_browse_directory(current_user))
    filters = _filters()
    filters["status"] = OrgStatus.VERIFIED.value
    today = local_today()
    page = org_page(filters, today, order="name")
    args = {k: v for k, v in filters.items() if v and k != "status"}
    return render_template("orgs/directory.html", page=page, tiers=_tiers(page.items, today), filters=filters,
                           today=today, kinds=OrgKind, grades=Grade, args=args)


@bp.route("/orgs/<int:org_id>")
def public_detail(org_id):
    require(can_browse_directory(current_user))
    org = db.first_or_404(
        db.select(Organization).where(Organization.id == org_id, Organization.status == OrgStatus.VERIFIED)
        .options(selectinload(Organization.ratings), selectinload(Organization.inspections)))
    return render_template("orgs/public_detail.html", org=public_profile(org, local_today()))
