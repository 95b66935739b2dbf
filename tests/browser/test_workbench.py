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


def test_the_officer_screens_in_a_batch_from_the_todo_home(page, officer, waiting):
    from grantportal.applications.models import AppStatus
    from tests import factories as f
    from tests.applications.helpers import eligible_org

    call = waiting["call"]
    eligible = f.ApplicationFactory(call=call, org=eligible_org(name="幸福家园社工服务中心"),
                                    status=AppStatus.SUBMITTED, number="BA-2026-0099", title="长者助餐与探访")
    sign_in(page, officer.username)
    page.click(f"#todo-screening a:has-text('{call.title}')")
    page.wait_for_load_state()
    page.click("text=批量资格审查（待审查 3 份）")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "自动审查全部符合（1 份）" in main and "需逐份审查（2 份）" in main and eligible.number in main
    page.click("button:has-text('确认通过资格审查')")
    page.wait_for_load_state()
    assert "请勾选确认后再提交" in page.inner_text("main")
    shot(page, "screening-batch-1-confirm")
    page.check("#confirm")
    page.click("button:has-text('确认通过资格审查')")
    page.wait_for_load_state()
    assert f"/manage/calls/{call.id}/applications" in page.url
    assert "已确认 1 份申报书通过资格审查" in page.inner_text("main")
    row = page.locator("tr", has_text=eligible.number)
    assert "资格审查通过" in row.inner_text()
    shot(page, "screening-batch-2-done")
