"""Writes on accounts. They flush and leave the commit to the request."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request, url_for
from sqlalchemy.orm.attributes import set_committed_value

from grantportal.accounts.models import AccountToken, User, UserSession
from grantportal.accounts.passwords import hash_password, verify_password
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.errors import Refused
from grantportal.core.notices import notify, queue_mail, queue_sms
from grantportal.core.roles import Role
from grantportal.core.wording import quoted


class UsernameTaken(ValueError):
    pass


class TokenRefused(Refused):
    status = 404


LINK_INVALID = "该链接无效、已使用或已过期。"


def create_user(username, name, password, role=Role.ORG_MEMBER, phone=None, email=None, password_hash=None):
    username = username.strip().lower()
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        raise UsernameTaken("该登录名已被使用，请换一个。")
    with audit_action("user.create"):
        user = User(username=username, name=name, role=role, phone=phone, email=email or None,
                    password_hash=password_hash or hash_password(password))
        db.session.add(user)
        db.session.flush()
    return user


def _end_sessions(user, keep=None):
    for record in db.session.scalars(db.select(UserSession).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.id != keep)):
        record.ended_at = utcnow()


def change_password(user, current, new):
    """A new password ends every other session of the user (a stolen session does not survive it)."""

    if not verify_password(user.password_hash, current):
        return False
    with audit_action("user.change_password"):
        user.password_hash = hash_password(new)
        _end_sessions(user, keep=getattr(user, "session_token", None))
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


def spend_totp_step(user, step):
    """Record that a dynamic code of this time step was used, atomically: one UPDATE whose WHERE clause
    accepts only a later step. Two requests using the same code at once both send it; the database lets one
    change the row and the other, re-checking the condition after the first commits, changes nothing. True
    for the one that did. (The ORM attribute is set as if loaded, so no second UPDATE follows.)"""
    result = db.session.execute(
        sa.update(User).where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


# -- single-use tokens: registration, password reset, new e-mail address or phone number ---------------------
# The secret goes out by mail or text message; only its SHA-256 is stored. ``_spend`` marks it used with one
# conditional UPDATE, so a link works once even when opened twice at the same moment.

def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(purpose, lifetime, user=None, **fields):
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    if user is not None:  # a new link replaces the earlier unused ones of the same kind
        for old in db.session.scalars(db.select(AccountToken).where(
                AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))):
            old.used_at = now
    db.session.add(AccountToken(purpose=purpose, token_hash=_digest(secret), user_id=user.id if user else None,
                                created_at=now, expires_at=now + lifetime, **fields))
    db.session.flush()
    return secret


def find_token(purpose, secret):
    """The unused, unexpired token for this secret, or None (to show a form before the token is spent)."""
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(db.select(AccountToken).where(
        AccountToken.token_hash == _digest(secret), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.expires_at > utcnow()))


def _spend(purpose, secret):
    token = find_token(purpose, secret)
    if token is None:
        raise TokenRefused(LINK_INVALID)
    spent = db.session.execute(
        sa.update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if spent.rowcount != 1:
        raise TokenRefused(LINK_INVALID)
    db.session.refresh(token)
    return token


def _link(endpoint, secret):
    """An absolute link for a message. Set PUBLIC_BASE_URL in production: otherwise the link is built from the
    request's Host header, which whoever sends the request chooses."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + url_for(endpoint, token=secret)


def request_registration(username, name, phone, email, password):
    """An organization's account waits for its e-mail address to be confirmed. Whether the login name is free
    or not, the visitor is told the same thing; a taken name only earns the address a note saying so."""
    username = username.strip().lower()
    password_hash = hash_password(password)  # hashed in both cases: the answer takes the same time
    cfg = current_app.config
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        queue_mail(email, "注册提醒",
                   f"您好：\n\n有人使用本邮箱申请注册登录名{quoted(username)}，但该登录名已被使用，注册未完成。\n"
                   f"如需注册，请换一个登录名重新填写；如果这是您本人的账户，可在登录页选择“忘记密码”重新设置密码。\n"
                   "如非本人操作，请忽略本邮件。", name=name)
        return
    with audit_action("user.register_requested"):
        secret = _issue("register", timedelta(hours=cfg["REGISTER_LINK_HOURS"]), username=username, name=name,
                        phone=phone, email=email, password_hash=password_hash)
    queue_mail(email, "请确认注册",
               f"{name}，您好：\n\n请在{cfg['REGISTER_LINK_HOURS']}小时内打开以下链接，完成登录名{quoted(username)}的注册：\n"
               f"{_link('accounts.confirm_registration', secret)}\n\n如非本人操作，请忽略本邮件，账户不会开通。",
               name=name)


