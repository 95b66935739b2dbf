"""Writes on citizen accounts: SMS codes sent and checked, and signing a citizen in with one (the first
successful code opens the account). They flush and leave the commit to the request.

SMS codes (短信验证码, DESIGN.md §4 Public participation, §6):
- a 6-digit code from ``secrets``; only its HMAC-SHA256 (keyed with the app's SECRET_KEY, over the purpose,
  the phone and the code) is stored, and it is compared in constant time (``hmac.compare_digest``);
- it lasts SMS_CODE_MINUTES (10) and may be checked SMS_CODE_ATTEMPTS (5) times in all: each check first
  takes one of those tries with a conditional UPDATE, then compares, so that guesses sent at once cannot get
  more tries between them; the fifth wrong one kills it;
- one live code per phone and purpose: a new code ends the earlier one, and a partial unique index
  (``uq_sms_code_live``) refuses a second live code sent at the same moment (the view answers "too soon");
- a phone gets a new code no sooner than SMS_RESEND_SECONDS (60) after the last, and at most
  SMS_DAILY_PER_PHONE (10) a day, Beijing time, whatever the purpose; the view adds RATELIMIT_SMS per
  address (Flask-Limiter, shared through Redis when REDIS_URL is set);
- the message leaves only after the commit (``core.notices.queue_sms``), through ``core.sms``.
"""
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import joinedload

from grantportal.accounts.operations import create_user
from grantportal.accounts.passwords import unusable_password
from grantportal.citizens.models import Citizen, SmsCode
from grantportal.core.audit import audit_action, record
from grantportal.core.db import db, utcnow
from grantportal.core.errors import Refused
from grantportal.core.masking import mask_phone
from grantportal.core.notices import queue_sms
from grantportal.core.roles import Role
from grantportal.core.timeutil import local_today, site_zone

SIGN_IN = "sign_in"  # the purpose of the codes that sign a citizen in (and open the account)
# the version of the 个人信息保护说明 (templates/citizens/_privacy_notice.html) a new citizen agrees to: a new
# text gets a new version, and the citizen row says which one the person read
CONSENT_VERSION = "2026-12"


class CodeRefused(Refused):
    """A code that cannot be sent or does not sign in; ``field`` is the form field it belongs to. A form page
    shows it next to the field and answers 200."""

    status = 200


def too_soon(seconds):
    return f"验证码已发送，请{seconds}秒后再重新获取。"


def _no_code():
    return CodeRefused("请先获取短信验证码。", field="code")


USED = "该验证码已使用，请重新获取验证码。"
DEAD = "验证码错误次数过多，已失效，请重新获取验证码。"
CONSENT_NEEDED = "首次登录将开通公众账户，请先阅读并勾选同意《个人信息保护说明》。"


def _digest(purpose, phone, code):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}\x00{phone}\x00{code}".encode(), hashlib.sha256).hexdigest()


def _latest(phone, purpose):
    return db.session.scalar(sa.select(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose)
                             .order_by(SmsCode.created_at.desc(), SmsCode.id.desc()).limit(1))


def _start_of_today():
    """Midnight, Beijing time, as UTC: the daily cap counts the codes sent since."""
    return datetime.combine(local_today(), time.min, tzinfo=site_zone()).astimezone(UTC)


def send_code(phone, purpose=SIGN_IN):
    """A new code for ``phone`` (normalized mainland mobile), sent after the commit; returns its row and the code
    itself (the view shows it only when SMS_SHOW_CODE is on). Refused when the last one is too recent or the
    day's cap is reached. Whether the phone has an account is neither asked nor said."""
    cfg, now = current_app.config, utcnow()
    last = _latest(phone, purpose)
    if last is not None:
        wait = math.ceil((last.created_at + timedelta(seconds=cfg["SMS_RESEND_SECONDS"]) - now).total_seconds())
        if wait > 0:
            raise CodeRefused(too_soon(wait), field="phone")
    today = db.session.scalar(sa.select(sa.func.count()).select_from(SmsCode).where(
        SmsCode.phone == phone, SmsCode.created_at >= _start_of_today()))
    if today >= cfg["SMS_DAILY_PER_PHONE"]:
        raise CodeRefused(f"该手机号今天获取验证码的次数已达上限（{cfg['SMS_DAILY_PER_PHONE']}次），请明天再试。",
                          field="phone")
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = cfg["SMS_CODE_MINUTES"]
    with audit_action("citizen.code_sent"):
        # the earlier code ends, unless it is itself too recent: a code another request committed since ``last``
        # was read stays live, and this one then fails on uq_sms_code_live ("too soon") instead of replacing it
        db.session.execute(sa.update(SmsCode).where(
            SmsCode.phone == phone, SmsCode.purpose == purpose, SmsCode.live.is_(True),
            SmsCode.created_at <= now - timedelta(seconds=cfg["SMS_RESEND_SECONDS"]))
            .values(live=False).execution_options(synchronize_session=False))
        row = SmsCode(purpose=purpose, phone=phone, code_hash=_digest(purpose, phone, code), created_at=now,
                      expires_at=now + timedelta(minutes=minutes), live=True,
                      ip=request.remote_addr if has_request_context() else None)
        db.session.add(row)
        db.session.flush()  # a live code sent at the same moment: IntegrityError on uq_sms_code_live
    queue_sms(phone, f"【{cfg['SITE_NAME']}】您的验证码为{code}，{minutes}分钟内有效。请勿将验证码告诉他人；"
                     "如非本人操作，请忽略本短信。")
    return row, code


