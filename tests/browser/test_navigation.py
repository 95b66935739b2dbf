"""The grouped main menu (templates/_nav.html) in a real browser, without a script: an officer on a 375 px phone
sees a 菜单 button instead of a wall of links, opens it and reaches 征集管理, with the public pages folded under
公开信息; a keyboard user does the same with Tab and Enter; on a desktop the officer's own links show directly
and 公开信息 opens as a list. axe-core finds nothing wrong with the menu open.
Screenshots: tests/screenshots/nav-*.png."""
import pytest

from grantportal.core.db import db
from grantportal.core.notices import notify
from tests.browser.util import axe_violations, fits_phone, shot, sign_in

pytestmark = pytest.mark.browser


def _focused(page):
    return page.evaluate("document.activeElement.textContent.trim()")


def test_an_officer_on_a_phone_opens_the_menu_and_reaches_call_management(phone, officer):
    notify(officer, "新的机构注册待审核")
    db.session.commit()
    sign_in(phone, officer.username)
    toggle = phone.locator("nav.nav summary.nav-toggle")
    manage_calls = phone.locator("nav.nav a:has-text('征集管理')")
    assert toggle.is_visible() and not manage_calls.is_visible()
    assert toggle.locator(".nav-count").inner_text() == "1"  # the unread notice shows on the closed menu
    fits_phone(phone)
    assert phone.locator("main h1").bounding_box()["y"] < 200  # the content comes first, not a wall of links
    shot(phone, "nav-1-phone-closed", full_page=False)

    toggle.click()
    assert manage_calls.is_visible() and phone.locator("nav.nav a:has-text('待办')").is_visible()
    assert phone.get_attribute("nav.nav a:has-text('待办')", "aria-current") == "page"
    public = phone.locator("nav.nav details.nav-fold")
    assert public.locator("summary").inner_text() == "公开信息"
    assert not public.locator("a:has-text('项目征集')").is_visible()
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "nav-2-phone-open", full_page=False)
    public.locator("summary").click()
    assert public.locator("a:has-text('项目征集')").is_visible()
    shot(phone, "nav-3-phone-public", full_page=False)

    manage_calls.click()
    phone.wait_for_url("**/manage/calls/")
    assert not manage_calls.is_visible()  # a new page: the menu closed again
    toggle.click()
    assert manage_calls.get_attribute("aria-current") == "page"


def test_a_keyboard_user_reaches_call_management_with_tab_and_enter(phone, officer):
    sign_in(phone, officer.username)
    phone.locator("body").focus()
    order = []
    for _ in range(3):
        phone.keyboard.press("Tab")
        order.append(_focused(phone))
    assert order[0] == "跳到正文" and order[2] == "☰菜单"
    phone.keyboard.press("Enter")
    assert phone.locator("nav.nav details.nav-menu").get_attribute("open") is not None
    phone.keyboard.press("Tab")
    assert _focused(phone) == "待办"
    phone.keyboard.press("Tab")
    assert _focused(phone) == "征集管理"
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/manage/calls/")
    assert "征集" in phone.inner_text("main h1")


def test_on_a_desktop_the_officer_s_own_links_show_and_public_pages_open_from_one_item(page, officer):
    sign_in(page, officer.username)
    assert not page.locator("nav.nav summary.nav-toggle").is_visible()
    assert page.locator("nav.nav a:has-text('征集管理')").is_visible()
    public = page.locator("nav.nav details.nav-fold")
    assert not public.locator("a:has-text('公示与结果')").is_visible()
    shot(page, "nav-4-desktop", full_page=False)
    public.locator("summary").click()
    assert public.locator("a:has-text('公示与结果')").is_visible()
    assert axe_violations(page) == []
    shot(page, "nav-5-desktop-public", full_page=False)
    public.locator("a:has-text('公示与结果')").click()
    page.wait_for_url("**/results")
    assert page.locator("nav.nav details.nav-fold summary").get_attribute("class") == "nav-current"
