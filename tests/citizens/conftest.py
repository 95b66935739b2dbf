"""Citizens' tests: text messages kept in memory, and the two steps of 公众登录 as helpers."""
import re

import pytest

from tests import factories as f

LOGIN, CODE, RESEND, HOME = "/citizen/login", "/citizen/login/code", "/citizen/login/resend", "/citizen/"


@pytest.fixture
def sms(app):
    """The text messages sent: [(phone, text)], in order (core.sms "memory" backend)."""
    app.config["SMS_BACKEND"] = "memory"
    return app.extensions.setdefault("gp_sms_outbox", [])


@pytest.fixture
def phone_number():
    """A fresh mainland mobile number (Faker zh_CN)."""
    return f.mobile_number(f.fake.random_int(0, 9999))


def code_in(text):
    return re.search(r"验证码为(\d{6})", text).group(1)


def request_code(client, sms, phone, url=LOGIN):
    """Step 1: 获取验证码 for ``phone``; returns the code the message carried."""
    resp = client.post(url, data={"phone": phone})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(CODE), resp.get_data(as_text=True)[:800]
    return code_in(sms[-1][1])


def sign_in(client, sms, phone, consent=True):
    """Both steps; returns the answer to the code."""
    code = request_code(client, sms, phone)
    return client.post(CODE, data={"code": code, **({"consent": "y"} if consent else {})})
