"""The call pages in a real browser: they fit a 375-px phone, and the officer's form works without
JavaScript errors (the rubric total is progressive enhancement)."""
import pytest

from tests.browser.util import html, shot
from tests.factories import PASSWORD, CallFactory, UserFactory

pytestmark = pytest.mark.browser


def fits(pg):
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"


def test_public_call_pages_fit_a_phone(phone):
    call = CallFactory()
    phone.goto("/calls/")
    fits(phone)
    shot(phone, "calls-list-phone")
    phone.goto(f"/calls/{call.id}")
    fits(phone)
    assert "在线申报" in html(phone)
    shot(phone, "calls-detail-phone")


def test_officer_form_fits_a_phone_and_counts_the_rubric(phone):
    UserFactory(officer=True, username="officer1")
    phone.goto("/login")
    phone.fill("#username", "officer1")
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/manage/")  # officers land on their 待办 home
    fits(phone)
    phone.goto("/manage/calls/")
    fits(phone)
    phone.goto("/manage/calls/new")
    fits(phone)
    assert phone.inner_text("[data-rubric-total] strong") == "100"
    phone.fill("#criteria-0-max_points", "20")
    assert phone.inner_text("[data-rubric-total] strong") == "105"
    shot(phone, "calls-form-phone")
