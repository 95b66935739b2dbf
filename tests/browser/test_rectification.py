"""The 整改 loop in a real browser: the organization files its 整改报告 with a photo on a phone (375px), the
officer verifies it and the paused tranche can be paid again. Screenshots: tests/screenshots/rectification-*.png."""
import pytest

from grantportal.core.db import db, utcnow
from grantportal.monitoring import rectification as rect
from grantportal.monitoring.rectification_models import CaseStatus, RectificationCase
from tests.browser.util import fits_phone, html, shot, sign_in
from tests.monitoring.conftest import png_bytes

pytestmark = pytest.mark.browser


def test_the_organization_files_its_report_on_a_phone_and_the_officer_verifies_it(phone, page, project, tmp_path):
    case = rect.open_case(project.contract, project.officer, "服务台账不完整\n志愿者培训未按计划开展", None, utcnow())
    db.session.commit()
    photo = tmp_path / "整改现场.png"
    photo.write_bytes(png_bytes())

    sign_in(phone, project.member.username)
    phone.goto(f"/projects/{project.contract.id}/timeline")
    assert "项目整改期间暂停拨付" in html(phone)
    phone.click(".monitoring-rectifications a")
    phone.fill("#body", "已补齐3月份探访记录，并于12月5日完成志愿者培训。")
    phone.set_input_files("#evidence", str(photo))
    fits_phone(phone)
    shot(phone, "rectification-report-phone")
    phone.click("button:has-text('提交整改报告')")
    phone.wait_for_load_state()
    assert "整改报告已提交，等待核查" in html(phone)
    fits_phone(phone)

    sign_in(page, project.officer.username)
    page.goto(f"/manage/contracts/{project.contract.id}/payments")
    assert "项目整改期间暂停拨付" in html(page)
    page.goto(f"/rectifications/{case.id}")
    assert "整改现场.png" in html(page)
    page.check("#verdict-0")  # 整改完成
    shot(page, "rectification-verify")
    page.click("button:has-text('提交核查结论')")
    page.wait_for_load_state()
    assert "整改已完成，暂停的资金恢复拨付" in html(page)
    db.session.expire_all()
    assert db.session.get(RectificationCase, case.id).status == CaseStatus.CLOSED
    page.goto(f"/manage/contracts/{project.contract.id}/payments")
    assert "项目整改期间暂停拨付" not in html(page)
    shot(page, "rectification-payments-released")
