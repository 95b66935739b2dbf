from grantportal.accounts.models import User, UserSession
from grantportal.core.db import db
from grantportal.core.roles import Role
from tests.factories import PASSWORD, UserFactory


def test_admin_opens_an_officer_account_that_can_sign_in(client, auth):
    auth.login(UserFactory(admin=True))
    resp = client.post("/admin/users/new", data={"role": "officer", "username": "Wang.Officer", "name": "王敏",
                                                  "phone": "13900001111", "email": "", "password": "Officer-2026-x",
                                                  "password2": "Officer-2026-x"})
    assert resp.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "wang.officer"))
    assert user.role == Role.OFFICER
    auth.logout()
    assert client.post("/login", data={"username": "wang.officer", "password": "Officer-2026-x"}).status_code == 302


def test_duplicate_username_is_refused_next_to_the_field(client, auth):
    UserFactory(username="taken")
    auth.login(UserFactory(admin=True))
    resp = client.post("/admin/users/new", data={"role": "expert", "username": "taken", "name": "赵专家",
                                                  "phone": "13900001111", "password": "Expert-2026-xx",
                                                  "password2": "Expert-2026-xx"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "该登录名已被使用" in body and 'value="赵专家"' in body


def test_deactivating_an_account_ends_its_sessions(client, app):
    officer = UserFactory(officer=True)
    other = app.test_client()
    other.post("/login", data={"username": officer.username, "password": PASSWORD})
    assert other.get("/audit/").status_code == 200
    admin_client = app.test_client()
    admin = UserFactory(admin=True)
    admin_client.post("/login", data={"username": admin.username, "password": PASSWORD})
    assert admin_client.post(f"/admin/users/{officer.id}/active", data={"active": "0"}).status_code == 302
    assert other.get("/audit/").status_code == 302
    assert all(s.ended_at for s in db.session.scalars(db.select(UserSession).where(UserSession.user_id == officer.id)))
    resp = other.post("/login", data={"username": officer.username, "password": PASSWORD})
    assert resp.status_code == 200


def test_admin_cannot_deactivate_themselves(client, auth):
    admin = UserFactory(admin=True)
    auth.login(admin)
    assert client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}).status_code == 403


def test_admin_lands_on_the_audit_log_and_sees_only_account_menus(client, auth):
    resp = auth.login(UserFactory(admin=True))
    assert resp.headers["Location"].endswith("/audit/")
    html = client.get("/audit/").get_data(as_text=True)
    nav = html[html.index('<nav class="nav'):html.index("</nav>")]
    assert "账户管理" in nav and "审计日志" in nav and "项目征集" in nav
    for officer_menu in ("征集管理", "项目监管", "机构管理", "专家库"):
        assert officer_menu not in nav
    assert client.get("/admin/users/").status_code == 200
    assert client.get("/manage/calls/").status_code == 403
