"""随手拍 on a 375 px phone (issue 13): a visitor opens a project in execution, taps 随手拍监督, signs in as a citizen
with the SMS code the demo shows and comes back to the form, files a report with a photo and sees it waiting;
an officer opens the queue, assigns the report to themselves and records the finding with a public summary; the
project's page then shows the finding and the summary, masked, without the reporter. Screenshots:
tests/screenshots/supervision-*.png."""

import pytest
import sqlalchemy as sa

from grantportal.core.db import db
from grantportal.core.storage import get_storage
from grantportal.supervision.models import SupervisionReport, SupervisionStatus
from tests import factories as f
from tests.browser.util import axe_violations, citizen_sign_in, fits_phone, html, shot, sign_in
from tests.core.test_photos import phone_jpeg
from tests.funding.conftest import active_contract

pytestmark = pytest.mark.browser

TEXT = "幸福社区长者饭堂本周二、周三中午没有开门，门口没有张贴任何通知，多位老人白跑一趟。"
SUMMARY = ("经核查，饭堂因燃气管道检修停业两天，未提前公告。已责成承接机构设置公告栏，停业须提前三天公告，"
           "咨询电话 0760-88123456。")


def test_a_citizen_files_a_report_with_a_photo_and_the_officers_finding_goes_public(app, phone, tmp_path):
    app.config.update(SMS_SHOW_CODE=True, SMS_BACKEND="memory")
    call, (award, _other) = f.final_awards()
    officer = call.created_by
    contract = active_contract(award, officer)
    title = award.application.title
    picture = tmp_path / "饭堂门口.jpg"
    picture.write_bytes(phone_jpeg(640, 480))

    # a visitor on the project's page: 随手拍监督 asks for the citizen sign-in first, then comes back
    phone.goto(f"/projects/{contract.id}")
    phone.click("main a.button:has-text('随手拍监督')")
    citizen_sign_in(phone)
    phone.wait_for_url(f"**/projects/{contract.id}/supervision/new")
    main = phone.inner_text("main")
    assert title in main and "由报告人负责" in main
    phone.fill("#text", TEXT)
    phone.fill("#place", "幸福社区长者饭堂门口")
    phone.set_input_files("#photos", str(picture))
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "supervision-1-form")
    phone.click("main button:has-text('提交报告')")
    phone.wait_for_url("**/supervision/*")
    main = phone.inner_text("main")
    assert "随手拍监督报告已提交" in main and "已提交，待受理" in main and TEXT in main
    photo = phone.locator(".supervision-photos img")
    photo.scroll_into_view_if_needed()  # loading="lazy": the photo loads once it comes into view
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert photo.evaluate("img => img.naturalWidth") == 640
    fits_phone(phone)
    shot(phone, "supervision-2-filed")
    report = db.session.scalar(sa.select(SupervisionReport))
    stored = get_storage().read(report.photos[0].file.storage_key)
    assert b"Exif" not in stored and b"ExamplePhone" not in stored

    # the officer: queue → the report → assign to themselves → the finding
    phone.context.clear_cookies()
    sign_in(phone, officer.username)
    phone.goto("/manage/supervision")
    assert "待分派（1）" in phone.inner_text("main")
    fits_phone(phone)
    shot(phone, "supervision-3-queue")
    phone.click("main table a:has-text('处理')")
    phone.click("main button:has-text('分派')")
    assert "已分派给" in phone.inner_text("main")
    phone.check("input[name=finding][value=true]")
    phone.fill("#public_summary", SUMMARY)
    fits_phone(phone)
    shot(phone, "supervision-4-finding")
    phone.click("main button:has-text('保存核查结论并公开')")
    assert "核查结论已记录" in phone.inner_text("main") and "已通知报告人" in phone.inner_text("main")
    db.session.expire_all()
    assert db.session.get(SupervisionReport, report.id).status == SupervisionStatus.ANSWERED

    # the public page: the finding and the summary, the phone number masked, nothing about the reporter
    phone.context.clear_cookies()
    phone.goto(f"/projects/{contract.id}")
    section = phone.inner_text("#supervision")
    assert "属实" in section and "已责成承接机构设置公告栏" in section and "076*******56" in section
    page = html(phone)
    assert "88123456" not in page and "139****5678" not in page and "13912345678" not in page and TEXT not in page
    phone.locator("#supervision").scroll_into_view_if_needed()
    fits_phone(phone)
    assert axe_violations(phone) == []
    shot(phone, "supervision-5-public-finding")
    shot(phone, "supervision-5-public-finding-section", full_page=False)
