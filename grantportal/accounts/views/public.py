"""Signing in (password, then the dynamic code for staff) and out, opening an organization account (confirmed
from its e-mail address) and 忘记密码. None of these pages tells a visitor whether a login name exists."""
import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from grantportal.accounts import auth, totp
from grantportal.accounts.blueprint import bp
from grantportal.accounts.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm, TotpForm
from grantportal.accounts.models import User
from grantportal.accounts.operations import (
    LINK_INVALID,
    TokenRefused,
    confirm_registration,
    enable_totp,
    find_token,
    request_password_reset,
    request_registration,
    reset_password,
)
from grantportal.accounts.permissions import can_register_account
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db
from grantportal.core.extensions import limiter
from grantportal.core.forms import ButtonForm
from grantportal.core.permissions import require
from grantportal.core.roles import Role

PENDING_SECONDS = 300
LOGIN_FAILED = "登录名或密码错误。"


def throttled(seconds):
    """The one answer while a source must wait (the same for every login name, known or not)."""
    wait = f"{seconds}秒" if seconds < 60 else f"{-(-seconds // 60)}分钟"
    return (f"尝试次数过多，已暂时锁定本设备（网络地址）对该账户的登录，请于{wait}后再试。"
            "账户本人在常用设备上登录不受影响；忘记密码可通过“忘记密码”重新设置。")


def safe_next(target):
    """Only a path on this site; never an absolute or scheme-relative URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target


def home_for(user):

    if user.role == Role.ORG_MEMBER:
        return url_for("orgs.mine") if user.org is None else url_for("applications.mine")
    if user.role == Role.OFFICER:
        return url_for("workbench.home")
    if user.role in (Role.AUDITOR, Role.ADMIN):
        return url_for("audit.index")
    if user.role == Role.EXPERT:
        return url_for("scoring.worklist")
    if user.role == Role.CITIZEN:
        return url_for("citizens.home")
    return url_for("disclosure.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    form = LoginForm()
    if g.get("session_expired"):
        flash("您长时间未操作，已自动退出，请重新登录。", "info")
    if form.validate_on_submit():
        wait = auth.wait_seconds(form.username.data)
        if wait:
            form.password.errors.append(throttled(wait))
            return render_template("accounts/login.html", form=form), 200
        user = auth.authenticate(form.username.data, form.password.data)
        if user is None:
            db.session.commit()  # keep the failure
            form.password.errors.append(LOGIN_FAILED)
            return render_template("accounts/login.html", form=form), 200
        if totp.needs_totp(user):
            session.clear()
            session["pending"] = {"uid": user.id, "at": time.time(), "next": safe_next(request.args.get("next"))}
            db.session.commit()
            return redirect(url_for("accounts.second_factor"))
        return _signed_in(user, safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


def _signed_in(user, next_url, message=None):
    auth.start_session(user, request.remote_addr)
    db.session.commit()
    flash(message or f"欢迎，{user.name}。", "success")
    return auth.remember_device(redirect(next_url or home_for(user)), user)


def _pending_user():
    pending = session.get("pending") or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("uid"))
    return user if user and user.is_active else None


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def second_factor():
    """Second step of signing in: the dynamic code, or binding an authenticator the first time."""
    user = _pending_user()
    if user is None:
        session.pop("pending", None)
        flash("登录已超时，请重新输入登录名和密码。", "info")
        return redirect(url_for("accounts.login"))
    enrolling = user.totp_secret is None
    if enrolling and "pending_secret" not in session:
        session["pending_secret"] = totp.new_secret()
    secret = session["pending_secret"] if enrolling else user.totp_secret
    form = TotpForm()
    if form.validate_on_submit():
        wait = auth.wait_seconds(user.username)
        if wait:
            form.code.errors.append(throttled(wait))
        elif totp.accept_code(user, secret, form.code.data):
            next_url = session["pending"].get("next")
            if enrolling:
                enable_totp(user, secret)
            return _signed_in(user, next_url)
        else:
            db.session.rollback()
            auth.record_failure(user.username)
            db.session.commit()
            form.code.errors.append("动态口令不正确或已使用，请输入验证器中当前显示的6位数字。")
    uri = totp.provisioning_uri(user, secret) if enrolling else None
    return render_template("accounts/second_factor.html", form=form, enrolling=enrolling, secret=secret,
                           qr=totp.qr_data_uri(uri) if uri else None)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    auth.end_session(current_user)
    db.session.commit()
    flash("您已安全退出。", "success")
    return redirect(url_for("disclosure.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def register():
    """The same answer whether the login name is free or taken: "check your mailbox" (operations say why)."""
    require(can_register_account(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        request_registration(form.username.data, form.name.data, form.phone.data, form.email.data,
                             form.password.data)
        db.session.commit()
        return render_template("accounts/check_mail.html", title="请查收确认邮件", email=form.email.data,
                               hours=current_app.config["REGISTER_LINK_HOURS"], registering=True)
    return render_template("accounts/register.html", form=form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"], endpoint="confirm_registration")
def confirm_registration_page(token):
    """A page with a button, so that a mail scanner opening the link does not spend it."""
    require(can_register_account(current_user))
    form = ButtonForm()
    if find_token("register", token) is None:
        return render_template("accounts/link_invalid.html", message=LINK_INVALID), 404
    if form.validate_on_submit():
        try:
            user = confirm_registration(token)
        except TokenRefused as e:
            db.session.rollback()
            return render_template("accounts/link_invalid.html", message=e.message), e.status
        return _signed_in(user, url_for("orgs.register"), "账户已开通。下一步：登记您的社会组织。")
    return render_template("accounts/confirm_registration.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET"], methods=["POST"])
def forgot_password():
    """The same answer for every login name: a link goes out only to an active account's e-mail address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.username.data)
        db.session.commit()
        return render_template("accounts/check_mail.html", title="请查收重置密码邮件",
                               minutes=current_app.config["RESET_LINK_MINUTES"], registering=False)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
def reset_password_page(token):
    found = find_token("reset", token)
    if found is None or not found.user.is_active:
        return render_template("accounts/link_invalid.html", message=LINK_INVALID), 404
    form = ResetPasswordForm()
    form.username = found.user.username
    if form.validate_on_submit():
        with commit_or_refusal() as attempt:
            reset_password(token, form.password.data)
        if not attempt.ok:
            return render_template("accounts/link_invalid.html", message=attempt.message), attempt.status
        flash("密码已重新设置，原有登录已全部退出。请使用新密码登录。", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, username=found.user.username)
