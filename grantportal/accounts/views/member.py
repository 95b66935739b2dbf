"""The signed-in user's own account: password (and, later, contact details)."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from grantportal.accounts import auth
from grantportal.accounts.blueprint import bp
from grantportal.accounts.forms import ChangePasswordForm
from grantportal.accounts.operations import change_password
from grantportal.accounts.views.public import LOGIN_FAILED
from grantportal.core.db import db
from grantportal.core.extensions import limiter


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
