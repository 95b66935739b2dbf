"""The officer's 待办 home in a real browser, on a desktop and on a 375 px phone: signing in lands there,
each item shows its count, the page fits the phone, and a link opens the list where the officer acts.
Screenshots: tests/screenshots/workbench-home*.png."""
import pytest

from tests.browser.util import fits_phone, shot, sign_in

pytestmark = pytest.mark.browser


def test_the_officer_lands_on_the_todo_home_on_desktop_and_phone(page, phone, officer, waiting):
    sign_in(page, officer.username)
    assert page.url.endswith("/manage/")
    assert page.locator("h1").inner_text() == "待办事项"
    counts = {key: page.locator(f"#todo-{key} .todo-count").inner_text()
              for key in ("orgs", "screening", "rounds", "objections", "tranches", "reports", "overdue")}
    assert counts == {"orgs": "2", "screening": "2", "rounds": "1", "objections": "1", "tranches": "1",
                      "reports": "1", "overdue": "1"}
    shot(page, "workbench-home")
    page.click("#todo-orgs h2 a")
    page.wait_for_load_state()
    assert "/manage/orgs/" in page.url and "status=pending" in page.url

    sign_in(phone, officer.username)
    assert phone.url.endswith("/manage/")
    fits_phone(phone)
    shot(phone, "workbench-home-phone")
    phone.click(f"#todo-screening a:has-text('{waiting['call'].title}')")
    phone.wait_for_load_state()
    assert f"/manage/calls/{waiting['call'].id}/applications" in phone.url
