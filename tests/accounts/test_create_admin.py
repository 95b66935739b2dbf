"""``flask users create-admin`` (accounts/cli.py): the first administrator of a new installation."""
import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.roles import Role

PASSWORD = "Admin-pass-2026"  # noqa: S105 (a test account's)


def _create(app, *args, password=PASSWORD, again=None):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "create-admin", *args],
                                          input=f"{password}\n{again or password}\n")
    db.session.expire_all()
    return result


def test_the_first_administrator_signs_in_and_must_bind_a_totp(app, client):
    app.config["TOTP_REQUIRED_ROLES"] = ("officer", "admin")
    result = _create(app, "wang.admin", "--name", "王管理", "--email", "it@example.gov.cn")
    assert result.exit_code == 0, result.output
    assert "Admin-pass-2026" not in result.output
    user = db.session.scalar(sa.select(User).where(User.username == "wang.admin"))
    assert user.role == Role.ADMIN and user.name == "王管理"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.actor_role == "system" and "Admin-pass-2026" not in str(entry.after)
    resp = client.post("/login", data={"username": "wang.admin", "password": "Admin-pass-2026"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/code")  # the TOTP step comes next
    assert "绑定" in client.get("/login/code").get_data(as_text=True)


def test_a_weak_password_a_mistyped_one_or_a_taken_name_opens_nothing(app):
    assert "密码须同时包含字母和数字" in _create(app, "admin2", "--name", "李", password="onlyletters!!").output
    assert _create(app, "admin2", "--name", "李", again="Other-pass-2026").exit_code != 0
    assert _create(app, "admin2", "--name", "李").exit_code == 0
    taken = _create(app, "ADMIN2", "--name", "张")
    assert taken.exit_code == 1 and "该登录名已被使用" in taken.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
