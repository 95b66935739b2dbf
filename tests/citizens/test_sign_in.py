"""公众登录 (issue 13): a citizen signs in with a mainland mobile number and an SMS code; the first successful
code opens the account once the person agrees to the 个人信息保护说明. The session is the one every account
gets (accounts/auth.py); staff and organization accounts never double as citizen accounts."""
import re

import sqlalchemy as sa

from grantportal.accounts.models import User, UserSession
from grantportal.citizens.models import Citizen, SmsCode
from grantportal.citizens.operations import CONSENT_VERSION
from grantportal.core.db import db
from grantportal.core.roles import Role
from tests import factories as f
from tests.citizens.conftest import CODE, HOME, LOGIN, RESEND, request_code, sign_in


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_new_citizen_signs_up_with_the_sms_code_and_sees_my_participation(client, sms, phone_number):
    masked = f"{phone_number[:3]}****{phone_number[-4:]}"
    assert "公众登录" in client.get(LOGIN).get_data(as_text=True)
    code = request_code(client, sms, phone_number)
    [(to, text)] = sms
    assert to == phone_number and re.fullmatch(r"【.+】您的验证码为\d{6}，10分钟内有效。.*", text)
    page = client.get(CODE).get_data(as_text=True)
    assert f"验证码已发送至 <strong>{masked}</strong>，10分钟内有效" in page
    assert phone_number not in page and "个人信息保护说明" in page and "演示环境" not in page

    resp = client.post(CODE, data={"code": code, "consent": "y"})
    assert resp.status_code == 302 and resp.headers["Location"] == HOME
    home = client.get(HOME).get_data(as_text=True)
    assert "公众账户已开通" in home and "<h1>我的参与</h1>" in home and masked in home and phone_number not in home
    for title in ("我的投票", "我的随手拍", "我的异议", "我的认捐", "我的问卷"):
        assert f">{title}</h2>" in home
    assert home.count("暂无记录") == 5
    assert f'<a href="/citizen/" class="nav-user">{masked}<span class="nav-role">（公众）</span></a>' in home

    citizen = db.session.scalar(sa.select(Citizen))
    user = citizen.user
    assert citizen.phone == phone_number and citizen.phone_verified_at and citizen.consented_at
    assert citizen.consent_version == CONSENT_VERSION and citizen.real_name is None and citizen.id_number is None
    assert user.role == Role.CITIZEN and user.username.startswith("citizen-") and user.name == masked
    assert user.phone is None and user.email is None  # the number lives in one place: the citizen row
    assert user.password_hash.startswith("!")  # no password signs a citizen in
    assert client.post("/login", data={"username": user.username, "password": ""}).status_code == 200


def test_a_returning_citizen_signs_in_to_the_same_account_without_ticking_again(client, sms):
    citizen = f.CitizenFactory()
    before = citizen.phone_verified_at
    resp = sign_in(client, sms, citizen.phone, consent=False)
    assert resp.status_code == 302 and resp.headers["Location"] == HOME
    assert "登录成功" in client.get(HOME).get_data(as_text=True)
    assert _count(Citizen) == 1 and _count(User) == 1
    db.session.refresh(citizen)
    assert citizen.phone_verified_at > before


def test_the_session_is_the_site_s_own_new_at_sign_in_and_ended_by_sign_out(client, sms):
    citizen = f.CitizenFactory()
    client.get(LOGIN)
    old = client.get_cookie("gp_session")
    sign_in(client, sms, citizen.phone)
    cookie = client.get_cookie("gp_session").value
    assert old is None or old.value != cookie
    record = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == citizen.user_id))
    assert record.ended_at is None
    assert client.post("/logout").status_code == 302
    db.session.refresh(record)
    assert record.ended_at is not None
    client.set_cookie("gp_session", cookie)  # replaying the old cookie does not bring the session back
    resp = client.get(HOME)
    assert resp.status_code == 302 and resp.headers["Location"].startswith(LOGIN)


