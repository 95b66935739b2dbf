import time

import pyotp
import pytest

from grantportal.accounts.models import User
from grantportal.core.db import db
from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def totp_for_officers(app):
    app.config["TOTP_REQUIRED_ROLES"] = ("officer", "admin")


def _code(secret, offset=0):
    return pyotp.TOTP(secret).at(time.time() + offset)


def _password_step(client, user):
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/code")


def test_officer_binds_an_authenticator_on_first_sign_in(client):
    officer = UserFactory(officer=True)
    _password_step(client, officer)
    page = client.get("/login/code").get_data(as_text=True)
    assert "绑定动态口令" in page and "data:image/svg+xml" in page
    with client.session_transaction() as sess:
        secret = sess["pending_secret"]
    assert client.get("/audit/").status_code == 302  # not signed in yet
    resp = client.post("/login/code", data={"code": _code(secret)})
    assert resp.status_code == 302
    assert client.get("/audit/").status_code == 200
    assert db.session.get(User, officer.id).totp_secret == secret


def test_enrolled_officer_needs_the_current_code(client):
    secret = pyotp.random_base32()
    officer = UserFactory(officer=True, totp_secret=secret)
    _password_step(client, officer)
    resp = client.post("/login/code", data={"code": "000000" if _code(secret) != "000000" else "111111"})
    assert "动态口令不正确" in resp.get_data(as_text=True)
    assert client.post("/login/code", data={"code": _code(secret)}).status_code == 302
    assert client.get("/audit/").status_code == 200


def test_a_code_cannot_be_replayed(client, app):
    secret = pyotp.random_base32()
    officer = UserFactory(officer=True, totp_secret=secret)
    code = _code(secret)
    _password_step(client, officer)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    other = app.test_client()
    _password_step(other, officer)
    assert "动态口令不正确" in other.post("/login/code", data={"code": code}).get_data(as_text=True)


def test_wrong_codes_count_towards_lockout(client):
    secret = pyotp.random_base32()
    officer = UserFactory(officer=True, totp_secret=secret)
    _password_step(client, officer)
    for _ in range(5):
        client.post("/login/code", data={"code": "12345x"})
    resp = client.post("/login/code", data={"code": _code(secret)})
    assert resp.status_code == 200 and "暂时锁定" in resp.get_data(as_text=True)
    assert client.get("/audit/").status_code == 302


def test_the_code_page_without_a_password_step_sends_back_to_login(client):
    resp = client.get("/login/code")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")


def test_org_members_sign_in_with_a_password_only(client):
    member = UserFactory()
    resp = client.post("/login", data={"username": member.username, "password": PASSWORD})
    assert resp.status_code == 302 and "/login/code" not in resp.headers["Location"]


def test_admin_resets_a_lost_authenticator(client, auth, app):
    officer = UserFactory(officer=True, totp_secret=pyotp.random_base32())
    admin_secret = pyotp.random_base32()
    admin = UserFactory(admin=True, totp_secret=admin_secret)
    _password_step(client, admin)
    client.post("/login/code", data={"code": _code(admin_secret)})
    assert client.post(f"/admin/users/{officer.id}/reset-totp").status_code == 302
    assert db.session.get(User, officer.id).totp_secret is None
