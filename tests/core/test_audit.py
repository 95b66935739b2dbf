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
