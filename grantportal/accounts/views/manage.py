"""Account administration (系统管理员): list, create staff accounts, deactivate and reactivate."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from grantportal.accounts.blueprint import bp
from grantportal.accounts.forms import StaffAccountForm
from grantportal.accounts.models import User
from grantportal.accounts.operations import (
    UsernameTaken,
    create_user,
    request_password_reset,
    reset_totp,
    set_active,
)
from grantportal.accounts.permissions import can_manage_users, can_send_reset, can_toggle_user
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.core.roles import Role


@bp.route("/admin/users/")
@login_required
def users():
    require(can_manage_users(current_user))
    role = request.args.get("role", "")
    q = (request.args.get("q") or "").strip()
    # the list names each member's organization: loaded with the page (accounts sits below orgs, so the
    # membership's relationships are named by the wildcard, not by importing the orgs models)
    query = db.select(User).options(selectinload(User.membership).joinedload("*")).order_by(User.id.desc())
    if role in Role._value2member_map_:
        query = query.where(User.role == Role(role))
    if q:
        query = query.where(db.or_(User.username.contains(q.lower(), autoescape=True),
                                   User.name.contains(q, autoescape=True)))
    number = page_number(1000)
    page = db.paginate(query, page=number, per_page=current_app.config["PAGE_SIZE"], max_per_page=100,
                       error_out=False)
    return render_template("accounts/admin_users.html", page=page, role=role, q=q, roles=Role)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    require(can_manage_users(current_user))
    form = StaffAccountForm()
    if form.validate_on_submit():
        try:
            create_user(form.username.data, form.name.data, form.password.data, role=Role(form.role.data),
                        phone=form.phone.data, email=form.email.data)
        except UsernameTaken as e:
            form.username.errors.append(str(e))
        else:
            db.session.commit()
            flash(f"已开通账户 {form.username.data.lower()}。请通过安全渠道将初始密码告知本人。", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/admin_new_user.html", form=form)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@login_required
def toggle_user(user_id):
    target = db.get_or_404(User, user_id)
    require(can_toggle_user(current_user, target))
    active = request.form.get("active") == "1"
    set_active(target, active, current_user)
    db.session.commit()
    flash(f"账户 {target.username} 已{'启用' if active else '停用，其登录会话已全部结束'}。", "success")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/reset-totp", methods=["POST"])
@login_required
def reset_user_totp(user_id):
    target = db.get_or_404(User, user_id)
    require(can_toggle_user(current_user, target))
    reset_totp(target, current_user)
    db.session.commit()
    flash(f"已重置账户 {target.username} 的动态口令，该用户下次登录时须重新绑定。", "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/send-reset", methods=["POST"])
@login_required
def send_reset(user_id):
    """The administrator sends a reset link to the user's own e-mail address; no password passes through them."""
    target = db.get_or_404(User, user_id)
    require(can_send_reset(current_user, target))
    with commit_or_refusal() as attempt:
        request_password_reset(target.username, by_admin=current_user)
    if not attempt.ok:
        flash(attempt.message, "error")
    else:
        flash(f"已向账户 {target.username} 登记的电子邮箱发送重置密码链接，"
              f"{current_app.config['RESET_LINK_MINUTES']}分钟内有效。", "success")
    return redirect(url_for("accounts.users"))