def confirm_registration(secret):
    """The pending account, opened now; refused when the link is spent or expired, or the name was taken since."""
    token = _spend("register", secret)
    try:
        return create_user(token.username, token.name, None, phone=token.phone, email=token.email,
                           password_hash=token.password_hash)
    except UsernameTaken:
        raise TokenRefused("该登录名已被他人注册，注册未完成。请重新注册并换一个登录名。", status=409) from None


def request_password_reset(username, by_admin=None):
    """A reset link to the account's e-mail address. Nothing happens (and nothing is said) for an unknown or
    inactive name, an account without an e-mail address, or a second request within RESET_MAIL_INTERVAL;
    an administrator's request (``by_admin``) is always sent and refused only when there is no address."""
    cfg = current_app.config
    user = db.session.scalar(db.select(User).where(User.username == (username or "").strip().lower()[:40]))
    if user is None or not user.is_active or not user.email:
        if by_admin is not None:
            raise TokenRefused("该账户已停用或未登记电子邮箱，无法发送重置密码链接。请先核实并补充其电子邮箱。",
                               status=409)
        return
    if by_admin is None and db.session.scalar(db.select(AccountToken.id).where(
            AccountToken.user_id == user.id, AccountToken.purpose == "reset",
            AccountToken.created_at > utcnow() - cfg["RESET_MAIL_INTERVAL"])):
        return
    minutes = cfg["RESET_LINK_MINUTES"]
    with audit_action("user.reset_requested_by_admin" if by_admin is not None else "user.reset_requested"):
        secret = _issue("reset", timedelta(minutes=minutes), user=user)
    who = "系统管理员为您" if by_admin is not None else "有人（通常是您本人）"
    queue_mail(user.email, "重置密码",
               f"{user.name}，您好：\n\n{who}申请重置登录名{quoted(user.username)}的密码。请在{minutes}分钟内打开以下链接设置"
               f"新密码，链接只能使用一次：\n{_link('accounts.reset_password', secret)}\n\n"
               "如非本人申请，请忽略本邮件，您的密码不会改变。", name=user.name)


def reset_password(secret, new_password):
    """Spend the reset link and set the new password; every session of the user ends (the dynamic code stays)."""
    token = _spend("reset", secret)
    user = token.user
    if not user.is_active:
        raise TokenRefused(LINK_INVALID)
    with audit_action("user.reset_password"):
        user.password_hash = hash_password(new_password)
        _end_sessions(user)
        db.session.flush()
    notify(user, "您的密码已重置",
           "您的登录密码已通过重置链接修改，此前的登录已全部退出。如非本人操作，请立即联系系统管理员。")
    return user


def request_contact_change(user, kind, value):
    """A new e-mail address (``kind`` "email") or phone number ("phone") takes effect only when confirmed from
    it: a link sent to the new address, or by text message to the new number."""
    minutes = current_app.config["CONTACT_CODE_MINUTES"]
    with audit_action(f"user.{kind}_change_requested"):
        secret = _issue(kind, timedelta(minutes=minutes), user=user, **{kind: value})
    link = _link("accounts.confirm_contact", secret)
    if kind == "email":
        queue_mail(value, "请确认新的电子邮箱",
                   f"{user.name}，您好：\n\n您申请将登录名{quoted(user.username)}的电子邮箱改为本邮箱。请在{minutes}分钟内打开以下"
                   f"链接确认：\n{link}\n\n如非本人操作，请忽略本邮件。", name=user.name)
    else:
        queue_sms(value, f"【{current_app.config['SITE_NAME']}】您申请将账户手机号改为本号码，"
                         f"请在{minutes}分钟内打开链接确认：{link} 。如非本人操作请忽略。")


def confirm_contact(secret):
    """Spend the confirmation and write the new address; the old address is told of the change."""
    token = _spend("email", secret) if find_token("email", secret) else _spend("phone", secret)
    user = token.user
    with audit_action(f"user.change_{token.purpose}"):
        if token.purpose == "email":
            old, user.email = user.email, token.email
        else:
            old, user.phone = user.phone, token.phone
        db.session.flush()
    what = "电子邮箱" if token.purpose == "email" else "手机号"
    if token.purpose == "email" and old and old != user.email:
        queue_mail(old, "账户电子邮箱已更改",
                   f"{user.name}，您好：\n\n登录名{quoted(user.username)}的电子邮箱已改为新的地址，此后的通知将发往新邮箱。"
                   "如非本人操作，请立即联系系统管理员。", name=user.name)
    notify(user, f"{what}已更改", f"您账户的{what}已确认并更改。")
    return token.purpose, user
