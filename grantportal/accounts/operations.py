"""Writes on accounts. They flush and leave the commit to the request."""
from grantportal.accounts.models import User, UserSession
from grantportal.accounts.passwords import hash_password, verify_password
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.roles import Role


class UsernameTaken(ValueError):
    pass


def create_user(username, name, password, role=Role.ORG_MEMBER, phone=None, email=None):
    username = username.strip().lower()
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        raise UsernameTaken("该登录名已被使用，请换一个。")
    with audit_action("user.create"):
        user = User(username=username, name=name, role=role, phone=phone, email=email or None,
                    password_hash=hash_password(password))
        db.session.add(user)
        db.session.flush()
    return user


def change_password(user, current, new):
    """A new password ends every other session of the user (a stolen session does not survive it)."""

    if not verify_password(user.password_hash, current):
        return False
    with audit_action("user.change_password"):
        user.password_hash = hash_password(new)
        for record in db.session.scalars(db.select(UserSession).where(
                UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                UserSession.id != getattr(user, "session_token", None))):
            record.ended_at = utcnow()
        db.session.flush()
    return True


def set_active(user, active, actor):
    """Deactivating an account also ends all its sessions at once."""

    with audit_action("user.activate" if active else "user.deactivate"):
        user.is_active = active
        if not active:
            for record in db.session.scalars(db.select(UserSession).where(
                    UserSession.user_id == user.id, UserSession.ended_at.is_(None))):
                record.ended_at = utcnow()
        db.session.flush()


def enable_totp(user, secret):
    with audit_action("user.enable_totp"):
        user.totp_secret = secret
        user.totp_enabled_at = utcnow()
        db.session.flush()


def reset_totp(user, actor):
    """An administrator clears a lost authenticator; the user binds a new one at the next sign-in."""
    with audit_action("user.reset_totp"):
        user.totp_secret = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        db.session.flush()
