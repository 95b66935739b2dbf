"""The organization's own pages: its profile, registration and resubmission, members and invitations,
its registration certificate."""
from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.accounts import auth
from grantportal.accounts.operations import UsernameTaken, create_user
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.files import UploadError, send_stored
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.core.wording import quoted
from grantportal.orgs import operations as ops
from grantportal.orgs.blueprint import bp
from grantportal.orgs.forms import (
    CERTIFICATE_HINT,
    DUPLICATE_CODE,
    AcceptInvitationForm,
    InvitationForm,
    OrgContactForm,
    OrgProfileForm,
)
from grantportal.orgs.models import Organization, OrgInvitation, OrgMember
from grantportal.orgs.permissions import (
    can_accept_invitation,
    can_edit_org,
    can_manage_members,
    can_register_org,
    can_view_my_org,
    can_view_org_certificate,
)
from grantportal.orgs.queries import missing_inspection
from grantportal.orgs.views.shared import conflict, rating_labels, with_records

INVALID_LINK = "链接无效或已过期。请联系机构账户负责人重新发送邀请。"


def _profile_data(form):
    return {**{k: getattr(form, k).data for k in (*ops.PROFILE_FIELDS, *ops.CONTACT_FIELDS, "service_fields")},
            "district": form.district.chosen}


def _contact_data(form):
    return {**{k: getattr(form, k).data for k in (*ops.CONTACT_FIELDS, "service_fields")},
            "district": form.district.chosen}


def _submit_profile(form, submit, certificate, done):
    """Register or resubmit the profile with its certificate upload: ``submit(data, kind, certificate, user)``.
    A refused upload or a registration code already in use goes next to its field (None: show the form
    again); else commit, say ``done`` and go to the organization's page."""
    try:
        submit(_profile_data(form), form.kind, certificate, current_user)
    except UploadError as e:
        form.certificate.errors.append(str(e))
    except ops.DuplicateCode:
        form.uscc.errors.append(DUPLICATE_CODE)
    else:
        db.session.commit()
        flash(done, "success")
        return redirect(url_for("orgs.mine"))
    return None


@bp.route("/org/")
@login_required
def mine():
    require(can_view_my_org(current_user))
    org = current_user.org
    if org is None:
        return render_template("orgs/mine_empty.html")
    return _render_mine(org)


def _render_mine(org, invite_form=None, status=200):
    org = with_records(org.id)
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
                           invite_form=invite_form or InvitationForm(),
                           inspection_gap=missing_inspection(org, today.year - 1) if org.is_verified else None,
                           **rating_labels(org, today)), status


@bp.route("/org/register", methods=["GET", "POST"])
@login_required
def register():
    require(can_register_org(current_user))
    if current_user.org is not None:
        flash("您的账户已属于一个社会组织，无需重复登记。", "info")
        return redirect(url_for("orgs.mine"))
    form = OrgProfileForm()
    if form.validate_on_submit():
        done = _submit_profile(form, ops.register_org, form.certificate.data,
                               "机构信息已提交，请等待民政部门审核认证。")
        if done is not None:
            return done
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
        done = _submit_profile(form, partial(ops.resubmit_org, org), upload,
                               "机构信息已重新提交，请等待民政部门审核认证。")
        if done is not None:
            return done
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
        conflict(e)
    db.session.commit()
    flash(f"已撤销对{quoted(invitation.invitee_name)}的邀请，该链接已失效。", "success")
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
        conflict(e)
    db.session.commit()
    flash(f"已将{quoted(name)}移出本机构。", "success")
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
            with commit_or_refusal() as attempt:
                ops.accept_invitation(invitation, user)
                auth.start_session(user, request.remote_addr)
            if not attempt.ok:
                abort(404, INVALID_LINK)
            flash(f"账户已创建，您已加入{quoted(invitation.org.name)}。", "success")
            return redirect(url_for("orgs.mine"))
    return render_template("orgs/accept_invitation.html", form=form, invitation=invitation,
                           org=invitation.org)