def test_signing_in_goes_on_to_the_page_that_asked_for_it(client, sms):
    citizen = f.CitizenFactory()
    resp = client.post(f"{LOGIN}?next=/results", data={"phone": citizen.phone})
    assert resp.status_code == 302
    code = re.search(r"验证码为(\d{6})", sms[-1][1]).group(1)
    assert client.post(CODE, data={"code": code}).headers["Location"] == "/results"
    client.post("/logout")
    db.session.execute(sa.delete(SmsCode))
    db.session.commit()
    client.post(f"{LOGIN}?next=//evil.example/x", data={"phone": citizen.phone})
    code = re.search(r"验证码为(\d{6})", sms[-1][1]).group(1)
    assert client.post(CODE, data={"code": code}).headers["Location"] == HOME  # only a path on this site


def test_my_participation_asks_a_visitor_to_sign_in_as_a_citizen(client):
    resp = client.get(HOME)
    assert resp.status_code == 302 and resp.headers["Location"].startswith(LOGIN)


def test_a_signed_in_citizen_opening_the_sign_in_pages_goes_to_my_participation(client, sms):
    sign_in(client, sms, f.CitizenFactory().phone)
    for url in (LOGIN, CODE):
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"] == HOME


def test_a_phone_number_written_as_people_write_it_is_understood(client, sms):
    for typed in ("+86 138-1234-5678", "１３８ １２３４ ５６７８", "8613812345678", " 138 1234 5678 "):
        client.post(LOGIN, data={"phone": typed})
        assert sms[-1][0] == "13812345678", typed
        db.session.execute(sa.delete(SmsCode))  # no waiting for the next one
        db.session.commit()
    assert len(sms) == 4


def test_the_demo_shows_the_code_on_the_page_only_when_switched_on(app, client, sms, phone_number):
    app.config["SMS_SHOW_CODE"] = True
    code = request_code(client, sms, phone_number)
    assert f'<p class="flash flash-warning" id="demo-code" role="status">演示环境：验证码为 {code}</p>' in \
        client.get(CODE).get_data(as_text=True)
    app.config["SMS_SHOW_CODE"] = False
    assert "演示环境" not in client.get(CODE).get_data(as_text=True)


def test_staff_and_organization_accounts_are_told_to_sign_out_first(client, auth, sms, phone_number):
    for user in (f.UserFactory(officer=True), f.member_of(), f.UserFactory(expert=True), f.UserFactory(admin=True)):
        auth.login(user)
        for method, url in (("GET", LOGIN), ("POST", LOGIN), ("GET", CODE), ("POST", CODE), ("POST", RESEND)):
            resp = client.open(url, method=method, data={"phone": phone_number, "code": "123456"})
            body = resp.get_data(as_text=True)
            assert resp.status_code == 403, (user.role, method, url)
            assert "请先退出当前账户" in body and "公众账户与工作账户须分开使用" in body
        assert client.get(HOME).status_code == 403
        auth.logout()
    assert sms == [] and _count(SmsCode) == 0 and _count(Citizen) == 0


def test_a_citizen_opens_no_staff_or_organization_page(client, sms):
    sign_in(client, sms, f.CitizenFactory().phone)
    for url in ("/manage/", "/manage/calls/", "/audit/", "/admin/users/", "/applications/", "/org/", "/review/",
                "/expert/profile", "/account"):
        assert client.get(url).status_code == 403, url
    assert client.post("/account/phone", data={"phone": "13900001111", "current": "x"}).status_code == 403


def test_a_deactivated_citizen_cannot_sign_in(client, sms):
    citizen = f.CitizenFactory()
    citizen.user.is_active = False
    db.session.commit()
    code = request_code(client, sms, citizen.phone)
    resp = client.post(CODE, data={"code": code})
    assert resp.status_code == 200 and "该公众账户已停用" in resp.get_data(as_text=True)
    assert _count(UserSession) == 0


def test_my_participation_lists_the_citizen_s_objections(client, sms):
    from grantportal.awards.models import Objection

    citizen = f.CitizenFactory()
    _call, (award, _other) = f.final_awards()
    db.session.add(Objection(award=award, filed_by_id=citizen.user_id, real_name="王晓明", contact=citizen.phone,
                             reason="服务对象与另一已资助项目重复，请核实。"))
    db.session.commit()
    sign_in(client, sms, citizen.phone)
    home = client.get(HOME).get_data(as_text=True)
    section = home[home.index(">我的异议</h2>"):home.index(">我的认捐</h2>")]
    assert award.application.title in section and "待处理" in section and "暂无记录" not in section
    assert home.count("暂无记录") == 4