@dataclass(frozen=True)
class CodeCheck:
    """What checking a code found: ``code_id`` of the right, still unused code, or the ``refusal`` to show."""

    code_id: int | None = None
    refusal: CodeRefused | None = None

    def __bool__(self):
        return self.code_id is not None


def check_code(phone, code, purpose=SIGN_IN):
    """Check ``code`` against the phone's latest code for ``purpose``. Every check uses up one try, wrong or
    right, and the caller commits it whatever comes next (a wrong code must count even though the sign-in
    fails). The code is not spent here: ``spend_code`` does that in the transaction that uses it."""
    cfg, now = current_app.config, utcnow()
    row = _latest(phone, purpose)
    if row is None:
        return CodeCheck(refusal=_no_code())
    if row.used_at is not None:
        return CodeCheck(refusal=CodeRefused(USED, field="code"))
    if row.attempts >= cfg["SMS_CODE_ATTEMPTS"]:
        return CodeCheck(refusal=CodeRefused(DEAD, field="code"))
    if row.expires_at <= now:
        return CodeCheck(refusal=CodeRefused(f"验证码已过期（有效期{cfg['SMS_CODE_MINUTES']}分钟），请重新获取验证码。",
                                             field="code"))
    taken = db.session.execute(
        sa.update(SmsCode).where(SmsCode.id == row.id, SmsCode.used_at.is_(None),
                                 SmsCode.attempts < cfg["SMS_CODE_ATTEMPTS"])
        .values(attempts=SmsCode.attempts + 1).execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # spent or killed by a request that came first
        return CodeCheck(refusal=CodeRefused("验证码已失效，请重新获取验证码。", field="code"))
    db.session.refresh(row)
    if hmac.compare_digest(row.code_hash, _digest(purpose, phone, code or "")):
        return CodeCheck(code_id=row.id)
    left = cfg["SMS_CODE_ATTEMPTS"] - row.attempts
    record("citizen.code_failed", "sms_code", row.id, {"attempts": row.attempts, "phone": mask_phone(phone)})
    if left <= 0:
        with audit_action("citizen.code_dead"):
            row.live = False
            db.session.flush()
        return CodeCheck(refusal=CodeRefused(DEAD, field="code"))
    return CodeCheck(refusal=CodeRefused(f"验证码不正确，请核对短信中的6位数字（还可尝试{left}次）。", field="code"))


def spend_code(code_id):
    """Mark the checked code used, once: a conditional UPDATE, so that two requests with the same code at the
    same moment sign in once."""
    spent = db.session.execute(
        sa.update(SmsCode).where(SmsCode.id == code_id, SmsCode.used_at.is_(None))
        .values(used_at=utcnow(), live=False).execution_options(synchronize_session=False))
    if spent.rowcount != 1:
        raise CodeRefused(USED, field="code")


def find_citizen(phone):
    return db.session.scalar(sa.select(Citizen).where(Citizen.phone == phone).options(joinedload(Citizen.user)))


def create_citizen(phone, consented_at):
    """A citizen account for a confirmed phone: a User with the role 公众, a generated login name, no usable
    password and the masked number as its name (what the person sees in the menu), and its citizen row."""
    user = create_user(f"citizen-{secrets.token_hex(6)}", mask_phone(phone), None, role=Role.CITIZEN,
                       password_hash=unusable_password())
    with audit_action("citizen.create"):
        citizen = Citizen(user_id=user.id, phone=phone, phone_verified_at=consented_at,
                          consent_version=CONSENT_VERSION, consented_at=consented_at)
        db.session.add(citizen)
        db.session.flush()
    return citizen


def sign_in_with_code(phone, checked, consented):
    """The user to sign in with a checked code (``check_code``): the citizen of this phone, or a new one when
    the person agreed to the 个人信息保护说明. Refused before the code is spent when consent is missing for a
    new account or the account was deactivated, so that the same code still works once corrected."""
    citizen = find_citizen(phone)
    if citizen is None and not consented:
        raise CodeRefused(CONSENT_NEEDED, field="consent")
    if citizen is not None and not citizen.user.is_active:
        raise CodeRefused(f"该公众账户已停用，无法登录。如有疑问，请联系{current_app.config['BUREAU_NAME']}。",
                          field="code")
    spend_code(checked.code_id)
    now = utcnow()
    if citizen is None:
        return create_citizen(phone, now).user, True
    with audit_action("citizen.phone_verified"):
        citizen.phone_verified_at = now
        db.session.flush()
    return citizen.user, False
