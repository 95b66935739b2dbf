"""忘记密码 in a real browser: the link from the mail sets a new password, and the user signs in with it."""
import re

import pytest

from tests.browser.util import shot, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_forgotten_password_reset_then_sign_in(app, browser, live_server):
    app.config["MAIL_BACKEND"] = "memory"
    UserFactory(username="ngo_wu", name="吴丽娟")
    ctx = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844},
                              is_mobile=True, has_touch=True)
    ctx.set_default_timeout(15000)
    page = ctx.new_page()
    page.goto("/login")
    page.click("text=忘记密码？")
    page.fill("#username", "ngo_wu")
    page.click("main button[type=submit]")
    assert "请查收重置密码邮件" in page.inner_text("main")
    link = re.search(r"http\S+", app.extensions["gp_outbox"][-1][2]).group(0)
    page.goto(link)
    page.fill("#password", "Spring-garden-2027")
    page.fill("#password2", "Spring-garden-2027")
    shot(page, "reset-1-new-password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/login")
    assert "密码已重新设置" in page.inner_text("main")
    sign_in(page, "ngo_wu", "Spring-garden-2027")
    assert "欢迎，吴丽娟" in page.inner_text("body")
    page.goto(link)  # the link worked once
    assert "链接无效" in page.inner_text("main")
    ctx.close()
