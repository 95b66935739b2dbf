"""An organization on a 375 px phone submits its application, reads the notice in its inbox and downloads its
申报回执 from the notice and from the application page. Screenshots: tests/screenshots/inbox-*.png."""
import pytest

from tests.applications.helpers import ready
from tests.browser.util import fits_phone, shot, sign_in

pytestmark = pytest.mark.browser


def test_an_organization_reads_its_inbox_and_downloads_its_receipt_on_a_phone(phone):
    user, app = ready()
    sign_in(phone, user.username)
    phone.goto(f"/applications/{app.id}")
    phone.check("#pledge_agree")
    phone.click("text=确认提交申报书")
    phone.wait_for_load_state()
    assert "申报书已提交" in phone.inner_text("main")

    assert phone.locator(".nav-toggle .nav-count").inner_text() == "1"  # on the closed 菜单 button
    phone.click(".nav-toggle")
    badge = phone.locator(".nav-inbox .nav-count")
    assert badge.inner_text() == "1"
    phone.click(".nav-inbox")
    phone.wait_for_url("**/inbox")
    item = phone.locator(".inbox-item.unread")
    assert "申报已受理" in item.inner_text() and "未读" in item.inner_text()
    fits_phone(phone, 375)
    shot(phone, "inbox-1-unread")

    with phone.expect_download() as download:
        item.locator("text=查看详情").click()
    receipt = download.value
    assert receipt.suggested_filename.startswith("申报回执-") and receipt.suggested_filename.endswith(".pdf")
    with open(receipt.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    phone.goto("/inbox")
    assert phone.locator(".inbox-item.unread").count() == 0
    assert phone.locator(".nav-inbox .nav-count").count() == 0 and phone.locator(".nav-toggle .nav-count").count() == 0
    shot(phone, "inbox-2-read")

    phone.goto(f"/applications/{app.id}")
    fits_phone(phone, 375)
    with phone.expect_download() as again:
        phone.click("text=下载申报回执（PDF）")
    assert again.value.suggested_filename == receipt.suggested_filename
