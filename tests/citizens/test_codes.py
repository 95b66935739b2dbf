"""SMS codes and bad input on 公众登录 (issue 13, DESIGN.md §6): a malformed phone, a wrong, expired or used
code, too many tries, a resend too soon, the daily cap per phone and the limit per address each get a clear
Chinese message next to the field, keep what was typed and create nothing. The code is stored only as an
HMAC keyed with the app's secret; neither the log nor the audit trail keeps the number in clear."""
import hashlib
import hmac
import json
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantportal.accounts.models import User, UserSession
from grantportal.citizens.models import Citizen, SmsCode
from grantportal.citizens.operations import SIGN_IN
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from tests import factories as f
from tests.citizens.conftest import CODE, LOGIN, RESEND, code_in, request_code


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _error_next_to(body, field):
    """The message shown next to ``field`` (templates/_form.html puts it in the field's own block)."""
    block = re.search(rf'<div class="field[^"]*has-error">\s*<label[^>]*(?:for="{field}"|>\s*<input[^>]*id="{field}")'
                      r'.*?</div>', body, re.S)
    assert block, f"no error next to {field}"
    return " ".join(re.findall(r'<p class="error" role="alert">(.*?)</p>', block.group(0)))


def _wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def _age(seconds):
    """Every code sent so far was sent ``seconds`` earlier."""
    db.session.execute(sa.update(SmsCode).values(created_at=utcnow() - timedelta(seconds=seconds)))
    db.session.commit()


@pytest.mark.parametrize("typed", ["1381234567", "138123456789", "23812345678", "12812345678", "abc", "0760-8888888"])
def test_a_malformed_phone_is_refused_next_to_the_field_and_kept(client, sms, typed):
    resp = client.post(LOGIN, data={"phone": typed})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "请填写11位中国大陆手机号码，例如 13812345678。" in _error_next_to(body, "phone")
    assert f'value="{typed}"' in body and "提交的内容有误" in body
    assert sms == [] and _count(SmsCode) == 0


def test_an_empty_phone_or_code_says_what_is_missing(client, sms, phone_number):
    assert "请填写手机号。" in _error_next_to(client.post(LOGIN, data={"phone": " "}).get_data(as_text=True), "phone")
    request_code(client, sms, phone_number)
    body = client.post(CODE, data={"code": ""}).get_data(as_text=True)
    assert "请填写短信验证码。" in _error_next_to(body, "code")
    body = client.post(CODE, data={"code": "12345a"}).get_data(as_text=True)
    assert "验证码为6位数字" in _error_next_to(body, "code") and 'value="12345a"' in body
    assert db.session.scalar(sa.select(SmsCode.attempts)) == 0  # not a try: nothing was compared


def test_a_code_typed_with_full_width_digits_and_spaces_works(client, sms, phone_number):
    code = request_code(client, sms, phone_number)
    typed = " ".join(chr(ord(c) + 0xFEE0) for c in code)  # "１ ２ ３ …"
    assert client.post(CODE, data={"code": typed, "consent": "y"}).status_code == 302


def test_a_wrong_code_counts_says_how_many_tries_are_left_and_the_fifth_kills_it(client, sms, phone_number):
    code = request_code(client, sms, phone_number)
    for left in (4, 3, 2, 1):
        body = client.post(CODE, data={"code": _wrong(code), "consent": "y"}).get_data(as_text=True)
        assert f"验证码不正确，请核对短信中的6位数字（还可尝试{left}次）。" in _error_next_to(body, "code")
        assert f'value="{_wrong(code)}"' in body and 'checked' in body  # what was typed and ticked is kept
    body = client.post(CODE, data={"code": _wrong(code), "consent": "y"}).get_data(as_text=True)
    assert "验证码错误次数过多，已失效，请重新获取验证码。" in _error_next_to(body, "code")
    body = client.post(CODE, data={"code": code, "consent": "y"}).get_data(as_text=True)  # even the right one now
    assert "验证码错误次数过多" in _error_next_to(body, "code")
    row = db.session.scalar(sa.select(SmsCode))
    assert row.attempts == 5 and not row.live and row.used_at is None
    assert _count(Citizen) == 0 and _count(User) == 0 and _count(UserSession) == 0
    failed = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "citizen.code_failed")).all()
    assert len(failed) == 5
    _age(61)  # a new code after the wait works
    assert client.post(RESEND).status_code == 302
    new = code_in(sms[-1][1])
    assert client.post(CODE, data={"code": new, "consent": "y"}).status_code == 302


