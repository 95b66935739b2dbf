import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from grantportal.accounts import auth, totp
from grantportal.accounts.forms import ChangePasswordForm, LoginForm, RegisterForm, TotpForm
from grantportal.accounts.models import User
from grantportal.accounts.operations import UsernameTaken, change_password, create_user, enable_totp
from grantportal.accounts.permissions import can_register_account
from grantportal.core.db import db
from grantportal.core.extensions import limiter
from grantportal.core.permissions import require
from grantportal.core.roles import Role

bp = Blueprint("accounts", __name__)

PENDING_SECONDS = 300
LOGIN_FAILED = "登录名或密码错误，或账户已被暂时锁定。连续多次错误后需等待15分钟再试。"


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
    return url_for("disclosure.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    form = LoginForm()
    if g.get("session_expired"):
        flash("您长时间未操作，已自动退出，请重新登录。", "info")
    if form.validate_on_submit():
        user = auth.authenticate(form.username.data, form.password.data)
        if user is None:
            db.session.commit()  # keep the failure count
            form.password.errors.append(LOGIN_FAILED)
            return render_template("accounts/login.html", form=form), 200
        if totp.needs_totp(user):
            session.clear()
            session["pending"] = {"uid": user.id, "at": time.time(), "next": safe_next(request.args.get("next"))}
            db.session.commit()
            return redirect(url_for("accounts.second_factor"))
        return _signed_in(user, safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


def _signed_in(user, next_url):
    auth.start_session(user, request.remote_addr)
    db.session.commit()
    flash(f"欢迎，{user.name}。", "success")
    return redirect(next_url or home_for(user))


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
        if auth.is_locked(user.username):
            form.code.errors.append(LOGIN_FAILED)
        elif totp.accept_code(user, secret, form.code.data):
            next_url = session["pending"].get("next")
            if enrolling:
                enable_totp(user, secret)
            return _signed_in(user, next_url)
        else:
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
def register():
    require(can_register_account(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.name.data, form.password.data,
                               phone=form.phone.data, email=form.email.data)
        except UsernameTaken as e:
            form.username.errors.append(str(e))
        else:
            auth.start_session(user, request.remote_addr)
            db.session.commit()
            flash("账户已注册。下一步：登记您的社会组织。", "success")
            return redirect(url_for("orgs.register"))
    return render_template("accounts/register.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if auth.is_locked(current_user.username):
            form.current.errors.append(LOGIN_FAILED)
        elif change_password(current_user, form.current.data, form.password.data):
            db.session.commit()
            flash("密码已修改。您在其他设备上的登录已全部退出。", "success")
            return redirect(url_for("accounts.account"))
        else:
            auth.record_failure(current_user.username)  # wrong current passwords count towards lockout
            db.session.commit()
            form.current.errors.append("当前密码不正确。")
    return render_template("accounts/account.html", form=form)
