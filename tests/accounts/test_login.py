import re
from datetime import timedelta

from grantportal.accounts.models import UserSession
from grantportal.core.db import db, utcnow
from tests.factories import PASSWORD, UserFactory


def test_login_then_logout_really_ends_the_session(client, auth):
    officer = UserFactory(officer=True)
    auth.login(officer)
    assert client.get("/audit/").status_code == 200
    cookie = client.get_cookie("gp_session").value
    auth.logout()
    # replaying the old cookie does not bring the session back
    client.set_cookie("gp_session", cookie)
    resp = client.get("/audit/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert db.session.scalar(db.select(UserSession).where(UserSession.user_id == officer.id)).ended_at


def test_each_login_gets_a_new_session_id(client, auth):
    user = UserFactory(officer=True)
    auth.login(user)
    auth.logout()
    auth.login(user)
    ids = db.session.scalars(db.select(UserSession.id).where(UserSession.user_id == user.id)).all()
    assert len(set(ids)) == 2


def test_unknown_user_and_wrong_password_get_the_same_message(client):
    UserFactory(username="known")
    a = client.post("/login", data={"username": "known", "password": "wrong-password-1"})
    b = client.post("/login", data={"username": "nobody", "password": "wrong-password-1"})
    assert a.status_code == b.status_code == 200
    assert "登录名或密码错误" in a.get_data(as_text=True)
    assert "登录名或密码错误" in b.get_data(as_text=True)
    assert "不存在" not in b.get_data(as_text=True)


def test_five_failures_lock_this_address_out_of_the_account_even_with_the_right_password(client):
    user = UserFactory()
    for _ in range(5):
        client.post("/login", data={"username": user.username, "password": "not-the-password1"})
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 200
    assert "暂时锁定" in resp.get_data(as_text=True)


def test_idle_session_times_out(client, auth, app):
    user = UserFactory(officer=True)
    auth.login(user)
    record = db.session.scalar(db.select(UserSession).where(UserSession.user_id == user.id))
    record.last_seen_at = utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1)
    db.session.commit()
    resp = client.get("/audit/")
    assert resp.status_code == 302


def test_next_parameter_only_goes_to_this_site(client):
    user = UserFactory(officer=True)
    resp = client.post("/login?next=//evil.example/x", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302
    assert "evil" not in resp.headers["Location"]


def test_password_is_stored_with_argon2id():
    user = UserFactory()
    assert user.password_hash.startswith("$argon2id$")


def test_register_keeps_input_and_explains_weak_password(client):
    resp = client.post("/register", data={"username": "newngo", "name": "李四", "phone": "13800001111",
                                          "email": "", "password": "short", "password2": "short"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "密码至少10位" in body
    assert 'value="newngo"' in body and 'value="李四"' in body


def test_login_attempts_are_rate_limited_per_address(make_app):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute").test_client()
    statuses = [client.post("/login", data={"username": f"u{i}", "password": "x"}).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "操作过于频繁" in client.post("/login", data={"username": "u", "password": "x"}).get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only attempts are limited, not the page


def test_register_with_an_email_address(client, app):
    app.config["MAIL_BACKEND"] = "memory"
    resp = client.post("/register", data={"username": "ngo_zhang", "name": "张敏", "phone": "13800001111",
                                          "email": "zhang@example.cn", "password": "Ngo-password-2026",
                                          "password2": "Ngo-password-2026"})
    assert resp.status_code == 200 and "请查收确认邮件" in resp.get_data(as_text=True)
    (to, _subject, body), = app.extensions["gp_outbox"]
    link = re.search(r"http\S+", body).group(0)
    assert to == "zhang@example.cn"
    resp = client.post(link)  # the account opens from the confirmation link
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/org/register")
    client.post("/logout")
    bad = client.post("/register", data={"username": "ngo_wang", "name": "王", "phone": "13800001112",
                                         "email": "not-an-address", "password": "Ngo-password-2026",
                                         "password2": "Ngo-password-2026"})
    assert "电子邮箱格式不正确" in bad.get_data(as_text=True)


def test_changing_the_password_ends_other_sessions(app, client, auth):
    user = UserFactory(officer=True)
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": PASSWORD})
    auth.login(user)
    resp = client.post("/account", data={"current": PASSWORD, "password": "Brand-new-2027x",
                                         "password2": "Brand-new-2027x"})
    assert resp.status_code == 302
    assert client.get("/audit/").status_code == 200  # this session stays
    assert other.get("/audit/").status_code == 302  # the other one is gone


def test_guessing_the_current_password_locks_the_account(client, auth):
    user = UserFactory()
    auth.login(user)
    for _ in range(5):
        client.post("/account", data={"current": "wrong-guess-1", "password": "Brand-new-2027x",
                                      "password2": "Brand-new-2027x"})
    resp = client.post("/account", data={"current": PASSWORD, "password": "Brand-new-2027x",
                                         "password2": "Brand-new-2027x"})
    assert "暂时锁定" in resp.get_data(as_text=True)
