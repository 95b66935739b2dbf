import pytest

from tests.browser.util import html, shot
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_officer_signs_in_and_out(page):
    UserFactory(officer=True, username="officer1", name="陈志明")
    page.goto("/login")
    page.fill("#username", "officer1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/manage/")  # officers land on their 待办 home
    assert "陈志明" in html(page)
    page.click("text=退出")
    page.wait_for_url("**/")
    assert "您已安全退出" in html(page)


def test_home_page_fits_a_phone(phone):
    phone.goto("/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"
    shot(phone, "home-phone")
