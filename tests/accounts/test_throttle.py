"""Failed sign-ins slow the guesser down, per account and source and per address, but never lock the owner out
from another address or from a known device; the owner is told (DESIGN.md §6, issue 11)."""
from datetime import timedelta

import pytest

from grantportal.accounts.models import LoginFailure
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.notices import Notice
from tests.factories import PASSWORD, UserFactory

STRANGER = {"REMOTE_ADDR": "203.0.113.7"}
OWNER = {"REMOTE_ADDR": "198.51.100.20"}


@pytest.fixture
def officer():
    return UserFactory(officer=True)


def _fail(client, username, times, env=STRANGER):
    for _ in range(times):
        client.post("/login", data={"username": username, "password": "not-the-password1"}, environ_base=env)


def test_a_stranger_cannot_lock_the_owner_out_from_another_address(app, client, officer):
    _fail(client, officer.username, 12)
    stranger = client.post("/login", data={"username": officer.username, "password": PASSWORD}, environ_base=STRANGER)
    assert stranger.status_code == 200 and "暂时锁定" in stranger.get_data(as_text=True)
    owner = app.test_client().post("/login", data={"username": officer.username, "password": PASSWORD},
                                   environ_base=OWNER)
    assert owner.status_code == 302 and "/login" not in owner.headers["Location"]


def test_the_owners_known_device_signs_in_even_from_the_strangers_address(app, client, officer):
    device = app.test_client()  # the owner's browser signed in before, from behind the same office address
    assert device.post("/login", data={"username": officer.username, "password": PASSWORD},
                       environ_base=STRANGER).status_code == 302
    device.post("/logout", environ_base=STRANGER)
    _fail(client, officer.username, 12)
    resp = device.post("/login", data={"username": officer.username, "password": PASSWORD}, environ_base=STRANGER)
    assert resp.status_code == 302


def test_delays_grow_with_each_failure_and_expire(app, client, officer):
    _fail(client, officer.username, 5)
    blocked = client.post("/login", data={"username": officer.username, "password": PASSWORD}, environ_base=STRANGER)
    assert "30秒" in blocked.get_data(as_text=True)
    # the wait over, a sixth failure doubles it
    for row in db.session.scalars(db.select(LoginFailure)):
        row.at -= timedelta(seconds=31)
    db.session.commit()
    _fail(client, officer.username, 1)
    assert "1分钟" in client.post("/login", data={"username": officer.username, "password": PASSWORD},
                                   environ_base=STRANGER).get_data(as_text=True)
    for row in db.session.scalars(db.select(LoginFailure)):
        row.at -= timedelta(seconds=61)
    db.session.commit()
    assert client.post("/login", data={"username": officer.username, "password": PASSWORD},
                       environ_base=STRANGER).status_code == 302


def test_unknown_and_known_names_are_throttled_alike(client, officer):
    _fail(client, officer.username, 5)
    _fail(client, "nobody-here", 5)
    known = client.post("/login", data={"username": officer.username, "password": "x1"}, environ_base=STRANGER)
    unknown = client.post("/login", data={"username": "nobody-here", "password": "x1"}, environ_base=STRANGER)
    assert known.get_data(as_text=True).count("暂时锁定") == unknown.get_data(as_text=True).count("暂时锁定") == 1


def test_an_address_spraying_many_names_is_slowed_down(client, officer):
    for i in range(20):
        _fail(client, f"guess{i}", 1)
    resp = client.post("/login", data={"username": officer.username, "password": PASSWORD}, environ_base=STRANGER)
    assert "暂时锁定" in resp.get_data(as_text=True)


def test_the_owner_is_told_and_failures_are_audited(app, client, officer):
    app.config["MAIL_BACKEND"] = "memory"
    _fail(client, officer.username, 5, STRANGER)
    _fail(client, officer.username, 5, {"REMOTE_ADDR": "192.0.2.99"})
    notices = db.session.scalars(db.select(Notice).where(Notice.user_id == officer.id)).all()
    assert [n.title for n in notices] == ["账户登录异常提醒"]
    assert [m[0] for m in app.extensions["gp_outbox"]] == [officer.email]
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "user.login_failed")) == 10
