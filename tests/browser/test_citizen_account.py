"""A citizen on a 375 px phone opens a citizen account (issue 13): 公众登录 from the menu, the phone number, the
SMS code the demo shows on the page (a wrong one first: the message next to the field), consent to the
个人信息保护说明, then 我的参与 with the masked number and its empty sections; 退出 ends the session.
Screenshots: tests/screenshots/citizen-account-*.png."""
import re

import pytest
import sqlalchemy as sa

from grantportal.citizens.models import Citizen
from grantportal.core.db import db
from tests.browser.util import axe_violations, fits_phone, html, shot

pytestmark = pytest.mark.browser


def test_a_citizen_signs_up_on_a_phone_with_the_code_shown_and_sees_my_participation(app, phone):
    app.config.update(SMS_SHOW_CODE=True, SMS_BACKEND="memory")
    number = "13912345678"

    phone.goto("/")
    phone.click("nav.nav >> text=公众登录")
    phone.wait_for_url("**/citizen/login")
    assert "手机号和短信验证码" in phone.inner_text("main")
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "citizen-account-1-phone")

    phone.fill("#phone", "139 1234 567")  # one digit short: said next to the field, what was typed kept
    phone.click("main button:has-text('获取验证码')")
    assert "请填写11位中国大陆手机号码" in phone.inner_text(".field.has-error")
    assert phone.input_value("#phone") == "139 1234 567"
    phone.fill("#phone", number)
    phone.click("main button:has-text('获取验证码')")
    phone.wait_for_url("**/citizen/login/code")
    shown = phone.inner_text("#demo-code")
    code = re.fullmatch(r"演示环境：验证码为 (\d{6})", shown).group(1)
    assert "139****5678" in phone.inner_text("main") and number not in html(phone)
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "citizen-account-2-code")

    phone.fill("#code", f"{(int(code) + 1) % 10**6:06d}")
    phone.check("#consent")
    phone.click("main button:has-text('登录')")
    assert "验证码不正确" in phone.inner_text(".field.has-error") and "还可尝试4次" in phone.inner_text("main")
    fits_phone(phone)
    shot(phone, "citizen-account-3-wrong-code")

    phone.fill("#code", code)
    if not phone.is_checked("#consent"):
        phone.check("#consent")
    phone.click("main button:has-text('登录')")
    phone.wait_for_url("**/citizen/")
    main = phone.inner_text("main")
    assert "公众账户已开通" in main and "我的参与" in main and "139****5678" in main and number not in main
    for title in ("我的投票", "我的随手拍", "我的异议", "我的认捐", "我的问卷"):
        assert title in main
    assert main.count("暂无记录") == 5
    assert phone.locator("nav.nav .nav-user").inner_text() == "139****5678"  # the role is hidden on a phone
    assert phone.get_attribute("nav.nav .nav-user", "href") == "/citizen/"
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "citizen-account-4-my-participation")
    assert db.session.scalar(sa.select(Citizen.phone)) == number

    phone.click("nav.nav button:has-text('退出')")
    assert "您已安全退出" in phone.inner_text("main")
    phone.goto("/citizen/")
    phone.wait_for_url("**/citizen/login**")
