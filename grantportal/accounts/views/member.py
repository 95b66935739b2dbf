"""The signed-in user's own account: password, and a new e-mail address or phone number, which takes effect
only when confirmed from the new address (the confirmation link itself needs no sign-in: it is the proof)."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from grantportal.accounts import auth
from grantportal.accounts.blueprint import bp
from grantportal.accounts.forms import ChangePasswordForm, EmailChangeForm, PhoneChangeForm
from grantportal.accounts.operations import (
    LINK_INVALID,
    change_password,
    confirm_contact,
    find_token,
    request_contact_change,
)
from grantportal.accounts.passwords import verify_password
from grantportal.accounts.permissions import can_manage_own_account
from grantportal.accounts.views.public import throttled
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db
from grantportal.core.extensions import limiter
from grantportal.core.forms import ButtonForm
from grantportal.core.masking import mask_phone
from grantportal.core.permissions import require


def _page(password_form=None, email_form=None, phone_form=None):
    return render_template("accounts/account.html", form=password_form or ChangePasswordForm(formdata=None),
                           email_form=email_form or EmailChangeForm(formdata=None),
                           phone_form=phone_form or PhoneChangeForm(formdata=None),
                           masked_phone=mask_phone(current_user.phone) if current_user.phone else None,
                           org=current_user.org)


def _current_password_ok(form):
    """The current password confirms it is the owner; wrong guesses count like failed sign-ins."""
    wait = auth.wait_seconds(current_user.username)
    if wait:
        form.current.errors.append(throttled(wait))
        return False
    if not verify_password(current_user.password_hash, form.current.data):
        auth.record_failure(current_user.username)
        db.session.commit()
        form.current.errors.append("当前密码不正确。")
        return False
    return True


@bp.route("/account", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def account():
    require(can_manage_own_account(current_user))
    form = ChangePasswordForm()
    form.username = current_user.username
    if form.validate_on_submit() and _current_password_ok(form):
        change_password(current_user, form.current.data, form.password.data)
        db.session.commit()
        flash("密码已修改。您在其他设备上的登录已全部退出。", "success")
        return redirect(url_for("accounts.account"))
    return _page(password_form=form)


# What the new address receives; ``to`` is the new address as shown, ``minutes`` how long the link lasts.
EMAIL_SENT = "确认链接已发送至 {to}，请在{minutes}分钟内打开邮件中的链接完成更改。确认之前，仍使用原来的电子邮箱。"
PHONE_SENT = "确认短信已发送至 {to}，请在{minutes}分钟内打开短信中的链接完成更改。确认之前，仍使用原来的手机号。"


def _change_contact(purpose, form, sent, shown):
    """A new e-mail address or phone number (``purpose``), confirmed by the current password: the link goes
    to the new address; ``sent`` says so, with the address as ``shown(value)`` gives it."""
    if form.validate_on_submit() and _current_password_ok(form):
        value = getattr(form, purpose).data
        request_contact_change(current_user, purpose, value)
        db.session.commit()
        flash(sent.format(to=shown(value), minutes=current_app.config["CONTACT_CODE_MINUTES"]), "success")
        return redirect(url_for("accounts.account"))
    return _page(**{f"{purpose}_form": form})


@bp.route("/account/email", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_CONTACT"])
def change_email():
    require(can_manage_own_account(current_user))
    return _change_contact("email", EmailChangeForm(), EMAIL_SENT, str)


@bp.route("/account/phone", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_CONTACT"])
def change_phone():
    require(can_manage_own_account(current_user))
    return _change_contact("phone", PhoneChangeForm(), PHONE_SENT, mask_phone)


@bp.route("/account/confirm/<token>", methods=["GET", "POST"], endpoint="confirm_contact")
def confirm_contact_page(token):
    """A page with a button, so that a mail or message scanner opening the link does not spend it."""
    found = find_token("email", token) or find_token("phone", token)
    if found is None:
        return render_template("accounts/link_invalid.html", message=LINK_INVALID), 404
    form = ButtonForm()
    if form.validate_on_submit():
        with commit_or_refusal() as attempt:
            purpose, _user = confirm_contact(token)
        if not attempt.ok:
            return render_template("accounts/link_invalid.html", message=attempt.message), attempt.status
        flash("电子邮箱已更改。" if purpose == "email" else "手机号已更改。", "success")
        return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))
    value = found.email if found.purpose == "email" else mask_phone(found.phone)
    return render_template("accounts/confirm_contact.html", form=form, found=found, value=value)
