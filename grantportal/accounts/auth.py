"""Signing in and out: server-side sessions with idle and absolute timeouts, and failed sign-ins slowed down
per account and source and per address (DESIGN.md §6) without a lock that a stranger could set off."""
import math
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, request, session, url_for
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

from grantportal.accounts.models import LoginFailure, User, UserSession
from grantportal.accounts.passwords import verify_password
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.extensions import login_manager
from grantportal.core.notices import notify

DEVICE_COOKIE = "gp_device"

login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
login_manager.session_protection = None  # our own session table does this job


@login_manager.user_loader
def load_user(token):
    record = db.session.get(UserSession, token)
    if record is None or record.ended_at is not None:
        return None
    now = utcnow()
    cfg = current_app.config
    expired = (now - record.last_seen_at > cfg["SESSION_IDLE_TIMEOUT"]
               or now - record.created_at > cfg["SESSION_ABSOLUTE_TIMEOUT"])
    user = record.user
    if expired or not user.is_active:
        record.ended_at = now
        db.session.commit()
        g.session_expired = True
        return None
    if (now - record.last_seen_at).total_seconds() > 60:
        record.last_seen_at = now
        db.session.commit()
    user.session_token = token
    g.audit_user = user
    g.signed_in = True
    return user


def _normal(username):
    return (username or "").strip().lower()[:40]


# -- known devices: a signed cookie listing the accounts this browser has signed in to ----------------------

def _device_serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="gp-device")


def _devices():
    raw = request.cookies.get(DEVICE_COOKIE)
    try:
        devices = _device_serializer().loads(raw) if raw else {}
    except BadSignature:
        return {}
    return devices if isinstance(devices, dict) else {}


def source(username):
    """Who is trying: this account's known device (a browser that signed in to it before), else the address.
    A stranger's failures therefore never slow down the owner's own browser, nor another address."""
    device = _devices().get(_normal(username))
    return f"device:{device}"[:80] if isinstance(device, str) else f"ip:{request.remote_addr}"[:80]


def remember_device(response, user):
    """After a sign-in: this browser becomes a known device of the account (kept for the newest 10 accounts)."""
    devices = _devices()
    devices.pop(user.username, None)
    devices[user.username] = devices.get(user.username) or secrets.token_urlsafe(12)
    devices = dict(list(devices.items())[-10:])
    cfg = current_app.config
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps(devices),
                        max_age=cfg["DEVICE_COOKIE_DAYS"] * 86400, secure=cfg["SESSION_COOKIE_SECURE"],
                        httponly=True, samesite="Lax")
    return response


# -- throttling: growing delays per account and source, and per address; never a lock for everyone -----------

def _delay(failures, free, last_at):
    """Seconds still to wait after ``failures`` recent failures when ``free`` are allowed without delay."""
    if failures < free or last_at is None:
        return 0
    cfg = current_app.config
    delay = min(cfg["LOGIN_FIRST_DELAY"] * 2 ** min(failures - free, 20), cfg["LOGIN_MAX_DELAY"])
    return max(0, math.ceil((last_at + delay - utcnow()).total_seconds()))


def wait_seconds(username):
    """How long this source must wait before its next try on this account; 0 when it may try now.

    Known and unknown names are treated alike, so the answer reveals nothing about who has an account."""
    cfg = current_app.config
    since = utcnow() - cfg["LOGIN_FAILURE_WINDOW"]
    mine = db.session.execute(db.select(sa.func.count(), sa.func.max(LoginFailure.at)).where(
        LoginFailure.username == _normal(username), LoginFailure.source == source(username),
        LoginFailure.at > since)).one()
    wait = _delay(mine[0], cfg["LOGIN_FREE_FAILURES"], mine[1])
    if source(username).startswith("ip:"):  # an address spraying many names; known devices are exempt
        spray = db.session.execute(db.select(sa.func.count(), sa.func.max(LoginFailure.at)).where(
            LoginFailure.ip == request.remote_addr, LoginFailure.source.startswith("ip:"),
            LoginFailure.at > since)).one()
        wait = max(wait, _delay(spray[0], cfg["LOGIN_ADDRESS_FREE_FAILURES"], spray[1]))
    return wait


def record_failure(username):
    """A wrong password or code. When the account reaches LOGIN_ALERT_FAILURES in the window, its owner is told."""
    cfg = current_app.config
    key = _normal(username)
    with audit_action("user.login_failed"):
        db.session.add(LoginFailure(username=key, source=source(username), ip=request.remote_addr))
        db.session.flush()
    since = utcnow() - cfg["LOGIN_FAILURE_WINDOW"]
    total = db.session.scalar(db.select(sa.func.count()).where(LoginFailure.username == key,
                                                                LoginFailure.at > since))
    if total == cfg["LOGIN_ALERT_FAILURES"]:
        user = db.session.scalar(db.select(User).where(User.username == key))
        if user is not None:
            notify(user, "账户登录异常提醒",
                   f"您的账户在过去{int(cfg['LOGIN_FAILURE_WINDOW'].total_seconds() // 60)}分钟内已有{total}次"
                   "登录失败（密码或动态口令错误）。如非本人操作，请尽快修改密码；您本人在常用设备上登录不受影响。"
                   "如有疑问，请联系系统管理员。", link=url_for("accounts.account"))


def _clear_failures(username):
    """A success forgets this source's failures on the account, and failures older than a day everywhere."""
    db.session.execute(sa.delete(LoginFailure).where(sa.or_(
        sa.and_(LoginFailure.username == _normal(username), LoginFailure.source == source(username)),
        LoginFailure.at < utcnow() - timedelta(days=1))))


def authenticate(username, password):
    """The user, or None. Unknown names and wrong passwords look the same, and cost the same time."""
    user = db.session.scalar(db.select(User).where(User.username == _normal(username)))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or not user.is_active:
        record_failure(username)
        return None
    return user


def start_session(user, ip):
    """A fresh session id at every login (no fixation)."""
    _clear_failures(user.username)
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=token, user_id=user.id, ip=ip))
    g.audit_user = user
    with audit_action("user.login"):
        user.last_login_at = utcnow()
        db.session.flush()
    user.session_token = token
    login_user(user)
    session.permanent = True


def end_session(user):
    token = getattr(user, "session_token", None)
    if token:
        record = db.session.get(UserSession, token)
        if record and record.ended_at is None:
            record.ended_at = utcnow()
    logout_user()
    session.clear()