def test_an_expired_code_is_refused(client, sms, phone_number):
    code = request_code(client, sms, phone_number)
    db.session.execute(sa.update(SmsCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    body = client.post(CODE, data={"code": code, "consent": "y"}).get_data(as_text=True)
    assert "验证码已过期（有效期10分钟），请重新获取验证码。" in _error_next_to(body, "code")
    assert _count(Citizen) == 0


def test_a_used_code_does_not_sign_in_again(client, sms, phone_number):
    code = request_code(client, sms, phone_number)
    with client.session_transaction() as sess:
        pending = dict(sess["citizen_sign_in"])
    assert client.post(CODE, data={"code": code, "consent": "y"}).status_code == 302
    client.post("/logout")
    with client.session_transaction() as sess:  # the same two steps replayed
        sess["citizen_sign_in"] = pending
    body = client.post(CODE, data={"code": code}).get_data(as_text=True)
    assert "该验证码已使用，请重新获取验证码。" in _error_next_to(body, "code")
    assert _count(UserSession) == 1


def test_the_session_names_the_code_waited_on_never_the_phone(client, sms, phone_number):
    request_code(client, sms, phone_number)
    with client.session_transaction() as sess:
        kept = dict(sess["citizen_sign_in"])
        sess["citizen_sign_in"] = {**kept, "code": kept["code"] + 1}  # a code that does not exist
    assert phone_number not in str(kept) and kept["shown"] is None
    resp = client.get(CODE)
    assert resp.status_code == 302 and resp.headers["Location"] == LOGIN


def test_without_a_phone_waiting_the_code_page_sends_back_to_step_one(client):
    resp = client.get(CODE)
    assert resp.status_code == 302 and resp.headers["Location"] == LOGIN
    assert client.post("/citizen/login/resend").headers["Location"] == LOGIN


def test_a_first_sign_in_without_consent_creates_nothing_and_the_code_still_works(client, sms, phone_number):
    code = request_code(client, sms, phone_number)
    body = client.post(CODE, data={"code": code}).get_data(as_text=True)
    assert "首次登录将开通公众账户，请先阅读并勾选同意《个人信息保护说明》。" in _error_next_to(body, "consent")
    assert f'value="{code}"' in body
    assert _count(Citizen) == 0 and _count(User) == 0 and _count(UserSession) == 0
    assert client.post(CODE, data={"code": code, "consent": "y"}).status_code == 302
    assert _count(Citizen) == 1


def test_a_resend_too_soon_says_how_many_seconds_remain(client, sms, phone_number):
    request_code(client, sms, phone_number)
    body = client.post(LOGIN, data={"phone": phone_number}).get_data(as_text=True)
    message = _error_next_to(body, "phone")
    assert re.fullmatch(r"验证码已发送，请(\d+)秒后再重新获取。", message)
    assert 55 <= int(re.search(r"\d+", message).group(0)) <= 60 and f'value="{phone_number}"' in body
    body = client.post(RESEND).get_data(as_text=True)  # 重新获取验证码 on the code page: the same answer there
    assert re.search(r'<p class="error" role="alert"[^>]*>验证码已发送，请\d+秒后再重新获取。</p>', body)
    assert "秒后可重新获取" in body
    assert len(sms) == 1 and _count(SmsCode) == 1


def test_a_new_code_after_the_wait_replaces_the_old_one(client, sms, phone_number):
    old = request_code(client, sms, phone_number)
    _age(61)
    resp = client.post(RESEND)
    assert resp.status_code == 302 and resp.headers["Location"] == CODE
    new = code_in(sms[-1][1])
    assert "验证码已重新发送至" in client.get(CODE).get_data(as_text=True)
    live = db.session.scalars(sa.select(SmsCode).where(SmsCode.live)).all()
    assert len(live) == 1 and _count(SmsCode) == 2
    if old != new:
        body = client.post(CODE, data={"code": old, "consent": "y"}).get_data(as_text=True)
        assert "验证码不正确" in _error_next_to(body, "code")
    assert client.post(CODE, data={"code": new, "consent": "y"}).status_code == 302


def test_one_live_code_per_phone_and_purpose_even_when_two_are_written_at_once(app, phone_number):
    """The partial unique index that makes two sends at the same moment end as one code and one "too soon"."""
    now = utcnow()
    row = dict(purpose=SIGN_IN, phone=phone_number, code_hash="0" * 64, created_at=now,
               expires_at=now + timedelta(minutes=10), attempts=0)
    db.session.add_all([SmsCode(**row, live=False), SmsCode(**row, live=False), SmsCode(**row, live=True)])
    db.session.commit()
    db.session.add(SmsCode(**row, live=True))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(SmsCode(**{**row, "purpose": "survey"}, live=True))  # another purpose has its own
    db.session.commit()


def test_a_phone_gets_at_most_the_daily_number_of_codes(app, client, sms, phone_number):
    app.config["SMS_DAILY_PER_PHONE"] = 3
    for _ in range(3):
        request_code(client, sms, phone_number)
        _age(61)
    body = client.post(LOGIN, data={"phone": phone_number}).get_data(as_text=True)
    assert "该手机号今天获取验证码的次数已达上限（3次），请明天再试。" in _error_next_to(body, "phone")
    assert len(sms) == 3 and _count(SmsCode) == 3
    # yesterday's codes do not count
    db.session.execute(sa.update(SmsCode).values(created_at=utcnow() - timedelta(days=1, hours=1)))
    db.session.commit()
    request_code(client, sms, phone_number)


def test_code_requests_are_limited_per_address_on_both_buttons(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SMS="3 per hour", SMS_BACKEND="memory")
    client = app.test_client()
    statuses = [client.post(LOGIN, data={"phone": f"1390000{i:04d}"}).status_code for i in range(2)]
    statuses.append(client.post(RESEND).status_code)  # too soon for the phone, and counted for the address
    statuses.append(client.post(LOGIN, data={"phone": "13900009999"}).status_code)
    assert statuses == [302, 302, 200, 429]
    assert "操作过于频繁" in client.post(RESEND).get_data(as_text=True)
    assert client.get(LOGIN).status_code == 200  # only sending is limited, not the page
    with app.app_context():
        assert len(app.extensions["gp_sms_outbox"]) == 2


def test_the_code_is_stored_only_as_an_hmac_keyed_with_the_app_secret(app, client, sms, phone_number):
    code = request_code(client, sms, phone_number)
    row = db.session.scalar(sa.select(SmsCode))
    stored = json.dumps([str(getattr(row, c.key)) for c in SmsCode.__table__.columns])
    assert code not in stored.replace(row.code_hash, "")
    key = app.config["SECRET_KEY"].encode()
    assert row.code_hash == hmac.new(key, f"{SIGN_IN}\x00{phone_number}\x00{code}".encode(), hashlib.sha256).hexdigest()
    assert row.code_hash != hashlib.sha256(code.encode()).hexdigest()  # not a bare hash anyone could reverse
    assert row.ip == "127.0.0.1" and row.live and row.used_at is None
    assert (row.expires_at - row.created_at) == timedelta(minutes=10)


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_the_log_backend_writes_a_masked_number_and_never_the_number_or_the_code(app, client, phone_number):
    app.config["SMS_BACKEND"] = "log"
    handler = _Lines()
    root = logging.getLogger()
    loggers = [logging.getLogger(name) for name in ("grantportal", "grantportal.sms", "grantportal.mail")]
    saved = [(lg.level, lg.disabled) for lg in loggers]
    root.addHandler(handler)
    for lg in loggers:  # migrations/env.py's fileConfig disables the loggers that existed when it ran
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    try:
        client.post(LOGIN, data={"phone": phone_number})
        code = db.session.scalar(sa.select(SmsCode))
        assert code is not None
    finally:
        root.removeHandler(handler)
        for lg, (level, disabled) in zip(loggers, saved):
            lg.setLevel(level)
            lg.disabled = disabled
    text = "\n".join(handler.lines)
    assert f"{phone_number[:3]}****{phone_number[-4:]}" in text
    assert phone_number not in text and "验证码" not in text


def test_the_audit_trail_records_account_creation_and_sign_in_with_the_phone_masked(client, sms, phone_number):
    code = request_code(client, sms, phone_number)
    client.post(CODE, data={"code": _wrong(code), "consent": "y"})
    client.post(CODE, data={"code": code, "consent": "y"})
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    actions = [e.action for e in entries]
    for action in ("citizen.code_sent", "citizen.code_failed", "user.create", "citizen.create", "user.login"):
        assert action in actions
    masked = f"{phone_number[:3]}****{phone_number[-4:]}"
    created = next(e for e in entries if e.action == "citizen.create")
    assert json.loads(created.after)["phone"] == masked and created.ip == "127.0.0.1"
    assert json.loads(next(e for e in entries if e.action == "citizen.code_sent").after)["code_hash"] == "***"
    everything = " ".join(f"{e.before} {e.after} {e.actor_name}" for e in entries)
    assert phone_number not in everything and code not in everything


def test_masked_personal_columns_in_the_audit_trail_cover_the_real_name_details(app):
    citizen = f.CitizenFactory()
    citizen.real_name, citizen.id_number = "王晓明", "442000199001011234"
    db.session.commit()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "citizen",
                                                          AuditEntry.before.is_not(None)))
    assert json.loads(entry.after) == {"real_name": "王**", "id_number": "44*************234"}
    assert json.loads(entry.before) == {"real_name": None, "id_number": None}
