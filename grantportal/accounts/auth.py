"""Signing in and out: server-side sessions with idle and absolute timeouts, lockout by login name."""
import secrets

from flask import current_app, g, session
from flask_login import login_user, logout_user

from grantportal.accounts.models import LoginThrottle, User, UserSession
from grantportal.accounts.passwords import verify_password
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.extensions import login_manager

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


def is_locked(username):
    row = db.session.get(LoginThrottle, _normal(username))
    return bool(row and row.locked_until and row.locked_until > utcnow())


def _record_failure(username):
    cfg = current_app.config
    key = _normal(username)
    row = db.session.get(LoginThrottle, key)
    now = utcnow()
    if row is None:
        row = LoginThrottle(username=key, failures=0)
        db.session.add(row)
    if row.first_failure_at is None or now - row.first_failure_at > cfg["LOGIN_LOCKOUT"]:
        row.failures, row.first_failure_at = 0, now
    row.failures += 1
    if row.failures >= cfg["LOGIN_MAX_FAILURES"]:
        row.locked_until = now + cfg["LOGIN_LOCKOUT"]


def authenticate(username, password):
    """The user, or None. Unknown names, wrong passwords and locked accounts look the same."""
    if is_locked(username):
        verify_password(None, password)
        return None
    user = db.session.scalar(db.select(User).where(User.username == _normal(username)))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or not user.is_active:
        _record_failure(username)
        return None
    return user


def record_failure(username):
    _record_failure(username)


def _clear_failures(username):
    row = db.session.get(LoginThrottle, _normal(username))
    if row:
        db.session.delete(row)


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
