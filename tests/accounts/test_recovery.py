"""Registration without name enumeration, 忘记密码, the administrator's reset and contact changes confirmed from the
new address (issue 11, Accounts): single-use expiring links, the same answer for unknown accounts, rate limits."""
import logging
import re
from datetime import timedelta

import pytest

from grantportal.accounts.models import AccountToken, User
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from tests.factories import PASSWORD, UserFactory

NEW = "Fresh-password-2027"
FORM = {"name": "张敏", "phone": "13800001111", "email": "zhang@example.cn", "password": "Ngo-password-2026",
        "password2": "Ngo-password-2026"}


@pytest.fixture(autouse=True)
def outbox(app):
    app.config["MAIL_BACKEND"] = "memory"
    app.config["SMS_BACKEND"] = "memory"
    return app.extensions.setdefault("gp_outbox", [])


def _link(message):
    return re.search(r"https?://\S+", message[-1]).group(0).rstrip("。")


def _actions():
    return set(db.session.scalars(db.select(AuditEntry.action)))


def test_registration_gives_the_same_answer_for_a_taken_name_even_a_staff_name(client, outbox):
    UserFactory(username="chen.officer", officer=True)
    free = client.post("/register", data={**FORM, "username": "ngo_zhang"})
    taken = client.post("/register", data={**FORM, "username": "chen.officer"})
    assert free.status_code == taken.status_code == 200

    def page(resp):
        return resp.get_data(as_text=True).replace("ngo_zhang", "X").replace("chen.officer", "X")

    assert page(free) == page(taken) and "该登录名已被使用" not in page(taken)
    # only the mailbox learns it: a link for the free name, a note for the taken one
    assert [m[1] for m in outbox] == ["请确认注册", "注册提醒"]
    assert "已被使用" in outbox[1][2] and "http" not in outbox[1][2]
    assert db.session.scalar(db.select(User).where(User.username == "ngo_zhang")) is None  # not before the link


def test_the_registration_link_opens_the_account_once(client, app, outbox):
    client.post("/register", data={**FORM, "username": "ngo_zhang"})
    link = _link(outbox[0])
    assert "确认注册" in client.get(link).get_data(as_text=True)  # a scanner opening the link spends nothing
    resp = client.post(link)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/org/register")
    assert db.session.scalar(db.select(User).where(User.username == "ngo_zhang")).email == "zhang@example.cn"
    again = app.test_client().post(link)
    assert again.status_code == 404 and "已使用或已过期" in again.get_data(as_text=True)
    assert {"user.register_requested", "user.create"} <= _actions()


def test_registration_is_rate_limited_per_address(make_app):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTER="3 per hour", MAIL_BACKEND="memory").test_client()
    statuses = [client.post("/register", data={**FORM, "username": f"ngo{i}"}).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/register").status_code == 200


def test_forgot_password_answers_alike_and_the_link_works_once(client, app, outbox):
    user = UserFactory()
    known = client.post("/password/forgot", data={"username": user.username})
    unknown = client.post("/password/forgot", data={"username": "nobody-at-all"})
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert [m[0] for m in outbox] == [user.email]  # one mail, to the account's own address
    link = _link(outbox[0])
    assert user.username in client.get(link).get_data(as_text=True)
    assert client.post(link, data={"password": NEW, "password2": NEW}).status_code == 302
    assert client.post("/login", data={"username": user.username, "password": NEW}).status_code == 302
    reused = app.test_client().post(link, data={"password": "Another-pass-2028", "password2": "Another-pass-2028"})
    assert reused.status_code == 404
    assert {"user.reset_requested", "user.reset_password"} <= _actions()


def test_a_reset_link_expires(client, outbox):
    user = UserFactory()
    client.post("/password/forgot", data={"username": user.username})
    token = db.session.scalar(db.select(AccountToken))
    token.expires_at -= timedelta(minutes=31)
    db.session.commit()
    resp = client.post(_link(outbox[0]), data={"password": NEW, "password2": NEW})
    assert resp.status_code == 404 and "已过期" in resp.get_data(as_text=True)
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_a_reset_ends_every_session_and_a_second_request_waits(client, app, outbox):
    user = UserFactory()
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": PASSWORD})
    client.post("/password/forgot", data={"username": user.username})
    client.post("/password/forgot", data={"username": user.username})  # within two minutes: no second mail
    assert len(outbox) == 1
    client.post(_link(outbox[0]), data={"password": NEW, "password2": NEW})
    assert other.get("/account").status_code == 302


def test_reset_requests_are_rate_limited_per_address(make_app):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_RESET="2 per hour").test_client()
    statuses = [client.post("/password/forgot", data={"username": f"u{i}"}).status_code for i in range(3)]
    assert statuses == [200, 200, 429]


def test_the_admin_sends_a_reset_to_the_users_own_address(client, auth, outbox):
    member = UserFactory()
    auth.login(UserFactory(admin=True))
    assert client.post(f"/admin/users/{member.id}/send-reset").status_code == 302
    assert outbox[-1][0] == member.email and "系统管理员" in outbox[-1][2]
    assert "user.reset_requested_by_admin" in _actions()
    no_mail = UserFactory(email=None)
    client.post(f"/admin/users/{no_mail.id}/send-reset")
    assert "未登记电子邮箱" in client.get("/admin/users/").get_data(as_text=True)


def test_a_new_email_takes_effect_only_when_confirmed_from_it(client, auth, outbox):
    user = UserFactory()
    old = user.email
    auth.login(user)
    wrong = client.post("/account/email", data={"email": "new@example.cn", "current": "wrong-password-1"})
    assert "当前密码不正确" in wrong.get_data(as_text=True) and not outbox
    assert client.post("/account/email", data={"email": "new@example.cn", "current": PASSWORD}).status_code == 302
    assert outbox[-1][0] == "new@example.cn"
    assert db.session.get(User, user.id).email == old  # not yet
    link = _link(outbox[-1])
    assert client.post(link).status_code == 302
    assert db.session.get(User, user.id).email == "new@example.cn"
    assert any(to == old and "已更改" in subject for to, subject, _ in outbox)  # the old address is told
    assert client.post(link).status_code == 404
    assert {"user.email_change_requested", "user.change_email"} <= _actions()


def test_a_new_phone_number_is_confirmed_by_text_message(client, auth, app):
    user = UserFactory(phone="13900001111")
    auth.login(user)
    assert client.post("/account/phone", data={"phone": "13700002222", "current": PASSWORD}).status_code == 302
    (phone, text), = app.extensions["gp_sms_outbox"]
    assert phone == "13700002222" and db.session.get(User, user.id).phone == "13900001111"
    assert client.post(re.search(r"https?://\S+", text).group(0)).status_code == 302
    assert db.session.get(User, user.id).phone == "13700002222"
    assert "user.change_phone" in _actions()


def test_the_log_backend_writes_no_link_or_address(app, client, caplog, monkeypatch):
    app.config["MAIL_BACKEND"] = "log"
    # alembic's logging setup (migrations/env.py) disables loggers that existed before it ran
    monkeypatch.setattr(logging.getLogger("grantportal.mail"), "disabled", False)
    user = UserFactory()
    with caplog.at_level("INFO", logger="grantportal.mail"):
        client.post("/password/forgot", data={"username": user.username})
    assert "重置密码" in caplog.text
    assert "http" not in caplog.text and user.email not in caplog.text and user.name not in caplog.text
