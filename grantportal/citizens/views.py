"""公众登录 and 我的参与 (/citizen/). A citizen signs in in two steps, without a script: the phone number (获取
验证码), then the SMS code — the first successful code opens the account once the person has agreed to the
个人信息保护说明. Between the steps the session keeps which code the browser waits on (not the phone). Signing in
starts the same server-side session as every account (accounts/auth.py), so CSRF, the timeouts and 退出 work
alike. A signed-in staff or organization account is told to sign out first."""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from grantportal.accounts import auth
from grantportal.accounts.views.public import safe_next
from grantportal.citizens.forms import CodeForm, PhoneForm
from grantportal.citizens.models import SmsCode
from grantportal.citizens.operations import (
    SIGN_IN,
    CodeRefused,
    check_code,
    send_code,
    sign_in_with_code,
    too_soon,
)
from grantportal.citizens.permissions import can_sign_in_as_citizen, can_view_participation, is_citizen
from grantportal.citizens.queries import citizen_of, participation
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.extensions import limiter, login_manager
from grantportal.core.forms import ButtonForm
from grantportal.core.masking import mask_phone
from grantportal.core.permissions import require

bp = Blueprint("citizens", __name__, url_prefix="/citizen")
login_manager.blueprint_login_views["citizens"] = "citizens.login"  # 我的参与 asks for the citizens' sign-in

# session key: the code row the browser waits on (its id, not the phone: no number in the cookie), where to go
# next, and the code itself only when SMS_SHOW_CODE is on (the demo shows it)
PENDING = "citizen_sign_in"
PENDING_SECONDS = 30 * 60


@dataclass(frozen=True)
class Pending:
    """A sign-in between its two steps: the phone waiting for its code, when the last code was sent, where to go
    next, and the code to show (SMS_SHOW_CODE)."""

    phone: str
    sent_at: datetime
    next: str | None
    shown: str | None


def _sms_limit():
    return current_app.config["RATELIMIT_SMS"]


def _refusal_page(decision):
    """A signed-in staff or organization account: the reason, and a button to sign out."""
    return render_template("citizens/sign_out_first.html", reason=decision.reason, form=ButtonForm()), 403


def _pending():
    kept = session.get(PENDING)
    if not isinstance(kept, dict) or not isinstance(kept.get("code"), int):
        return None
    sent = db.session.get(SmsCode, kept["code"])
    if sent is None or utcnow() - sent.created_at > timedelta(seconds=PENDING_SECONDS):
        return None
    shown = kept.get("shown") if current_app.config["SMS_SHOW_CODE"] else None
    return Pending(sent.phone, sent.created_at, kept.get("next"), shown)


def _remember(sent, code, next_url):
    session[PENDING] = {"code": sent.id, "next": next_url,
                        "shown": code if current_app.config["SMS_SHOW_CODE"] else None}


def _send(form, phone):
    """Send a code inside the request's one transaction; a second live code sent at the same moment by
    another request is the same refusal as "too soon". Returns (the code row and the code, or None; attempt)."""
    taken = CodeRefused(too_soon(current_app.config["SMS_RESEND_SECONDS"]), field="phone")
    with commit_or_refusal(form, taken=taken) as attempt:
        sent = send_code(phone, SIGN_IN)
    return (sent if attempt.ok else None), attempt


@bp.route("/login", methods=["GET", "POST"])
@limiter.shared_limit(_sms_limit, scope="citizen-sms", methods=["POST"])
def login():
    """Step 1: the phone number; 获取验证码 sends the code and goes on to step 2."""
    if is_citizen(current_user):
        return redirect(url_for("citizens.home"))
    decision = can_sign_in_as_citizen(current_user)
    if not decision:
        return _refusal_page(decision)
    form = PhoneForm()
    if form.validate_on_submit():
        sent, attempt = _send(form, form.phone.data)
        if attempt.ok:
            _remember(*sent, safe_next(request.args.get("next")))
            return redirect(url_for("citizens.code"))
    return render_template("citizens/login.html", form=form)


def _code_page(pending, form, resend_error=None):
    cfg = current_app.config
    wait = math.ceil((pending.sent_at + timedelta(seconds=cfg["SMS_RESEND_SECONDS"]) - utcnow()).total_seconds())
    return render_template("citizens/code.html", form=form, resend=ButtonForm(formdata=None),
                           masked_phone=mask_phone(pending.phone), demo_code=pending.shown,
                           minutes=cfg["SMS_CODE_MINUTES"], wait=max(wait, 0), resend_error=resend_error)


def _no_pending():
    session.pop(PENDING, None)
    flash("请先填写手机号并获取短信验证码。", "info")
    return redirect(url_for("citizens.login"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def code():
    """Step 2: the SMS code (and consent the first time). A wrong code counts against the code's tries even
    though nothing else is written; the right one signs in, opening the account the first time."""
    if is_citizen(current_user):
        return redirect(url_for("citizens.home"))
    decision = can_sign_in_as_citizen(current_user)
    if not decision:
        return _refusal_page(decision)
    pending = _pending()
    if pending is None:
        return _no_pending()
    form = CodeForm()
    if not form.validate_on_submit():
        return _code_page(pending, form)
    checked = check_code(pending.phone, form.code.data, SIGN_IN)
    db.session.commit()  # the try counts, whatever comes next
    if not checked:
        form.code.errors.append(checked.refusal.message)
        return _code_page(pending, form)
    with commit_or_refusal(form) as attempt:
        user, created = sign_in_with_code(pending.phone, checked, form.consent.data)
        auth.start_session(user, request.remote_addr)  # a new session id; the pending sign-in is cleared
    if not attempt.ok:
        return _code_page(pending, form)
    flash("公众账户已开通，欢迎参与。" if created else "登录成功。", "success")
    return redirect(safe_next(pending.next) or url_for("citizens.home"))


@bp.route("/login/resend", methods=["POST"])
@limiter.shared_limit(_sms_limit, scope="citizen-sms", methods=["POST"])
def resend():
    """重新获取验证码 for the phone waiting in the session (no sooner than SMS_RESEND_SECONDS)."""
    if is_citizen(current_user):
        return redirect(url_for("citizens.home"))
    decision = can_sign_in_as_citizen(current_user)
    if not decision:
        return _refusal_page(decision)
    pending = _pending()
    if pending is None:
        return _no_pending()
    sent, attempt = _send(None, pending.phone)
    if not attempt.ok:
        return _code_page(pending, CodeForm(formdata=None), resend_error=attempt.message)
    _remember(*sent, pending.next)
    flash(f"验证码已重新发送至 {mask_phone(pending.phone)}。", "success")
    return redirect(url_for("citizens.code"))


@bp.route("/")
@login_required
def home():
    """我的参与: the masked phone, when the account was opened, and each kind of participation."""
    require(can_view_participation(current_user))
    citizen = citizen_of(current_user)
    return render_template("citizens/home.html", masked_phone=mask_phone(citizen.phone), citizen=citizen,
                           sections=participation(current_user))
