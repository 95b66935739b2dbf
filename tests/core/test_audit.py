import json

import pytest
import sqlalchemy as sa

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from tests.factories import OrganizationFactory, UserFactory


def _entries(object_type):
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.object_type == object_type)
                              .order_by(AuditEntry.id)).all()


def test_every_write_is_logged_with_before_and_after():
    org = OrganizationFactory(name="旧名称")
    org.name = "新名称"
    db.session.commit()
    create, update = _entries("organization")
    assert create.action == "organization.create"
    assert create.object_id == update.object_id == str(org.id)
    assert json.loads(create.after)["name"] == "旧名称"
    assert json.loads(update.before) == {"name": "旧名称"}
    assert json.loads(update.after) == {"name": "新名称"}


def test_password_hashes_never_reach_the_log():
    UserFactory()
    entry = _entries("user")[0]
    assert "argon2" not in entry.after
    assert json.loads(entry.after)["password_hash"] == "***"


def test_the_database_refuses_to_change_the_log():
    OrganizationFactory()
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError):
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_entry SET action = 'forged'"))
    with pytest.raises(sa.exc.DBAPIError):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_entry"))


def test_the_orm_refuses_to_change_the_log():
    OrganizationFactory()
    entry = _entries("organization")[0]
    entry.action = "forged"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_requests_record_actor_ip_and_request_id(client, auth):
    officer = UserFactory(officer=True)
    auth.login(officer)
    resp = client.post("/account", data={"current": "Test-password-2026", "password": "New-password-2027",
                                         "password2": "New-password-2027"})
    assert resp.status_code == 302
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.change_password"))
    assert entry.actor_id == officer.id and entry.actor_role == "officer"
    assert entry.ip == "127.0.0.1"
    assert entry.request_id and len(entry.request_id) == 16


def test_auditor_filters_the_log_by_action_and_actor(client, auth):
    officer = UserFactory(officer=True, username="chen")
    auth.login(officer)
    client.post("/account", data={"current": "Test-password-2026", "password": "New-password-2027",
                                  "password2": "New-password-2027"})
    auth.logout()
    OrganizationFactory(name="筛选测试机构")
    auth.login(UserFactory(auditor=True))
    body = client.get("/audit/?action=user.change_password&actor=chen").get_data(as_text=True)
    assert "user.change_password" in body and "organization.create" not in body
    body = client.get("/audit/?object_type=organization").get_data(as_text=True)
    assert "筛选测试机构" in body and "user.change_password" not in body


def test_the_system_administrator_reads_only_account_entries(client, auth):
    OrganizationFactory(name="业务数据机构")
    officer = UserFactory(officer=True, username="chen")
    admin = UserFactory(admin=True)
    auth.login(officer)
    auth.logout()
    auth.login(admin)
    body = client.get("/audit/").get_data(as_text=True)
    assert "user.login" in body and "chen" in body  # account incidents can be traced
    assert "业务数据机构" not in body and "organization.create" not in body
    assert "系统管理员只能查看账户相关的记录" in body
    body = client.get("/audit/?object_type=organization").get_data(as_text=True)
    assert "业务数据机构" not in body  # asking for domain entries does not widen the view


def test_audit_log_pages_by_id_newest_first(client, auth, app):
    app.config["PAGE_SIZE"] = 5
    for i in range(8):
        OrganizationFactory(name=f"分页机构{i}")
    auth.login(UserFactory(auditor=True))
    first = client.get("/audit/?object_type=organization").get_data(as_text=True)
    assert "分页机构7" in first and "分页机构0" not in first
    assert "更早的记录" in first
    oldest_shown = min(int(e.id) for e in db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.object_type == "organization").order_by(AuditEntry.id.desc())
        .limit(5)))
    second = client.get(f"/audit/?object_type=organization&before={oldest_shown}").get_data(as_text=True)
    assert "分页机构0" in second and "分页机构7" not in second


def test_sign_in_is_logged_as_the_user(client, auth):
    officer = UserFactory(officer=True)
    auth.login(officer)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.login"))
    assert entry.actor_id == officer.id and entry.object_id == str(officer.id)
    assert "last_login_at" in json.loads(entry.after)
